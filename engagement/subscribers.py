"""The owner's side of subscribers (docs/subscribers.md): the list with counts and delivery state, CSV
export and import, removal, "send the digest now" and "send me a test digest".

Every operation first checks that the user connected the repository (``owner_require``): another
account gets a 404 and never sees an address. Imported addresses get the double opt-in mail; nobody
is ever subscribed without confirming.
"""

import csv
import io
import secrets

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import ValidationError, iso, utc_now
from changelog_site.ratelimit import RateLimited
from engagement import subscriptions
from engagement.models import Subscriber
from engagement.services import NotFound
from engagement.subscription_settings import owner_require, repo_settings

STATUSES = ("confirmed", "pending", "failing")
CSV_COLUMNS = ("email", "confirmed", "subscribedAt", "digest", "majorReleases", "allUpdates", "lastSentAt",
               "lastDigestAt", "failures", "lastError")
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
IMPORT_MAX_BYTES = 1024 * 1024
IMPORT_MAX_ADDRESSES = 5000
SEARCH_MAX = 200


def _row(subscriber, state):
    preferences = subscriptions.subscriber_preferences(subscriber)
    return {"email": subscriber.email, "confirmed": subscriptions.is_confirmed(subscriber),
            "subscribedAt": iso(subscriber.subscribedAt), **preferences,
            "lastSentAt": state.get("lastSentAt"), "lastDigestAt": state.get("lastDigestAt"),
            "failures": int(state.get("failures") or 0), "lastError": state.get("lastError") or "",
            "lastErrorAt": state.get("lastErrorAt")}


def subscriber_rows(repo_id):
    """Every subscriber of ``repo_id`` with its delivery state, by address (never the confirmToken)."""
    subscribers = Subscriber.for_repo(repo_id)
    pipe = kv.get_client().pipeline(transaction=False)
    for subscriber in subscribers:
        pipe.hgetall(keys.meta_subscriber(repo_id, subscriber.email))
    states = pipe.execute() if subscribers else []
    return [_row(subscriber, state) for subscriber, state in zip(subscribers, states)]


def _matches(row, query, status):
    if query and query not in row["email"].lower():
        return False
    if status == "confirmed":
        return row["confirmed"]
    if status == "pending":
        return not row["confirmed"]
    if status == "failing":
        return bool(row["lastError"])
    return True


def subscribers_list(*, user_id, repo_id, query=None, status=None):
    """``{"repoId", "counts", "subscribers", "lastDigestAt", "sent"}``: rows filtered by a search in the
    address and a status (confirmed, pending, failing); counts are of all of them."""
    owner_require(user_id=user_id, repo_id=repo_id)
    if status and status not in STATUSES:
        raise ValidationError({"status": "must be one of " + ", ".join(STATUSES)})
    rows = subscriber_rows(repo_id)
    query = (query or "").strip().lower()[:SEARCH_MAX]
    sent = kv.get_client().hgetall(keys.stat_subscriber_mail(repo_id))
    return {
        "repoId": repo_id,
        "counts": {"total": len(rows), "confirmed": sum(row["confirmed"] for row in rows),
                   "pending": sum(not row["confirmed"] for row in rows),
                   "failing": sum(bool(row["lastError"]) for row in rows)},
        "subscribers": [row for row in rows if _matches(row, query, status)],
        "lastDigestAt": repo_settings(repo_id)["lastDigestAt"],
        "sent": {name: int(sent.get(name) or 0) for name in ("confirmations", "updates", "digests", "failed")},
    }


def _cell(value):
    text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    return "'" + text if text.startswith(CSV_FORMULA_START) else text  # no formulas in a spreadsheet


def subscribers_csv(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[name]) for name in CSV_COLUMNS])
    return out.getvalue()


def _addresses(text):
    """The addresses in a CSV (an ``email`` column when there is a header, else each row's first cell
    with an ``@``) or in a plain list, one per line."""
    rows = list(csv.reader(io.StringIO(text)))
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    if "email" in header:
        column = header.index("email")
        return [row[column] for row in rows[1:] if len(row) > column and row[column].strip()]
    return [next((cell for cell in row if "@" in cell), "") for row in rows if any("@" in cell for cell in row)]


def subscribers_import(*, user_id, repo_id, text):
    """Send the double opt-in mail to every new address in ``text`` (CSV or one per line). Returns
    ``{"invited", "alreadySubscribed", "invalid", "limited"}``; ``limited`` counts addresses mailed
    too recently (the per-address limit)."""
    owner_require(user_id=user_id, repo_id=repo_id)
    if len(text.encode()) > IMPORT_MAX_BYTES:
        raise ValidationError({"file": f"must be at most {IMPORT_MAX_BYTES // 1024} KB"})
    found = _addresses(text)
    if len(found) > IMPORT_MAX_ADDRESSES:
        raise ValidationError({"file": f"may hold at most {IMPORT_MAX_ADDRESSES} addresses"})
    counts = {"invited": 0, "alreadySubscribed": 0, "invalid": 0, "limited": 0}
    items, seen = [], set()
    for raw in found:
        try:
            email = subscriptions.email_normalize(raw)
        except ValidationError:
            counts["invalid"] += 1
            continue
        if email in seen:
            continue
        seen.add(email)
        existing = Subscriber.get(repo_id, email)
        if existing is not None and subscriptions.is_confirmed(existing):
            counts["alreadySubscribed"] += 1
            continue
        try:
            subscriptions.address_limit_hit(repo_id, email)
        except RateLimited:
            counts["limited"] += 1
            continue
        subscriptions.subscriber_pending_write(repo_id=repo_id, email=email,
                                               preferences=dict(subscriptions.DEFAULT_PREFERENCES))
        items.append([email, subscriptions.preference_bits(subscriptions.DEFAULT_PREFERENCES)])
        counts["invited"] += 1
    if items:
        from engagement.tasks import confirmation_send_task

        subscriptions.enqueue(confirmation_send_task, repo_id, items)
    return counts


def subscriber_remove(*, user_id, repo_id, email):
    """The owner removes an address (as if it unsubscribed). ``NotFound`` when it is not there."""
    owner_require(user_id=user_id, repo_id=repo_id)
    if not isinstance(email, str) or not email or ":" in email or len(email) > subscriptions.EMAIL_MAX:
        raise NotFound("No such subscriber.")
    if not subscriptions.subscriber_delete(repo_id=repo_id, email=email):
        raise NotFound("No such subscriber.")
    return email


def digest_now_queue(*, user_id, repo_id):
    """Queue the digest for every digest subscriber now (202): ``{"status", "period", "cutoff"}``."""
    owner_require(user_id=user_id, repo_id=repo_id)
    from engagement.tasks import digest_send_task

    period, cutoff = f"now-{secrets.token_hex(6)}", iso(utc_now())
    digest_send_task.delay(repo_id, period, cutoff)
    return {"status": "queued", "period": period, "cutoff": cutoff}


def digest_test_queue(*, user_id, repo_id, to):
    owner_require(user_id=user_id, repo_id=repo_id)
    from engagement.tasks import digest_test_task

    digest_test_task.delay(repo_id, to)


def mailchimp_sync_queue(*, user_id, repo_id):
    owner_require(user_id=user_id, repo_id=repo_id)
    from engagement import mailchimp
    from engagement.tasks import mailchimp_audience_task

    if not mailchimp.audience_for(repo_id):
        raise ValidationError({"mailchimp": "set MAILCHIMP_API_KEY and an audience id first"})
    mailchimp_audience_task.delay(repo_id)
