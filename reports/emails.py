"""The e-mails about reports: receipt on submission, notice on acceptance or return, and
reminders. Each is German first with the English version below it."""

import contextlib
import contextvars
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Report, ReportStatus

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "[NOW-Portal] "
LANGUAGES = ("de", "en")
ENGLISH_DIVIDER = "\n\n" + "-" * 70 + "\nEnglish version\n" + "-" * 70 + "\n\n"

# Demo data goes through the real lifecycle; nobody should get mail for it.
_muted = contextvars.ContextVar("reports_emails_muted", default=False)


@contextlib.contextmanager
def muted():
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def absolute_url(path: str) -> str:
    # Mails also go out from the scheduler, outside any request: one configured address.
    return settings.PORTAL_BASE_URL + path


def render_bilingual(template_prefix: str, context: dict) -> tuple[str, str]:
    """(subject, body): the German text, then the English one."""
    subjects, bodies = [], []
    for language in LANGUAGES:
        with translation.override(language):
            subjects.append(
                " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
            )
            bodies.append(render_to_string(f"{template_prefix}_body.txt", context).strip())
    return SUBJECT_PREFIX + " / ".join(subjects), ENGLISH_DIVIDER.join(bodies) + "\n"


def send(template_prefix: str, recipient: str, context: dict, connection=None) -> None:
    subject, body = render_bilingual(template_prefix, context)
    EmailMessage(
        subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], connection=connection
    ).send()


def applicant_email(report: Report) -> str | None:
    owner = report.application.owner
    return owner.email if owner is not None and owner.email else None


def send_receipt(report: Report) -> bool:
    recipient = applicant_email(report)
    if recipient is None:
        return False
    send("reports/email/receipt", recipient, {
        "report": report,
        "application": report.application,
        "receipt_url": absolute_url(reverse("reports:confirmation", args=[report.pk])),
    })
    return True


def send_decision(report: Report, transition) -> bool:
    """The notice that a caseworker accepted or returned the report (with the comment)."""
    recipient = applicant_email(report)
    if recipient is None:
        return False
    template = "accepted" if transition.to_status == ReportStatus.ACCEPTED else "returned"
    send(f"reports/email/{template}", recipient, {
        "report": report,
        "application": report.application,
        "comment": transition.comment,
        "report_url": absolute_url(reverse("reports:detail", args=[report.pk])),
    })
    return True


def on_report_transitioned(sender, report, transition, **kwargs):
    """Connected to `lifecycle.report_transitioned` (sent after the commit).

    The status change has already been saved, so a mail that cannot be sent must not turn
    it into an error page: it is logged for the operators instead."""
    if _muted.get():
        return
    try:
        if transition.to_status == ReportStatus.SUBMITTED:
            send_receipt(report)
        elif transition.to_status in (ReportStatus.ACCEPTED, ReportStatus.RETURNED):
            send_decision(report, transition)
    except Exception:
        logger.exception("E-mail about report %s (%s) not sent", report.pk, transition.to_status)


def send_reminder(report: Report, occasion: str, recipient: str, connection=None) -> None:
    """A reminder that the report is due in 14 days ("due_soon") or overdue ("overdue").
    `connection`: one mail connection for a whole run, instead of one per message."""
    if report.status == ReportStatus.NOT_STARTED:
        path = reverse("reports:start", args=[report.application_id, report.type, report.period])
    else:
        path = reverse("reports:detail", args=[report.pk])
    send(f"reports/email/reminder_{occasion}", recipient, {
        "report": report,
        "application": report.application,
        "report_url": absolute_url(path),
    }, connection=connection)
