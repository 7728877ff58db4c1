"""Sending to subscribers (docs/subscribers.md): a published entry's email to the subscribers who want
it, the weekly digest, "send the digest now", the owner's test digest, and Slack/Discord posts.

Idempotence: an address is added (SADD) to the marker set of the PR
(``lock:subscribers-mailed:{repoId}:{prId}``) or of the digest period before its mail is sent, and
only the SADD that added it sends; a retried or duplicated task, or a second user publishing the
same PR, finds it there. A *transient* failure takes the address out again so the task's retry
sends it; a *permanent* one (the server refused the address: a bounce) stays, and is recorded on the
subscriber (``meta:subscriber:{repoId}:{email}``) for the owner to see. Channel posts work the same
way with ``lock:channel-posted:{repoId}:{prId}``.

Who gets an entry: confirmed subscribers with ``allUpdates``, and those with ``majorReleases`` when
the entry is major (a label like ``major``, ``breaking`` or ``semver-major``) or belongs to a GitHub
release. Unconfirmed addresses never get anything but their confirmation.
"""

import logging
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import iso, parse_iso, utc_now
from engagement import channels, mail, services, subscription_settings
from engagement.models import Subscriber, lex_member
from engagement.subscriptions import is_confirmed, preferences_url, subscriber_preferences, unsubscribe_url
from entries.markdown import plain_text, render_markdown
from entries.models import Entry

log = logging.getLogger(__name__)

MAJOR_LABEL = re.compile(r"^(major|breaking|breaking[ _-]?changes?|semver[ :_-]*major)$", re.IGNORECASE)
DIGEST_WINDOW = timedelta(days=7)
DIGEST_ITEMS_MAX = 30
SUMMARY_MAX = 280
DIGEST_RUN_SECONDS = 3600
TEST_DIGEST_ITEMS = 5


# --- what is sent ----------------------------------------------------------------------------------

def entry_item(entry):
    text = entry.public_text()
    return {"id": entry.id, "prId": entry.prId, "title": entry.title, "category": entry.category,
            "url": services.entry_url(entry.repoId, entry.prId, absolute=True),
            "summary": plain_text(text, limit=SUMMARY_MAX), "html": render_markdown(text),
            "publishedAt": iso(entry.publishedAt or entry.mergedAt)}


def is_major(entry):
    if any(MAJOR_LABEL.match(label.strip()) for label in entry.labels or []):
        return True
    _, releases = services.releases_for_rows(repo_id=entry.repoId, rows=[{"id": entry.id, "score": entry.score()}])
    return releases.get(entry.id) is not None


def _list_context(repo_id, email, branding):
    return {"branding": branding, "repo_id": repo_id, "changelog_url": services.changelog_url(repo_id, True),
            "unsubscribe_url": unsubscribe_url(repo_id, email), "preferences_url": preferences_url(repo_id, email)}


def _list_message(*, repo_id, email, branding, subject, template, context):
    context = {**_list_context(repo_id, email, branding), **context}
    headers = mail.list_headers(repo_id=repo_id, branding=branding, unsubscribe_url=context["unsubscribe_url"])
    return mail.message_build(to=email, subject=subject, template=template, context=context, headers=headers)


def confirmation_message(subscriber, preferences, confirm_url):
    from engagement.subscriptions import PREFERENCE_NAMES

    branding = services.branding_get(repo_id=subscriber.repoId)
    wanted = [name for name in PREFERENCE_NAMES if preferences.get(name)]
    return mail.message_build(
        to=subscriber.email, subject=f"Confirm your subscription to {branding['name']} updates",
        template="confirm", context={"branding": branding, "confirm_url": confirm_url, "wanted": wanted,
                                     "changelog_url": services.changelog_url(subscriber.repoId, True)})


def _digest_message(repo_id, email, branding, items, *, test=False):
    shown = items[:DIGEST_ITEMS_MAX]
    count = len(items)
    subject = f"{'[Test] ' if test else ''}{branding['name']}: {count} update{'s' if count != 1 else ''} this week"
    return _list_message(repo_id=repo_id, email=email, branding=branding, subject=subject, template="digest",
                         context={"items": shown, "more": count - len(shown), "test": test})


# --- markers and results ---------------------------------------------------------------------------

def _claim(marker, emails, ttl):
    """The addresses this call added to ``marker`` (the ones it may mail), in one MULTI."""
    if not emails:
        return set()
    pipe = kv.get_client().pipeline(transaction=True)
    for email in emails:
        pipe.sadd(marker, email)
    pipe.expire(marker, ttl)
    added = pipe.execute()[:-1]
    return {email for email, new in zip(emails, added) if new}


