"""Reading a GitHub issue like the roadmap does: pure functions, no storage.

``derive(issue, settings)`` says whether an issue is on the roadmap and in which column;
``item_fields(issue)`` gives the ``RoadmapItem`` fields GitHub owns. docs/roadmap.md has the rules.
"""

import re
from dataclasses import dataclass, field

from changelog_site.kv.records import iso, parse_iso
from entries.github_pr import PayloadError  # the intake answers it with a 400

DEFAULT_IN_PROGRESS_LABELS = ("in progress", "in-progress", "doing")
NOT_PLANNED_REASONS = ("not_planned", "duplicate")
WRITE_BACK_MODES = ("off", "label", "comment")
WRITE_BACK_LABEL_PREFIX = "roadmap votes: "
TITLE_MAX = 1000
BODY_MAX = 65536
LABELS_MAX = 50
OFF_NOT_PLANNED = "not_planned"
OFF_LABEL_FILTER = "label_filter"


def norm_label(name):
    return " ".join(str(name or "").lower().split())


@dataclass(frozen=True)
class RoadmapSettings:
    """One owner's roadmap rules for one repository (``meta:roadmap-settings:{userId}:{githubRepoId}``).

    ``label_filter``: only issues carrying this label are on the roadmap ("" = every open issue);
    ``*_labels``: labels that put an open issue in that column; ``write_back``: show the vote
    count on the GitHub issue as a label or as one comment (``off`` by default).
    """

    label_filter: str = ""
    planned_labels: tuple = ()
    in_progress_labels: tuple = DEFAULT_IN_PROGRESS_LABELS
    completed_labels: tuple = ()
    write_back: str = "off"
    updated_at: str | None = field(default=None, compare=False)

    def to_json(self):
        return {"labelFilter": self.label_filter, "plannedLabels": list(self.planned_labels),
                "inProgressLabels": list(self.in_progress_labels), "completedLabels": list(self.completed_labels),
                "writeBack": self.write_back, "updatedAt": self.updated_at}

    @classmethod
    def from_json(cls, data):
        data = data if isinstance(data, dict) else {}
        lists = {name: tuple(norm_label(label) for label in data.get(key) or () if norm_label(label))
                 for name, key in (("planned_labels", "plannedLabels"), ("in_progress_labels", "inProgressLabels"),
                                   ("completed_labels", "completedLabels"))}
        if "inProgressLabels" not in data:
            lists["in_progress_labels"] = DEFAULT_IN_PROGRESS_LABELS
        write_back = data.get("writeBack") if data.get("writeBack") in WRITE_BACK_MODES else "off"
        return cls(label_filter=norm_label(data.get("labelFilter")), write_back=write_back,
                   updated_at=data.get("updatedAt"), **lists)


@dataclass(frozen=True)
class Derivation:
    """What GitHub's state of an issue means for the roadmap: ``status`` (its column), or
    ``off`` (why it is not on the public roadmap: ``not_planned`` or ``label_filter``)."""

    status: str | None
    off: str = ""


def issue_labels(issue):
    """The issue's label names, without the vote-count labels the write-back adds."""
    names = []
    for label in issue.get("labels") or ():
        name = label.get("name") if isinstance(label, dict) else label
        if isinstance(name, str) and name.strip() and not name.startswith(WRITE_BACK_LABEL_PREFIX):
            names.append(name.strip()[:100])
    return names[:LABELS_MAX]


def derive(issue, settings):
    labels = {norm_label(name) for name in issue_labels(issue)}
    if settings.label_filter and settings.label_filter not in labels:
        return Derivation(None, OFF_LABEL_FILTER)
    if issue.get("state") == "closed":
        if issue.get("state_reason") in NOT_PLANNED_REASONS:
            return Derivation(None, OFF_NOT_PLANNED)
        return Derivation("completed")
    for status, mapped in (("completed", settings.completed_labels), ("in-progress", settings.in_progress_labels),
                           ("planned", settings.planned_labels)):
        if labels & set(mapped):
            return Derivation(status)
    return Derivation("planned")


def is_pull_request(issue):
    return isinstance(issue, dict) and bool(issue.get("pull_request"))


def updated_at(issue):
    """The issue's ``updated_at`` as the document's ISO form: the order of GitHub's events."""
    try:
        return iso(parse_iso(issue["updated_at"]))
    except (KeyError, TypeError, ValueError) as error:
        raise PayloadError("issue.updated_at must be an ISO 8601 timestamp") from error


def item_fields(issue):
    """The ``RoadmapItem`` fields GitHub owns, from a webhook ``issue`` or a REST issue."""
    if not isinstance(issue, dict) or not isinstance(issue.get("number"), int) or issue["number"] <= 0:
        raise PayloadError("issue.number must be a positive integer")
    url = issue.get("html_url")
    if not isinstance(url, str) or not re.match(r"^https://", url):
        raise PayloadError("issue.html_url must be an https URL")
    title = " ".join(str(issue.get("title") or "").split())[:TITLE_MAX] or f"Issue #{issue['number']}"
    body = issue.get("body") if isinstance(issue.get("body"), str) else ""
    return {"issueId": issue["number"], "title": title, "body": body.replace("\r\n", "\n")[:BODY_MAX],
            "githubIssueUrl": url, "labels": issue_labels(issue)}
