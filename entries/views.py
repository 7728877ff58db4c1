"""Drafts, Published and the entry editor: thin views over ``entries.publishing``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from accounts.models import User as UserRecord
from billing.services import usage_summary
from changelog_site.domain import DomainError
from changelog_site.kv.records import ValidationError
from changelog_site.links import safe_next
from entries import ai, github_loop, publishing
from entries.forms import PREVIEW_MAX, EntryBulkForm, EntryEditForm, EntryFilterForm, NextForm, PreviewForm
from entries.markdown import render_markdown
from entries.models import CATEGORIES
from entries.services import entries_github_states
from repos.models import Repo

PAGE_SIZE = 25


def _report(request, error):
    """Show a service error as a message; plan limits link to Billing."""
    if isinstance(error, publishing.PlanLimitReached):
        messages.error(request, format_html('{} <a href="{}">See plans</a>', error.detail, reverse("dashboard-billing")))
    elif isinstance(error, ValidationError):
        messages.error(request, "; ".join(f"{name}: {problem}" for name, problem in error.errors.items()))
    else:
        messages.error(request, str(error.detail))


def _entry_list(request, status, template_title):
    user_id = request.shiplog_user_id
    repos = Repo.for_user(user_id)
    filters = EntryFilterForm(request.GET or None, repos=[repo.name for repo in repos])
    params = filters.cleaned_data if filters.is_valid() else {}
    entries, next_cursor = [], None
    try:
        entries, next_cursor = publishing.entries_list(
            user_id=user_id, status=status, repo_id=params.get("repo") or None, cursor=request.GET.get("cursor"),
            limit=PAGE_SIZE, category=params.get("category") or None, label=params.get("label") or None,
            query=params.get("q") or None)
    except ValidationError:
        messages.error(request, "That page link has expired; showing the newest entries.")
        entries, next_cursor = publishing.entries_list(user_id=user_id, status=status, limit=PAGE_SIZE)
    states = entries_github_states(entry_ids=[entry.id for entry in entries])
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(request, "entries/list.html", {
        "title": template_title,
        "status": status,
        "entries": [(entry, entry.mergedAt, states.get(entry.id) or {}) for entry in entries],
        "filters": filters,
        "filtered": any(params.get(name) for name in ("repo", "category", "label", "q")),
        "next_query": f"{query.urlencode()}&cursor={next_cursor}" if next_cursor else None,
        "has_repos": bool(repos),
        "usage": usage_summary(user=UserRecord.get(user_id)),
        "categories": CATEGORIES,
    })


@login_required
def drafts(request):
    return _entry_list(request, "draft", "Drafts")


@login_required
def published(request):
    return _entry_list(request, "published", "Published")




def _rewrite_done(before, after):
    """The message after a rewrite: who wrote it, or that nothing changed (and nothing was counted)."""
    writer = ai.writer_name()
    if after.aiRewrite == before.aiRewrite:
        return messages.INFO, (f"{writer[:1].upper() + writer[1:]} came up with the same text as before, so "
                               "nothing changed and no rewrite was counted.")
    note = "" if ai.ai_configured() else " (no AI provider is configured on this server)"
    return messages.SUCCESS, (f"Rewritten by {writer}{note}. Review the new text, then choose which one "
                              "readers see.")


def _editor_action(user_id, entry, action):
    """Run the button's action on the just-saved entry; returns ``(level, message)`` or None."""
    if action == "publish":
        publishing.entry_publish(user_id=user_id, entry_id=entry.id)
        return messages.SUCCESS, "Published."
    if action == "unpublish":
        publishing.entry_unpublish(user_id=user_id, entry_id=entry.id)
        return messages.SUCCESS, "Moved back to drafts."
    if action == "rewrite":
        return _rewrite_done(entry, publishing.entry_rewrite(user_id=user_id, entry_id=entry.id))
    return None