def _record(repo_id, marker, results, *, kind, digest_at=None):
    """Write each result on its subscriber and the counters; release the markers of transient
    failures. Returns the counts and whether a retry is needed."""
    now = iso(utc_now())
    stat = keys.stat_subscriber_mail(repo_id)
    with kv.atomic() as pipe:
        for result in results:
            state = keys.meta_subscriber(repo_id, result.email)
            if result.ok:
                pipe.hset(state, mapping={"lastSentAt": now, **({"lastDigestAt": digest_at} if digest_at else {})})
                pipe.hincrby(stat, kind, 1)
                continue
            pipe.hincrby(state, "failures", 1)
            pipe.hset(state, mapping={"lastError": result.error, "lastErrorAt": now})
            pipe.zadd(keys.meta_subscribers_failing(repo_id), {lex_member(result.email): 0})
            pipe.hincrby(stat, "failed", 1)
            if not result.permanent:
                pipe.srem(marker, result.email)
    failed = [result for result in results if not result.ok]
    for result in failed:
        log.warning("mail to a %s subscriber failed (%s): %s", repo_id,
                    "permanent" if result.permanent else "will retry", result.error)
    return {"sent": len(results) - len(failed), "failed": len(failed),
            "retry": any(not result.permanent for result in failed)}


NOTHING = {"sent": 0, "failed": 0, "retry": False}


# --- an entry was published ------------------------------------------------------------------------

def entry_notify(*, entry_id):
    """Mail a published entry to each confirmed subscriber who wants it, once."""
    entry = Entry.get_by_id(entry_id)
    if entry is None or entry.status != "published":
        return dict(NOTHING)
    major = is_major(entry)
    wanted = [s for s in Subscriber.for_repo(entry.repoId) if is_confirmed(s) and
              (subscriber_preferences(s)["allUpdates"] or (major and subscriber_preferences(s)["majorReleases"]))]
    marker = keys.lock_subscribers_mailed(entry.repoId, entry.prId)
    fresh = _claim(marker, [s.email for s in wanted], keys.SUBSCRIBER_MARK_SECONDS)
    if not fresh:
        return dict(NOTHING)
    branding, item = services.branding_get(repo_id=entry.repoId), entry_item(entry)
    messages = [_list_message(repo_id=entry.repoId, email=s.email, branding=branding,
                              subject=f"{branding['name']}: {entry.title}", template="entry",
                              context={"item": item, "major": major})
                for s in wanted if s.email in fresh]
    return _record(entry.repoId, marker, mail.send_batch(messages), kind="updates")


def channels_configured(repo_id):
    configured = subscription_settings.repo_settings(repo_id)["channels"]
    return [name for name, channel in configured.items() if channel["configured"]]


def channel_post(*, entry_id, channel):
    """Post a published entry to one channel, once: "posted" or "skipped"; ``ChannelError`` on failure
    (a retryable one released its marker, so the task's retry posts)."""
    entry = Entry.get_by_id(entry_id)
    url = subscription_settings.channel_url(entry.repoId, channel) if entry else None
    if entry is None or entry.status != "published" or not url:
        return "skipped"
    marker = keys.lock_channel_posted(entry.repoId, entry.prId)
    if not _claim(marker, [channel], keys.SUBSCRIBER_MARK_SECONDS):
        return "skipped"
    try:
        channels.post(channel=channel, url=url, item=entry_item(entry),
                      branding=services.branding_get(repo_id=entry.repoId))
    except channels.ChannelError as error:
        subscription_settings.channel_status_set(entry.repoId, channel, ok=False, error=str(error))
        if error.retryable:
            kv.get_client().srem(marker, channel)
        raise
    subscription_settings.channel_status_set(entry.repoId, channel, ok=True)
    return "posted"


def _recent_items(repo_id, since, until):
    """Published entries with ``since < publishedAt <= until``, newest first, as mail items."""
    listing = services.changelog_listing(repo_id=repo_id)
    rows = [row for row in (listing or {}).get("rows", [])
            if since < parse_iso(row["publishedAt"] or row["mergedAt"]) <= until]
    entries = Entry.get_many_by_keys([row["key"] for row in rows])
    items = [entry_item(entry) for entry in entries if entry.status == "published"]
    return sorted(items, key=lambda item: item["publishedAt"], reverse=True)


