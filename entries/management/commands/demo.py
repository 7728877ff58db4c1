from django.core.management.base import BaseCommand

from entries.demo import DEMO_EMAIL, DEMO_PASSWORD, DEMO_REPO, ENTRIES, demo_load


class Command(BaseCommand):
    help = f"Load a demo account ({DEMO_EMAIL}) with a connected repository and realistic entries. Idempotent."

    def handle(self, *args, **options):
        user_id, created = demo_load()
        self.stdout.write(f"Demo account: {DEMO_EMAIL} / {DEMO_PASSWORD} (user {user_id})")
        self.stdout.write(f"Repository {DEMO_REPO} connected; {created} new entries "
                          f"({sum(1 for e in ENTRIES if e[3] == 'published')} of {len(ENTRIES)} published).")
        self.stdout.write(f"Public changelog: /changelog/{DEMO_REPO}/")
