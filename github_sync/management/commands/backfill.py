from datetime import date

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from changelog_site.domain import DomainError
from changelog_site.kv import keys
from github_sync.services import backfill


def _since(text):
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError("--since must be a date like 2026-01-31") from error


class Command(BaseCommand):
    help = "Create drafts from a connected repository's already-merged pull requests (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("repo", help="OWNER/REPO, as connected")
        parser.add_argument("--since", help="only PRs merged on or after YYYY-MM-DD")

    def handle(self, *args, repo, since=None, **options):
        if not keys.REPO_NAME.match(repo):
            raise CommandError("the repository must be OWNER/REPO")
        since_date = _since(since) if since else None
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("{task.fields[merged]} merged, {task.fields[created]} new drafts"),
                      TimeElapsedColumn(), console=None, transient=False) as bar:
            task = bar.add_task(f"Backfilling {repo} (pages)", total=None, merged=0, created=0)

            def on_progress(progress):
                bar.update(task, completed=progress["page"], total=progress["pages"] or None,
                           merged=progress["merged"], created=progress["created"])

            try:
                result = backfill.entries_backfill(repo_name=repo, since=since_date, on_progress=on_progress)
            except DomainError as error:
                raise CommandError(error.detail) from error
            except backfill.BackfillError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            f"{repo}: {result['seen']} closed PRs read, {result['merged']} merged, "
            f"{result['created']} new drafts ({result['page']} pages)."))
