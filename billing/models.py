"""Users, monthly usage and the DodoPayments ids: the collections billing owns."""

import json
import secrets

from django.conf import settings
from django.db import models

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import Field, JsonRecord, iso, utc_now

PLANS = ("free", "pro")
LOCATIONS = ("in", "intl")
USAGE_FIELDS = ("entriesPublished", "aiRewrites")


class User(JsonRecord):
    """``user:{userId}``. The document's ``githubToken`` field is never written here: the
    token lives encrypted at ``user:{userId}:github_token`` (see ``repos.models.GitHubToken``);
    a legacy record that still carries one has it moved there by ``kv_reindex``."""

    id = Field(str, min_length=1)
    email = Field(str, max_length=254)
    plan = Field(str, choices=PLANS, default="free")
    dodoCustomerId = Field(str, required=False)
    createdAt = Field("datetime", default=lambda: iso(utc_now()))
    location = Field(str, required=False, choices=LOCATIONS)

    def key(self):
        return keys.user(self.id)

    @property
    def legacy_github_token(self):
        return self.extra.get("githubToken")

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
    def all_ids(cls):
        return sorted(kv.get_client().smembers(keys.idx_users()))


def current_month():
    return utc_now().strftime("%Y-%m")


class Usage:
    """``usage:{userId}:{YYYY-MM}``: a hash of integer counters, incremented with HINCRBY.

    The month is part of the key, so a new month starts from zero with no reset job.
    Other implementations may have written the plain-JSON form; ``get`` reads it and
    ``kv_reindex`` converts it.
    """

    def __init__(self, user_id, month=None):
        self.user_id = user_id
        self.month = month or current_month()

    def key(self):
        return keys.usage(self.user_id, self.month)

    def get(self):
        client = kv.get_client()
        if client.type(self.key()) == "string":
            values = json.loads(client.get(self.key()) or "{}")
        else:
            values = client.hgetall(self.key())
        return {name: int(values.get(name) or 0) for name in USAGE_FIELDS}

    def increment(self, field, amount=1, pipe=None):
        if field not in USAGE_FIELDS:
            raise ValueError(f"unknown usage field {field!r}")
        with kv.atomic(pipe) as p:
            p.hincrby(self.key(), field, amount)

    def convert_legacy_json(self):
        """Turn the plain-JSON form into the hash form in one transaction. True if converted."""

        def convert(pipe):
            if pipe.type(self.key()) != "string":
                return False
            values = json.loads(pipe.get(self.key()) or "{}")
            pipe.multi()
            pipe.delete(self.key())
            pipe.hset(self.key(), mapping={name: int(values.get(name) or 0) for name in USAGE_FIELDS})
            return True

        return kv.transaction(convert, self.key())

    def delete(self, pipe=None):
        with kv.atomic(pipe) as p:
            p.delete(self.key())


class DodoIds:
    """``user:{userId}:dodo_customer_id`` and ``user:{userId}:dodo_subscription_id``: plain
    strings. The customer id is also indexed back to the user, for webhooks that carry only it.
    ``delete`` also removes billing's own keys of the user (subscription state, payments seen)."""

    def __init__(self, user_id):
        self.user_id = user_id

    def get(self):
        customer_id, subscription_id = kv.get_client().mget(
            keys.dodo_customer_id(self.user_id), keys.dodo_subscription_id(self.user_id))
        return {"customerId": customer_id, "subscriptionId": subscription_id}

    def set_customer(self, customer_id, pipe=None):
        with kv.atomic(pipe) as p:
            p.set(keys.dodo_customer_id(self.user_id), customer_id)
            p.set(keys.idx_dodo_customer(customer_id), self.user_id)

    def set_subscription(self, subscription_id, pipe=None):
        with kv.atomic(pipe) as p:
            p.set(keys.dodo_subscription_id(self.user_id), subscription_id)

    def delete_subscription(self, pipe=None):
        with kv.atomic(pipe) as p:
            p.delete(keys.dodo_subscription_id(self.user_id))

    def delete(self, customer_id=None, pipe=None):
        customer_id = customer_id or self.get()["customerId"]
        with kv.atomic(pipe) as p:
            p.delete(keys.dodo_customer_id(self.user_id), keys.dodo_subscription_id(self.user_id),
                     keys.idx_dodo_subscription(self.user_id), keys.idx_dodo_payments(self.user_id))
            p.zrem(keys.idx_dodo_on_hold(), self.user_id)
            if customer_id:
                p.delete(keys.idx_dodo_customer(customer_id))

    @staticmethod
    def user_id_for_customer(customer_id):
        return kv.get_client().get(keys.idx_dodo_customer(customer_id))


# --- the SQL side: one Django account per user:{userId} -----------------------------------


def new_user_id():
    """``user_`` + 24 URL-safe characters (CONTRACT.md)."""
    return "user_" + secrets.token_urlsafe(18)


class Account(models.Model):
    """Links a Django user (login, sessions, admin) one-to-one to its ``user:{userId}`` record."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account")
    shiplog_user_id = models.CharField("Shiplog user id", max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.shiplog_user_id} ({self.user.email})"
