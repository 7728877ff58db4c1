"""The dashboard's Widget pages: the customizer (with a live preview and the embed snippet) and
the widget's analytics. Thin: every operation is in ``widget.services``."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from changelog_site.domain import DomainError, NotFound
from changelog_site.kv.records import ValidationError
from repos.models import Repo
from widget import analytics, services
from widget.forms import RepoChoiceForm, WidgetForm, WidgetSwitchForm


def _page(request, template, context, status=200):
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def _repo_choice(request, user_id):
    """``(repository names, chosen repository or None)``; a repository the user has not
    connected is refused with ``NotFound``."""
    names = [repo.name for repo in Repo.for_user(user_id)]
    chosen = (RepoChoiceForm(request.POST).chosen() or RepoChoiceForm(request.GET).chosen()
              or (names[0] if names else None))
    if chosen is not None and chosen not in names:
        raise NotFound("You have not connected this repository.")
    return names, chosen


def _back(view_name, repo_id):
    return redirect(reverse(view_name) + "?" + urlencode({"repo": repo_id}))


def _not_connected(request, title):
    return _page(request, "widget/customizer.html", {"title": title, "repos": [], "missing": True}, status=404)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def customizer(request):
    user_id = request.shiplog_user_id
    try:
        names, repo_id = _repo_choice(request, user_id)
    except DomainError:
        return _not_connected(request, "Widget")
    context = {"title": "Widget", "repos": names, "repo_id": repo_id, "widget": None}
    widget = services.widget_find(user_id=user_id, repo_id=repo_id) if repo_id else None
    if widget is None:
        return _page(request, "widget/customizer.html", context)
    form = WidgetForm(initial=WidgetForm.initial_for(widget))
    if request.method == "POST":
        form = WidgetForm(request.POST)
        if form.is_valid():
            services.widget_save(user_id=user_id, repo_id=repo_id, changes=form.changes())
            messages.success(request, "Widget saved. Sites that embed it show the change within a minute.")
            return _back("dashboard-widget", repo_id)
    context.update(widget=widget, form=form, enabled=services.widget_enabled(widget_id=widget.id),
                   snippet=services.widget_embed_snippet(widget_id=widget.id),
                   preview=services.widget_preview_body(widget=widget),
                   ctr=analytics.click_through_rate(widget.clicks, widget.impressions))
    return _page(request, "widget/customizer.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def create(request):
    user_id = request.shiplog_user_id
    try:
        _, repo_id = _repo_choice(request, user_id)
    except DomainError:
        return _not_connected(request, "Widget")
    if repo_id is None:
        return redirect("dashboard-widget")
    services.widget_save(user_id=user_id, repo_id=repo_id, changes={})
    messages.success(request, "Your widget is ready: pick its look, then copy the snippet into your site.")
    return _back("dashboard-widget", repo_id)


@login_required
@require_POST
def regenerate(request):
    user_id = request.shiplog_user_id
    try:
        _, repo_id = _repo_choice(request, user_id)
    except DomainError:
        return _not_connected(request, "Widget")
    try:
        services.widget_regenerate(user_id=user_id, repo_id=repo_id)
    except NotFound:
        return _not_connected(request, "Widget")
    except DomainError as error:
        messages.error(request, str(error.detail))
        return _back("dashboard-widget", repo_id)
    messages.success(request, "New widget id: the old snippet stopped working. Paste the new one into your site.")
    return _back("dashboard-widget", repo_id)


@login_required
@require_POST
def switch(request):
    """Switch the widget off (its endpoints answer 410 and hosts show nothing) or on again."""
    user_id = request.shiplog_user_id
    enabled = WidgetSwitchForm(request.POST).turned_on()
    try:
        _, repo_id = _repo_choice(request, user_id)
        services.widget_set_enabled(user_id=user_id, repo_id=repo_id, enabled=enabled)
    except DomainError:
        return _not_connected(request, "Widget")
    messages.success(request, "Widget switched on." if enabled else "Widget switched off: sites that embed it show nothing.")
    return _back("dashboard-widget", repo_id)


@login_required
@require_safe
def analytics_page(request):
    user_id = request.shiplog_user_id
    try:
        names, repo_id = _repo_choice(request, user_id)
    except DomainError:
        return _not_connected(request, "Widget analytics")
    context = {"title": "Widget analytics", "repos": names, "repo_id": repo_id, "periods": analytics.PERIODS,
               "widget": services.widget_find(user_id=user_id, repo_id=repo_id) if repo_id else None}
    if context["widget"] is None:
        return _page(request, "widget/analytics.html", context)
    try:
        report = analytics.widget_analytics(widget=context["widget"], days=request.GET.get("days"))
    except ValidationError as error:
        context["error"] = "; ".join(error.errors.values())
        return _page(request, "widget/analytics.html", context, status=400)
    context.update(report=report, chart=mark_safe(analytics.widget_chart_svg(report["series"])))
    return _page(request, "widget/analytics.html", context)
