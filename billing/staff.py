"""What the team does to a user's plan and usage from the admin (docs/admin.md).

Staff grant Pro, optionally until a date: ``meta:pro-grant:{userId}`` records who granted it and
until when, and ``meta:pro-grants-ending`` schedules the end, which the beat task
``billing.pro_grants_expire`` applies (reading only the due members; no scan). A grant that ends
while the user pays through DodoPayments (an active subscription) leaves them on Pro. Removing
Pro moves the user to free at once and forgets the grant; a paying user's next renewal makes
them Pro again, so the admin says so. Resetting the month's usage deletes its counters.
Each change is one WATCH/MULTI on the user's record.
"""

import json
import logging
import time
from datetime import datetime, timedelta, timezone
from datetime import time as clock

from accounts.models import User
from billing.models import Usage
from changelog_site.domain import NotFound, ValidationFailed
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import iso, utc_now

log = logging.getLogger(__name__)

PAYING = ("active", "renewed", "on_hold")


class UserNotFound(NotFound):
    default_detail = "There is no user record with this id."


def grant_end(day):
    """When Pro granted "until ``day``" (a date) ends: the start of the next UTC day."""
    return datetime.combine(day + timedelta(days=1), clock(0), tzinfo=timezone.utc)


def pro_grants_get(*, user_ids):
    """``{userId: grant}`` of the users with a staff grant, in one round trip."""
    raws = kv.get_client().mget([keys.meta_pro_grant(user_id) for user_id in user_ids]) if user_ids else []
    return {user_id: json.loads(raw) for user_id, raw in zip(user_ids, raws) if raw}


def paying(user_id, reader=None):
    """True while DodoPayments says the user has a subscription (active, renewed or on hold)."""
    reader = reader or kv.get_client()
    state = reader.get(keys.meta_dodo_subscription(user_id))
    status = (json.loads(state).get("status") if state else None) or ""
    return bool(reader.get(keys.dodo_subscription_id(user_id))) and status in PAYING


def _change_plan(user_id, plan, queue_grant):
    user_key = keys.user(user_id)

    def apply(pipe):
        raw = pipe.get(user_key)
        if raw is None:
            raise UserNotFound()
        user = User.loads(raw)
        pipe.multi()
        user.plan = plan
        user.save(pipe=pipe)
        queue_grant(pipe)
        return user

    return kv.transaction(apply, user_key, keys.meta_pro_grant(user_id))


def pro_grant(*, user_id, until=None, granted_by=""):
    """Pro now; with ``until`` (a date), back to free when that day ends (UTC). Returns the grant."""
    ends = grant_end(until) if until else None
    if ends is not None and ends <= utc_now():
        raise ValidationFailed("The end date of a Pro grant must be today or later.", code="invalid_date")
    grant = {"grantedAt": iso(utc_now()), "grantedBy": granted_by, "until": iso(ends) if ends else None}

    def queue(pipe):
        pipe.set(keys.meta_pro_grant(user_id), json.dumps(grant, separators=(",", ":")))
        if ends is None:
            pipe.zrem(keys.meta_pro_grants_ending(), user_id)
        else:
            pipe.zadd(keys.meta_pro_grants_ending(), {user_id: ends.timestamp()})

    _change_plan(user_id, "pro", queue)
    log.info("Staff %s granted Pro to %s until %s", granted_by or "-", user_id, grant["until"] or "removed")
    return grant


def _forget_grant(pipe, user_id):
    pipe.delete(keys.meta_pro_grant(user_id))
    pipe.zrem(keys.meta_pro_grants_ending(), user_id)


def pro_remove(*, user_id):
    """The free plan now, and no staff grant. Returns True when DodoPayments still bills the user
    (their next renewal sets Pro again: cancel the subscription there to stop it)."""
    _change_plan(user_id, "free", lambda pipe: _forget_grant(pipe, user_id))
    return paying(user_id)


def usage_reset(*, user_id, month=None):
    """This month's (or ``month``'s) counters back to zero. Which entries were already counted
    stays (``lock:usage-counted``): re-publishing one of them still counts nothing."""
    usage = Usage(user_id, month)
    kv.get_client().delete(usage.key())
    return usage.month


def pro_grants_expire(*, now=None):
    """End the staff grants that are due; returns the userIds moved to free."""
    now = now or time.time()
    moved = []
    for user_id in kv.get_client().zrangebyscore(keys.meta_pro_grants_ending(), "-inf", now):
        user_key, grant_key = keys.user(user_id), keys.meta_pro_grant(user_id)

        def expire(pipe, user_id=user_id, user_key=user_key):
            raw, score = pipe.get(user_key), pipe.zscore(keys.meta_pro_grants_ending(), user_id)
            keep_pro = paying(user_id, pipe)
            pipe.multi()
            if score is None or score > now:
                return False
            _forget_grant(pipe, user_id)
            if raw is None or keep_pro:
                return False
            user = User.loads(raw)
            user.plan = "free"
            user.save(pipe=pipe)
            return True

        watched = (user_key, grant_key, keys.meta_pro_grants_ending(), keys.meta_dodo_subscription(user_id),
                   keys.dodo_subscription_id(user_id))
        if kv.transaction(expire, *watched):
            moved.append(user_id)
            log.info("Staff-granted Pro of %s ended: moved to free", user_id)
    return moved
