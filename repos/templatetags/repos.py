"""Repos' parts of pages other apps render: ``{% github_card %}`` (Settings → GitHub) and
``{% github_token_state as github %}`` (the overview's warning)."""

from django import template

from accounts.context_processors import github_oauth_enabled
from repos.forms import GitHubTokenForm
from repos.token_check import github_token_status

register = template.Library()


@register.simple_tag(takes_context=True)
def github_token_state(context):
    """What GitHub said about the saved token (``repos.token_check``), or None without one."""
    return github_token_status(user_id=context["request"].shiplog_user_id)


@register.inclusion_tag("repos/_github_card.html", takes_context=True)
def github_card(context):
    return {"github": github_token_status(user_id=context["request"].shiplog_user_id), "form": GitHubTokenForm(),
            "github_oauth": github_oauth_enabled(), "csrf_token": context.get("csrf_token")}
