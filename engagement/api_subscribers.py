"""The owner's subscribers API (CONTRACT.md): ``GET /api/repos/{owner}/{repo}/subscribers/`` (JSON, or
CSV with ``?format=csv``) and ``POST /api/repos/{owner}/{repo}/digest/`` (send the digest now: 202).
Another account's repository is a 404."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import renderers, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import shiplog_user_id
from changelog_site.api_fields import StrictCharField, StrictChoiceField
from changelog_site.schema import ShiplogAutoSchema
from engagement import subscribers


class CsvRenderer(renderers.BaseRenderer):
    """``?format=csv``: the subscriber rows as a spreadsheet-safe CSV download."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return subscribers.subscribers_csv(data["subscribers"]).encode()


class JsonErrorsSchema(ShiplogAutoSchema):
    """Errors are JSON only, whichever format the success answer takes."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in responses.items():
            if direction == "response" and code[0] in "45":
                response.get("content", {}).pop(CsvRenderer.media_type, None)
        return responses


class SubscriberSerializer(serializers.Serializer):
    email = serializers.CharField()
    confirmed = serializers.BooleanField()
    subscribedAt = serializers.CharField(allow_null=True)
    digest = serializers.BooleanField()
    majorReleases = serializers.BooleanField()
    allUpdates = serializers.BooleanField()
    lastSentAt = serializers.CharField(allow_null=True)
    lastDigestAt = serializers.CharField(allow_null=True)
    failures = serializers.IntegerField()
    lastError = serializers.CharField(allow_blank=True)
    lastErrorAt = serializers.CharField(allow_null=True)


class CountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    pending = serializers.IntegerField()
    failing = serializers.IntegerField()


class SentSerializer(serializers.Serializer):
    confirmations = serializers.IntegerField()
    updates = serializers.IntegerField()
    digests = serializers.IntegerField()
    failed = serializers.IntegerField()


class SubscriberListSerializer(serializers.Serializer):
    repoId = serializers.CharField()
    counts = CountsSerializer()
    subscribers = SubscriberSerializer(many=True)
    lastDigestAt = serializers.CharField(allow_null=True)
    sent = SentSerializer()


class SubscriberListView(APIView):
    """The repository's subscribers with their preferences and delivery state (never a token)."""

    renderer_classes = [renderers.JSONRenderer, CsvRenderer]
    schema = JsonErrorsSchema()

    class InputSerializer(serializers.Serializer):
        format = StrictChoiceField(choices=("json", "csv"), required=False)
        q = StrictCharField(required=False, max_length=subscribers.SEARCH_MAX, help_text="search in the address")
        status = StrictChoiceField(choices=subscribers.STATUSES, required=False)

    @extend_schema(parameters=[InputSerializer], operation_id="subscribers_list",
                   responses={(200, "application/json"): SubscriberListSerializer, (200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, owner, repo):
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = subscribers.subscribers_list(user_id=shiplog_user_id(request.user, request), repo_id=f"{owner}/{repo}",
                                            query=params.validated_data.get("q"),
                                            status=params.validated_data.get("status"))
        response = Response(SubscriberListSerializer(data).data)
        if params.validated_data.get("format") == "csv":
            response["Content-Disposition"] = f'attachment; filename="{owner}-{repo}-subscribers.csv"'
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        """Errors are JSON (CONTRACT.md), also when the CSV was asked for."""
        if response.status_code >= 400 and isinstance(getattr(request, "accepted_renderer", None), CsvRenderer):
            request.accepted_renderer, request.accepted_media_type = renderers.JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


class DigestQueuedSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["queued"])
    period = serializers.CharField()
    cutoff = serializers.CharField()


class DigestSendView(APIView):
    """Send the digest now to every confirmed digest subscriber with entries since their last one."""

    @extend_schema(request=None, responses={202: DigestQueuedSerializer}, operation_id="digest_send")
    def post(self, request, owner, repo):
        queued = subscribers.digest_now_queue(user_id=shiplog_user_id(request.user, request), repo_id=f"{owner}/{repo}")
        return Response(DigestQueuedSerializer(queued).data, status=status.HTTP_202_ACCEPTED)
