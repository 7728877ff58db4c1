import json

import pytest

from accounts.models import User
from billing.models import DodoIds, Usage
from changelog_site.kv.records import ValidationError
from tests.factories import make_user


def test_it_stores_a_user_as_the_documents_json(redis_db):
    user = make_user(id="user_2NNEqLabcdefghijklmnop", email="ada@example.com", plan="pro", location="in",
                     dodoCustomerId="cus_123")

    raw = json.loads(redis_db.get("user:user_2NNEqLabcdefghijklmnop"))

    assert raw == {"id": "user_2NNEqLabcdefghijklmnop", "email": "ada@example.com", "plan": "pro",
                   "dodoCustomerId": "cus_123", "createdAt": "2026-03-09T12:00:00Z", "location": "in"}
    assert User.get(user.id) == user


def test_it_omits_optional_fields_that_are_unset(redis_db):
    make_user(id="user_plainabcdefghijklmnopqr", location=None)

    raw = json.loads(redis_db.get("user:user_plainabcdefghijklmnopqr"))

    assert "location" not in raw and "dodoCustomerId" not in raw


@pytest.mark.parametrize("field, value", [("plan", "enterprise"), ("location", "us"), ("email", None),
                                          ("createdAt", "yesterday")])
def test_it_rejects_invalid_user_fields_before_writing(redis_db, field, value):
    user = User(id="user_badabcdefghijklmnopqrstu", email="x@example.com", createdAt="2026-03-09T12:00:00Z")
    setattr(user, field, value)

    with pytest.raises(ValidationError) as error:
        user.save()

    assert field in error.value.errors
    assert redis_db.dbsize() == 0


def test_it_never_writes_a_legacy_github_token_back(redis_db):
    redis_db.set("user:user_legacyabcdefghijklmnopq", json.dumps(
        {"id": "user_legacyabcdefghijklmnopq", "email": "l@example.com", "plan": "free",
         "createdAt": "2025-01-01T00:00:00Z", "githubToken": "gho_secret"}))

    user = User.get("user_legacyabcdefghijklmnopq")
    user.save()

    assert user.legacy_github_token == "gho_secret"
    assert "githubToken" not in json.loads(redis_db.get("user:user_legacyabcdefghijklmnopq"))


def test_it_keeps_fields_written_by_another_implementation(redis_db):
    redis_db.set("user:user_otherabcdefghijklmnopqr", json.dumps(
        {"id": "user_otherabcdefghijklmnopqr", "email": "o@example.com", "plan": "free",
         "createdAt": "2025-01-01T00:00:00Z", "theme": "dark"}))

    User.get("user_otherabcdefghijklmnopqr").save()

    assert json.loads(redis_db.get("user:user_otherabcdefghijklmnopqr"))["theme"] == "dark"


def test_it_indexes_users_and_unindexes_on_delete(redis_db):
    first, second = make_user(), make_user()

    assert User.all_ids() == sorted([first.id, second.id])
    first.delete()

    assert User.all_ids() == [second.id]
    assert redis_db.exists(first.key()) == 0


def test_it_counts_usage_in_a_hash_with_hincrby(redis_db):
    usage = Usage("user_abc", "2026-03")

    usage.increment("entriesPublished")
    usage.increment("entriesPublished")
    usage.increment("aiRewrites")

    assert redis_db.type("usage:user_abc:2026-03") == "hash"
    assert redis_db.hgetall("usage:user_abc:2026-03") == {"entriesPublished": "2", "aiRewrites": "1"}
    assert usage.get() == {"entriesPublished": 2, "aiRewrites": 1}


def test_it_starts_a_new_month_from_zero(redis_db):
    Usage("user_abc", "2026-03").increment("entriesPublished", 10)

    assert Usage("user_abc", "2026-04").get() == {"entriesPublished": 0, "aiRewrites": 0}


def test_it_reads_and_converts_the_legacy_json_usage_form(redis_db):
    redis_db.set("usage:user_abc:2026-03", json.dumps({"entriesPublished": 4, "aiRewrites": 2}))
    usage = Usage("user_abc", "2026-03")

    assert usage.get() == {"entriesPublished": 4, "aiRewrites": 2}
    assert usage.convert_legacy_json() is True
    assert redis_db.hgetall("usage:user_abc:2026-03") == {"entriesPublished": "4", "aiRewrites": "2"}
    assert usage.convert_legacy_json() is False


def test_it_rejects_an_unknown_usage_field(redis_db):
    with pytest.raises(ValueError):
        Usage("user_abc", "2026-03").increment("seats")


def test_it_stores_dodo_ids_as_plain_strings_and_indexes_the_customer(redis_db):
    ids = DodoIds("user_abc")

    ids.set_customer("cus_9")
    ids.set_subscription("sub_7")

    assert redis_db.get("user:user_abc:dodo_customer_id") == "cus_9"
    assert redis_db.get("user:user_abc:dodo_subscription_id") == "sub_7"
    assert DodoIds.user_id_for_customer("cus_9") == "user_abc"
    ids.delete_subscription()
    assert ids.get() == {"customerId": "cus_9", "subscriptionId": None}
    ids.delete()
    assert redis_db.dbsize() == 0
