"""What the public changelog's pages, feeds and sitemap show (their addresses: ``entries.links``).

Each public request goes through ``page_cache.serve``: the stored body when it is current, else
the ``build`` below, which reads one page of the read model (``read_model``), renders the entries'
markdown (each entry's sanitized HTML is kept in Django's cache under a digest of its text, so a
publish re-renders only what changed) and hands the context to the view's ``render``. Upvote
counts and the CSP nonce go into the rendered body as slots (``page_cache.slot``), filled per
request, so the body is the same for every reader.
"""

import hashlib
import json
from urllib.parse import urlencode

from django.core.cache import cache

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import ValidationError, parse_iso
from engagement import page_cache, read_model
from engagement.branding import branding_get
from engagement.page_cache import NONCE, Body, new_token, slot
from engagement.read_model import FEED_SIZE, PAGE_SIZE, NotFound
from entries.github_loop import group_contributors, loops_read
from entries.links import changelog_url, entry_url
from entries.markdown import plain_text, render_markdown
from entries.models import CATEGORIES

HTML_CACHE_SECONDS = 7 * 24 * 3600
MARKDOWN_FORMAT = "1"  # bump when entries/markdown.py's output changes: cached entry HTML is re-rendered


def _links(repo_id):
    return {"canonical_url": changelog_url(repo_id, absolute=True), "home_url": changelog_url(repo_id),
            "rss_url": changelog_url(repo_id, True) + "rss.xml", "atom_url": changelog_url(repo_id, True) + "atom.xml"}


# --- entries as readers see them ----------------------------------------------------------------

def entries_html(entries):
    """``{entry id: sanitized HTML}``: from Django's cache (one ``get_many``) under a digest of the
    text readers see, rendered and stored for those missing."""
    cache_keys = {entry.id: keys.cache_changelog_entry_html(entry.id, hashlib.sha256(
        (MARKDOWN_FORMAT + entry.public_text()).encode()).hexdigest()[:24]) for entry in entries}
    found = cache.get_many(list(cache_keys.values())) if entries else {}
    rendered = {cache_keys[entry.id]: render_markdown(entry.public_text())
                for entry in entries if cache_keys[entry.id] not in found}
    if rendered:
        cache.set_many(rendered, timeout=HTML_CACHE_SECONDS)
    found.update(rendered)
    return {entry.id: found[cache_keys[entry.id]] for entry in entries}


def present(entry, html, loop=None):
    """An entry as the public pages show it; ``loop`` (``entries.github_loop.loops_read``) adds the
    issues it fixes and who to thank (docs/github-loop.md)."""
    loop = loop or {}
    return {
        "fixes": loop.get("fixes") or [], "credits": loop.get("credits") or [],
        "id": entry.id, "prId": entry.prId, "title": entry.title, "category": entry.category,
        "mergedAt": entry.mergedAt, "publishedAt": entry.publishedAt or entry.mergedAt,
        "prUrl": entry.prUrl if entry.prUrl.startswith(("https://", "http://")) else "",
        "author": entry.author, "labels": entry.labels, "html": html, "upvotes": 0,
        "url": entry_url(entry.repoId, entry.prId), "absoluteUrl": entry_url(entry.repoId, entry.prId, True),
    }


def _release_present(raw):
    data = json.loads(raw)
    url = data.get("htmlUrl") or ""
    return {"id": str(data["id"]), "tag": data["tagName"], "name": data.get("name") or data["tagName"],
            "url": url if url.startswith("https://") else "", "publishedAt": parse_iso(data["publishedAt"])}


def releases_for_rows(*, repo_id, rows):
    """``(has_releases, {entryId: release or None})``: the release each row shipped in, the first
    one published at or after its ``mergedAt`` (None: merged after the newest release).

    One pipeline (ZCARD and a ``ZRANGEBYSCORE … LIMIT 0 1`` per row) and one HMGET, so the cost
    follows the page size, not the number of releases."""
    if not rows:
        return False, {}
    index = keys.meta_repo_releases(repo_id)
    pipe = kv.get_client().pipeline(transaction=False)
    pipe.zcard(index)
    for row in rows:
        pipe.zrangebyscore(index, row["score"], "+inf", start=0, num=1)
    count, *firsts = pipe.execute()
    if not count:
        return False, {}
    ids = sorted({first[0] for first in firsts if first})
    raws = kv.get_client().hmget(keys.meta_repo_release_data(repo_id), ids) if ids else []
    releases = {release_id: _release_present(raw) for release_id, raw in zip(ids, raws) if raw}
    return True, {row["id"]: releases.get(first[0]) if first else None for row, first in zip(rows, firsts)}


