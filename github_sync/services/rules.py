"""Each user's draft rules for a repository (skip label, bots, category rules), kept in SQL
(``SyncSettings``) and edited on the repository's settings page."""

import logging

from django.db import DatabaseError, connection

from changelog_site.kv.records import ValidationError
from entries import github_pr
from github_sync.models import SyncSettings

log = logging.getLogger(__name__)


def rules_for(user_ids, github_repo_id):
    """Each user's ``github_pr.Rules`` for a repository (defaults when they never changed them)."""
    rules = {user_id: github_pr.Rules() for user_id in user_ids}
    if not rules:
        return rules
    table = connection.ops.quote_name(SyncSettings._meta.db_table)
    marks = ", ".join(["%s"] * len(rules))
    try:  # read for every delivery: plain SQL, as the ORM spent most of the time building the query
        for row in SyncSettings.objects.raw(f"SELECT * FROM {table} WHERE github_repo_id = %s AND user_id IN ({marks})",
                                            [github_repo_id, *rules]):
            rules[row.user_id] = row.rules()
    except DatabaseError:
        log.warning("sync settings unreadable; default rules for repository %s", github_repo_id)
    return rules


def _parse_rule_lines(text, field_name):
    """``label = Category`` lines -> dict; raises ``ValidationError`` naming every bad line."""
    rules, bad = {}, []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, category = line.partition("=")
        category = category.strip().capitalize()
        if not sep or not name.strip() or category not in github_pr.CATEGORIES:
            bad.append(f"{number} ({line.strip()[:40]})")
            continue
        rules[name.strip()] = category
    if bad:
        where = f"line {bad[0]}" if len(bad) == 1 else "lines " + ", ".join(bad)
        raise ValidationError({field_name: f"{where}: write each as name = New, Fixed, Improved or Other"})
    return rules


def sync_settings_get(*, user_id, github_repo_id):
    return SyncSettings.objects.filter(user_id=user_id, github_repo_id=github_repo_id).first() or \
        SyncSettings(user_id=user_id, github_repo_id=github_repo_id)


def sync_settings_update(*, user_id, github_repo_id, skip_label, skip_bots, bot_patterns, label_rules,
                         prefix_rules):
    """Save a user's rules for one repository (the repository's settings page)."""
    rules = {"labels": _parse_rule_lines(label_rules, "label_rules"),
             "prefixes": _parse_rule_lines(prefix_rules, "prefix_rules")}
    row = sync_settings_get(user_id=user_id, github_repo_id=github_repo_id)
    row.skip_label = (skip_label or "").strip()[:100]
    row.skip_bots = bool(skip_bots)
    row.bot_patterns = ",".join(p.strip() for p in (bot_patterns or "").split(",") if p.strip())[:500]
    row.category_rules = rules
    row.save()
    return row
