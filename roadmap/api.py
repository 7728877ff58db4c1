"""The roadmap API (CONTRACT.md): ``GET /api/roadmap/?repo=owner/repo`` and ``PATCH /api/roadmap/{roadmapId}/``."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import shiplog_user_id
from changelog_site.api_fields import StrictChoiceField, StrictRegexField
from changelog_site.kv import keys
from repos.models import Repo
from roadmap import services
from roadmap.models import STATUSES


class RoadmapItemSerializer(serializers.Serializer):
    """The document's ``RoadmapItem`` (live ``upvotes``/``voterIds``) and the roadmap's state of it."""

    id = serializers.CharField()
    userId = serializers.CharField()
    repoId = serializers.CharField()
    issueId = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=STATUSES)
    upvotes = serializers.IntegerField()
    voterIds = serializers.ListField(child=serializers.CharField())
    githubIssueUrl = serializers.CharField()
    labels = serializers.ListField(child=serializers.CharField())
    linkedEntryId = serializers.CharField(required=False, allow_null=True)
    createdAt = serializers.CharField()
    updatedAt = serializers.CharField()
    hidden = serializers.BooleanField(help_text="hidden from the public roadmap by the owner")
    offRoadmap = serializers.CharField(allow_null=True, help_text="why GitHub's state keeps it off the public "
                                                                  "roadmap: not_planned or label_filter")
    voters = serializers.IntegerField(help_text="how many readers upvoted it")


class RoadmapListView(APIView):
    """The signed-in owner's roadmap items of one repository (or of all of them), by issue number."""

    class RoadmapListQuery(serializers.Serializer):
        repo = StrictRegexField(keys.REPO_NAME.pattern, required=False, max_length=200, help_text="owner/repo")

    class RoadmapList(serializers.Serializer):
        results = RoadmapItemSerializer(many=True)

    @extend_schema(parameters=[RoadmapListQuery], responses=RoadmapList, operation_id="roadmap_list")
    def get(self, request):
        params = self.RoadmapListQuery(data=request.query_params)
        params.is_valid(raise_exception=True)
        user_id = shiplog_user_id(request.user, request)
        repo_ids = [params.validated_data["repo"]] if "repo" in params.validated_data else \
            [repo.name for repo in Repo.for_user(user_id)]
        items = [owned.to_dict() for repo_id in repo_ids
                 for owned in services.owned_items(user_id=user_id, repo_id=repo_id)]
        return Response(self.RoadmapList({"results": items}).data)


class RoadmapDetailView(APIView):
    """Move an item to another column (kept until GitHub's state of its issue changes) or hide it."""

    class RoadmapItemChange(serializers.Serializer):
        status = StrictChoiceField(choices=STATUSES, required=False)
        hidden = serializers.BooleanField(required=False)

        def validate(self, attrs):
            if not attrs:
                raise serializers.ValidationError("Send status and/or hidden.")
            return attrs

    @extend_schema(request=RoadmapItemChange, responses=RoadmapItemSerializer, operation_id="roadmap_update")
    def patch(self, request, roadmap_id):
        user_id = shiplog_user_id(request.user, request)
        services.owned_item(user_id=user_id, roadmap_id=roadmap_id)  # another owner's item: 404 whatever the body
        changes = self.RoadmapItemChange(data=request.data)
        changes.is_valid(raise_exception=True)
        owned = services.item_update(user_id=user_id, roadmap_id=roadmap_id,
                                     status=changes.validated_data.get("status"),
                                     hidden=changes.validated_data.get("hidden"))
        return Response(RoadmapItemSerializer(owned.to_dict()).data)
