"""The owner's Subscribers page and its actions, and the subscriber section of a repository's settings
page (digest schedule, Slack/Discord, Mailchimp). Thin: everything goes through
``engagement.subscribers``, ``engagement.subscription_settings`` and ``engagement.delivery``.
Another account's repository is a 404 (the services raise ``NotFound``)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.services import shiplog_user_id
from changelog_site.kv.records import ValidationError
from engagement import channels, delivery, mailchimp, services, subscribers, subscription_settings
from repos.models import Repo

PAGE_SIZE = 200


def _back(repo_id, **query):
    return HttpResponseRedirect(reverse("dashboard-subscribers") + "?" + urlencode({"repo": repo_id, **query}))


def _owned(request, owner, repo):
    """``(user_id, repo_id)`` of the signed-in owner; ``NotFound`` (a 404) for anyone else's repository."""
    user_id, repo_id = shiplog_user_id(request.user, request), f"{owner}/{repo}"
    subscription_settings.owner_require(user_id=user_id, repo_id=repo_id)
    return user_id, repo_id


def _errors(error):
    return "; ".join(f"{name}: {message}" for name, message in error.errors.items())


@login_required
@require_safe
def subscribers_page(request):
    user_id = shiplog_user_id(request.user, request)
    names = [repo.name for repo in Repo.for_user(user_id)]
    repo_id = request.GET.get("repo") or (names[0] if names else None)
    context = {"title": "Subscribers", "repos": names, "repo_id": repo_id}
    if repo_id:
        status = request.GET.get("status") if request.GET.get("status") in subscribers.STATUSES else None
        query = request.GET.get("q", "")[:subscribers.SEARCH_MAX]
        data = subscribers.subscribers_list(user_id=user_id, repo_id=repo_id, query=query, status=status)
        conf = subscription_settings.repo_settings(repo_id)
        owner, name = repo_id.split("/", 1)
        context.update(
            data=data, rows=data["subscribers"][:PAGE_SIZE], hidden=max(0, len(data["subscribers"]) - PAGE_SIZE),
            conf=conf, weekday=subscription_settings.WEEKDAYS[conf["digestWeekday"]], q=query, status=status,
            statuses=subscribers.STATUSES, mailchimp_on=bool(mailchimp.audience_for(repo_id)),
            mailchimp_key_set=bool(settings.MAILCHIMP_API_KEY),
            export_url=reverse("api-subscribers", kwargs={"owner": owner, "repo": name}) + "?format=csv",
            public_url=services.changelog_url(repo_id), kwargs={"owner": owner, "repo": name},
            settings_url=reverse("repo-sync-settings", kwargs={"owner": owner, "repo": name}) + "#subscribers")
    response = render(request, "engagement/subscribers/dashboard.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def subscriber_remove(request, owner, repo):
    user_id, repo_id = _owned(request, owner, repo)
    email = subscribers.subscriber_remove(user_id=user_id, repo_id=repo_id, email=request.POST.get("email", ""))
    messages.success(request, f"{email} was removed; it gets no more mail.")
    return _back(repo_id)


@login_required
@require_POST
def subscribers_import(request, owner, repo):
    user_id, repo_id = _owned(request, owner, repo)
    upload = request.FILES.get("file")
    try:
        text = upload.read(subscribers.IMPORT_MAX_BYTES + 1).decode("utf-8-sig") if upload \
            else request.POST.get("addresses", "")
    except UnicodeDecodeError:
        messages.error(request, "The file is not UTF-8 text (save it as CSV UTF-8).")
        return _back(repo_id)
    try:
        counts = subscribers.subscribers_import(user_id=user_id, repo_id=repo_id, text=text)
    except ValidationError as error:
        messages.error(request, f"Nothing was imported: {_errors(error)}.")
        return _back(repo_id)
    messages.success(request, f"{counts['invited']} confirmation email(s) sent; {counts['alreadySubscribed']} "
                              f"already subscribed, {counts['invalid']} invalid, {counts['limited']} mailed too "
                              "recently to send again. Imported addresses are subscribed once they confirm.")
    return _back(repo_id)


@login_required
@require_POST
def digest_now(request, owner, repo):
    user_id, repo_id = _owned(request, owner, repo)
    subscribers.digest_now_queue(user_id=user_id, repo_id=repo_id)
    messages.success(request, "The digest is on its way to every digest subscriber with new entries.")
    return _back(repo_id)


@login_required
@require_POST
def digest_test(request, owner, repo):
    user_id, repo_id = _owned(request, owner, repo)
    subscribers.digest_test_queue(user_id=user_id, repo_id=repo_id, to=request.user.email)
    messages.success(request, f"A test digest is on its way to {request.user.email} (if there are published entries).")
    return _back(repo_id)


@login_required
@require_POST
def mailchimp_sync(request, owner, repo):
    user_id, repo_id = _owned(request, owner, repo)
    try:
        subscribers.mailchimp_sync_queue(user_id=user_id, repo_id=repo_id)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, "Confirmed subscribers are being synced to your Mailchimp audience.")
    return _back(repo_id)


def _settings_back(owner, repo):
    return HttpResponseRedirect(reverse("repo-sync-settings", kwargs={"owner": owner, "repo": repo}) + "#subscribers")


@login_required
@require_POST
def notifications_save(request, owner, repo):
    user_id, repo_id = _owned(request, owner, repo)
    post = request.POST
    try:
        subscription_settings.repo_settings_update(
            user_id=user_id, repo_id=repo_id,
            weekday=post.get("digestWeekday"), hour=post.get("digestHour"), timezone=post.get("digestTimezone"),
            webhooks={channel: post.get(f"{channel}Webhook", "") for channel in subscription_settings.CHANNELS},
            clear={channel for channel in subscription_settings.CHANNELS if post.get(f"{channel}Clear") == "on"},
            mailchimp_audience_id=post.get("mailchimpAudienceId") if "mailchimpAudienceId" in post else None)
    except ValidationError as error:
        messages.error(request, f"Subscriber settings not saved: {_errors(error)}.")
    else:
        messages.success(request, f"Subscriber settings of {repo_id} saved.")
    return _settings_back(owner, repo)


@login_required
@require_POST
def channel_test(request, owner, repo):
    user_id, repo_id = _owned(request, owner, repo)
    channel = request.POST.get("channel")
    if channel not in subscription_settings.CHANNELS:
        messages.error(request, "Pick Slack or Discord.")
        return _settings_back(owner, repo)
    label = subscription_settings.CHANNELS[channel]
    try:
        delivery.channel_test(user_id=user_id, repo_id=repo_id, channel=channel)
    except channels.ChannelError as error:
        messages.error(request, f"The {label} test failed: {error}")
    else:
        messages.success(request, f"A test message was posted to {label}.")
    return _settings_back(owner, repo)
