"""The Social posts pages: one per entry (preview, edit, copy, write again, discard) and the list
of entries with posts. Thin views over ``entries.social``."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.models import User as UserRecord
from billing.services import usage_summary
from changelog_site.domain import DomainError
from changelog_site.kv.records import ValidationError
from entries import ai, social
from entries import social_writer as writer
from entries.api_social import ai_rate_limit
from entries.forms import SocialEditForm, SocialGenerateForm
from entries.publishing import EntryNotFound, PlanLimitReached
from entries.tweet_length import MAX_WEIGHT, counter_config, normalize, url_spans, weighted_length

PAGE_SIZE = 20
HASHTAG_OR_MENTION = re.compile(r"(?<![\w&#@])(#(?=\w*[^\W\d_])\w+|@\w+)")  # "#482" is no hashtag
URL_SHOWN = 26


def _rich(text, shown_url):
    """Preview HTML for a post: escaped, links and hashtags marked as the platform marks them."""
    pieces, position = [], 0
    for start, end in url_spans(text):
        pieces.append(HASHTAG_OR_MENTION.sub(r'<span class="tag">\1</span>', escape(text[position:start])))
        pieces.append(format_html('<span class="link">{}</span>', shown_url(text[start:end])))
        position = end
    pieces.append(HASHTAG_OR_MENTION.sub(r'<span class="tag">\1</span>', escape(text[position:])))
    return mark_safe("".join(pieces).replace("\n", "<br>"))


def x_shown_url(url):
    """X shows a link without its protocol, cut after 26 characters."""
    shown = re.sub(r"^https?://(www\.)?", "", url)
    return shown if len(shown) <= URL_SHOWN else shown[:URL_SHOWN] + "…"


def tweet_cards(tweets):
    return [{"text": text, "length": weighted_length(text), "over": weighted_length(text) > MAX_WEIGHT,
             "html": _rich(normalize(text), x_shown_url)} for text in tweets]


def linkedin_card(post):
    hook, _, rest = (post or "").partition("\n")
    length = writer.utf16_length(post or "")
    return {"text": post or "", "length": length, "over": length > writer.LINKEDIN_MAX,
            "hook_length": writer.utf16_length(hook), "hook_over": writer.utf16_length(hook) > writer.LINKEDIN_HOOK_MAX,
            "hook_html": _rich(normalize(hook), lambda url: url), "rest_html": _rich(normalize(rest.strip("\n")),
                                                                                        lambda url: url)}


def _writer_context(user_id):
    return {"ai_configured": ai.ai_configured(), "writer_name": ai.writer_name(),
            "usage": usage_summary(user=UserRecord.get(user_id))}


def _as_tweets(draft):
    """A draft's X posts; one another implementation wrote with only ``post`` shows that text as is."""
    return draft.tweets if draft.tweets is not None else ([draft.post] if draft.post else [])


def _as_post(draft):
    return draft.post if draft.post is not None else "\n\n".join(draft.tweets or [])


def _render(request, entry, drafts, *, edits=None, errors=None, status=200):
    """The entry's page; ``edits`` keeps what the owner typed when a save was refused."""
    edits, errors = edits or {}, errors or {}
    by_platform = {draft.platform: draft for draft in drafts}
    twitter, linkedin = by_platform.get("twitter"), by_platform.get("linkedin")
    tweets = edits.get("twitter", _as_tweets(twitter) if twitter else None)
    post = edits.get("linkedin", _as_post(linkedin) if linkedin else None)
    return render(request, "entries/social.html", {
        "title": f"Social posts · {entry.title}",
        "entry": entry,
        "public_url": social.public_url(entry),
        "twitter": twitter, "linkedin": linkedin,
        "tweets": tweet_cards(tweets or []) if twitter else [],
        "post": linkedin_card(post) if linkedin else None,
        "errors": errors,
        "tones": writer.TONES,
        "default_tone": writer.DEFAULT_TONE,
        "counter": {**counter_config(), "linkedinMax": writer.LINKEDIN_MAX, "hookMax": writer.LINKEDIN_HOOK_MAX},
        "author_name": entry.repoId.split("/")[-1],
        "author_handle": "@" + re.sub(r"[^A-Za-z0-9_]", "", entry.repoId.split("/")[0])[:15],
        "x_max": MAX_WEIGHT, "linkedin_max": writer.LINKEDIN_MAX, "hook_max": writer.LINKEDIN_HOOK_MAX,
        **_writer_context(entry.userId),
    }, status=status)


