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

from changelog_site.kv.records import ValidationError
from engagement import channels, delivery, mailchimp, services, subscribers, subscription_settings
from engagement.forms import (ChannelTestForm, NotificationsForm, SubscriberFilterForm, SubscriberRemoveForm,
                              SubscribersImportForm)
from repos.models import Repo

PAGE_SIZE = 100


def _back(repo_id, **query):
    return HttpResponseRedirect(reverse("dashboard-subscribers") + "?" + urlencode({"repo": repo_id, **query}))


def _owned(request, owner, repo):
    """``(user_id, repo_id)`` of the signed-in owner; ``NotFound`` (a 404) for anyone else's repository."""
    user_id, repo_id = request.shiplog_user_id, f"{owner}/{repo}"
    subscription_settings.owner_require(user_id=user_id, repo_id=repo_id)
    return user_id, repo_id


def _errors(error):
    return "; ".join(f"{name}: {message}" for name, message in error.errors.items())


@login_required
@require_safe
def subscribers_page(request):
    user_id = request.shiplog_user_id
    names = [repo.name for repo in Repo.for_user(user_id)]
    filters = SubscriberFilterForm(request.GET)
    filters.is_valid()  # a field that is not valid is left out; the others still apply
    wanted = filters.cleaned_data
    repo_id = wanted.get("repo") or (names[0] if names else None)
    context = {"title": "Subscribers", "repos": names, "repo_id": repo_id}
    if repo_id:
        status, query = wanted.get("status") or None, wanted.get("q") or ""
        try:
            data = subscribers.subscribers_list(user_id=user_id, repo_id=repo_id, query=query, status=status,
                                                cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE)
        except ValidationError as error:
            context.update(error=_errors(error))
            data = subscribers.subscribers_list(user_id=user_id, repo_id=repo_id, status=status, limit=PAGE_SIZE)
        conf = subscription_settings.repo_settings(repo_id)
        owner, name = repo_id.split("/", 1)
        shown = {"repo": repo_id, **({"status": status} if status else {}), **({"q": query} if query else {})}
        paged = bool(request.GET.get("cursor"))
        context.update(
            data=data, rows=data["subscribers"], first_url="?" + urlencode(shown) if paged else None,
            next_url="?" + urlencode({**shown, "cursor": data["next"]}) if data["next"] else None,
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
    form = SubscriberRemoveForm(request.POST)
    email = subscribers.subscriber_remove(user_id=user_id, repo_id=repo_id,
                                          email=form.cleaned_data["email"] if form.is_valid() else "")
    messages.success(request, f"{email} was removed; it gets no more mail.")
    return _back(repo_id)


@login_required
@require_POST
def subscribers_import(request, owner, repo):
    user_id, repo_id = _owned(request, owner, repo)
    form = SubscribersImportForm(request.POST, request.FILES)
    try:
        text = form.text() if form.is_valid() else ""
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
    form = NotificationsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Subscriber settings not saved: some fields are far too long.")
        return _settings_back(owner, repo)
    try:
        subscription_settings.repo_settings_update(user_id=user_id, repo_id=repo_id, **form.changes())
    except ValidationError as error:
        messages.error(request, f"Subscriber settings not saved: {_errors(error)}.")
    else:
        messages.success(request, f"Subscriber settings of {repo_id} saved.")
    return _settings_back(owner, repo)


@login_required
@require_POST
def channel_test(request, owner, repo):
    user_id, repo_id = _owned(request, owner, repo)
    form = ChannelTestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick Slack or Discord.")
        return _settings_back(owner, repo)
    channel = form.cleaned_data["channel"]
    label = subscription_settings.CHANNELS[channel]
    try:
        delivery.channel_test(user_id=user_id, repo_id=repo_id, channel=channel)
    except channels.ChannelError as error:
        messages.error(request, f"The {label} test failed: {error}")
    else:
        messages.success(request, f"A test message was posted to {label}.")
    return _settings_back(owner, repo)
