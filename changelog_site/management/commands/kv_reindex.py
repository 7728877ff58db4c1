from django.core.management.base import BaseCommand
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from changelog_site.kv.reindex import Reindexer


class Command(BaseCommand):
    help = ("Rebuild every index from the data document's keys, convert legacy value forms and link "
            "or create Django accounts for user records. Scans the keyspace; idempotent.")

    def handle(self, *args, **options):
        console = Console(file=self.stdout, force_terminal=False)
        reindexer = Reindexer()
        columns = (TextColumn("Reindexing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task("keys", total=reindexer.total_keys())
            reindexer.progress = lambda advance: progress.advance(task, advance)
            stats = reindexer.run(scan=lambda match: reindexer.client.scan_iter(match=match, count=1000))

        table = Table("what", "count", title="kv_reindex")
        for name, count in sorted(stats.items()):
            table.add_row(name, str(count))
        console.print(table)
        for key, message in reindexer.problems:
            console.print(f"[yellow]skipped[/yellow] {key}: {message}")
        console.print("Done. Running it again changes nothing.")
