"""Reminders about reports that are still owed: one 14 days before the due date and one
once it has passed, never twice for the same report and occasion. Run daily by the
scheduler (`manage.py send_report_reminders`, `reports.handlers.send_reminders`)."""

import datetime
import itertools
import logging
import time
from dataclasses import asdict, dataclass

from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.models import FundingApplication, KfwStatus

from . import deadlines, emails, lifecycle
from .models import OPEN_STATUSES, ReminderOccasion, ReminderSent, dashboard_reports_prefetch

logger = logging.getLogger(__name__)

DAYS_BEFORE_DUE = 14
# Applications read per round (two queries per round: applications, their reports).
BATCH_SIZE = 500


@dataclass
class ReminderSummary:
    today: datetime.date
    applications: int = 0
    due_soon: int = 0
    overdue: int = 0
    already_sent: int = 0
    failed: int = 0
    # True when the run stopped at its deadline; the rest follows in the next run.
    stopped_early: bool = False

    @property
    def sent(self) -> int:
        return self.due_soon + self.overdue

    def as_dict(self) -> dict:
        return {**asdict(self), "today": self.today.isoformat(), "sent": self.sent}


def occasion_for(item: deadlines.OwedReport, today: datetime.date) -> str | None:
    """Which reminder an owed report is due for today, if any."""
    if item.status not in OPEN_STATUSES:
        return None
    if item.due_date < today:
        return ReminderOccasion.OVERDUE
    if today >= item.due_date - datetime.timedelta(days=DAYS_BEFORE_DUE):
        return ReminderOccasion.DUE_SOON
    return None


def applications_to_remind():
    """Approved applications that an applicant has claimed and can be written to."""
    return (
        FundingApplication.objects.filter(kfw_status=KfwStatus.APPROVED, owner__is_active=True)
        .exclude(owner__email="")
        .select_related("owner")
        .prefetch_related(dashboard_reports_prefetch())
        .order_by("pk")
    )


def _batches(iterable, size):
    iterator = iter(iterable)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _report_row(application, item, today):
    """The owed report's row (created as "not started" if it has none) to hang the record on."""
    if item.report is not None:
        return item.report
    for report in lifecycle.materialise_owed_reports(application, today):
        if (report.type, report.period) == (item.type, item.period):
            report.application = application  # already loaded, with its owner
            return report
    return None


def _remind(report, occasion: str, recipient: str, summary: ReminderSummary,
            connection=None) -> None:
    # Record first, send after: of two runs at the same time only one gets the row.
    try:
        with transaction.atomic():
            ReminderSent.objects.create(report=report, occasion=occasion, recipient=recipient)
    except IntegrityError:
        summary.already_sent += 1
        return
    try:
        emails.send_reminder(report, occasion, recipient, connection=connection)
    except Exception:
        # Not sent: forget the record so that tomorrow's run tries again.
        logger.exception("Reminder %s for report %s not sent", occasion, report.pk)
        ReminderSent.objects.filter(report=report, occasion=occasion).delete()
        if connection is not None:
            connection.close()  # the next reminder opens a fresh one
        summary.failed += 1
        return
    setattr(summary, occasion, getattr(summary, occasion) + 1)


def send_due_reminders(today: datetime.date | None = None, *, deadline: float | None = None
                       ) -> ReminderSummary:
    """Send today's reminders. `deadline` (a `time.monotonic()` value) stops the run
    before it would overrun, e.g. a Lambda's time limit; what is left goes out next run
    (a reminder 14 days ahead still has days to go, an overdue one stays overdue)."""
    today = today or timezone.localdate()
    summary = ReminderSummary(today=today)
    # One mail connection for the run: an SMTP handshake per reminder would not scale.
    with get_connection() as connection:
        for batch in _batches(applications_to_remind().iterator(chunk_size=BATCH_SIZE), BATCH_SIZE):
            wanted = []
            for application in batch:
                summary.applications += 1
                for item in deadlines.owed_reports(application, today):
                    if occasion := occasion_for(item, today):
                        wanted.append((application, item, occasion))
            if not wanted:
                continue
            known = set(
                ReminderSent.objects.filter(
                    report_id__in=[item.report.pk for _, item, _ in wanted if item.report]
                ).values_list("report_id", "occasion")
            )
            for application, item, occasion in wanted:
                if item.report is not None and (item.report.pk, occasion) in known:
                    summary.already_sent += 1
                    continue
                if deadline is not None and time.monotonic() >= deadline:
                    summary.stopped_early = True
                    break
                try:
                    report = _report_row(application, item, today)
                except lifecycle.TransitionNotAllowed:
                    report = None
                if report is None:
                    logger.warning("No report row for %s %s of application %s",
                                   item.type, item.period, application.pk)
                    summary.failed += 1
                    continue
                _remind(report, occasion, application.owner.email, summary, connection)
            if summary.stopped_early:
                break
    logger.info("Report reminders: %s", summary.as_dict())
    return summary
