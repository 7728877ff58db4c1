"""Reading roadmap items a page at a time: the column indexes most voted first (``columns_read``),
the items of a page by id, and their counts from the document's count keys (``live_counts``). No
read here grows with the items of a repository or the readers of an item (docs/roadmap.md)."""

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import ValidationError
from entries.models import decode_cursor, encode_cursor
from roadmap.models import RoadmapItem

PAGE_SIZE = 50  # items per column on the pages, and the API's default page
PAGE_MAX = 200


def live_counts(items):
    """The items with ``upvotes`` read from their count keys (one MGET; an item whose count was never
    written keeps its JSON's). Never reads a voters set: that grows with the readers."""
    if items:
        counts = kv.get_client().mget([keys.roadmap_upvotes(item.id) for item in items])
        for item, count in zip(items, counts):
            if count is not None:
                item.upvotes = int(count)
    return items


def items_by_ids(roadmap_ids):
    """The items of these ids that exist, in that order: two MGETs (pointers, records)."""
    pointers = [key for key in (kv.get_client().mget([keys.idx_roadmap(i) for i in roadmap_ids])
                                if roadmap_ids else []) if key]
    return RoadmapItem.parse_many(kv.get_client().mget(pointers) if pointers else [], pointers)


def page_limit(limit):
    if limit is None:
        return PAGE_SIZE
    if not isinstance(limit, int) or not 1 <= limit <= PAGE_MAX:
        raise ValidationError({"limit": f"must be between 1 and {PAGE_MAX}"})
    return limit


def _score_after(cursor):
    """The exclusive upper bound a column cursor names (``+inf``: the first page)."""
    if not cursor:
        return "+inf"
    score, _ = decode_cursor(cursor)
    if score != int(score) or score < 0:
        raise ValidationError({"cursor": "is not a cursor this API gave out"})
    return f"({int(score)}"


def columns_read(index_keys, cursors=None, limit=None):
    """Pages of column indexes, most voted first, in one round trip: ``{name: (ids, next_cursor,
    total)}`` for ``index_keys`` (``{name: key}``), each from its cursor in ``cursors`` (scores are
    distinct, ``roadmap.models.vote_score``, so a cursor is the last score shown)."""
    cursors, limit = cursors or {}, limit or PAGE_SIZE
    pipe = kv.get_client().pipeline(transaction=False)
    for name, key in index_keys.items():
        pipe.zrevrangebyscore(key, _score_after(cursors.get(name)), "-inf", start=0, num=limit + 1, withscores=True)
        pipe.zcard(key)
    replies = iter(pipe.execute())
    pages = {}
    for name in index_keys:
        found, total = next(replies), next(replies)
        shown = found[:limit]
        more = encode_cursor(int(shown[-1][1]), "") if len(found) > limit else None
        pages[name] = ([member for member, _ in shown], more, total)
    return pages
