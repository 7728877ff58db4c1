"""The front door (changelog_site.front): a public page Django has answered is answered again
without Django, in one round trip, with the headers Django gave it, a fresh nonce and the view
counted; anything it cannot vouch for goes to Django."""

import re

import pytest
import redis

from changelog_site import front
from changelog_site.kv import hot
from changelog_site.wsgi import application
from entries.publishing import entry_publish
from repos.models import Repo
from tests.engagement.public_helpers import BASE, BROWSER, REPO, connected, published
from tests.factories import make_entry
from tests.webhook_helpers import redis_down
from tests.wsgi_client import WSGIClient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_front_routes")]

NONCE = re.compile(r'nonce="([^"]+)"')


@pytest.fixture
def reader():
    return WSGIClient(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="192.0.2.44")


@pytest.fixture
def changelog(redis_db):
    user = connected()
    entries = [published(user, pr_id=n, title=f"Change {n}") for n in range(1, 4)]
    return user, entries


def views_of(redis_db, entry):
    return sum(int(redis_db.hget(key, "views")) for key in redis_db.keys(f"analytics:views:{entry.id}:*"))


def without_nonce(answer):
    nonce = NONCE.search(answer.body.decode()).group(1)
    headers = {name: value.replace(nonce, "N") for name, value in answer.headers.items()}
    return answer.body.replace(nonce.encode(), b"N"), headers


def test_it_is_the_served_application():
    assert isinstance(application, front.FrontDoor)


def test_it_answers_a_page_django_answered_before_without_django(changelog, reader):
    first = reader.get(BASE)
    second = reader.get(BASE)

    assert first.by_django and first.status == 200
    assert not second.by_django and second.status == 200
    assert without_nonce(second) == without_nonce(first)


def test_it_keeps_the_security_headers_django_set(changelog, reader):
    reader.get(BASE)

    answer = reader.get(BASE)

    assert not answer.by_django
    for name in ("content-security-policy", "x-content-type-options", "referrer-policy", "cache-control", "etag",
                 "last-modified", "content-type"):
        assert answer.get(name), name
    assert answer["content-length"] == str(len(answer.body))


def test_it_gives_each_answer_its_own_nonce_in_the_body_and_the_policy(changelog, reader):
    reader.get(BASE)

    nonces = []
    for _ in range(2):
        answer = reader.get(BASE)
        nonce = NONCE.search(answer.body.decode()).group(1)
        assert f"'nonce-{nonce}'" in answer["content-security-policy"]
        nonces.append(nonce)

    assert nonces[0] != nonces[1]


def test_it_answers_in_one_round_trip(changelog, reader, redis_writes):
    reader.get(BASE)
    redis_writes.clear()

    answer = reader.get(BASE)

    assert not answer.by_django
    assert len(redis_writes) == 1


def test_it_counts_every_view_of_an_entry_page(changelog, reader, redis_db):
    _, entries = changelog
    for _ in range(3):
        reader.get(f"{BASE}2/")

    assert views_of(redis_db, entries[1]) == 3
    assert not reader.get(f"{BASE}2/").by_django


def test_it_does_not_count_a_bots_view(changelog, reader, redis_db):
    _, entries = changelog
    reader.get(f"{BASE}2/")

    answer = reader.get(f"{BASE}2/", HTTP_USER_AGENT="Googlebot/2.1")

    assert not answer.by_django and answer.status == 200
    assert views_of(redis_db, entries[1]) == 1


def test_it_answers_not_modified_to_a_reader_who_has_the_page(changelog, reader):
    reader.get(BASE)
    etag = reader.get(BASE)["etag"]

    answer = reader.get(BASE, HTTP_IF_NONE_MATCH=etag)

    assert not answer.by_django
    assert answer.status == 304 and answer.body == b""
    assert answer["etag"] == etag and "content-type" not in answer.headers
    assert "content-security-policy" not in answer.headers  # the stored body's nonce stays the policy's


