"""A repository rename WATCHes the entries it moves: an edit landing between its read and its
write is kept (the move starts over with it), never overwritten by the copy read before it."""

import pytest

from entries.models import Entry
from entries.publishing import entry_update
from github_sync.services.repositories import repo_rename
from tests.factories import make_entry, make_repo, make_user

pytestmark = pytest.mark.django_db

OLD, NEW, GITHUB_ID = "octo-org/old-name", "octo-org/new-name", 4711


@pytest.fixture
def entry(redis_db):
    user = make_user()
    make_repo(user, name=OLD, githubRepoId=GITHUB_ID)
    return make_entry(user, repo_id=OLD, pr_id=5, title="Before the rename")


def edit_while_moving(monkeypatch, entry):
    """The first time the rename queues the entry's move (it has read the entry, nothing is
    written yet), the user edits the entry's title through the editor's own code path."""
    move, edits = Entry.move, []

    def move_after_an_edit(self, pipe, new_repo_id):
        if not edits:
            edits.append(entry_update(user_id=entry.userId, entry_id=entry.id, changes={"title": "Edited meanwhile"}))
        return move(self, pipe, new_repo_id)

    monkeypatch.setattr(Entry, "move", move_after_an_edit)
    return edits


def test_an_edit_landing_during_a_rename_is_kept(entry, monkeypatch, redis_db):
    edits = edit_while_moving(monkeypatch, entry)

    repo_rename(github_repo_id=GITHUB_ID, new_name=NEW)

    assert len(edits) == 1
    moved = Entry.get_by_id(entry.id)
    assert (moved.repoId, moved.title) == (NEW, "Edited meanwhile")
    assert Entry.get(entry.userId, OLD, 5) is None
    assert redis_db.keys(f"entry:*:{OLD}:*") == []


def test_without_watching_the_entry_keys_the_edit_would_be_lost(entry, monkeypatch):
    """What the WATCH prevents: the same race, with the entries' keys left unwatched."""
    edit_while_moving(monkeypatch, entry)
    monkeypatch.setattr("entries.models.watch_more", lambda reader, *names: None)

    repo_rename(github_repo_id=GITHUB_ID, new_name=NEW)

    assert Entry.get_by_id(entry.id).title == "Before the rename"
