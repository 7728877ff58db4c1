"""``{% backfill_progress repo.name as progress %}`` (see ``github_sync.backfill_status``) and
``{% repo_disconnected repo as why %}`` for pages."""

from django import template

from github_sync import services
from github_sync.backfill_status import backfill_status

register = template.Library()


@register.simple_tag
def backfill_progress(repo_name):
    return backfill_status(repo_name=repo_name)


@register.simple_tag
def repo_disconnected(repo):
    return services.repo_disconnected(user_id=repo.userId).get(repo.name)
