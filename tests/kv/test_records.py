"""The record classes on pydantic: the JSON they write is the document's, byte for byte as before."""

import json
from datetime import datetime, timezone

import pytest

from accounts.models import User
from changelog_site.kv.records import JsonRecord, ValidationError, iso, parse_iso
from changelog_site.kv.registry import registry
from engagement.models import Subscriber
from entries.models import Entry, SocialPost
from repos.models import Repo
from roadmap.models import RoadmapItem
from widget.models import WidgetConfig

U = "user_2NNEqLXyZabcdefghijklmn"

# What the previous, hand-written record layer wrote for these records (compact, fields in the
# document's order, unset optional fields left out, aiRewrite written as null).
DOCUMENTS = {
    User: [
        f'{{"id":"{U}","email":"alice@example.com","plan":"pro","dodoCustomerId":"cus_A",'
        '"createdAt":"2026-03-09T12:00:00Z","location":"in"}',
        f'{{"id":"{U}","email":"bob@example.com","plan":"free","createdAt":"2025-11-02T08:00:00Z"}}',
    ],
    Repo: [
        f'{{"id":"acme/api","userId":"{U}","githubRepoId":4242,"name":"acme/api","slug":"acme-api",'
        '"isPrivate":true,"connectedAt":"2026-03-09T12:00:00Z","webhookId":99}',
        f'{{"id":"Acme/API","userId":"{U}","githubRepoId":4243,"name":"Acme/API","slug":"acme-api",'
        '"isPrivate":false,"connectedAt":"2026-03-09T12:00:00Z"}',
    ],
    Entry: [
        f'{{"id":"ent_1","userId":"{U}","repoId":"acme/api","prId":1347,"title":"Add dark mode",'
        '"body":"Adds a dark theme \u2713 \u2028 \\"quoted\\"\\n","category":"New","status":"draft",'
        '"mergedAt":"2026-03-09T12:00:00Z","prUrl":"https://github.com/acme/api/pull/1347","author":"octocat",'
        '"aiRewrite":null,"labels":["ui","\u00fcn\u00efcode"]}',
        f'{{"id":"ent_2","userId":"{U}","repoId":"acme/api","prId":7,"title":"Fix","body":"","category":"Fixed",'
        '"status":"published","mergedAt":"2026-03-09T12:00:00Z","publishedAt":"2026-03-10T09:30:00Z",'
        '"prUrl":"https://github.com/acme/api/pull/7","author":"dev","aiRewrite":"Fixed it.","labels":[],'
        '"textSource":"original"}',
    ],
    SocialPost: [
        f'{{"id":"soc_1","entryId":"ent_1","userId":"{U}","platform":"twitter","tweets":["Shipped!"],'
        '"hashtags":["changelog"],"tone":"friendly","createdAt":"2026-03-09T12:00:00Z"}',
        f'{{"id":"soc_2","entryId":"ent_1","userId":"{U}","platform":"linkedin","post":"We shipped.",'
        '"hashtags":[],"createdAt":"2026-03-09T12:00:00Z"}',
    ],
    WidgetConfig: [
        f'{{"id":"wgt_1","userId":"{U}","repoId":"acme/api","colors":{{"primary":"#4f46e5",'
        '"background":"#ffffff","text":"#111827"},"position":"bottom-right","size":"medium",'
        '"options":{"showDate":true,"showCategory":true,"showNewBadge":true},"impressions":0,"clicks":0,'
        '"createdAt":"2026-03-09T12:00:00Z","updatedAt":"2026-03-09T12:00:00Z"}',
    ],
    Subscriber: [
        '{"email":"reader@example.com","repoId":"acme/api","subscribedAt":"2026-03-09T12:00:00Z",'
        '"confirmed":false,"confirmToken":"tok","preferences":{"digest":true,"majorReleases":true,"allUpdates":false}}',
    ],
    RoadmapItem: [
        f'{{"id":"rmp_1","userId":"{U}","repoId":"acme/api","issueId":12,"title":"SSO","body":"",'
        '"status":"planned","upvotes":0,"voterIds":[],"githubIssueUrl":"https://github.com/acme/api/issues/12",'
        '"labels":[],"linkedEntryId":"ent_1","createdAt":"2026-03-09T12:00:00Z","updatedAt":"2026-03-09T12:00:00Z"}',
    ],
}
CASES = [(record_class, raw) for record_class, raws in DOCUMENTS.items() for raw in raws]
NAMES = [f"{record_class.__name__}-{number}" for number, (record_class, _) in enumerate(CASES)]


