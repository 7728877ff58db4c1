"""DRF authentication by personal API token: ``Authorization: Bearer shp_...``."""

from django.utils import timezone
from rest_framework import authentication, exceptions

from accounts.models import ApiToken, token_digest

LAST_USED_RESOLUTION_SECONDS = 60


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        token = token.strip()
        if not token or " " in token:
            raise exceptions.AuthenticationFailed("The Authorization header must be 'Bearer <token>'.", code="invalid_token")
        api_token = (ApiToken.objects.select_related("user").filter(digest=token_digest(token), revoked_at=None)
                     .first())
        if api_token is None or not api_token.user.is_active:
            raise exceptions.AuthenticationFailed("This API token is unknown or has been revoked.", code="invalid_token")
        now = timezone.now()
        if not api_token.last_used_at or (now - api_token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        return api_token.user, api_token

    def authenticate_header(self, request):
        return self.keyword