def channel_test(*, user_id, repo_id, channel):
    """Post the newest entry (or a sample) to ``channel`` now, marked as a test; ``ChannelError``."""
    subscription_settings.owner_require(user_id=user_id, repo_id=repo_id)
    url = subscription_settings.channel_url(repo_id, channel)
    if not url:
        raise channels.ChannelError(f"No {channel} webhook is set.", retryable=False)
    now = utc_now()
    items = _recent_items(repo_id, now - timedelta(days=3650), now)
    item = items[0] if items else {"title": "Your changelog is connected", "category": "New",
                                   "url": services.changelog_url(repo_id, True), "publishedAt": iso(now),
                                   "summary": "Published entries will be posted here."}
    branding = services.branding_get(repo_id=repo_id)
    try:
        channels.post(channel=channel, url=url, item=item, branding=branding, test=True)
    except channels.ChannelError as error:
        subscription_settings.channel_status_set(repo_id, channel, ok=False, error=str(error))
        raise
    subscription_settings.channel_status_set(repo_id, channel, ok=True)


# --- digests ---------------------------------------------------------------------------------------

def digest_period(conf, now):
    """The ISO week (``2026-W11``) whose digest is due at ``now`` under the repository's schedule
    (its weekday, from its hour on, in its time zone), or None."""
    local = now.astimezone(ZoneInfo(conf["digestTimezone"]))
    if local.weekday() != conf["digestWeekday"] or local.hour < conf["digestHour"]:
        return None
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def _repos_with_subscribers():
    client = kv.get_client()
    pipe = client.pipeline(transaction=False)
    for user_id in client.smembers(keys.idx_users()):
        pipe.smembers(keys.idx_user_repos(user_id))
    repo_ids = sorted(set().union(*pipe.execute()) if len(pipe) else set())
    for repo_id in repo_ids:
        pipe.scard(keys.idx_repo_subscribers(repo_id))
    return [repo_id for repo_id, count in zip(repo_ids, pipe.execute() if repo_ids else []) if count]


def digests_due(*, now=None):
    """``(repo_id, period, cutoff)`` of every weekly digest due now and not queued yet this period."""
    now = now or utc_now()
    due = []
    for repo_id in _repos_with_subscribers():
        conf = subscription_settings.repo_settings(repo_id)
        period = digest_period(conf, now)
        if not period or conf["lastDigestPeriod"] == period:
            continue
        if kv.get_client().set(keys.lock_digest_run(repo_id, period), iso(now), nx=True, ex=DIGEST_RUN_SECONDS):
            due.append((repo_id, period, iso(now)))
    return due


def digest_send(*, repo_id, period, cutoff):
    """Mail each confirmed ``digest`` subscriber the entries published since their last digest (the
    week before ``cutoff`` for a first one), once per ``period``; nothing to those with none."""
    until = parse_iso(cutoff)
    subscribers = [s for s in Subscriber.for_repo(repo_id) if is_confirmed(s) and subscriber_preferences(s)["digest"]]
    pipe = kv.get_client().pipeline(transaction=False)
    for subscriber in subscribers:
        pipe.hget(keys.meta_subscriber(repo_id, subscriber.email), "lastDigestAt")
    since = {s.email: parse_iso(last) if last else until - DIGEST_WINDOW
             for s, last in zip(subscribers, pipe.execute() if subscribers else [])}
    items = _recent_items(repo_id, min(since.values()), until) if since else []
    theirs = {email: [item for item in items if start < parse_iso(item["publishedAt"]) <= until]
              for email, start in since.items()}
    marker = keys.lock_digest_mailed(repo_id, period)
    fresh = _claim(marker, [email for email, found in theirs.items() if found], keys.SUBSCRIBER_MARK_SECONDS)
    branding = services.branding_get(repo_id=repo_id)
    messages = [_digest_message(repo_id, email, branding, theirs[email]) for email in sorted(fresh)]
    result = _record(repo_id, marker, mail.send_batch(messages), kind="digests", digest_at=cutoff)
    subscription_settings.digest_sent_set(repo_id, at=cutoff, period=None if period.startswith("now-") else period)
    return result


def digest_test_send(*, repo_id, to):
    """The owner's "send me a test digest": this week's entries (or the newest few) to ``to`` only;
    nothing is recorded. Returns the number of entries in it."""
    now = utc_now()
    items = _recent_items(repo_id, now - DIGEST_WINDOW, now) or \
        _recent_items(repo_id, now - timedelta(days=3650), now)[:TEST_DIGEST_ITEMS]
    if not items:
        return 0
    result = mail.send_batch([_digest_message(repo_id, to, services.branding_get(repo_id=repo_id), items, test=True)])
    if not result[0].ok:
        raise mail.SendFailed(result[0].error)
    return len(items)


def entry_published_enqueue(*, entry_id):
    """Once a publish has committed (``entries.signals.entry_published``): queue the subscribers'
    mail and the channel posts. Never raises: a broker or task problem must not fail or undo the
    publish."""
    from engagement.tasks import entry_published_task

    try:
        entry_published_task.delay(entry_id)
    except Exception:  # noqa: BLE001  the broker's errors (and, eagerly, the task's) vary
        log.exception("could not queue the notifications of entry %s", entry_id)
