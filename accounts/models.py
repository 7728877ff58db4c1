"""Personal API tokens: the SQL side of ``Authorization: Bearer <token>``."""

import hashlib
import secrets

from django.conf import settings
from django.db import models

TOKEN_PREFIX = "shp_"
SHOWN_PREFIX_LENGTH = 12


def token_digest(token):
    """SHA-256 of the token: tokens carry 256 random bits, so a fast hash is enough to make a
    leaked database useless, and lookups stay a single indexed query."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token():
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=SHOWN_PREFIX_LENGTH)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}… ({self.name or 'unnamed'})"

    @property
    def is_active(self):
        return self.revoked_at is None
