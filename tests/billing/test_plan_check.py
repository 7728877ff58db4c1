"""The plan check of a limited action reads ``user:{userId}`` once per request."""

from tests.factories import make_entry


def user_reads(recorded, user_id):
    return [c for c in recorded.commands if c.split(" ")[:2] in (["GET", f"user:{user_id}"],
                                                                 ["MGET", f"user:{user_id}"])]


def test_it_reads_the_user_record_once_for_a_bulk_publish(signed_in, record_commands):
    client, record = signed_in
    entries = [make_entry(record, repo_id="acme/api") for _ in range(4)]

    with record_commands() as recorded:
        response = client.post("/dashboard/entries/bulk/", {"action": "publish", "entry": [e.id for e in entries]})

    assert response.status_code == 302
    assert len(user_reads(recorded, record.id)) == 1, recorded.commands


def test_it_reads_the_user_record_once_for_a_dashboard_publish(signed_in, record_commands):
    client, record = signed_in
    entry = make_entry(record, repo_id="acme/api")

    with record_commands() as recorded:
        client.post(f"/dashboard/entries/{entry.id}/publish/")

    assert len(user_reads(recorded, record.id)) == 1, recorded.commands
