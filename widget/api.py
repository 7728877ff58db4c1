"""``/api/repos/{owner}/{repo}/widget/``: the owner's widget config (GET, PUT) and a new public id."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from changelog_site.api_fields import StrictChoiceField, StrictRegexField
from changelog_site.kv.records import HEX_COLOR
from widget import services
from widget.models import POSITIONS, SIZES


class StrictBooleanField(serializers.BooleanField):
    """JSON ``true``/``false`` only: ``"yes"`` or ``1`` is a 400, not coerced."""

    default_error_messages = {"not_a_boolean": "Must be true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("not_a_boolean")
        return data


class RejectUnknownFieldsMixin:
    """A field the serializer does not know (``id``, ``impressions``, a typo) is a 400, not ignored."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: "is not a field you can set" for name in unknown})
        return super().to_internal_value(data)


def _color():
    return StrictRegexField(HEX_COLOR.pattern, required=False, help_text="a hex color like #4f46e5")


class ColorsSerializer(serializers.Serializer):
    primary = _color()
    background = _color()
    text = _color()


class OptionsSerializer(serializers.Serializer):
    showDate = StrictBooleanField(required=False)
    showCategory = StrictBooleanField(required=False)
    showNewBadge = StrictBooleanField(required=False)


class NestedInput(RejectUnknownFieldsMixin, serializers.Serializer):
    pass


class ColorsInputSerializer(NestedInput, ColorsSerializer):
    pass


class OptionsInputSerializer(NestedInput, OptionsSerializer):
    pass


class WidgetOutputSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="the public widget id (data-widget-id)")
    userId = serializers.CharField()
    repoId = serializers.CharField()
    colors = ColorsSerializer()
    position = serializers.ChoiceField(POSITIONS)
    size = serializers.ChoiceField(SIZES)
    options = OptionsSerializer()
    impressions = serializers.IntegerField(help_text="live counter")
    clicks = serializers.IntegerField(help_text="live counter")
    createdAt = serializers.CharField()
    updatedAt = serializers.CharField()
    enabled = serializers.BooleanField()
    embedSnippet = serializers.CharField()
    dataUrl = serializers.CharField()


def present(widget):
    return WidgetOutputSerializer({
        **widget.to_dict(), "enabled": services.widget_enabled(widget_id=widget.id),
        "embedSnippet": services.widget_embed_snippet(widget_id=widget.id),
        "dataUrl": services.widget_data_url(widget_id=widget.id),
    }).data


class WidgetView(APIView):
    """The repository's widget: read it, or create or change it (PUT)."""

    class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        """Every field is optional: PUT creates the widget with defaults for what is missing, or keeps
        the current value; ``colors`` and ``options`` are merged key by key."""

        colors = ColorsInputSerializer(required=False)
        position = StrictChoiceField(POSITIONS, required=False)
        size = StrictChoiceField(SIZES, required=False)
        options = OptionsInputSerializer(required=False)
        enabled = StrictBooleanField(required=False,
                                     help_text="false switches the widget off (its endpoints answer 410)")

    @extend_schema(responses=WidgetOutputSerializer)
    def get(self, request, owner, repo):
        widget = services.widget_get(user_id=request.shiplog_user_id, repo_id=f"{owner}/{repo}")
        return Response(present(widget))

    @extend_schema(request=InputSerializer, responses={200: WidgetOutputSerializer, 201: WidgetOutputSerializer})
    def put(self, request, owner, repo):
        user_id, repo_id = request.shiplog_user_id, f"{owner}/{repo}"
        services.widget_repo_check(user_id=user_id, repo_id=repo_id)  # another tenant's: 404 before any 400
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        widget, created = services.widget_save(user_id=user_id, repo_id=repo_id, changes=data.validated_data)
        return Response(present(widget), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class WidgetRegenerateView(APIView):
    """A new public id for the widget: the old snippet stops working."""

    @extend_schema(request=None, responses=WidgetOutputSerializer)
    def post(self, request, owner, repo):
        widget = services.widget_regenerate(user_id=request.shiplog_user_id,
                                            repo_id=f"{owner}/{repo}")
        return Response(present(widget))
