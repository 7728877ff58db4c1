"""Who to thank for a pull request: its author and the co-authors its body names, bots left out.

Pure functions, no storage (docs/github-loop.md):

* the author is ``user.login``; ``author_association`` ``FIRST_TIME_CONTRIBUTOR`` (first
  contribution to this repository) or ``FIRST_TIMER`` (first on GitHub) marks a first contribution;
* co-authors are the ``Co-authored-by: Name <email>`` trailers of the body (any case, outside code
  and HTML comments, as in ``closing.prose``). GitHub's no-reply address
  (``12345+login@users.noreply.github.com``) gives the login; any other address only the name,
  and the address itself is never kept (it would end up on a public page);
* bots are never credited: a ``[bot]`` login or name, ``user.type == "Bot"``, or one of the
  repository's bot patterns (the draft rules' "Bot logins contain").
"""

import re

from roadmap.closing import prose

FIRST_CONTRIBUTION = ("FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER")
CO_AUTHORED_BY = re.compile(r"^[ \t>]*co-authored-by:[ \t]*(?P<name>[^<\n]*?)[ \t]*<(?P<email>[^>\n]*)>[ \t]*$",
                            re.IGNORECASE | re.MULTILINE)
NOREPLY = re.compile(r"^(?:\d+\+)?(?P<login>[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\[bot\])?)"
                     r"@users\.noreply\.github\.com$", re.IGNORECASE)
LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
NAME_MAX = 100
CO_AUTHORS_MAX = 20


def is_bot(name, bot_patterns=()):
    """A ``[bot]`` login or name, or one containing one of ``bot_patterns`` (case-insensitive)."""
    lowered = (name or "").lower()
    return "[bot]" in lowered or any(pattern and pattern.lower() in lowered for pattern in bot_patterns)


def co_authors(body):
    """``[{"login", "name"}]`` of the ``Co-authored-by:`` trailers in ``body``, in order, once each."""
    found, seen = [], set()
    for match in CO_AUTHORED_BY.finditer(prose(body)):
        name = " ".join(match.group("name").split())[:NAME_MAX]
        noreply = NOREPLY.match(match.group("email").strip())
        login = noreply.group("login") if noreply else None
        key = (login or "").lower() or "name:" + name.lower()
        if (login or name) and key not in seen:
            seen.add(key)
            found.append({"login": login, "name": name or login})
    return found[:CO_AUTHORS_MAX]


def pr_credits(pr, bot_patterns=()):
    """``{"author": {"login"} | None, "coAuthors": [...], "firstContribution": bool}`` for a PR object
    (a webhook's ``pull_request`` or a REST ``pulls`` item), bots left out."""
    user = pr.get("user") if isinstance(pr.get("user"), dict) else {}
    login = user.get("login") if isinstance(user.get("login"), str) else ""
    author = None
    if LOGIN.match(login) and user.get("type") != "Bot" and not is_bot(login, bot_patterns):
        author = {"login": login}
    people = [person for person in co_authors(pr.get("body") or "")
              if not is_bot(person["login"], bot_patterns) and not is_bot(person["name"], bot_patterns)
              and not (author and (person["login"] or "").lower() == login.lower())]
    return {"author": author, "coAuthors": people,
            "firstContribution": bool(author) and pr.get("author_association") in FIRST_CONTRIBUTION}
