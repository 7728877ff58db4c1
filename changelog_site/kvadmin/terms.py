"""What a search term names, so a collection can answer it from an index instead of reading rows."""

import re

from changelog_site.kv import keys

USER_ID = re.compile(r"^user_[A-Za-z0-9_-]+$")
EMAIL = re.compile(r"^[^@\s:]+@[^@\s:]+\.[^@\s:]+$")
ID_PREFIXES = {"ent_": "entryId", "wgt_": "widgetId", "rmp_": "roadmapId"}


def scope_of(term):
    """``{scope name: value}`` for a term that is a user id, an email address, a repository
    (``owner/repo``) or an entry, widget or roadmap item id; None for any other text."""
    term = term.strip()
    if ":" in term or not term:
        return None
    if USER_ID.match(term):
        return {"userId": term}
    if EMAIL.match(term):
        return {"email": term.lower()}
    if keys.REPO_NAME.match(term):
        return {"repoId": term}
    for prefix, name in ID_PREFIXES.items():
        if term.startswith(prefix) and len(term) > len(prefix):
            return {name: term}
    return None
