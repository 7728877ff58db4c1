"""``/api/repos/``: the signed-in user's connected repositories."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import shiplog_user_id
from changelog_site.api_fields import StrictRegexField
from changelog_site.kv import keys
from repos.models import Repo
from repos.services import repo_connect, repo_disconnect


class RepoSerializer(serializers.Serializer):
    id = serializers.CharField()
    userId = serializers.CharField()
    githubRepoId = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    isPrivate = serializers.BooleanField()
    connectedAt = serializers.CharField()
    webhookId = serializers.IntegerField(required=False, allow_null=True)


class RepoConnectSerializer(serializers.Serializer):
    name = StrictRegexField(keys.REPO_NAME.pattern, max_length=200, help_text="owner/repo")


class RepoDisconnectSerializer(serializers.Serializer):
    deleteEntries = serializers.BooleanField(default=False)


class RepoListView(APIView):
    @extend_schema(responses=RepoSerializer(many=True))
    def get(self, request):
        repos = Repo.for_user(shiplog_user_id(request.user, request))
        return Response(RepoSerializer([repo.to_dict() for repo in repos], many=True).data)

    @extend_schema(request=RepoConnectSerializer, responses={201: RepoSerializer})
    def post(self, request):
        data = RepoConnectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        repo = repo_connect(user_id=shiplog_user_id(request.user, request), name=data.validated_data["name"])
        return Response(RepoSerializer(repo.to_dict()).data, status=status.HTTP_201_CREATED)


class RepoDetailView(APIView):
    @extend_schema(parameters=[RepoDisconnectSerializer], responses={204: None})
    def delete(self, request, owner, repo):
        options = RepoDisconnectSerializer(data=request.query_params)
        options.is_valid(raise_exception=True)
        repo_disconnect(user_id=shiplog_user_id(request.user, request), name=f"{owner}/{repo}",
                        delete_entries=options.validated_data["deleteEntries"])
        return Response(status=status.HTTP_204_NO_CONTENT)
