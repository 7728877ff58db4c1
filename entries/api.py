"""The entries API: one view per operation, each with its own serializers."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User as UserRecord
from billing.services import usage_summary
from changelog_site.api_fields import StrictCharField, StrictChoiceField, StrictIntegerField, StrictRegexField
from changelog_site.ratelimit import ScopedUserThrottle
from entries import publishing
from entries.models import BODY_MAX, CATEGORIES, STATUSES, TEXT_SOURCES, TITLE_MAX


class EntryOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    repoId = serializers.CharField()
    prId = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField(allow_blank=True)
    category = serializers.ChoiceField(choices=CATEGORIES)
    status = serializers.ChoiceField(choices=STATUSES)
    mergedAt = serializers.CharField()
    publishedAt = serializers.CharField(allow_null=True)
    prUrl = serializers.CharField()
    author = serializers.CharField()
    aiRewrite = serializers.CharField(allow_null=True)
    labels = serializers.ListField(child=serializers.CharField())
    textSource = serializers.ChoiceField(choices=TEXT_SOURCES, allow_null=True)


def entry_data(entry):
    return EntryOutputSerializer(entry.to_dict()).data


class EntryWriteView(APIView):
    """Base for the entry views: who is asking, and the per-user write limit."""

    throttle_classes = [ScopedUserThrottle]
    throttle_scope = "entry-write"

    def user_id(self):
        return self.request.shiplog_user_id


class EntryListView(EntryWriteView):
    """Entries in one status, newest merged first, a page at a time (``next`` is the cursor)."""

    class InputSerializer(serializers.Serializer):
        status = StrictChoiceField(choices=STATUSES, default="draft")
        repo = StrictRegexField(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", required=False, max_length=200)
        cursor = StrictCharField(required=False, max_length=500)
        limit = StrictIntegerField(required=False, min_value=1, max_value=100, default=20)
        category = StrictChoiceField(choices=CATEGORIES, required=False)
        label = StrictCharField(required=False, max_length=100)
        q = StrictCharField(required=False, max_length=200)

    class OutputSerializer(serializers.Serializer):
        results = EntryOutputSerializer(many=True)
        next = serializers.CharField(allow_null=True)

    @extend_schema(parameters=[InputSerializer], responses=OutputSerializer, operation_id="entries_list")
    def get(self, request):
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        entries, next_cursor = publishing.entries_list(
            user_id=self.user_id(), status=data["status"], repo_id=data.get("repo"), cursor=data.get("cursor"),
            limit=data["limit"], category=data.get("category"), label=data.get("label"), query=data.get("q"))
        return Response(self.OutputSerializer({"results": [entry.to_dict() for entry in entries], "next": next_cursor}).data)


class EntryDetailView(EntryWriteView):
    """One entry: read it, edit its text and category, or discard it."""

    class InputSerializer(serializers.Serializer):
        title = StrictCharField(max_length=TITLE_MAX, required=False)
        body = StrictCharField(max_length=BODY_MAX, required=False, allow_blank=True, trim_whitespace=False)
        category = serializers.ChoiceField(choices=CATEGORIES, required=False)
        aiRewrite = StrictCharField(max_length=BODY_MAX, required=False, allow_null=True, allow_blank=True)
        textSource = serializers.ChoiceField(choices=TEXT_SOURCES, required=False)

        def validate(self, attrs):
            if not attrs:
                raise serializers.ValidationError("Send at least one of title, body, category, aiRewrite, textSource.")
            return attrs

    @extend_schema(responses=EntryOutputSerializer)
    def get(self, request, entry_id):
        return Response(entry_data(publishing.entry_get(user_id=self.user_id(), entry_id=entry_id)))

    @extend_schema(request=InputSerializer, responses=EntryOutputSerializer)
    def patch(self, request, entry_id):
        changes = self.InputSerializer(data=request.data)
        changes.is_valid(raise_exception=True)
        entry = publishing.entry_update(user_id=self.user_id(), entry_id=entry_id, changes=changes.validated_data)
        return Response(entry_data(entry))

    @extend_schema(responses={204: None})
    def delete(self, request, entry_id):
        publishing.entry_discard(user_id=self.user_id(), entry_id=entry_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EntryPublishView(EntryWriteView):
    """Publish an entry to the public changelog (counts toward the plan's monthly limit)."""

    error_statuses = (402,)

    @extend_schema(request=None, responses=EntryOutputSerializer)
    def post(self, request, entry_id):
        user_id = self.user_id()
        entry = publishing.entry_publish(user_id=user_id, entry_id=entry_id, user=UserRecord.get(user_id))
        return Response(entry_data(entry))


class EntryUnpublishView(EntryWriteView):
    """Take a published entry back to the drafts."""

    @extend_schema(request=None, responses=EntryOutputSerializer)
    def post(self, request, entry_id):
        return Response(entry_data(publishing.entry_unpublish(user_id=self.user_id(), entry_id=entry_id)))


class EntryRewriteView(EntryWriteView):
    """Rewrite an entry's text for readers with the AI writer (counts toward the plan's limit)."""

    throttle_scope = "ai-rewrite"
    error_statuses = (402, 502)

    @extend_schema(request=None, responses=EntryOutputSerializer)
    def post(self, request, entry_id):
        user_id = self.user_id()
        entry = publishing.entry_rewrite(user_id=user_id, entry_id=entry_id, user=UserRecord.get(user_id))
        return Response(entry_data(entry))


class UsageView(EntryWriteView):
    """This month's usage and the plan's limits."""

    class OutputSerializer(serializers.Serializer):
        plan = serializers.CharField()
        month = serializers.CharField()
        usage = serializers.DictField(child=serializers.IntegerField())
        limits = serializers.DictField(child=serializers.IntegerField(allow_null=True))
        remaining = serializers.DictField(child=serializers.IntegerField(allow_null=True))

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        return Response(self.OutputSerializer(usage_summary(user=UserRecord.get(self.user_id()))).data)
