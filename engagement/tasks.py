"""Celery tasks of email subscribers and channels: thin wrappers around ``engagement.delivery``,
``engagement.subscriptions`` and ``engagement.mailchimp`` (docs/subscribers.md).

Sending tasks are idempotent (markers written before each send), so a redelivered or retried task
never mails twice; a transient failure retries with exponential backoff (``backoff``).
"""

import logging

from celery import shared_task

from engagement import channels, delivery, mail, mailchimp, subscriptions

log = logging.getLogger(__name__)

MAX_RETRIES = 5


def backoff(retries):
    """Seconds before retry number ``retries + 1``: 30 s, 1, 2, 4, 8 minutes."""
    return 30 * 2 ** retries


@shared_task(bind=True, name="subscribers.confirmation_send", max_retries=MAX_RETRIES, acks_late=True)
def confirmation_send_task(self, repo_id, items):
    """The double opt-in mail to each ``[email, preference bits]`` of ``items``, over one connection."""
    pending = subscriptions.confirmation_items(repo_id, items)
    messages = [delivery.confirmation_message(subscriber, preferences,
                                              subscriptions.confirm_url(subscriber, preferences))
                for subscriber, preferences in pending]
    results = mail.send_batch(messages)
    retry = [[subscriber.email, subscriptions.preference_bits(preferences)]
             for (subscriber, preferences), result in zip(pending, results) if not result.ok and not result.permanent]
    if retry and self.request.retries < MAX_RETRIES:
        raise self.retry(args=(repo_id, retry), countdown=backoff(self.request.retries))
    return {"sent": sum(result.ok for result in results), "failed": sum(not result.ok for result in results)}


@shared_task(name="subscribers.entry_published")
def entry_published_task(entry_id):
    """Fan out a publish: the subscribers' mail, and one post per configured channel."""
    from entries.models import Entry

    entry = Entry.get_by_id(entry_id)
    if entry is None:
        return []
    entry_notify_task.delay(entry_id)
    configured = delivery.channels_configured(entry.repoId)
    for channel in configured:
        channel_post_task.delay(entry_id, channel)
    return configured


@shared_task(bind=True, name="subscribers.entry_notify", max_retries=MAX_RETRIES, acks_late=True)
def entry_notify_task(self, entry_id):
    result = delivery.entry_notify(entry_id=entry_id)
    if result["retry"] and self.request.retries < MAX_RETRIES:
        raise self.retry(countdown=backoff(self.request.retries))
    return result


@shared_task(bind=True, name="subscribers.channel_post", max_retries=MAX_RETRIES, acks_late=True)
def channel_post_task(self, entry_id, channel):
    try:
        return delivery.channel_post(entry_id=entry_id, channel=channel)
    except channels.ChannelError as error:
        if error.retryable and self.request.retries < MAX_RETRIES:
            raise self.retry(countdown=backoff(self.request.retries)) from error
        log.warning("posting entry %s to %s failed for good: %s", entry_id, channel, error)
        return "failed"


@shared_task(name="subscribers.digests_due")
def digests_due_task():
    """Beat (every 5 minutes): queue each repository's weekly digest once it is due."""
    due = delivery.digests_due()
    for repo_id, period, cutoff in due:
        digest_send_task.delay(repo_id, period, cutoff)
    return [repo_id for repo_id, _, _ in due]


@shared_task(bind=True, name="subscribers.digest_send", max_retries=MAX_RETRIES, acks_late=True)
def digest_send_task(self, repo_id, period, cutoff):
    result = delivery.digest_send(repo_id=repo_id, period=period, cutoff=cutoff)
    if result["retry"] and self.request.retries < MAX_RETRIES:
        raise self.retry(countdown=backoff(self.request.retries))
    return result


@shared_task(name="subscribers.digest_test")
def digest_test_task(repo_id, to):
    try:
        return delivery.digest_test_send(repo_id=repo_id, to=to)
    except mail.SendFailed as error:
        log.warning("the test digest of %s could not be sent: %s", repo_id, error)
        return 0


@shared_task(bind=True, name="subscribers.mailchimp_member", max_retries=MAX_RETRIES, acks_late=True)
def mailchimp_member_task(self, repo_id, email, subscribed):
    try:
        return mailchimp.member_sync(repo_id=repo_id, email=email, subscribed=subscribed)
    except mailchimp.MailchimpError as error:
        mailchimp.record_failure(repo_id, error)
        if self.request.retries < MAX_RETRIES:
            raise self.retry(countdown=backoff(self.request.retries)) from error
        return False


@shared_task(name="subscribers.mailchimp_audience")
def mailchimp_audience_task(repo_id):
    try:
        return mailchimp.audience_sync(repo_id=repo_id)
    except mailchimp.MailchimpError as error:
        log.warning("the Mailchimp sync of %s failed: %s", repo_id, error)
        return 0
