"""``{% shipped_in_section repo %}``: the "On GitHub" section of a repository's settings page (the
user's "Shipped in" settings, docs/github-loop.md); it posts to its own view."""

from django import template
from django.urls import reverse

from github_sync.services.loop_settings import LABEL_MAX, loop_settings_get

register = template.Library()


@register.inclusion_tag("github_sync/_shipped_in_settings.html", takes_context=True)
def shipped_in_section(context, repo):
    owner, name = repo.name.split("/", 1)
    return {"csrf_token": context.get("csrf_token"), "repo": repo, "label_max": LABEL_MAX,
            "conf": loop_settings_get(user_id=repo.userId, github_repo_id=repo.githubRepoId),
            "save_url": reverse("repo-shipped-in-settings", kwargs={"owner": owner, "repo": name})}
