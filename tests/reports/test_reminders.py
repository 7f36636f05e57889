"""Reminders: one 14 days before the due date, one when overdue, never twice for the same
report and occasion; only for claimed, approved applications and open reports."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports import handlers, lifecycle
from reports.models import ReminderOccasion, ReminderSent, Report, ReportStatus, ReportType
from reports.reminders import send_due_reminders
from tests.applications.factories import CaseworkerFactory, FundingApplicationFactory
from tests.mail_checks import german_and_english

from .factories import ReportFactory

pytestmark = pytest.mark.django_db

APPROVAL = datetime.date(2026, 3, 31)
DUE = datetime.date(2026, 9, 30)  # commissioning report: approval + 6 months
FOURTEEN_BEFORE = DUE - datetime.timedelta(days=14)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def application():
    return FundingApplicationFactory(claimed=True, approval_date=APPROVAL)


def occasions():
    rows = ReminderSent.objects.all()
    return sorted(rows.values_list("report__type", "occasion"))


def test_no_reminder_before_the_window(application):
    summary = send_due_reminders(today=FOURTEEN_BEFORE - DAY)
    assert summary.sent == 0 and mail.outbox == []
    # Nothing to hang a record on was needed, so no row was created either.
    assert not Report.objects.exists()


def test_one_reminder_14_days_before_and_one_when_overdue_each_once(application, settings):
    settings.PORTAL_BASE_URL = "https://now-portal.example"
    summary = send_due_reminders(today=FOURTEEN_BEFORE)
    assert (summary.due_soon, summary.overdue) == (1, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    german_and_english(message.body)
    assert message.to == [application.owner.email]
    assert "30. September 2026" in message.body and "Sept. 30, 2026" in message.body
    # The owed report got a row ("not started") to record the reminder against; the mail
    # links to its start page.
    report = Report.objects.get(application=application)
    assert report.status == ReportStatus.NOT_STARTED and report.due_date == DUE
    start = reverse("reports:start", args=[application.pk, "commissioning", 0])
    assert "https://now-portal.example" + start in message.body

    # Later runs the same day, up to the due date, and again: nothing more.
    for today in (FOURTEEN_BEFORE, FOURTEEN_BEFORE + DAY, DUE):
        summary = send_due_reminders(today=today)
        assert summary.sent == 0 and summary.already_sent == 1
    assert len(mail.outbox) == 1

    # The day after the due date: overdue, once.
    assert send_due_reminders(today=DUE + DAY).overdue == 1
    assert send_due_reminders(today=DUE + DAY).overdue == 0
    assert send_due_reminders(today=DUE + 30 * DAY).sent == 0
    assert len(mail.outbox) == 2
    assert occasions() == [("commissioning", "due_soon"), ("commissioning", "overdue")]
    assert "overdue" in mail.outbox[1].subject


def test_management_command_twice_sends_once(application):
    out = io.StringIO()
    call_command("send_report_reminders", "--date", (DUE + DAY).isoformat(), stdout=out)
    call_command("send_report_reminders", "--date", (DUE + DAY).isoformat(), stdout=out)
    assert len(mail.outbox) == 1
    assert "1 sent before" in out.getvalue()


def test_management_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="2027-03-17"):
        call_command("send_report_reminders", "--date", "17.03.2027")


def test_overdue_report_never_gets_the_earlier_reminder_late(application):
    send_due_reminders(today=DUE + 5 * DAY)
    assert occasions() == [("commissioning", "overdue")]


@pytest.mark.parametrize("status", [ReportStatus.DRAFT, ReportStatus.RETURNED])
def test_open_reports_are_reminded_with_a_link_to_the_report(application, status):
    report = ReportFactory(application=application, status=status, due_date=DUE)
    send_due_reminders(today=DUE + DAY)
    assert len(mail.outbox) == 1
    assert reverse("reports:detail", args=[report.pk]) in mail.outbox[0].body


@pytest.mark.parametrize("status", [ReportStatus.SUBMITTED, ReportStatus.ACCEPTED])
def test_submitted_and_accepted_reports_get_nothing(application, status):
    ReportFactory(application=application, status=status, due_date=DUE)
    for today in (FOURTEEN_BEFORE, DUE + DAY):
        assert send_due_reminders(today=today).sent == 0
    assert mail.outbox == []


def test_withdrawn_and_unclaimed_applications_get_nothing():
    withdrawn = FundingApplicationFactory(claimed=True, withdrawn=True, approval_date=APPROVAL)
    ReportFactory(application=withdrawn, status=ReportStatus.DRAFT, due_date=DUE)
    FundingApplicationFactory(approval_date=APPROVAL)  # not claimed by anyone
    for today in (FOURTEEN_BEFORE, DUE + DAY):
        summary = send_due_reminders(today=today)
        assert summary.sent == 0 and summary.applications == 0
    assert mail.outbox == []
    assert not ReminderSent.objects.exists()


def test_inactive_owner_gets_nothing(application):
    application.owner.is_active = False
    application.owner.save()
    assert send_due_reminders(today=DUE + DAY).sent == 0


def test_a_record_written_by_another_run_stops_the_mail(application):
    report = lifecycle.ensure_report(application, ReportType.COMMISSIONING, 0)
    # Another run got here first (it inserts before sending).
    ReminderSent.objects.create(report=report, occasion=ReminderOccasion.OVERDUE,
                                recipient=application.owner.email)
    summary = send_due_reminders(today=DUE + DAY)
    assert summary.sent == 0 and summary.already_sent == 1
    assert mail.outbox == []


def test_a_reminder_that_could_not_be_sent_is_tried_again_next_time(application, monkeypatch):
    from reports import emails

    real_send = emails.send_reminder

    def refused(*args, **kwargs):
        raise ConnectionResetError("mail server went away")

    monkeypatch.setattr(emails, "send_reminder", refused)
    summary = send_due_reminders(today=DUE + DAY)
    assert summary.failed == 1 and summary.sent == 0
    assert not ReminderSent.objects.exists()

    monkeypatch.setattr(emails, "send_reminder", real_send)
    assert send_due_reminders(today=DUE + 2 * DAY).overdue == 1
    assert len(mail.outbox) == 1


def test_unreachable_mail_server_stops_the_run_with_nothing_recorded(application, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with pytest.raises(OSError):
        call_command("send_report_reminders", "--date", (DUE + DAY).isoformat(),
                     stdout=io.StringIO())
    assert not ReminderSent.objects.exists()


def test_one_mail_connection_for_the_whole_run(monkeypatch):
    from django.core.mail.backends import locmem

    opened = []
    real_open = locmem.EmailBackend.open

    def counting_open(self):
        opened.append(self)
        return real_open(self)

    monkeypatch.setattr(locmem.EmailBackend, "open", counting_open)
    FundingApplicationFactory.create_batch(3, claimed=True, approval_date=APPROVAL)
    assert send_due_reminders(today=DUE + DAY).overdue == 3
    assert len(mail.outbox) == 3 and len(opened) == 1


def test_run_stops_at_its_deadline_and_the_next_run_catches_up(application):
    import time

    summary = send_due_reminders(today=DUE + DAY, deadline=time.monotonic() - 1)
    assert summary.stopped_early and summary.sent == 0 and mail.outbox == []
    assert send_due_reminders(today=DUE + DAY).overdue == 1


def test_reminders_per_report_of_several_applications(application):
    other = FundingApplicationFactory(claimed=True, approval_date=APPROVAL + 10 * DAY)
    accepted = ReportFactory(application=application, status=ReportStatus.ACCEPTED, due_date=DUE)
    # Operation report of the application whose commissioning report was accepted.
    accepted.charging_points.create(
        label="LP 1", power_kw=22, current_type="AC", connector="type2",
        commissioning_date=datetime.date(2026, 6, 1),
    )
    accepted.accepted_at = timezone.make_aware(datetime.datetime(2026, 7, 1, 12))
    accepted.save()
    summary = send_due_reminders(today=DUE + DAY)
    # `other`'s commissioning report is 10 days from due: due soon (no row before).
    assert (summary.due_soon, summary.overdue) == (1, 0)
    assert sorted(m.to[0] for m in mail.outbox) == [other.owner.email]


def count_queries(today):
    with CaptureQueriesContext(connection) as queries:
        send_due_reminders(today=today)
    return len(queries)


def test_queries_do_not_grow_with_the_number_of_applications():
    # Nothing is due: the run only lists applications and their reports.
    quiet_day = APPROVAL + DAY
    FundingApplicationFactory(claimed=True, approval_date=APPROVAL)
    one = count_queries(quiet_day)
    FundingApplicationFactory.create_batch(30, claimed=True, approval_date=APPROVAL)
    for application in FundingApplicationFactory._meta.model.objects.all()[:10]:
        ReportFactory(application=application, status=ReportStatus.DRAFT, due_date=DUE)
    assert count_queries(quiet_day) == one <= 3


def test_zappa_handler_runs_for_today_and_returns_a_summary():
    today = timezone.localdate()
    ReportFactory(status=ReportStatus.DRAFT, due_date=today + datetime.timedelta(days=10))
    ReportFactory(status=ReportStatus.DRAFT, due_date=today - DAY)
    CaseworkerFactory()  # staff owns nothing and is not reminded

    result = handlers.send_reminders({"source": "aws.events"}, None)

    assert result["today"] == today.isoformat()
    assert (result["due_soon"], result["overdue"], result["sent"]) == (1, 1, 2)
    assert len(mail.outbox) == 2


def test_a_run_that_starts_while_another_is_sending_does_not_send_again(application, monkeypatch):
    # The record is written before the mail goes out: a second run that starts while the
    # first is still sending finds it and leaves the report alone.
    from reports import emails

    real_send = emails.send_reminder
    second_run = []

    def send_and_meanwhile_run_again(report, occasion, recipient, connection=None):
        if not second_run:
            second_run.append(send_due_reminders(today=DUE + DAY))
        real_send(report, occasion, recipient, connection=connection)

    monkeypatch.setattr(emails, "send_reminder", send_and_meanwhile_run_again)
    first = send_due_reminders(today=DUE + DAY)

    assert first.overdue == 1
    assert second_run[0].sent == 0 and second_run[0].already_sent == 1
    assert len(mail.outbox) == 1


def test_the_unique_record_is_what_stops_a_parallel_insert(application):
    from reports.reminders import ReminderSummary, _remind

    report = lifecycle.ensure_report(application, ReportType.COMMISSIONING, 0)
    summary = ReminderSummary(today=DUE + DAY)
    _remind(report, ReminderOccasion.OVERDUE, application.owner.email, summary)
    _remind(report, ReminderOccasion.OVERDUE, application.owner.email, summary)
    assert (summary.overdue, summary.already_sent) == (1, 1)
    assert len(mail.outbox) == 1 and ReminderSent.objects.count() == 1


def test_command_fails_loudly_when_reminders_could_not_be_sent(application, monkeypatch):
    from reports import emails

    def refused(*args, **kwargs):
        raise ConnectionResetError("mail server went away")

    monkeypatch.setattr(emails, "send_reminder", refused)
    with pytest.raises(CommandError, match="1 reminders could not be sent"):
        call_command("send_report_reminders", "--date", (DUE + DAY).isoformat(),
                     stdout=io.StringIO())
