"""Every status change of a report, checked and recorded here and nowhere else.

    not started → draft → submitted → accepted
                            submitted → returned (with comment) → draft → submitted …

Each change writes a ReportTransition (who, when, from, to, comment) in the same
transaction and, once committed, sends `report_transitioned` (e-mails hook in there).
"""

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import deadlines
from .models import Report, ReportStatus, ReportTransition, ReportType

# Sent after the transaction commits: sender=Report, report=..., transition=...
report_transitioned = Signal()

S = ReportStatus
ALLOWED_TRANSITIONS = {
    (S.NOT_STARTED, S.DRAFT),
    (S.DRAFT, S.SUBMITTED),
    (S.SUBMITTED, S.ACCEPTED),
    (S.SUBMITTED, S.RETURNED),
    (S.RETURNED, S.DRAFT),
}


class TransitionNotAllowed(Exception):
    """The report cannot change as asked; the message says why, for the user."""


def _transition(report: Report, to_status: str, by, comment: str = "", **changes) -> Report:
    with transaction.atomic():
        # The row lock makes a double click (or two tabs) see the first one's result.
        locked = Report.objects.select_for_update().select_related("application").get(pk=report.pk)
        if (locked.status, to_status) not in ALLOWED_TRANSITIONS:
            raise TransitionNotAllowed(
                _("A report in status “%(current)s” cannot become “%(wanted)s”.")
                % {"current": locked.get_status_display(), "wanted": S(to_status).label}
            )
        if to_status in (S.DRAFT, S.SUBMITTED) and locked.application.is_withdrawn:
            raise TransitionNotAllowed(
                _("The application has been withdrawn; it accepts no new reports.")
            )
        transition = ReportTransition.objects.create(
            report=locked, from_status=locked.status, to_status=to_status, by=by, comment=comment
        )
        locked.status = to_status
        for name, value in changes.items():
            setattr(locked, name, value)
        if to_status == S.SUBMITTED and not locked.reference_number:
            locked.reference_number = reference_number(locked)
        locked.save()
        transaction.on_commit(
            lambda: report_transitioned.send(sender=Report, report=locked, transition=transition)
        )
    report.refresh_from_db()
    return locked


def reference_number(report: Report) -> str:
    """Human-readable and unique (the row id is): NOW-<year of first submission>-<id>."""
    return f"NOW-{timezone.localdate().year}-{report.pk:06d}"


def ensure_report(application, report_type: str, period: int) -> Report:
    """The row of an owed report, created in status "not started" if it has none yet.

    Raises TransitionNotAllowed if the application does not owe this report (or, being
    withdrawn, accepts no new ones)."""
    owed = deadlines.owed_report(application, report_type, period)
    if owed is None and application.is_withdrawn:
        raise TransitionNotAllowed(
            _("The application has been withdrawn; it accepts no new reports.")
        )
    if owed is None:
        raise TransitionNotAllowed(_("This report is not due for this application."))
    if owed.report is not None:
        return owed.report
    values = {"due_date": owed.due_date, "status": S.NOT_STARTED}
    if report_type == ReportType.COMMISSIONING:
        # Prefilled from the application; the applicant confirms or corrects them.
        values.update(
            site_street=application.street,
            site_house_number=application.house_number,
            site_postal_code=application.postal_code,
            site_city=application.city,
            operator_name=application.applicant_name,
        )
    try:
        with transaction.atomic():
            report, _created = Report.objects.get_or_create(
                application=application, type=report_type, period=period, defaults=values
            )
    except IntegrityError:  # created by a parallel request in the meantime
        report = Report.objects.get(application=application, type=report_type, period=period)
    return report


def materialise_owed_reports(application, today=None) -> list[Report]:
    """Rows (status "not started" where new) for every report the application owes, for
    jobs that need to refer to them, such as reminders."""
    return [
        item.report or ensure_report(application, item.type, item.period)
        for item in deadlines.owed_reports(application, today)
    ]


def start(application, report_type: str, period: int, user) -> Report:
    """Start (or find the already started) report: it becomes a draft."""
    report = ensure_report(application, report_type, period)
    if report.status == S.NOT_STARTED:
        try:
            report = _transition(report, S.DRAFT, user)
        except TransitionNotAllowed:
            report.refresh_from_db()
            if report.status == S.NOT_STARTED:
                raise
    return report


def submit(report: Report, user) -> Report:
    return _transition(
        report, S.SUBMITTED, user, submitted_at=timezone.now(), caseworker_comment=""
    )


def accept(report: Report, caseworker, comment: str = "") -> Report:
    return _transition(report, S.ACCEPTED, caseworker, comment, accepted_at=timezone.now())


def return_for_changes(report: Report, caseworker, comment: str) -> Report:
    comment = (comment or "").strip()
    if not comment:
        raise TransitionNotAllowed(
            _("Please say what the applicant needs to change: a comment is required.")
        )
    return _transition(report, S.RETURNED, caseworker, comment, caseworker_comment=comment)


def reopen(report: Report, user) -> Report:
    """The applicant takes a returned report back into a draft to change it."""
    return _transition(report, S.DRAFT, user)
