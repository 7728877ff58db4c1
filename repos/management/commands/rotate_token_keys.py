from django.core.management.base import BaseCommand
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from changelog_site.kv import client as kv
from repos.key_rotation import secrets_reencrypt, secrets_to_reencrypt


class Command(BaseCommand):
    help = ("Re-encrypt every GitHub token and webhook secret under the first key of TOKEN_ENCRYPTION_KEYS. "
            "Put the new key first, keep the old ones after it, run this, then drop the old keys.")

    def handle(self, *args, **options):
        console = Console(file=self.stdout, force_terminal=False)
        client = kv.get_client()
        secrets = secrets_to_reencrypt(scan=lambda match: client.scan_iter(match=match, count=500))
        columns = (TextColumn("Re-encrypting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task("secrets", total=len(secrets))
            result = secrets_reencrypt(secrets, progress=lambda: progress.advance(task))
        console.print(f"Re-encrypted {result['rotated']} secret(s); {result['missing']} already gone.")
        for label in result["unreadable"]:
            console.print(f"[yellow]unreadable with the configured keys[/yellow]: {label}")
        if result["unreadable"]:
            self.stderr.write("Some secrets could not be decrypted: add back the key that encrypted them.")
