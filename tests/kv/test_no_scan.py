"""List operations are served from index keys: no SCAN or KEYS ever reaches the server."""

from datetime import date

from billing.models import User
from engagement.models import PageViews, Subscriber
from entries.models import Entry, SocialPost
from repos.models import Repo
from roadmap.models import RoadmapItem
from tests.factories import (make_entry, make_repo, make_roadmap_item, make_social, make_subscriber, make_user,
                             make_widget)
from widget.models import WidgetConfig

FORBIDDEN = {"SCAN", "KEYS", "SSCAN", "ZSCAN", "HSCAN"}


def test_it_lists_every_collection_without_scanning(redis_db, record_commands):
    user = make_user()
    make_repo(user, name="acme/api")
    entry = make_entry(user, repo_id="acme/api")
    make_social(user, entry)
    widget = make_widget(user, repo_id="acme/api")
    make_subscriber(repo_id="acme/api")
    make_roadmap_item(user, repo_id="acme/api")
    PageViews(entry.id).record(date(2026, 3, 9), "v1")

    with record_commands() as recorder:
        assert User.all_ids() == [user.id]
        assert len(Repo.for_user(user.id)) == 1
        assert Repo.user_ids_for("acme/api") == [user.id]
        assert len(Entry.page(user.id, "draft")[0]) == 1
        assert len(Entry.page(user.id, "draft", repo_id="acme/api")[0]) == 1
        assert Entry.get_by_id(entry.id) is not None
        assert len(SocialPost.for_entry(user.id, entry.id)) == 1
        assert WidgetConfig.get_by_id(widget.id) is not None
        assert len(Subscriber.for_repo("acme/api")) == 1
        assert len(RoadmapItem.for_repo(user.id, "acme/api")) == 1
        assert len(PageViews(entry.id).days()) == 1

    assert recorder.commands, "the recorder saw no command at all"
    assert not recorder.names() & FORBIDDEN


def test_the_recorder_does_see_a_scan(redis_db, record_commands):
    with record_commands() as recorder:
        list(redis_db.scan_iter(match="entry:*"))

    assert "SCAN" in recorder.names()
