"""Send the reminders that are due today (run daily by the scheduler; safe to repeat)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from reports.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "Remind applicants of reports due in 14 days and of overdue reports; "
        "each report and occasion at most once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="Act as if today were this day (YYYY-MM-DD), e.g. to catch up."
        )

    def handle(self, *args, date=None, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError(f"--date must be a day like 2027-03-17, not {date!r}.") from exc
        summary = send_due_reminders(today)
        self.stdout.write(
            f"{summary.today}: {summary.applications} applications checked, "
            f"{summary.due_soon} reminders before the due date and {summary.overdue} for "
            f"overdue reports sent, {summary.already_sent} sent before, {summary.failed} failed."
        )
        if summary.failed:
            raise CommandError(f"{summary.failed} reminders could not be sent; see the log.")
