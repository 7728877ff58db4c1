"""The repository settings page (Repositories -> Settings): changelog branding and draft rules."""

import pytest

from engagement import services as engagement
from tests.factories import make_repo, make_user

pytestmark = pytest.mark.django_db

REPO = "octo-org/octo-repo"
PAGE = f"/dashboard/repositories/{REPO}/rules/"


@pytest.fixture
def owner(signed_in):
    _, record = signed_in
    make_repo(record, name=REPO, githubRepoId=4242)
    return record


def test_the_repositories_page_links_to_the_settings(client, owner):
    page = client.get("/dashboard/repositories/").content.decode()

    assert f'href="{PAGE}">Settings</a>' in page


def test_the_page_has_a_branding_and_a_rules_section(client, owner):
    html = client.get(PAGE).content.decode()

    assert "<h1>Repository settings</h1>" in html
    assert html.index("Changelog branding") < html.index("Draft rules")
    assert 'name="accentColor" value="#4f46e5"' in html and "skip-changelog" in html


def test_it_saves_the_branding_and_the_public_page_shows_it(client, owner, redis_db):
    response = client.post(PAGE, {"section": "branding", "name": "Octo App", "logoUrl": "https://example.com/l.png",
                                  "accentColor": "#112233"})

    assert response.status_code == 302 and response["Location"] == PAGE + "#branding"
    branding = engagement.branding_get(repo_id=REPO)
    assert (branding["name"], branding["logoUrl"], branding["accentColor"]) == \
        ("Octo App", "https://example.com/l.png", "#112233")
    html = client.get(PAGE).content.decode()
    assert 'value="Octo App"' in html and 'value="#112233"' in html
    assert "Branding of octo-org/octo-repo&#x27;s public changelog saved." in html


def test_saving_the_branding_leaves_the_rules_alone(client, owner, redis_db):
    from github_sync.models import SyncSettings

    client.post(PAGE, {"section": "rules", "skip_label": "internal", "label_rules": "ux = Improved"})
    client.post(PAGE, {"section": "branding", "name": "Octo", "accentColor": "#112233"})

    row = SyncSettings.objects.get(user_id=owner.id, github_repo_id=4242)
    assert (row.skip_label, row.category_rules["labels"]) == ("internal", {"ux": "Improved"})
    assert engagement.branding_get(repo_id=REPO)["name"] == "Octo"


def test_it_explains_bad_branding_and_keeps_what_was_typed(client, owner, redis_db):
    response = client.post(PAGE, {"section": "branding", "name": "Octo", "logoUrl": "javascript:alert(1)",
                                  "accentColor": "#112233"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Logo URL must be an https:// URL" in html
    assert 'value="Octo"' in html
    assert engagement.branding_get(repo_id=REPO)["custom"] is False


def test_it_marks_a_bad_rule_and_keeps_what_was_typed_in_both_sections(client, owner, redis_db):
    client.post(PAGE, {"section": "branding", "name": "Octo"})

    response = client.post(PAGE, {"section": "rules", "skip_label": "internal", "skip_bots": "on",
                                  "label_rules": "ux is great"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "The rules were not saved" in html and 'aria-invalid="true"' in html
    assert ">ux is great</textarea>" in html and 'value="internal"' in html
    assert 'value="Octo"' in html


def test_another_users_repository_has_no_settings_page(client, owner, redis_db):
    stranger = make_user()
    make_repo(stranger, name="someone/else", githubRepoId=5)

    assert client.post("/dashboard/repositories/someone/else/rules/",
                       {"section": "branding", "name": "Hijacked"}).status_code == 404
    assert engagement.branding_get(repo_id="someone/else")["custom"] is False


def test_it_needs_a_signed_in_user(client, redis_db):
    assert client.post(PAGE, {"section": "branding", "name": "Anon"}).status_code == 302
    assert engagement.branding_get(repo_id=REPO)["custom"] is False
