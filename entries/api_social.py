"""The social posts API: ``GET, POST /api/entries/{entryId}/social/`` and
``DELETE /api/entries/{entryId}/social/{platform}/`` (plus ``PATCH`` there, to save an edit)."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import User as UserRecord
from changelog_site.api_fields import StrictCharField, StrictChoiceField
from changelog_site.ratelimit import rate_limit_hit
from entries import social
from entries.api import EntryWriteView
from entries.models import PLATFORMS
from entries.social_writer import LINKEDIN_MAX, THREAD_MAX_POSTS, TONES
from entries.tweet_length import MAX_WEIGHT


class SocialPostOutputSerializer(serializers.Serializer):
    """The data document's ``TwitterDraft`` and what each platform counts (``lengths``: X's
    weighted length of each post, or the LinkedIn post's length)."""

    id = serializers.CharField()
    entryId = serializers.CharField()
    userId = serializers.CharField()
    platform = serializers.ChoiceField(choices=PLATFORMS)
    tweets = serializers.ListField(child=serializers.CharField(allow_blank=True), allow_null=True, required=False)
    post = serializers.CharField(allow_null=True, allow_blank=True, required=False)
    hashtags = serializers.ListField(child=serializers.CharField(allow_blank=True))
    tone = serializers.CharField(allow_null=True, required=False)
    createdAt = serializers.CharField()
    lengths = serializers.ListField(child=serializers.IntegerField())


def ai_rate_limit(request):
    """With an AI provider, writing a post shares the AI rewrite's per-minute limit (429); the
    built-in writer only the entry writes'. Counted after the entry's owner is checked."""
    if social.writer_kind() == "ai":
        limit, window = settings.RATE_LIMITS["ai-rewrite"]
        rate_limit_hit(name="ai-rewrite", subject=str(request.user.pk), limit=limit, window_seconds=window)


def draft_data(draft):
    return SocialPostOutputSerializer({**draft.to_dict(), "lengths": social.lengths(draft)}).data


class SocialListView(EntryWriteView):
    """An entry's social posts; POST writes (or rewrites) one, through the AI provider when one is
    configured (counts one AI rewrite: 402 at the plan's limit) or the built-in writer (free)."""

    error_statuses = (402, 502)

    class InputSerializer(serializers.Serializer):
        platform = StrictChoiceField(choices=PLATFORMS)
        tone = StrictChoiceField(choices=TONES, required=False)

    class OutputSerializer(serializers.Serializer):
        results = SocialPostOutputSerializer(many=True)
        writer = serializers.ChoiceField(choices=("ai", "builtin"),
                                         help_text="Who writes the next post: the AI provider or the built-in writer.")

    class GeneratedSerializer(SocialPostOutputSerializer):
        writer = serializers.ChoiceField(choices=("ai", "builtin"), help_text="Who wrote this post.")

    @extend_schema(responses=OutputSerializer, operation_id="entries_social_list")
    def get(self, request, entry_id):
        _, drafts = social.social_list(user_id=self.user_id(), entry_id=entry_id)
        return Response(self.OutputSerializer({"results": [draft_data(draft) for draft in drafts],
                                               "writer": social.writer_kind()}).data)

    @extend_schema(request=InputSerializer, responses={201: GeneratedSerializer},
                   operation_id="entries_social_create")
    def post(self, request, entry_id):
        user_id = self.user_id()
        social.social_entry(user_id=user_id, entry_id=entry_id)
        choice = self.InputSerializer(data=request.data)
        choice.is_valid(raise_exception=True)
        ai_rate_limit(request)
        draft, writer = social.social_generate(user_id=user_id, entry_id=entry_id, user=UserRecord.get(user_id),
                                               **choice.validated_data)
        return Response({**draft_data(draft), "writer": writer}, status=status.HTTP_201_CREATED)


class SocialDetailView(EntryWriteView):
    """One platform's post of an entry: save an edit (PATCH) or discard it (DELETE)."""

    class InputSerializer(serializers.Serializer):
        tweets = serializers.ListField(child=StrictCharField(max_length=4 * MAX_WEIGHT, trim_whitespace=False),
                                       min_length=1, max_length=THREAD_MAX_POSTS, required=False)
        post = StrictCharField(max_length=2 * LINKEDIN_MAX, required=False, trim_whitespace=False)
        hashtags = serializers.ListField(child=StrictCharField(max_length=100), max_length=30, required=False)

        def validate(self, attrs):
            if not attrs:
                raise serializers.ValidationError("Send at least one of tweets, post, hashtags.")
            return attrs

    @extend_schema(request=InputSerializer, responses=SocialPostOutputSerializer,
                   operation_id="entries_social_update")
    def patch(self, request, entry_id, platform):
        social.social_get(user_id=self.user_id(), entry_id=entry_id, platform=platform)
        changes = self.InputSerializer(data=request.data)
        changes.is_valid(raise_exception=True)
        draft = social.social_update(user_id=self.user_id(), entry_id=entry_id, platform=platform,
                                     **changes.validated_data)
        return Response(draft_data(draft))

    @extend_schema(responses={204: None}, operation_id="entries_social_destroy")
    def delete(self, request, entry_id, platform):
        social.social_delete(user_id=self.user_id(), entry_id=entry_id, platform=platform)
        return Response(status=status.HTTP_204_NO_CONTENT)
