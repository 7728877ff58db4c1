"""Monthly usage, the DodoPayments ids and billing state: the collections billing owns, each
hanging off the user record (``accounts.models.User``) through the registry."""

import json
from datetime import date

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.convert import json_to_hash
from changelog_site.kv.records import utc_now
from changelog_site.kv.registry import Family, PerUser, registry

USAGE_FIELDS = ("entriesPublished", "aiRewrites")


def current_month():
    return utc_now().strftime("%Y-%m")


def usage_months(user):
    """The YYYY-MM months a user can have usage for: from the month before signup to next month."""
    today = date.today()
    start = min(today, user.createdAt.date()) if user is not None and user.createdAt else date(2020, 1, 1)
    year, month = (start.year, start.month - 1) if start.month > 1 else (start.year - 1, 12)
    months = []
    while (year, month) <= (today.year + (today.month == 12), today.month % 12 + 1):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return months


@registry.register
class Usage(Family):
    """``usage:{userId}:{YYYY-MM}``: a hash of integer counters, incremented with HINCRBY.

    The month is part of the key, so a new month starts from zero with no reset job.
    Other implementations may have written the plain-JSON form; ``get`` reads it and
    ``kv_reindex`` converts it.
    """

    parent = "user"
    key_names = ("usage",)
    export_section = "usage"
    export_as = "dict"

    def __init__(self, user_id, month=None):
        self.user_id = user_id
        self.month = month or current_month()

    def key(self):
        return keys.usage(self.user_id, self.month)

    def own_keys(self):
        """The counters and which entries' publishing they already counted (entries.publishing)."""
        return [self.key(), keys.lock_usage_counted(self.user_id, self.month)]

    @classmethod
    def children_of(cls, user):
        return [cls(user.id, month) for month in usage_months(user)]

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
        return json_to_hash(self.key(), fields=USAGE_FIELDS)

    def export(self):
        values = self.get()
        return {self.month: values} if any(values.values()) else {}

    @classmethod
    def reindex(cls, name, key, fields, pipe, run):
        try:
            if cls(fields["user_id"], fields["month"]).convert_legacy_json():
                run.count("converted:usage")
        except ValueError as error:
            run.problem(key, f"unreadable usage: {error}")


@registry.register
class DodoIds(PerUser):
    """``user:{userId}:dodo_customer_id`` and ``user:{userId}:dodo_subscription_id``: plain
    strings. The customer id is also indexed back to the user, for webhooks that carry only it."""

    key_names = ("dodo_customer_id", "dodo_subscription_id")
    index_names = ("idx_dodo_customer",)
    export_section = "payments"
    export_as = "one"

    def own_keys(self):
        customer_id = self.get()["customerId"]
        return [keys.dodo_customer_id(self.user_id), keys.dodo_subscription_id(self.user_id)] + (
            [keys.idx_dodo_customer(customer_id)] if customer_id else [])

    def get(self):
        customer_id, subscription_id = kv.get_client().mget(
            keys.dodo_customer_id(self.user_id), keys.dodo_subscription_id(self.user_id))
        return {"customerId": customer_id, "subscriptionId": subscription_id}

    def export(self):
        return self.get()

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

    @staticmethod
    def user_id_for_customer(customer_id):
        return kv.get_client().get(keys.idx_dodo_customer(customer_id))

    @classmethod
    def reindex(cls, name, key, fields, pipe, run):
        if name == "dodo_customer_id":
            customer_id = run.client.get(key)
            if customer_id:
                pipe.set(keys.idx_dodo_customer(customer_id), fields["user_id"])

    @classmethod
    def stale_members(cls, key_name, fields, key, client):
        user_id = client.get(key)
        return not user_id or client.get(keys.dodo_customer_id(user_id)) != fields["customer_id"]


@registry.register
class BillingState(PerUser):
    """Billing's own records of a user (``meta:``, not rebuildable): the newest Dodo subscription
    event applied, the payments webhooks reported, the on-hold schedule (docs/billing.md), and Pro
    granted by staff with its end (billing/staff.py)."""

    export_section = "billing"
    export_as = "one"

    def own_keys(self):
        return [keys.meta_dodo_subscription(self.user_id), keys.meta_dodo_payments(self.user_id),
                keys.meta_pro_grant(self.user_id)]

    def remove_from_indexes(self, pipe):
        pipe.zrem(keys.meta_dodo_on_hold(), self.user_id)
        pipe.zrem(keys.meta_pro_grants_ending(), self.user_id)

    def export(self):
        """The subscription state and the payments seen, for the GDPR export."""
        client = kv.get_client()
        state, grant = client.mget(keys.meta_dodo_subscription(self.user_id), keys.meta_pro_grant(self.user_id))
        payments = [json.loads(raw) for raw in client.hvals(keys.meta_dodo_payments(self.user_id))]
        return {"subscription": json.loads(state) if state else None,
                "paymentsSeen": sorted(payments, key=lambda p: (p.get("createdAt") or "", p["paymentId"])),
                "proGrant": json.loads(grant) if grant else None}
