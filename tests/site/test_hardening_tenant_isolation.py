"""Tenant isolation, generated from the URLconf: every route that takes an object id is
called, with every method, by another signed-in user; each answer is a 404 (or a 405 for a method
the route does not take), never the owner's data, and nothing of the owner's changes.

A new route with an id parameter is covered as soon as it exists; one whose parameter has no
sample value below fails the test until one is added.
"""

import json
from itertools import product

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import ApiToken
from entries.models import Entry
from repos.models import Repo
from tests.factories import make_entry, make_repo, make_roadmap_item

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
VICTIM_REPO = "victim-org/secret-repo"
SECRET_TITLE = "Unreleased acquisition of Initech"

# Routes with parameters that are not another tenant's objects, and why.
NOT_TENANT_OBJECTS = {
    "admin/": "staff only (Django admin)",
    "accounts/": "allauth's e-mail and password-reset keys, not records",
    "changelog/": "the public changelog: public by design",
    "subscriptions/": "a reader's signed link from an email (the token is the credential), not a record id",
    "roadmap/": "the public roadmap and its upvotes: public by design",
    "roadmap-alerts/": "a roadmap voter's signed link from an email (the token is the credential), not a record id",
    "api/widget/": "the embeddable widget's data and beacon: public by design (any site, no credentials)",
}


def _routes(patterns, prefix="", namespace=None):
    """``(route, URLPattern, namespace)`` for every leaf of the URLconf."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield route, entry, namespace


def _parameters(pattern):
    converters = getattr(pattern.pattern, "converters", None)
    if converters is not None:
        return list(converters)
    return list(pattern.pattern.regex.groupindex)


def routes_with_ids():
    found = []
    for route, pattern, namespace in _routes(get_resolver().url_patterns):
        clean = route.lstrip("^")
        if any(clean.startswith(prefix) for prefix in NOT_TENANT_OBJECTS):
            continue
        names = [name for name in _parameters(pattern) if name not in (pattern.default_args or {})]
        if names:
            found.append((clean, pattern, namespace, names))
    return found


@pytest.fixture
def victim(account):
    record, django_user, _ = account()
    make_repo(record, name=VICTIM_REPO)
    draft = make_entry(record, repo_id=VICTIM_REPO, title=SECRET_TITLE)
    live = make_entry(record, repo_id=VICTIM_REPO, title=SECRET_TITLE, status="published",
                      publishedAt="2026-03-10T10:00:00Z")
    token = ApiToken.objects.get(user=django_user)
    owner, repo = VICTIM_REPO.split("/")
    samples = {
        "entry_id": [draft.id, live.id],
        "owner": [owner],
        "repo": [repo],
        "token_id": [token.pk],
        "pr_id": [draft.prId],
        "action": ["publish", "unpublish", "rewrite", "discard"],
        "roadmap_id": [make_roadmap_item(record, repo_id=VICTIM_REPO, title=SECRET_TITLE).id],
        "platform": ["twitter", "linkedin"],
    }
    return record, draft, live, token, samples


@pytest.fixture
def attacker(client, account):
    record, django_user, auth = account()
    make_repo(record, name="attacker-org/own-repo")
    make_entry(record, repo_id="attacker-org/own-repo")
    client.force_login(django_user)
    client.raise_request_exception = False
    return client, auth


def _kwarg_sets(names, samples):
    return [dict(zip(names, values)) for values in product(*(samples[name] for name in names))]


def _call(client, auth, method, url):
    """The request a curious tenant would send: JSON with a token on the API, a form on pages."""
    body = {"title": "Hijacked", "status": "published", "deleteEntries": True, "delete_entries": "on"}
    if url.startswith("/api/"):
        return client.generic(method.upper(), url, data=json.dumps(body), content_type="application/json", **auth)
    if method == "post":
        return client.post(url, data=body)
    return client.generic(method.upper(), url)


def test_every_route_with_an_id_has_a_sample_value(victim):
    *_, samples = victim

    missing = [(route, name) for route, _, _, names in routes_with_ids() for name in names if name not in samples]

    assert routes_with_ids(), "the URLconf walk found no routes with ids"
    assert not missing, f"add a sample value for these route parameters: {missing}"


def test_another_user_gets_404_on_every_route_with_an_id(victim, attacker):
    record, draft, live, token, samples = victim
    client, auth = attacker
    leaks = []
    for route, pattern, namespace, names in routes_with_ids():
        assert pattern.name, f"{route} needs a URL name so the matrix can reverse it"
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        for kwargs, method in product(_kwarg_sets(names, samples), METHODS):
            url = reverse(name, kwargs=kwargs)
            response = _call(client, auth, method, url)
            if response.status_code not in (404, 405) or SECRET_TITLE.encode() in response.content:
                leaks.append((method.upper(), url, response.status_code))

    assert not leaks, f"answers to another tenant that are not 404/405: {leaks}"
    assert Entry.get_by_id(draft.id).status == "draft" and Entry.get_by_id(draft.id).title == SECRET_TITLE
    assert Entry.get_by_id(live.id).status == "published"
    assert Repo.get(record.id, VICTIM_REPO) is not None
    token.refresh_from_db()
    assert token.revoked_at is None


def test_ids_in_queries_and_forms_reach_only_the_users_own_records(victim, attacker):
    _, draft, _, _, _ = victim
    client, auth = attacker

    listed = client.get("/api/entries/", {"repo": VICTIM_REPO}, **auth)
    analytics = client.get("/dashboard/analytics/", {"repo": VICTIM_REPO})
    client.post("/dashboard/entries/bulk/", {"action": "publish", "entry": [draft.id]})
    client.post("/dashboard/entries/bulk/", {"action": "discard", "entry": [draft.id]})

    assert listed.status_code == 200 and listed.json()["results"] == []
    assert analytics.status_code == 404 and SECRET_TITLE.encode() not in analytics.content
    assert Entry.get_by_id(draft.id).status == "draft"
