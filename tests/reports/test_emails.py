"""E-mails on report transitions (sent once the change is committed): receipt on
submission, notice on acceptance or return; German first, English below."""

import logging

import pytest
from django.core import mail
from django.urls import reverse

from reports import emails, lifecycle
from reports.models import ReportStatus, ReportType
from tests.applications.factories import CaseworkerFactory, FundingApplicationFactory, UserFactory
from tests.mail_checks import german_and_english

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant():
    return UserFactory(email="anna.schaefer@example.org")


@pytest.fixture
def caseworker():
    return CaseworkerFactory()


@pytest.fixture
def draft(applicant):
    application = FundingApplicationFactory(owner=applicant, applicant_name="Stadtwerke Görlitz")
    return lifecycle.start(application, ReportType.COMMISSIONING, 0, applicant)


def test_receipt_on_submission(draft, applicant, django_capture_on_commit_callbacks, settings):
    settings.PORTAL_BASE_URL = "https://now-portal.example"
    with django_capture_on_commit_callbacks(execute=True):
        report = lifecycle.submit(draft, applicant)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [applicant.email]
    assert report.reference_number in message.subject
    assert message.subject.startswith("[NOW-Portal] ")
    german, english = german_and_english(message.body)
    receipt = "https://now-portal.example" + reverse("reports:confirmation", args=[report.pk])
    for part in (german, english):
        assert report.reference_number in part and receipt in part
        assert draft.application.kfw_number in part and "Stadtwerke Görlitz" in part
    assert "Inbetriebnahmemeldung" in german  # the title in German first
    assert "Ihre Eingangsbestätigung" in german  # the page's word for it
    assert "Commissioning report" in english
    assert "What happens next" in english


def test_notice_on_return_has_the_comment_and_a_link_to_revise(
    draft, applicant, caseworker, django_capture_on_commit_callbacks
):
    lifecycle.submit(draft, applicant)
    comment = "Bitte ergänzen Sie die EVSE-ID von Ladepunkt 2 & den Nachweis <PDF>."
    with django_capture_on_commit_callbacks(execute=True):
        report = lifecycle.return_for_changes(draft, caseworker, comment)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [applicant.email]
    german, english = german_and_english(message.body)
    link = reverse("reports:detail", args=[report.pk])
    for part in (german, english):
        assert comment in part  # not HTML-escaped in a text mail
        assert link in part


def test_notice_on_acceptance(draft, applicant, caseworker, django_capture_on_commit_callbacks):
    lifecycle.submit(draft, applicant)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.accept(draft, caseworker, "Vielen Dank für die vollständigen Unterlagen.")

    assert len(mail.outbox) == 1
    german_and_english(mail.outbox[0].body)
    assert "Vielen Dank für die vollständigen Unterlagen." in mail.outbox[0].body
    assert draft.reference_number in mail.outbox[0].subject


def test_start_and_reopen_send_nothing(draft, applicant, caseworker, django_capture_on_commit_callbacks):
    lifecycle.submit(draft, applicant)
    lifecycle.return_for_changes(draft, caseworker, "Bitte ändern.")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.reopen(draft, applicant)
    assert mail.outbox == []


def test_nothing_is_sent_before_the_commit(draft, applicant):
    # Inside the (test) transaction that never commits, no mail goes out.
    lifecycle.submit(draft, applicant)
    assert mail.outbox == []


def test_failing_mail_server_does_not_undo_the_submission(
    draft, applicant, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with caplog.at_level(logging.ERROR, logger="reports.emails"):
        with django_capture_on_commit_callbacks(execute=True):
            report = lifecycle.submit(draft, applicant)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert any("not sent" in record.message for record in caplog.records)


def test_muted_sends_nothing(draft, applicant):
    with emails.muted():
        emails.on_report_transitioned(
            sender=None, report=draft, transition=draft.transitions.last()._meta.model(
                to_status=ReportStatus.SUBMITTED
            ),
        )
    assert mail.outbox == []
    lifecycle.submit(draft, applicant)
    emails.on_report_transitioned(sender=None, report=draft, transition=draft.transitions.last())
    assert len(mail.outbox) == 1


def test_return_through_the_admin_sends_the_notice(client, draft, applicant, caseworker,
                                                   django_capture_on_commit_callbacks):
    lifecycle.submit(draft, applicant)
    client.force_login(caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:reports_report_return", args=[draft.pk]), {"comment": "Bitte ergänzen."}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "Bitte ergänzen." in mail.outbox[0].body