@login_required
def social_page(request, entry_id):
    entry, drafts = social.social_list(user_id=request.shiplog_user_id, entry_id=entry_id)
    return _render(request, entry, drafts)


def _generated_message(platform, writer_kind, usage):
    what = social.PLATFORM_NAMES[platform]
    if writer_kind == "builtin":
        return (f"Wrote the {what} with the built-in writer (no AI provider is configured on this server). "
                "It is free: nothing was counted.")
    limit = usage["limits"]["aiRewrites"]
    count = f"{usage['usage']['aiRewrites']}" + (f" of {limit}" if limit is not None else "")
    return f"Wrote the {what} with {ai.writer_name()}. It counted as one AI rewrite ({count} this month)."


@login_required
@require_POST
def social_generate(request, entry_id):
    user_id = request.shiplog_user_id
    social.social_entry(user_id=user_id, entry_id=entry_id)
    back = redirect(reverse("entry-social", kwargs={"entry_id": entry_id}))
    try:
        ai_rate_limit(request)
        choice = SocialGenerateForm(request.POST).checked_data()
        user = UserRecord.get(user_id)
        draft, writer_kind = social.social_generate(user_id=user_id, entry_id=entry_id, user=user, **choice)
    except EntryNotFound:
        raise
    except PlanLimitReached as error:
        messages.error(request, format_html('{} <a href="{}">See plans</a>', error.detail,
                                            reverse("dashboard-billing")))
        return back
    except ValidationError as error:
        messages.error(request, "; ".join(f"{name} {problem}" for name, problem in error.errors.items()))
        return back
    except DomainError as error:
        messages.error(request, str(error.detail))
        return back
    messages.success(request, _generated_message(draft.platform, writer_kind, usage_summary(user=user)))
    return redirect(reverse("entry-social", kwargs={"entry_id": entry_id}) + f"#{draft.platform}")


@login_required
@require_POST
def social_save(request, entry_id, platform):
    user_id = request.shiplog_user_id
    form = SocialEditForm(request.POST, platform=platform)
    try:
        change = form.checked_data()
        social.social_update(user_id=user_id, entry_id=entry_id, platform=platform, **change)
    except ValidationError as error:
        entry, drafts = social.social_list(user_id=user_id, entry_id=entry_id)
        messages.error(request, "Not saved: " + "; ".join(f"{name} {problem}"
                                                           for name, problem in error.errors.items()))
        return _render(request, entry, drafts, edits={platform: form.typed()},
                       errors={platform: True}, status=400)
    except EntryNotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, f"Saved the {social.PLATFORM_NAMES[platform]}.")
    return redirect(reverse("entry-social", kwargs={"entry_id": entry_id}) + f"#{platform}")


@login_required
@require_POST
def social_discard(request, entry_id, platform):
    try:
        social.social_delete(user_id=request.shiplog_user_id, entry_id=entry_id, platform=platform)
    except social.SocialPostNotFound:
        messages.info(request, f"The {social.PLATFORM_NAMES[platform]} was already discarded.")
    else:
        messages.success(request, f"Discarded the {social.PLATFORM_NAMES[platform]}.")
    return redirect("entry-social", entry_id=entry_id)


@login_required
def social_list_page(request):
    """Every entry that has social posts, newest merged first."""
    user_id = request.shiplog_user_id
    try:
        rows, next_cursor = social.social_overview(user_id=user_id, cursor=request.GET.get("cursor") or None,
                                                   limit=PAGE_SIZE)
    except ValidationError:
        messages.error(request, "That page link has expired; showing the newest posts.")
        rows, next_cursor = social.social_overview(user_id=user_id, limit=PAGE_SIZE)
    listed = []
    for entry, drafts in rows:
        by_platform = {draft.platform: draft for draft in drafts}
        listed.append({"entry": entry, "twitter": by_platform.get("twitter"), "linkedin": by_platform.get("linkedin"),
                       "newest": max(draft.createdAt for draft in drafts)})
    return render(request, "entries/social_list.html", {
        "title": "Social posts", "rows": listed, "next_cursor": next_cursor,
        **_writer_context(user_id),
    })
