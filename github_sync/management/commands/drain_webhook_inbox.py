from django.core.management.base import BaseCommand

from github_sync.services import inbox


class Command(BaseCommand):
    help = ("Process GitHub deliveries kept in the SQL inbox while Redis was unreachable, oldest first, "
            "then delete the rows past their retention (GITHUB_INBOX_RETENTION_DAYS).")

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=10000)

    def handle(self, *args, limit, **options):
        counts = inbox.inbox_drain(limit=limit)
        self.stdout.write(", ".join(f"{name}: {value}" for name, value in counts.items()))
        pruned = inbox.inbox_prune()
        self.stdout.write(f"pruned: {pruned['processed']} processed, {pruned['failedOrRejected']} failed or rejected")
