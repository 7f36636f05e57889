"""Fill the database with demo data and print how to sign in. Safe to run repeatedly."""

from django.core.management.base import BaseCommand
from django.db import transaction

from applications import demo
from reports.demo import seed_reports


class Command(BaseCommand):
    help = "Create demo applications, a demo applicant and a demo caseworker (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            applicant, applications = demo.seed_applications()
            caseworker, totp_secret = demo.seed_caseworker()
        # Outside the block above: the reports commit on their own, with e-mails muted.
        seed_reports(applicant, applications, caseworker)
        claimable = next(
            a for a in applications if a.owner_id is None and not a.is_withdrawn
        )
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(applications)} applications."))
        self.stdout.write(f"Applicant:  {applicant.email} / {demo.DEMO_PASSWORD}")
        self.stdout.write(
            f"Caseworker: {caseworker.email} / {demo.DEMO_PASSWORD} "
            f"(admin at /admin/, TOTP secret for an authenticator app: {totp_secret})"
        )
        self.stdout.write(
            f"To try registering: KfW number {claimable.kfw_number} with {claimable.email}"
        )
