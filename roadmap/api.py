"""The roadmap API: ``GET /api/roadmap/?repo=owner/repo`` and ``PATCH /api/roadmap/{roadmapId}/``."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from changelog_site.api_fields import StrictCharField, StrictChoiceField, StrictIntegerField, StrictRegexField
from changelog_site.kv import keys
from repos.models import Repo
from roadmap import services
from roadmap.models import STATUSES


class RoadmapItemOutputSerializer(serializers.Serializer):
    """The document's ``RoadmapItem`` but ``voterIds`` (live ``upvotes``) and the roadmap's state of it."""

    id = serializers.CharField()
    userId = serializers.CharField()
    repoId = serializers.CharField()
    issueId = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=STATUSES)
    upvotes = serializers.IntegerField(help_text="the live count (roadmap:upvotes:{roadmapId})")
    githubIssueUrl = serializers.CharField()
    labels = serializers.ListField(child=serializers.CharField())
    linkedEntryId = serializers.CharField(required=False, allow_null=True)
    createdAt = serializers.CharField()
    updatedAt = serializers.CharField()
    hidden = serializers.BooleanField(help_text="hidden from the public roadmap by the owner")
    offRoadmap = serializers.CharField(allow_null=True, help_text="why GitHub's state keeps it off the public "
                                                                  "roadmap: not_planned or label_filter")
    voters = serializers.IntegerField(help_text="how many readers upvoted it (the same count)")


class RoadmapListView(APIView):
    """The signed-in owner's roadmap items of one repository (or of all of them, by repository name),
    by issue number, a page at a time: pass ``next`` back as ``cursor`` for the following page."""

    class InputSerializer(serializers.Serializer):
        repo = StrictRegexField(keys.REPO_NAME.pattern, required=False, max_length=200, help_text="owner/repo")
        cursor = StrictCharField(required=False, max_length=400, help_text="the previous page's next")
        limit = StrictIntegerField(required=False, min_value=1, max_value=services.PAGE_MAX,
                                   help_text=f"items per page (default {services.PAGE_SIZE})")

    class OutputSerializer(serializers.Serializer):
        results = RoadmapItemOutputSerializer(many=True)
        next = serializers.CharField(allow_null=True, help_text="cursor of the next page; null on the last")

    @extend_schema(parameters=[InputSerializer], responses=OutputSerializer, operation_id="roadmap_list")
    def get(self, request):
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        wanted, user_id = params.validated_data, request.shiplog_user_id
        repo_ids = [wanted["repo"]] if "repo" in wanted else sorted(repo.name for repo in Repo.for_user(user_id))
        items, more = services.owned_page(user_id=user_id, repo_ids=repo_ids, cursor=wanted.get("cursor"),
                                          limit=wanted.get("limit"))
        if not items and "repo" in wanted:
            services.repo_require(user_id=user_id, repo_id=wanted["repo"])  # another's repository: 404
        return Response(self.OutputSerializer({"results": [o.to_dict() for o in items], "next": more}).data)


class RoadmapDetailView(APIView):
    """Move an item to another column (kept until GitHub's state of its issue changes) or hide it."""

    class InputSerializer(serializers.Serializer):
        status = StrictChoiceField(choices=STATUSES, required=False)
        hidden = serializers.BooleanField(required=False)

        def validate(self, attrs):
            if not attrs:
                raise serializers.ValidationError("Send status and/or hidden.")
            return attrs

    @extend_schema(request=InputSerializer, responses=RoadmapItemOutputSerializer, operation_id="roadmap_update")
    def patch(self, request, roadmap_id):
        user_id = request.shiplog_user_id
        services.owned_item(user_id=user_id, roadmap_id=roadmap_id)  # another owner's item: 404 whatever the body
        changes = self.InputSerializer(data=request.data)
        changes.is_valid(raise_exception=True)
        owned = services.item_update(user_id=user_id, roadmap_id=roadmap_id,
                                     status=changes.validated_data.get("status"),
                                     hidden=changes.validated_data.get("hidden"))
        return Response(RoadmapItemOutputSerializer(owned.to_dict()).data)
