"""``/api/me/``: the signed-in account, its GDPR export, its deletion."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import account_delete, account_export, account_profile, shiplog_user_id


class UsageSerializer(serializers.Serializer):
    entriesPublished = serializers.IntegerField()
    aiRewrites = serializers.IntegerField()


class MeSerializer(serializers.Serializer):
    id = serializers.CharField()
    email = serializers.EmailField()
    plan = serializers.ChoiceField(choices=["free", "pro"])
    createdAt = serializers.CharField()
    location = serializers.ChoiceField(choices=["in", "intl"], required=False, allow_null=True)
    githubConnected = serializers.BooleanField()
    repos = serializers.ListField(child=serializers.CharField())
    usage = UsageSerializer()


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(account_profile(user_id=shiplog_user_id(request.user, request))).data)

    @extend_schema(responses={204: None})
    def delete(self, request):
        account_delete(user_id=shiplog_user_id(request.user, request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeExportView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request):
        export = account_export(user_id=shiplog_user_id(request.user, request), django_user=request.user)
        response = Response(export)
        response["Content-Disposition"] = 'attachment; filename="shiplog-export.json"'
        return response
