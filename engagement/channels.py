"""Posting a published entry to a repository's Slack or Discord incoming webhook.

The URL is the owner's (``subscription_settings``, stored encrypted, limited to the services'
own hosts). A post goes through ``changelog_site.http``'s shared session; the task that calls
``post`` retries a *retryable* failure (429, 5xx, no answer) with backoff, and records the last
result for the dashboard. Slack text is escaped (``&``, ``<``, ``>``); Discord mentions are off.
"""

from requests import RequestException

from changelog_site.http import session_shared

TEXT_MAX = 1500


class ChannelError(Exception):
    def __init__(self, message, *, retryable):
        super().__init__(message)
        self.retryable = retryable


def _slack_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(item, branding, *, test=False):
    title, summary = _slack_escape(item["title"]), _slack_escape(item["summary"][:TEXT_MAX])
    name = _slack_escape(branding["name"])
    heading = "Test message from Shiplog: " if test else ""
    return {
        "text": f"{heading}{name}: {item['title']} {item['url']}",
        "unfurl_links": False,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"{heading}*<{item['url']}|{title}>*\n{summary}"}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"{item['category']} · {name} changelog"}]},
        ],
    }


def discord_payload(item, branding, *, test=False):
    accent = branding.get("accentColor") or "#4f46e5"
    try:
        color = int(accent.lstrip("#")[:6], 16)
    except ValueError:
        color = 0x4F46E5
    return {
        "content": "Test message from Shiplog" if test else None,
        "allowed_mentions": {"parse": []},
        "embeds": [{
            "title": item["title"][:256], "url": item["url"], "description": item["summary"][:TEXT_MAX],
            "color": color, "footer": {"text": f"{item['category']} · {branding['name']} changelog"[:2048]},
            "timestamp": item["publishedAt"],
        }],
    }


PAYLOADS = {"slack": slack_payload, "discord": discord_payload}


def post(*, channel, url, item, branding, test=False):
    """POST the entry to the webhook; ``ChannelError`` (``retryable`` or not) when it is refused."""
    payload = PAYLOADS[channel](item, branding, test=test)
    try:
        response = session_shared("channels").post(url, json=payload, allow_redirects=False)
    except RequestException as error:
        raise ChannelError(f"no answer from {channel}: {type(error).__name__}", retryable=True) from error
    if 200 <= response.status_code < 300:
        return response.status_code
    retryable = response.status_code == 429 or response.status_code >= 500
    raise ChannelError(f"{channel} answered {response.status_code}: {response.text[:200]}", retryable=retryable)
