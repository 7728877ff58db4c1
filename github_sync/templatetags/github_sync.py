"""``{% backfill_progress repo.name as progress %}`` (see ``github_sync.backfill_status``),
``{% repo_disconnected repo as why %}`` and ``{% user_notices_here 5 as notices %}`` (what GitHub
told us lately, for the overview) for pages."""

from django import template

from github_sync.backfill_status import backfill_status
from github_sync.services.repositories import repo_disconnected as disconnected
from github_sync.services.repositories import user_notices

register = template.Library()


@register.simple_tag
def backfill_progress(repo_name):
    return backfill_status(repo_name=repo_name)


@register.simple_tag
def repo_disconnected(repo):
    return disconnected(user_id=repo.userId).get(repo.name)


@register.simple_tag(takes_context=True)
def user_notices_here(context, limit):
    return user_notices(user_id=context["request"].shiplog_user_id, limit=limit)
