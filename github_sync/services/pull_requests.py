"""``pull_request`` deliveries: a merged pull request becomes (or updates) each connected user's
draft with the issues it fixes and who to thank (``fixed_issues``), and closes the roadmap items it
says it fixes."""

from changelog_site.domain import Outcome
from entries import github_pr
from entries.services import entries_sync_from_pr, late_create_allowed
from github_sync.services.fixed_issues import fixed_issues_enqueue, pr_loop_for
from github_sync.services.payloads import connected, repository_of
from github_sync.services.rules import rules_for
from repos.models import Repo
from roadmap import shipping as roadmap_shipping

PR_ACTIONS = ("closed", "edited", "labeled", "unlabeled")


def _summary(results):
    counts = {}
    for outcome in results.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def pull_request_delivery(*, delivery_id, payload):
    """``closed`` (merged) creates or updates the drafts; ``edited``/``labeled``/``unlabeled``
    update them, creating a missing one only for a PR merged within the hour (an out-of-order
    delivery). Raises ``github_pr.PayloadError`` for a malformed PR before looking anything up."""
    action = payload.get("action")
    if action not in PR_ACTIONS:
        return Outcome("ignored", {"reason": "unhandled_action"})
    pr = payload.get("pull_request")
    if not isinstance(pr, dict):
        raise github_pr.PayloadError("pull_request is missing")
    repository = repository_of(payload)
    if (action == "closed" and not pr.get("merged")) or not pr.get("merged_at"):
        return Outcome("ignored", {"reason": "not_merged"})
    github_pr.entry_fields(pr)
    name, user_ids = connected(repository)
    if name is None:
        return Outcome("ignored", {"reason": "not_connected"})
    if action == "closed":
        may_create = True
    else:
        repos = {user_id: Repo.get(user_id, name) for user_id in user_ids}
        may_create = late_create_allowed(pr=pr, connected_at_by_user={
            user_id: repo.connectedAt if repo else None for user_id, repo in repos.items()})
    rules = rules_for(user_ids, repository["id"])
    pr_loop = pr_loop_for(repo_name=name, pr=pr, rules_by_user=rules)  # fixed issues, credits (docs/github-loop.md)
    outcome = entries_sync_from_pr(repo_name=name, pr=pr, rules_by_user=rules, may_create=may_create,
                                   delivery_id=delivery_id, pr_loop=pr_loop)
    if outcome["duplicate"]:
        return Outcome("duplicate")
    fixed_issues_enqueue(entry_ids=outcome["fetch"])  # issue titles, once each (docs/github-loop.md)
    roadmap_shipping.ship_from_pull_request(repo_name=name, user_ids=user_ids, pr=pr)  # "Fixes #N" (docs/roadmap.md)
    return Outcome("processed", {"entries": _summary(outcome["results"])})