@login_required
def entry_edit(request, entry_id):
    """The editor: one form whose buttons (Save, Publish, Unpublish, Rewrite) first save what the
    user typed, then do their action, so no button ever loses an edit."""
    user_id = request.shiplog_user_id
    entry = publishing.entry_get(user_id=user_id, entry_id=entry_id)
    form = EntryEditForm(request.POST or None, entry=entry)
    if request.method == "POST" and form.is_valid():
        action, changes, saved = form.chosen_action(), form.changes(), False
        try:
            if changes:
                entry = publishing.entry_update(user_id=user_id, entry_id=entry_id, changes=changes)
                saved = True
            done = _editor_action(user_id, entry, action)
        except DomainError as error:
            if saved:
                messages.success(request, "Your changes were saved.")
            _report(request, error)
        else:
            saved = "Saved." if changes else ("Nothing changed." if action == "save" else "")
            level, text = done or (messages.SUCCESS, "")
            messages.add_message(request, level, f"{saved} {text}".strip())
        return redirect("entry-edit", entry_id=entry_id)
    return render(request, "entries/edit.html", {
        "title": entry.title,
        "entry": entry,
        "merged": entry.mergedAt,
        "form": form,
        "original_html": render_markdown(entry.body),
        "rewrite_html": render_markdown(entry.aiRewrite or ""),
        "usage": usage_summary(user=UserRecord.get(user_id)),
        "ai_configured": ai.ai_configured(),
        "writer_name": ai.writer_name(),
        "github_loop": github_loop.editor_view(entry),
    })


ACTIONS = {
    "publish": (publishing.entry_publish, "Published."),
    "unpublish": (publishing.entry_unpublish, "Moved back to drafts."),
    "rewrite": (publishing.entry_rewrite, "Rewrite done. Review the new text and choose which one readers see."),
    "discard": (publishing.entry_discard, "Discarded."),
}


@login_required
@require_POST
def entry_action(request, entry_id, action):
    service, done = ACTIONS[action]
    user_id = request.shiplog_user_id
    try:
        entry = service(user_id=user_id, entry_id=entry_id)
    except publishing.EntryNotFound:
        raise
    except DomainError as error:
        _report(request, error)
        return redirect("entry-edit", entry_id=entry_id)
    messages.success(request, done)
    if action == "discard":
        return redirect("dashboard-drafts" if entry.status == "draft" else "dashboard-published")
    back = NextForm(request.POST)
    wanted = back.cleaned_data["next"] if back.is_valid() else None
    return redirect(safe_next(request, wanted, reverse("entry-edit", kwargs={"entry_id": entry_id})))


@login_required
@require_POST
def entries_bulk(request):
    form = EntryBulkForm(request.POST)
    valid = form.is_valid()
    back = safe_next(request, form.cleaned_data.get("next"), reverse("dashboard-drafts"))
    if not valid:
        messages.warning(request, "Select at least one entry, then an action.")
        return redirect(back)
    action, ids = form.cleaned_data["action"], form.cleaned_data["entry"]
    user_id = request.shiplog_user_id
    service, _ = ACTIONS[action]
    # the plan check reads the user: record once per request, not once per selected entry
    plan = {"user": UserRecord.get(user_id)} if action == "publish" else {}
    done = 0
    for entry_id in ids:
        try:
            service(user_id=user_id, entry_id=entry_id, **plan)
            done += 1
        except publishing.PlanLimitReached as error:
            _report(request, error)
            break
        except DomainError as error:
            _report(request, error)
    verb = {"publish": "Published", "discard": "Discarded", "unpublish": "Moved back to drafts"}[action]
    if done:
        messages.success(request, f"{verb} {done} of {len(ids)} selected entries.")
    return redirect(back)


@login_required
@require_POST
def entry_preview(request):
    """The editor's live preview: the same sanitized rendering readers get."""
    form = PreviewForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    return JsonResponse({"html": render_markdown(text[:PREVIEW_MAX])})
