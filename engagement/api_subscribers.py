"""The owner's subscribers API: ``GET /api/repos/{owner}/{repo}/subscribers/`` (JSON, or
CSV with ``?format=csv``) and ``POST /api/repos/{owner}/{repo}/digest/`` (send the digest now: 202).
Another account's repository is a 404."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import renderers, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from changelog_site.api_fields import StrictCharField, StrictChoiceField, StrictIntegerField
from changelog_site.schema import ShiplogAutoSchema
from engagement import subscribers


class CsvRenderer(renderers.BaseRenderer):
    """``?format=csv``: the spreadsheet-safe CSV download. The view streams its lines
    (``subscribers.subscribers_export``); this renderer names the format for content negotiation
    and the schema, and joins lines it is handed."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return "".join(data).encode()


class JsonErrorsSchema(ShiplogAutoSchema):
    """Errors are JSON only, whichever format the success answer takes."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in responses.items():
            if direction == "response" and code[0] in "45":
                response.get("content", {}).pop(CsvRenderer.media_type, None)
        return responses


class SubscriberListView(APIView):
    """The repository's subscribers with their preferences and delivery state (never a token)."""

    renderer_classes = [renderers.JSONRenderer, CsvRenderer]
    schema = JsonErrorsSchema()

    class InputSerializer(serializers.Serializer):
        format = StrictChoiceField(choices=("json", "csv"), required=False)
        q = StrictCharField(required=False, max_length=subscribers.SEARCH_MAX,
                            help_text="the addresses starting with this (case-insensitive)")
        status = StrictChoiceField(choices=subscribers.STATUSES, required=False)
        cursor = StrictCharField(required=False, max_length=2000, help_text="the previous page's next (JSON only)")
        limit = StrictIntegerField(required=False, min_value=1, max_value=subscribers.PAGE_MAX,
                                   help_text=f"rows per page (default {subscribers.PAGE_SIZE}; JSON only)")

    class OutputSerializer(serializers.Serializer):
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

        repoId = serializers.CharField()
        counts = CountsSerializer()
        subscribers = SubscriberSerializer(many=True)
        next = serializers.CharField(allow_null=True, help_text="cursor of the next page; null on the last")
        lastDigestAt = serializers.CharField(allow_null=True)
        sent = SentSerializer()

    @extend_schema(parameters=[InputSerializer], operation_id="subscribers_list",
                   responses={(200, "application/json"): OutputSerializer, (200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, owner, repo):
        """JSON: a page of rows (``cursor``/``limit``, ``next``). CSV: every matching row, streamed."""
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        wanted, common = params.validated_data, {"user_id": request.shiplog_user_id, "repo_id": f"{owner}/{repo}"}
        if wanted.get("format") == "csv":
            lines = subscribers.subscribers_export(query=wanted.get("q"), status=wanted.get("status"), **common)
            response = StreamingHttpResponse((line.encode() for line in lines), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{owner}-{repo}-subscribers.csv"'
            return response
        data = subscribers.subscribers_list(query=wanted.get("q"), status=wanted.get("status"),
                                            cursor=wanted.get("cursor"), limit=wanted.get("limit"), **common)
        return Response(self.OutputSerializer(data).data)

    def finalize_response(self, request, response, *args, **kwargs):
        """Errors are JSON, also when the CSV was asked for."""
        if response.status_code >= 400 and isinstance(getattr(request, "accepted_renderer", None), CsvRenderer):
            request.accepted_renderer, request.accepted_media_type = renderers.JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


class DigestSendView(APIView):
    """Send the digest now to every confirmed digest subscriber with entries since their last one."""

    class OutputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=["queued"])
        period = serializers.CharField()
        cutoff = serializers.CharField()

    @extend_schema(request=None, responses={202: OutputSerializer}, operation_id="digest_send")
    def post(self, request, owner, repo):
        queued = subscribers.digest_now_queue(user_id=request.shiplog_user_id, repo_id=f"{owner}/{repo}")
        return Response(self.OutputSerializer(queued).data, status=status.HTTP_202_ACCEPTED)
