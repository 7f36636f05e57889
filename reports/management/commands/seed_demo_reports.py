"""Demo reports in every status for the demo applicant (after `seed_demo`). Idempotent."""

from django.core.management.base import BaseCommand
from django.db import transaction

from reports.demo import seed_demo_reports


class Command(BaseCommand):
    help = "Create demo reports (accepted, submitted, draft, returned, not started) for the demo applicant."

    def handle(self, *args, **options):
        with transaction.atomic():
            created = seed_demo_reports()
        self.stdout.write(self.style.SUCCESS(f"Demo reports ready ({len(created)} new)."))