def test_it_gives_django_304s_no_policy_either(changelog, reader):
    etag = reader.get(BASE)["etag"]

    answer = reader.get(BASE, HTTP_IF_NONE_MATCH=etag, QUERY_STRING="utm_source=mail")

    assert answer.by_django and answer.status == 304
    assert "content-security-policy" not in answer.headers


def test_it_hands_a_changed_changelog_to_django(changelog, reader):
    user, _ = changelog
    reader.get(BASE)
    draft = make_entry(user, repo_id="octo-org/octo-repo", pr_id=9, title="Brand new")
    entry_publish(user_id=user.id, entry_id=draft.id)

    answer = reader.get(BASE)

    assert answer.by_django
    assert b"Brand new" in answer.body
    assert not reader.get(BASE).by_django


@pytest.mark.parametrize("path", ["", "2/", "rss.xml", "sitemap.xml"])
def test_it_hands_a_disconnected_repository_to_django_which_answers_404(changelog, reader, path):
    user, _ = changelog
    reader.get(BASE + path)
    assert not reader.get(BASE + path).by_django

    Repo.get(user.id, REPO).delete()

    answer = reader.get(BASE + path)
    assert answer.by_django and answer.status == 404


@pytest.mark.parametrize("other", [{"QUERY_STRING": "category=New"}, {"HTTP_HOST": "localhost"},
                                   {"wsgi.url_scheme": "https"}])
def test_it_keeps_each_host_scheme_and_query_apart(changelog, reader, other):
    reader.get(BASE)

    assert reader.get(BASE, **other).by_django


@pytest.mark.parametrize("method", ["head", "post"])
def test_it_leaves_other_methods_to_django(changelog, reader, method):
    reader.get(BASE)

    assert getattr(reader, method)(BASE).by_django


def test_it_leaves_conditions_it_does_not_evaluate_to_django(changelog, reader):
    reader.get(BASE)

    assert reader.get(BASE, HTTP_IF_MATCH='"x"').by_django


def test_it_never_learns_an_error_page(reader, redis_db):
    assert reader.get("/changelog/nobody/nothing/").status == 404

    assert reader.get("/changelog/nobody/nothing/").by_django


def test_it_lets_django_answer_when_redis_fails_and_counts_the_view_at_most_once(changelog, reader, redis_db,
                                                                                  monkeypatch):
    _, entries = changelog
    reader.get(f"{BASE}2/")
    pipeline = hot.pipeline

    def reply_lost(*commands, **options):
        pipeline(*commands, **options)
        raise redis.exceptions.ConnectionError("Connection closed by server.")

    monkeypatch.setattr(hot, "pipeline", reply_lost)
    answer = reader.get(f"{BASE}2/")

    assert answer.by_django and answer.status == 200
    assert views_of(redis_db, entries[1]) == 2


def test_it_forgets_its_routes_when_a_setting_changes(changelog, reader, settings):
    reader.get(BASE)

    settings.PUBLIC_FRAME_ANCESTORS = ["https://example.com"]

    answer = reader.get(BASE)
    assert answer.by_django
    assert "frame-ancestors https://example.com" in answer["content-security-policy"]


def test_it_logs_a_responder_that_breaks_and_lets_django_answer(changelog, reader, monkeypatch, caplog):
    reader.get(BASE)
    monkeypatch.setattr(hot, "pipeline", lambda *commands, **options: 1 / 0)

    answer = reader.get(BASE)

    assert answer.by_django and answer.status == 200
    assert "front door: the responder of /changelog/octo-org/octo-repo/ failed" in caplog.text


def test_it_lets_django_answer_503_when_redis_is_unreachable(changelog, reader):
    reader.get(BASE)

    with redis_down():
        answer = reader.get(BASE)

    assert answer.by_django and answer.status == 503
    assert answer["retry-after"]
