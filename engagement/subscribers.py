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
from engagement.models import Subscriber, email_of
from engagement.services import NotFound
from engagement.subscription_settings import owner_require, repo_settings
from entries.models import decode_cursor, encode_cursor

STATUSES = ("confirmed", "pending", "failing")
CSV_COLUMNS = ("email", "confirmed", "subscribedAt", "digest", "majorReleases", "allUpdates", "lastSentAt",
               "lastDigestAt", "failures", "lastError")
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
IMPORT_MAX_BYTES = 1024 * 1024
IMPORT_MAX_ADDRESSES = 5000
SEARCH_MAX = 200
PAGE_SIZE = 50
PAGE_MAX = 500
CSV_BATCH = 500


def _row(subscriber, state):
    preferences = subscriptions.subscriber_preferences(subscriber)
    return {"email": subscriber.email, "confirmed": subscriptions.is_confirmed(subscriber),
            "subscribedAt": iso(subscriber.subscribedAt), **preferences,
            "lastSentAt": state.get("lastSentAt"), "lastDigestAt": state.get("lastDigestAt"),
            "failures": int(state.get("failures") or 0), "lastError": state.get("lastError") or "",
            "lastErrorAt": state.get("lastErrorAt")}


def subscriber_rows(repo_id, members):
    """The rows of the subscribers these index members name, in that order, with their delivery
    state (never the confirmToken): one MGET and one pipelined HGETALL each."""
    emails = [email_of(member) for member in members]
    if not emails:
        return []
    client = kv.get_client()
    records = Subscriber.parse_many(client.mget([keys.subscriber(repo_id, email) for email in emails]))
    pipe = client.pipeline(transaction=False)
    for subscriber in records:
        pipe.hgetall(keys.meta_subscriber(repo_id, subscriber.email))
    return [_row(subscriber, state) for subscriber, state in zip(records, pipe.execute() if records else [])]


def _indexes(repo_id, status):
    """The lexical indexes holding the subscribers of a status (None: everyone)."""
    return {"confirmed": [keys.idx_subscribers_confirmed(repo_id)], "pending": [keys.idx_subscribers_pending(repo_id)],
            "failing": [keys.meta_subscribers_failing(repo_id)]}.get(
        status, [keys.idx_subscribers_confirmed(repo_id), keys.idx_subscribers_pending(repo_id)])


def _page_members(index_keys, prefix, after, limit):
    """``(members, last)``: up to ``limit`` members of ``index_keys`` together, by address, whose
    address starts with ``prefix`` and comes after the member ``after``; ``last`` is the member to
    continue after, None at the end. One ZRANGEBYLEX … LIMIT per index, in one round trip."""
    low = f"({after}" if after else (f"[{prefix}" if prefix else "-")
    high = f"[{prefix}".encode() + b"\xff" if prefix else "+"
    pipe = kv.get_client().pipeline(transaction=False)
    for key in index_keys:
        pipe.zrangebylex(key, low, high, start=0, num=limit + 1)
    members = sorted({member for reply in pipe.execute() for member in reply})
    return members[:limit], (members[limit - 1] if len(members) > limit else None)


def _search(query):
    """The lowercased address prefix searched for (an address never holds ``:``, so neither does one)."""
    query = (query or "").strip().lower()[:SEARCH_MAX]
    if ":" in query:
        raise ValidationError({"q": "an address never contains a colon"})
    return query


def _status(status):
    if status and status not in STATUSES:
        raise ValidationError({"status": "must be one of " + ", ".join(STATUSES)})
    return status or None


def subscriber_counts(repo_id):
    client = kv.get_client()
    pipe = client.pipeline(transaction=False)
    for key in _indexes(repo_id, "confirmed") + _indexes(repo_id, "pending") + _indexes(repo_id, "failing"):
        pipe.zcard(key)
    confirmed, pending, failing = pipe.execute()
    return {"total": confirmed + pending, "confirmed": confirmed, "pending": pending, "failing": failing}


def subscribers_list(*, user_id, repo_id, query=None, status=None, cursor=None, limit=None):
    """``{"repoId", "counts", "subscribers", "next", "lastDigestAt", "sent"}``: a page of ``limit``
    rows by address (whose address starts with ``query``, of a status: confirmed, pending, failing)
    after ``cursor``, with ``next`` the following page's cursor (None on the last); counts are of
    all of them, from the indexes' cardinalities."""
    owner_require(user_id=user_id, repo_id=repo_id)
    status, prefix = _status(status), _search(query)
    limit = PAGE_SIZE if limit is None else limit
    if not 1 <= limit <= PAGE_MAX:
        raise ValidationError({"limit": f"must be between 1 and {PAGE_MAX}"})
    after = decode_cursor(cursor)[1] if cursor else None
    members, last = _page_members(_indexes(repo_id, status), prefix, after, limit)
    sent = kv.get_client().hgetall(keys.stat_subscriber_mail(repo_id))
    return {
        "repoId": repo_id,
        "counts": subscriber_counts(repo_id),
        "subscribers": subscriber_rows(repo_id, members),
        "next": encode_cursor(0, last) if last else None,
        "lastDigestAt": repo_settings(repo_id)["lastDigestAt"],
        "sent": {name: int(sent.get(name) or 0) for name in ("confirmations", "updates", "digests", "failed")},
    }


def subscribers_export(*, user_id, repo_id, query=None, status=None):
    """The CSV export (an explicit download of every matching row): its lines, produced ``CSV_BATCH``
    subscribers at a time, so the server never holds the whole list. Checks ownership and input
    before the first line."""
    owner_require(user_id=user_id, repo_id=repo_id)
    status, prefix = _status(status), _search(query)
    index_keys = _indexes(repo_id, status)

    def lines():
        yield _csv_lines([CSV_COLUMNS])
        after = None
        while True:
            members, after = _page_members(index_keys, prefix, after, CSV_BATCH)
            yield _csv_lines([[_cell(row[name]) for name in CSV_COLUMNS] for row in subscriber_rows(repo_id, members)])
            if after is None:
                return

    return lines()


def _cell(value):
    text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    return "'" + text if text.startswith(CSV_FORMULA_START) else text  # no formulas in a spreadsheet


def _csv_lines(rows):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
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
