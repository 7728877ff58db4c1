"""Who is reading, without knowing who they are.

* ``visitor_id``: a cookieless, GDPR-friendly id: HMAC-SHA256 of IP + user agent under a salt
  derived from ``SECRET_KEY`` and today's UTC date. The salt rotates daily and is never stored,
  so yesterday's ids cannot be recomputed or linked to today's, and neither IP nor user agent is
  kept anywhere. ``None`` for bots and for readers sending ``DNT: 1`` or ``Sec-GPC: 1``.
* ``voter_id``: the id an upvote is counted under: HMAC of IP + user agent, scoped to one entry
  (so voter sets of two entries cannot be joined) and not rotating (so a reader counts once).
* ``client_ip`` and ``ip_hash`` (the subject of per-IP rate-limit windows) live in
  ``changelog_site.ratelimit``: the webhook receivers limit per source too.
"""

import hashlib
import hmac
import re
from datetime import date
from functools import lru_cache


from changelog_site.ratelimit import client_ip, derived_key, ip_hash  # noqa: F401 (ip_hash: part of this module's API)

BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|scrap|fetch|monitor|preview|facebookexternalhit|embedly|quora link|"
    r"whatsapp|telegram|discord|slack|feed|rss|curl|wget|httpie|python-requests|python-urllib|aiohttp|"
    r"httpx|go-http-client|java/|okhttp|libwww|headlesschrome|phantomjs|lighthouse|pingdom|uptime",
    re.IGNORECASE,
)


def user_agent(request):
    return request.META.get("HTTP_USER_AGENT", "")


def is_bot(request):
    return _is_bot_agent(user_agent(request))


@lru_cache(maxsize=4096)
def _is_bot_agent(agent):
    """Kept per user agent: readers send few distinct ones, and the search costs about 14 µs."""
    agent = agent.strip()
    return not agent or bool(BOT_PATTERN.search(agent))


def opted_out(request):
    """Do-Not-Track or Global Privacy Control."""
    return request.META.get("HTTP_DNT", "").strip() == "1" or request.META.get("HTTP_SEC_GPC", "").strip() == "1"


def _mac(key, *parts):
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def daily_salt(day=None):
    return derived_key(f"shiplog-visitor-salt:{(day or date.today()).isoformat()}")


def visitor_id(request, day=None):
    if is_bot(request) or opted_out(request):
        return None
    return "v_" + _mac(daily_salt(day), client_ip(request), user_agent(request))[:32]


def voter_id(request, entry_id):
    return "u_" + _mac(derived_key("shiplog-voter"), entry_id, client_ip(request), user_agent(request))[:32]
