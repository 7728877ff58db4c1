"""A repository's public changelog branding (``meta:repo-branding:{repo}``), shared by everyone who
connected it: name, logo and accent color (docs/public-changelog.md, "Branding")."""

import json

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import HEX_COLOR, ValidationError, iso, utc_now
from engagement.page_cache import changelog_invalidate
from engagement.read_model import NotFound
from repos.models import Repo

BRANDING_NAME_MAX = 80
BRANDING_URL_MAX = 500
DEFAULT_ACCENT = "#4f46e5"


def branding_get(*, repo_id):
    raw = kv.get_client().get(keys.meta_repo_branding(repo_id))
    data = json.loads(raw) if raw else {}
    return {"name": data.get("name") or repo_id, "logoUrl": data.get("logoUrl") or "",
            "accentColor": data.get("accentColor") or DEFAULT_ACCENT, "updatedAt": data.get("updatedAt"),
            "custom": bool(raw)}


def branding_update(*, user_id, repo_id, name=None, logo_url=None, accent_color=None):
    """Set a repository's public branding; only a user who connected the repository may."""
    if Repo.get(user_id, repo_id) is None:
        raise NotFound("You have not connected this repository.")
    errors = {}
    name = (name or "").strip()
    logo_url = (logo_url or "").strip()
    accent_color = (accent_color or "").strip()
    if len(name) > BRANDING_NAME_MAX:
        errors["name"] = f"must be at most {BRANDING_NAME_MAX} characters"
    if logo_url and (not logo_url.startswith("https://") or len(logo_url) > BRANDING_URL_MAX
                     or any(ch in logo_url for ch in "\"'<> \\")):
        errors["logoUrl"] = "must be an https:// URL"
    if accent_color and not HEX_COLOR.match(accent_color):
        errors["accentColor"] = "must be a hex color like #1f6feb"
    if errors:
        raise ValidationError(errors)
    record = {"name": name or None, "logoUrl": logo_url or None, "accentColor": accent_color or None,
              "updatedAt": iso(utc_now())}
    with kv.atomic() as pipe:
        pipe.set(keys.meta_repo_branding(repo_id), json.dumps(record, separators=(",", ":")))
        changelog_invalidate(repo_id=repo_id, pipe=pipe)
    return branding_get(repo_id=repo_id)
