"""Identity: the ``user:{userId}`` record, its one-to-one link to a Django user (``Account``) and
personal API tokens (the SQL side of ``Authorization: Bearer <token>``).

Every other app names a user by its userId; ``accounts.middleware`` puts the signed-in user's on
the request as ``request.shiplog_user_id``.
"""

import hashlib
import secrets
from typing import Literal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from pydantic import Field, PrivateAttr

from changelog_site import crypto
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import Id, JsonRecord, Timestamp, text, utc_now
from changelog_site.kv.registry import registry

LOCATIONS = ("in", "intl")

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


# --- the user record: user:{userId} ----------------------------------------------------------


@registry.register
class User(JsonRecord):
    """``user:{userId}``, the root of a user's family: deleting or exporting it walks every
    registered class whose ``parent`` is ``"user"`` (usage and billing state, repositories,
    entries, ...: accounts imports none of them). The document's ``githubToken`` field is never
    written here: the token lives encrypted at ``user:{userId}:github_token`` (see
    ``repos.models.GitHubToken``); a legacy record that still carries one has it moved there by
    ``kv_reindex``."""

    kind = "user"
    key_names = ("user",)
    index_names = ("idx_users",)
    export_section = "user"
    export_as = "one"

    id: Id
    email: text(254)
    plan: Literal["free", "pro"] = "free"
    dodoCustomerId: text() | None = None
    createdAt: Timestamp = Field(default_factory=utc_now)
    location: Literal["in", "intl"] | None = None
    _placeholder: bool = PrivateAttr(default=False)

    def key(self):
        return keys.user(self.id)

    def own_keys(self):
        return [self.key(), keys.idx_user_related_repos(self.id)]

    @property
    def legacy_github_token(self):
        return (self.__pydantic_extra__ or {}).get("githubToken")

    def to_dict(self):
        data = super().to_dict()
        data.pop("githubToken", None)
        return data

    def add_to_indexes(self, pipe):
        pipe.sadd(keys.idx_users(), self.id)

    def remove_from_indexes(self, pipe):
        pipe.srem(keys.idx_users(), self.id)

    @classmethod
    def get(cls, user_id):
        return cls.get_by_key(keys.user(user_id))

    @classmethod
    def get_or_placeholder(cls, user_id):
        """The user's record, or an unsaved stand-in (``exists`` False) whose family can still be
        walked: deleting an account whose ``user:`` record is already gone reaches the rest."""
        record = cls.get(user_id)
        if record is None:
            record = cls.model_construct(id=user_id, email="", plan="free", createdAt=None)
            record._placeholder = True
        return record

    @property
    def exists(self):
        return not self._placeholder

    def export(self):
        return self.to_dict() if self.exists else None

    @classmethod
    def all_ids(cls):
        return sorted(kv.get_client().smembers(keys.idx_users()))

    @classmethod
    def reindex(cls, name, key, fields, pipe, run):
        """Index the user, move a legacy plaintext ``githubToken`` to the encrypted key (where
        ``repos.models.GitHubToken`` reads it; a token already there wins) and link or create the
        Django account (by email)."""
        user = super().reindex(name, key, fields, pipe, run)
        if user is None:
            return
        if user.legacy_github_token:
            run.client.set(keys.github_token(user.id), crypto.encrypt(user.legacy_github_token), nx=True)
            run.client.set(key, user.dumps())
            run.count("converted:user-github-token")
        _, action = Account.objects.link(user_id=user.id, email=user.email)
        run.count(f"accounts:{action}")
        if action == "conflict":
            run.problem(key, f"email {user.email} already belongs to another account; not linked")

    @classmethod
    def stale_members(cls, key_name, fields, key, client):
        return [user_id for user_id in client.smembers(key) if not client.exists(keys.user(user_id))]


# --- the SQL side: one Django account per user:{userId} -----------------------------------


def new_user_id():
    """``user_`` + 24 URL-safe characters."""
    return "user_" + secrets.token_urlsafe(18)


class AccountManager(models.Manager):
    def user_id_of(self, django_user):
        """The userId linked to ``django_user`` (one indexed query), or None: nothing is created."""
        return self.filter(user_id=django_user.pk).values_list("shiplog_user_id", flat=True).first()

    def link(self, *, user_id, email):
        """Make sure a Django account is linked to ``user:{userId}`` (``kv_reindex`` restoring
        records written elsewhere); returns ``(account, action)``.

        ``action`` is ``"kept"`` (already linked), ``"linked"`` (an account with that email existed
        and had no Shiplog id) or ``"created"`` (a new account with no usable password: its owner
        signs in with GitHub or sets a password through "forgot password"). An email already linked
        to another userId is left alone: ``(None, "conflict")``.
        """
        existing = self.select_related("user").filter(shiplog_user_id=user_id).first()
        if existing:
            return existing, "kept"
        django_users = get_user_model().objects
        with transaction.atomic():
            django_user = django_users.filter(email__iexact=email).first() if email else None
            if django_user is not None:
                if self.filter(user=django_user).exists():
                    return None, "conflict"
                action = "linked"
            else:
                django_user = get_user_model()(username=_free_username(email or user_id), email=email or "")
                django_user.set_unusable_password()
                django_user.save()
                action = "created"
            account = self.create(user=django_user, shiplog_user_id=user_id)
            if email:
                EmailAddress.objects.get_or_create(user=django_user, email=email.lower(),
                                                   defaults={"primary": True, "verified": False})
        return account, action


def _free_username(wanted):
    django_users = get_user_model().objects
    base = wanted[:140]
    candidate, n = base, 1
    while django_users.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


class Account(models.Model):
    """Links a Django user (login, sessions, admin) one-to-one to its ``user:{userId}`` record."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account")
    shiplog_user_id = models.CharField("Shiplog user id", max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AccountManager()

    def __str__(self):
        return f"{self.shiplog_user_id} ({self.user.email})"
