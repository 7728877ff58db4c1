"""What a reader does on the public roadmap: upvote an item, leave an email to hear when it ships,
and see which items they upvoted."""

from django.conf import settings

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.ratelimit import rate_limit_hit
from roadmap import watchers
from roadmap.models import RoadmapItem, RoadmapUpvotes
from roadmap.services import NotFound, public_item, public_owner
from roadmap.writeback import writeback_schedule


def item_upvote(*, repo_id, issue_id, voter_id, ip_hash, email=None):
    """Count a reader's upvote once: one Lua step SADDs the voter and INCRs the count only when the
    voter is new (``RoadmapUpvotes``). ``voter_id`` is the reader's id or a callable giving it for
    the item's id (``engagement.privacy.voter_id``: the same cookieless id as entry upvotes).

    Rate-limited per hashed IP (``rl:roadmap-upvote:…``, ``RateLimited``: 429); ``NotFound`` for an
    item the public roadmap does not show. With ``email`` the reader also asks to hear when the item
    ships (double opt-in, ``roadmap.watchers``; an invalid address is a ``ValidationError`` before
    the vote counts). Returns ``{"roadmapId", "issueId", "count", "counted", "emailPending"}``.
    """
    item = public_item(repo_id=repo_id, issue_id=issue_id)
    rate_limit_hit(name="roadmap-upvote", subject=ip_hash, limit=settings.UPVOTE_RATE_LIMIT,
                   window_seconds=settings.UPVOTE_RATE_WINDOW)
    if email:
        watchers.watch_request(item=item, email=email, ip_hash=ip_hash)
    counted, count = RoadmapUpvotes(item.id).upvote(voter_id(item.id) if callable(voter_id) else voter_id)
    if counted:
        writeback_schedule(item=item)
    return {"roadmapId": item.id, "issueId": item.issueId, "count": count, "counted": counted,
            "emailPending": bool(email)}


UPVOTED_CHECK_LIMIT = 200


def items_upvoted(*, repo_id, issue_ids, voter_id):
    """The issue numbers among ``issue_ids`` (the first ``UPVOTED_CHECK_LIMIT``) whose items on the
    public roadmap this reader upvoted: the page is the same for every reader, so its script asks
    after loading, to show "you upvoted". ``voter_id`` gives the reader's id for an item id."""
    owner = public_owner(repo_id)
    if owner is None:
        raise NotFound()
    wanted = sorted(set(issue_ids))[:UPVOTED_CHECK_LIMIT]
    raws = kv.get_client().mget([keys.roadmap_item(owner, repo_id, number) for number in wanted]) if wanted else []
    items = [RoadmapItem.loads(raw) for raw in raws if raw]
    if not items:
        return []
    with kv.get_client().pipeline(transaction=False) as pipe:
        for item in items:
            pipe.sismember(keys.roadmap_upvoters(item.id), voter_id(item.id))
        voted = pipe.execute()
    return sorted(item.issueId for item, mine in zip(items, voted) if mine)
