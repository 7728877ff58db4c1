from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from changelog_site.domain import DomainError
from changelog_site.kv import keys
from repos.github import GitHubError
from roadmap import importer


class Command(BaseCommand):
    help = "Import a connected repository's GitHub issues into its public roadmap (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("repo", help="OWNER/REPO, as connected")

    def handle(self, *args, repo, **options):
        if not keys.REPO_NAME.match(repo):
            raise CommandError("the repository must be OWNER/REPO")
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("{task.fields[seen]} open issues, {task.fields[created]} new, "
                                 "{task.fields[updated]} updated"),
                      TimeElapsedColumn(), transient=False) as bar:
            task = bar.add_task(f"Syncing the roadmap of {repo} (pages)", total=None, seen=0, created=0, updated=0)

            def on_progress(progress):
                bar.update(task, completed=progress["page"], total=progress["pages"] or None,
                           seen=progress["seen"], created=progress["created"], updated=progress["updated"])

            try:
                result = importer.roadmap_import(repo_name=repo, on_progress=on_progress)
            except DomainError as error:
                raise CommandError(error.detail) from error
            except (importer.SyncError, GitHubError) as error:
                raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            f"{repo}: {result['seen']} open issues read ({result['page']} pages), {result['created']} new items, "
            f"{result['updated']} updated, {result['removed']} removed, {result['checked']} closed or moved "
            f"issues looked up."))
