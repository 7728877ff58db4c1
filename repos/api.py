"""``/api/repos/``: the signed-in user's connected repositories."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from changelog_site.api_fields import StrictRegexField
from changelog_site.kv import keys
from repos.models import Repo
from repos.services import repo_connect, repo_disconnect


class RepoOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    userId = serializers.CharField()
    githubRepoId = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    isPrivate = serializers.BooleanField()
    connectedAt = serializers.CharField()
    webhookId = serializers.IntegerField(required=False, allow_null=True)


class RepoListView(APIView):
    """The connected repositories; connecting one (its webhook included)."""

    class InputSerializer(serializers.Serializer):
        name = StrictRegexField(keys.REPO_NAME.pattern, max_length=200, help_text="owner/repo")

    @extend_schema(responses=RepoOutputSerializer(many=True))
    def get(self, request):
        repos = Repo.for_user(request.shiplog_user_id)
        return Response(RepoOutputSerializer([repo.to_dict() for repo in repos], many=True).data)

    @extend_schema(request=InputSerializer, responses={201: RepoOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        repo = repo_connect(user_id=request.shiplog_user_id, name=data.validated_data["name"])
        return Response(RepoOutputSerializer(repo.to_dict()).data, status=status.HTTP_201_CREATED)


class RepoDetailView(APIView):
    """Disconnecting a repository (and, with ``deleteEntries``, its entries)."""

    class InputSerializer(serializers.Serializer):
        deleteEntries = serializers.BooleanField(default=False)

    @extend_schema(parameters=[InputSerializer], responses={204: None})
    def delete(self, request, owner, repo):
        options = self.InputSerializer(data=request.query_params)
        options.is_valid(raise_exception=True)
        repo_disconnect(user_id=request.shiplog_user_id, name=f"{owner}/{repo}",
                        delete_entries=options.validated_data["deleteEntries"])
        return Response(status=status.HTTP_204_NO_CONTENT)