def entry_groups(entries, by_release=False):
    """Consecutive entries under one heading. With releases: the release each shipped in, and
    "Unreleased" for those merged after the newest one (they come first, the listing being newest
    first). Without: the month of ``mergedAt``."""
    groups = []
    for entry in entries:
        release = entry.get("release")
        if by_release and release:
            group = {"kind": "release", "key": "release:" + release["id"], "label": release["name"],
                     "release": release}
        elif by_release:
            group = {"kind": "unreleased", "key": "unreleased", "label": "Unreleased"}
        else:
            label = entry["mergedAt"].strftime("%B %Y")
            group = {"kind": "month", "key": "month:" + label, "label": label}
        if not groups or groups[-1]["key"] != group["key"]:
            groups.append(dict(group, entries=[]))
        groups[-1]["entries"].append(entry)
    for group in groups:  # each group ends with the people to thank for it
        group["contributors"] = group_contributors(group["entries"])
    return groups


# --- the pages ---------------------------------------------------------------------------------

def _variant(*parts):
    return hashlib.sha256("|".join(str(part or "") for part in parts).encode()).hexdigest()[:20]


def changelog_page(*, repo_id, cursor=None, category=None, render, nonce):
    """A page of the public changelog (``page_cache.Served``). ``render(context, nonce_slot)``
    renders it on a miss; ``NotFound`` for a repository nobody connected, ``ValidationError`` for
    a category or cursor this page never gave out."""
    if category is not None and category not in CATEGORIES:
        raise ValidationError({"category": "must be one of " + ", ".join(CATEGORIES)})
    if cursor:
        read_model.decode_cursor(cursor)

    def build(version, user_ids):
        entries, next_cursor = read_model.published_page(repo_id=repo_id, user_ids=user_ids, cursor=cursor,
                                                         category=category, limit=PAGE_SIZE)
        token, html, loops = new_token(), entries_html(entries), loops_read(entries)
        by_release, releases = releases_for_rows(repo_id=repo_id,
                                                 rows=[{"id": entry.id, "score": entry.score()} for entry in entries])
        presented = [dict(present(entry, html[entry.id], loops.get(entry.id)), upvotes=slot(token, f"c{number}"),
                          release=releases.get(entry.id)) for number, entry in enumerate(entries)]
        query = urlencode([(name, value) for name, value in (("category", category), ("cursor", cursor)) if value])
        context = {"repo_id": repo_id, "branding": branding_get(repo_id=repo_id), "entries": presented,
                   "groups": entry_groups(presented, by_release), "next_cursor": next_cursor, "category": category,
                   "cursor": cursor, "categories": CATEGORIES,
                   "page_path": changelog_url(repo_id) + (f"?{query}" if query else ""), **_links(repo_id)}
        return Body(text=render(context, slot(token, NONCE)), token=token, counted=[entry.id for entry in entries])

    return page_cache.serve(repo_id=repo_id, variant="page-" + _variant(category, cursor), build=build,
                            nonce=nonce, not_found=NotFound)


def entry_page(*, repo_id, pr_id, render, nonce, view=None):
    """An entry's permalink page; ``view`` (a ``page_cache.View``) is counted in the same round
    trip as its live upvote count. ``NotFound`` for drafts and unknown PRs."""

    def build(version, user_ids):
        entry = read_model.published_entry(repo_id=repo_id, user_ids=user_ids, pr_id=pr_id)
        if entry is None:
            raise NotFound("This entry is not on the changelog (or not any more).")
        token = new_token()
        item = dict(present(entry, entries_html([entry])[entry.id], loops_read([entry]).get(entry.id)),
                    upvotes=slot(token, "c0"),
                    summary=plain_text(entry.public_text()))
        context = {"repo_id": repo_id, "branding": branding_get(repo_id=repo_id), "entry": item,
                   **_links(repo_id), "canonical_url": entry_url(repo_id, entry.prId, absolute=True)}
        return Body(text=render(context, slot(token, NONCE)), token=token, counted=[entry.id], entry=entry.id)

    return page_cache.serve(repo_id=repo_id, variant=f"entry-{pr_id}", build=build, nonce=nonce, view=view,
                            not_found=NotFound)


def feed(*, repo_id, kind, render):
    """The RSS or Atom feed (``kind``): the ``FEED_SIZE`` newest entries; ``render(context)``."""

    def build(version, user_ids):
        entries, _ = read_model.published_page(repo_id=repo_id, user_ids=user_ids, limit=FEED_SIZE)
        html, loops = entries_html(entries), loops_read(entries)
        context = {"repo_id": repo_id, "branding": branding_get(repo_id=repo_id),
                   "entries": [present(entry, html[entry.id], loops.get(entry.id)) for entry in entries],
                   **_links(repo_id)}
        return Body(text=render(context), token=new_token())

    return page_cache.serve(repo_id=repo_id, variant=kind, build=build, not_found=NotFound)


def sitemap(*, repo_id, page, render):
    """One page of the sitemap (``page`` None: the sitemap, or its index past one page's limit):
    ``render(links, last_modified)`` with ``links`` a ``read_model.PublishedLinks`` (ids and
    timestamps only: nothing is loaded or rendered)."""

    def build(version, user_ids):
        links = read_model.PublishedLinks(repo_id, user_ids)
        return Body(text=render(links, page_cache.version_moment(version)), token=new_token())

    return page_cache.serve(repo_id=repo_id, variant=f"sitemap-{page or 0}", build=build, not_found=NotFound)
