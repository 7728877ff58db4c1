"""Reading a delivery: its body (JSON, or GitHub's form-encoded ``payload=``), its id, and the
repository it is about."""

import hashlib
import json
import re
from urllib.parse import parse_qs

from changelog_site.kv import keys
from entries import github_pr
from repos.models import Repo

JSON_TYPES = ("application/json",)
FORM_TYPE = "application/x-www-form-urlencoded"
DELIVERY_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


def media_type(content_type):
    return (content_type or "").split(";", 1)[0].strip().lower()


def _json_text(body, content_type):
    if media_type(content_type) == FORM_TYPE:  # GitHub's "application/x-www-form-urlencoded" option
        values = parse_qs(body.decode("utf-8"), strict_parsing=False).get("payload")
        if not values:
            raise github_pr.PayloadError("the form has no payload field")
        return values[0]
    return body.decode("utf-8")


def parse_payload(body, content_type):
    """The payload as a dict; ``github_pr.PayloadError`` for anything that is not a JSON object."""
    try:
        payload = json.loads(_json_text(body, content_type))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise github_pr.PayloadError("the body is not valid JSON") from error
    if not isinstance(payload, dict):
        raise github_pr.PayloadError("the payload must be a JSON object")
    return payload


def delivery_id_of(headers, body):
    """``X-GitHub-Delivery`` when it is a sane id, else one derived from the body."""
    given = (headers.get("X-GitHub-Delivery") or "").strip()
    if DELIVERY_ID.match(given):
        return given
    return "sha256-" + hashlib.sha256(body).hexdigest()[:48]


def repository_of(payload):
    """The payload's ``repository`` with a valid ``full_name`` and ``id``, or ``PayloadError``."""
    repository = payload.get("repository")
    if not isinstance(repository, dict) or not isinstance(repository.get("full_name"), str) \
            or not isinstance(repository.get("id"), int):
        raise github_pr.PayloadError("repository.full_name and repository.id are required")
    if not keys.REPO_NAME.match(repository["full_name"]):
        raise github_pr.PayloadError("repository.full_name must be owner/repo")
    return repository


def connected(repository):
    """``(name, user_ids)``: the name we store the repository under (GitHub's id is the identity,
    the payload's name a fallback) and who connected it; ``(None, [])`` when no one did."""
    name, user_ids = Repo.connected_by_github_id(repository["id"], repository["full_name"])
    if not user_ids and name != repository["full_name"]:
        name, user_ids = repository["full_name"], Repo.user_ids_for(repository["full_name"])
    return (name, user_ids) if user_ids else (None, [])
