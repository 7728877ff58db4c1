"""``/api/me/``: the signed-in account, its GDPR export, its deletion."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.lifecycle import account_delete, account_export
from accounts.services import account_profile


class MeView(APIView):
    """The account: its record, connected repositories and this month's usage; or its deletion."""

    class OutputSerializer(serializers.Serializer):
        class UsageSerializer(serializers.Serializer):
            entriesPublished = serializers.IntegerField()
            aiRewrites = serializers.IntegerField()

        id = serializers.CharField()
        email = serializers.EmailField()
        plan = serializers.ChoiceField(choices=["free", "pro"])
        createdAt = serializers.CharField()
        location = serializers.ChoiceField(choices=["in", "intl"], required=False, allow_null=True)
        githubConnected = serializers.BooleanField()
        repos = serializers.ListField(child=serializers.CharField())
        usage = UsageSerializer()

    @extend_schema(responses=OutputSerializer, operation_id="me_retrieve")
    def get(self, request):
        return Response(self.OutputSerializer(account_profile(user_id=request.shiplog_user_id)).data)

    @extend_schema(responses={204: None}, operation_id="me_destroy")
    def delete(self, request):
        account_delete(user_id=request.shiplog_user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeExportView(APIView):
    """Everything of the account as one JSON download (GDPR); never the GitHub token."""

    @extend_schema(responses={200: dict}, operation_id="me_export_retrieve")
    def get(self, request):
        export = account_export(user_id=request.shiplog_user_id, django_user=request.user)
        response = Response(export)
        response["Content-Disposition"] = 'attachment; filename="shiplog-export.json"'
        return response
