"""A delivery's "seen" check and its mark are one atomic step: of concurrent redeliveries of one
X-GitHub-Delivery exactly one applies."""

import threading
from unittest import mock

import pytest

from github_sync.services.dispatch import delivery_process
from github_sync.services.repositories import user_notices
from tests.factories import make_repo, make_user
from tests.webhook_helpers import fixture_json

pytestmark = pytest.mark.django_db

THREADS = 8


def all_at_once(action):
    """Run ``action()`` in THREADS threads released together; their results, in any order."""
    barrier = threading.Barrier(THREADS)
    results, errors = [], []

    def run():
        barrier.wait()
        try:
            results.append(action())
        except Exception as error:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return results


def statuses(outcomes):
    return sorted(outcome.status for outcome in outcomes)


def test_concurrent_redeliveries_of_a_release_apply_once(redis_db):
    payload = fixture_json("release.published")
    make_repo(make_user(), name=payload["repository"]["full_name"], githubRepoId=payload["repository"]["id"])

    outcomes = all_at_once(lambda: delivery_process(event="release", delivery_id="release-once",
                                                    payload=payload))

    assert statuses(outcomes) == ["duplicate"] * (THREADS - 1) + ["processed"]
    assert redis_db.exists("lock:github-delivery:release-once")
    assert redis_db.zcard(f"meta:releases:{payload['repository']['full_name']}") == 1


def test_concurrent_redeliveries_of_a_deleted_repository_tell_the_user_once(redis_db):
    payload = fixture_json("repository.deleted")
    user = make_user()
    make_repo(user, name=payload["repository"]["full_name"], githubRepoId=payload["repository"]["id"])

    outcomes = all_at_once(lambda: delivery_process(event="repository", delivery_id="deleted-once",
                                                    payload=payload))

    assert statuses(outcomes) == ["duplicate"] * (THREADS - 1) + ["processed"]
    assert [notice["kind"] for notice in user_notices(user_id=user.id)] == ["repo_deleted"]


def test_concurrent_redeliveries_of_a_rename_queue_one_move(redis_db):
    payload = fixture_json("repository.renamed")
    make_repo(make_user(), name="Octocoders/Old-World", githubRepoId=payload["repository"]["id"])

    with mock.patch("github_sync.tasks.repo_rename_task.delay") as delay:
        outcomes = all_at_once(lambda: delivery_process(event="repository", delivery_id="rename-once",
                                                        payload=payload))

    assert statuses(outcomes) == ["duplicate"] * (THREADS - 1) + ["queued"]
    assert delay.call_count == 1


def test_a_rename_that_could_not_be_queued_can_be_redelivered(redis_db):
    payload = fixture_json("repository.renamed")
    make_repo(make_user(), name="Octocoders/Old-World", githubRepoId=payload["repository"]["id"])

    with mock.patch("github_sync.tasks.repo_rename_task.delay", side_effect=OSError("broker down")):
        with pytest.raises(OSError):
            delivery_process(event="repository", delivery_id="rename-retry", payload=payload)
    with mock.patch("github_sync.tasks.repo_rename_task.delay") as delay:
        outcome = delivery_process(event="repository", delivery_id="rename-retry", payload=payload)

    assert outcome.status == "queued"
    assert delay.call_count == 1