def test_every_registered_json_record_class_has_documents_here():
    assert {cls for cls in registry if issubclass(cls, JsonRecord)} == set(DOCUMENTS)


@pytest.mark.parametrize("record_class, raw", CASES, ids=NAMES)
def test_it_writes_back_the_exact_bytes_it_read(record_class, raw):
    assert record_class.loads(raw).dumps() == raw


@pytest.mark.parametrize("record_class, raw", CASES, ids=NAMES)
def test_it_writes_the_same_bytes_when_built_from_its_fields(record_class, raw):
    assert record_class(**json.loads(raw)).dumps() == raw


@pytest.mark.parametrize("record_class, raw", CASES, ids=NAMES)
def test_it_keeps_fields_another_implementation_wrote_through_a_save(record_class, raw, redis_db):
    data = json.loads(raw)
    data["theirField"] = {"nested": [1, None, "x"]}
    record = record_class.loads(json.dumps(data))

    record.save()

    stored = json.loads(redis_db.get(record.key()))
    assert stored == data
    assert list(stored)[-1] == "theirField"


def test_it_keeps_unknown_fields_inside_the_documents_nested_objects():
    data = json.loads(DOCUMENTS[WidgetConfig][0])
    data["colors"]["accent"] = "#ff0000"

    assert json.loads(WidgetConfig.loads(json.dumps(data)).dumps())["colors"]["accent"] == "#ff0000"


def test_it_parses_timestamps_once_into_aware_utc_datetimes():
    data = json.loads(DOCUMENTS[Entry][1])
    data["mergedAt"], data["publishedAt"] = "2026-03-09T17:30:00+05:30", "2025-11-02T08:00:00.000Z"

    entry = Entry.loads(json.dumps(data))

    assert entry.mergedAt == datetime(2026, 3, 9, 12, 0, tzinfo=timezone.utc)
    assert json.loads(entry.dumps())["mergedAt"] == "2026-03-09T12:00:00Z"
    assert json.loads(entry.dumps())["publishedAt"] == "2025-11-02T08:00:00Z"


def test_it_keeps_a_fraction_of_a_second_another_implementation_wrote():
    assert iso(parse_iso("2026-03-09T12:00:00.123Z")) == "2026-03-09T12:00:00.123Z"
    assert iso(parse_iso("2026-03-09T12:00:00.123456789+00:00")) == "2026-03-09T12:00:00.123456Z"


@pytest.mark.parametrize("text", ["2026-03-09", "2026-03-09T12:00:00", "yesterday", "2026-13-40T00:00:00Z"])
def test_it_refuses_a_timestamp_without_a_time_and_an_offset(text):
    with pytest.raises(ValueError):
        parse_iso(text)


def test_the_parser_reads_a_time_without_an_offset_as_utc_only_when_asked():
    assert parse_iso("2026-03-09 12:00:00", naive_is_utc=True) == datetime(2026, 3, 9, 12, tzinfo=timezone.utc)
    assert parse_iso("2026-03-09", naive_is_utc=True) == datetime(2026, 3, 9, tzinfo=timezone.utc)


def test_it_names_each_bad_field_with_a_message_people_understand():
    data = json.loads(DOCUMENTS[WidgetConfig][0])
    data.update(position="center", colors={"primary": "red", "background": "#fff"}, impressions="9")

    with pytest.raises(ValidationError) as error:
        WidgetConfig(**data)

    assert error.value.errors == {
        "position": "must be one of 'bottom-right', 'bottom-left', 'top-right' or 'top-left'",
        "colors": "primary must be a hex color like #1f6feb",
        "impressions": "must be an integer",
    }


def test_it_refuses_a_field_it_does_not_know_when_built_by_our_code():
    with pytest.raises(ValidationError) as error:
        User(id=U, email="a@example.com", createdAt="2026-03-09T12:00:00Z", githubLogin="octocat")

    assert error.value.errors == {"githubLogin": "is not a field of this record"}


def test_it_refuses_an_attribute_that_would_end_up_in_the_json():
    user = User.loads(DOCUMENTS[User][0])

    with pytest.raises(AttributeError):
        user.nickname = "al"


def test_a_value_assigned_as_text_is_checked_and_parsed_on_save(redis_db):
    entry = Entry.loads(DOCUMENTS[Entry][0])
    entry.publishedAt = "2026-03-10T09:30:00Z"

    entry.save()

    assert entry.publishedAt == datetime(2026, 3, 10, 9, 30, tzinfo=timezone.utc)
    entry.prId = "12"
    with pytest.raises(ValidationError) as error:
        entry.save()
    assert error.value.errors == {"prId": "must be an integer"}
