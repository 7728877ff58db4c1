"""URL converters for the ids in our paths, so a malformed id is a 404 from the URL resolver.

Redis keys are joined with ``:``; an id that holds one (``/api/repos/a:b/c/``) could never name a
record, and letting it reach the storage layer turned it into a 500. The converters only match
the characters the data document allows: GitHub's for owner and repository names, URL-safe
characters for record ids and tokens.
"""

from django.urls import register_converter


class RepoPartConverter:
    """One half of ``owner/repo`` (GitHub allows letters, digits, ``-``, ``_`` and ``.``)."""

    regex = r"[A-Za-z0-9_.-]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class RecordIdConverter(RepoPartConverter):
    """An opaque record id or token: URL-safe characters, never ``:`` or ``/``."""

    regex = r"[A-Za-z0-9_~.-]+"


register_converter(RepoPartConverter, "repo_part")
register_converter(RecordIdConverter, "record_id")

OWNER_REPO = "<repo_part:owner>/<repo_part:repo>"
