"""The caseworkers' admin for reports: list, filters, search, the read-only detail page,
and accepting / returning through the lifecycle (every change recorded)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports import lifecycle
from reports.models import Report, ReportStatus, ReportTransition, ReportType
from tests.applications.factories import (
    CaseworkerFactory,
    FundingApplicationFactory,
    UserFactory,
)

from .factories import ChargingPointFactory, ReportFactory, ReportFileFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:reports_report_changelist"


def change_url(report):
    return reverse("admin:reports_report_change", args=[report.pk])


def accept_url(report):
    return reverse("admin:reports_report_accept", args=[report.pk])


def return_url(report):
    return reverse("admin:reports_report_return", args=[report.pk])


@pytest.fixture
def caseworker(client):
    user = CaseworkerFactory()
    client.force_login(user)
    return user


@pytest.fixture
def applicant():
    return UserFactory()


def submitted_commissioning_report(applicant, **application_fields):
    application = FundingApplicationFactory(owner=applicant, **application_fields)
    report = lifecycle.start(application, ReportType.COMMISSIONING, 0, applicant)
    Report.objects.filter(pk=report.pk).update(
        publicly_accessible=True, renewable_electricity=True,
        cost_hardware=Decimal("18400.00"), cost_installation=Decimal("6150.50"),
    )
    ChargingPointFactory(report=report, label="Ladepunkt Einfahrt", evse_id="DE*ABC*E12345")
    ReportFileFactory(report=report, original_name="Ökostrom-Vertrag.pdf")
    return lifecycle.submit(report, applicant)


def history(report):
    return list(
        ReportTransition.objects.filter(report=report)
        .order_by("at", "id")
        .values_list("from_status", "to_status", "by__email", "comment")
    )


def test_return_comment_reopen_resubmit_accept_every_step_recorded(client, caseworker, applicant):
    report = submitted_commissioning_report(applicant)

    # The detail page shows the answers, the point table, the file link and the actions.
    html = client.get(change_url(report)).content.decode()
    assert "Ladepunkt Einfahrt" in html and "DE*ABC*E12345" in html
    assert reverse("reports:file_download", args=[report.files.get().pk]) in html
    assert "18.400,00" in html  # costs, formatted as the wizard's summary does
    assert accept_url(report) in html and return_url(report) in html

    # Returning needs a comment: without one nothing changes.
    response = client.post(return_url(report), {"comment": "   "})
    assert response.status_code == 400
    assert response.context["form"].errors["comment"]
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert len(history(report)) == 2

    comment = "Bitte laden Sie den Ökostrom-Nachweis für 2026 hoch."
    response = client.post(return_url(report), {"comment": comment})
    assert response.status_code == 302 and response["Location"] == change_url(report)
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.caseworker_comment == comment

    # The applicant sees the comment on the dashboard and on the report page.
    client.force_login(applicant)
    assert comment in client.get(reverse("applications:dashboard")).content.decode()
    assert comment in client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    response = client.post(reverse("reports:reopen", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    lifecycle.submit(report, applicant)

    client.force_login(caseworker)
    response = client.post(accept_url(report), {"comment": "Vielen Dank."}, follow=True)
    said = [str(m) for m in response.context["messages"]]
    assert said[-1] == f"Die Antragstellerin oder der Antragsteller erhält eine E-Mail ({applicant.email})."
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.accepted_at is not None
    assert history(report) == [
        ("not_started", "draft", applicant.email, ""),
        ("draft", "submitted", applicant.email, ""),
        ("submitted", "returned", caseworker.email, comment),
        ("returned", "draft", applicant.email, ""),
        ("draft", "submitted", applicant.email, ""),
        ("submitted", "accepted", caseworker.email, "Vielen Dank."),
    ]
    # The history is on the detail page, with who and the comment.
    html = client.get(change_url(report)).content.decode()
    assert comment in html and caseworker.email in html
    assert accept_url(report) not in html  # nothing left to review


def test_accepting_a_report_without_an_account_says_nobody_was_mailed(client, caseworker, applicant):
    """Not "informed by e-mail" when there is nobody to tell (the application's account
    was removed, say): the caseworker learns that the applicant knows nothing yet."""
    from django.core import mail

    report = submitted_commissioning_report(applicant)
    FundingApplication = type(report.application)
    FundingApplication.objects.filter(pk=report.application.pk).update(owner=None)
    mail.outbox.clear()
    response = client.post(accept_url(report), {"comment": ""}, follow=True)
    said = [str(m) for m in response.context["messages"]]
    assert f"Mit dem Antrag {report.application.kfw_number} ist noch kein Konto verbunden" in said[-1]
    assert not any("erhält eine E-Mail" in m for m in said)
    assert mail.outbox == []


@pytest.mark.parametrize("status", [ReportStatus.DRAFT, ReportStatus.RETURNED, ReportStatus.ACCEPTED])
def test_report_not_submitted_cannot_be_accepted_or_returned(client, caseworker, status):
    report = ReportFactory(status=status)

    for url, data in [(accept_url(report), {}), (return_url(report), {"comment": "x"})]:
        for response in (client.get(url, follow=True), client.post(url, data, follow=True)):
            assert response.redirect_chain[-1][0] == change_url(report)
            messages = [str(m) for m in response.context["messages"]]
            assert len(messages) == 1 and str(report.get_status_display()) in messages[0]
    report.refresh_from_db()
    assert report.status == status
    assert not ReportTransition.objects.filter(report=report).exists()


def test_review_forms_render(client, caseworker, applicant):
    report = submitted_commissioning_report(applicant)
    for url in (accept_url(report), return_url(report)):
        response = client.get(url)
        assert response.status_code == 200
        assert report.reference_number in response.content.decode()


def test_caseworker_who_may_only_view_cannot_review(client, applicant):
    reader = CaseworkerFactory()
    reader.groups.clear()
    reader.user_permissions.add(
        Permission.objects.get(content_type__app_label="reports", codename="view_report")
    )
    client.force_login(reader)
    report = submitted_commissioning_report(applicant)

    html = client.get(change_url(report)).content.decode()
    assert "Ladepunkt Einfahrt" in html
    assert accept_url(report) not in html
    assert client.post(accept_url(report)).status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_applicant_and_caseworker_without_mfa_are_kept_out(client, applicant):
    report = submitted_commissioning_report(applicant)
    for user in (applicant, CaseworkerFactory(totp=False)):
        client.force_login(user)
        for url in (change_url(report), accept_url(report)):
            assert client.post(url, {"comment": "x"}).status_code == 302  # to the login
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def listed(client, **params):
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return {report.pk for report in response.context["cl"].result_list}


def test_filters_and_search(client, caseworker):
    today = timezone.localdate()
    municipal = ReportFactory(
        application__program="439", application__applicant_name="Gemeinde Wiesental",
        status=ReportStatus.SUBMITTED,
    )
    company = ReportFactory(
        application__program="441", application__email="info@ladepark-ost.example",
        operation=True, status=ReportStatus.DRAFT, due_date=today - datetime.timedelta(days=1),
    )
    accepted_late = ReportFactory(
        final_proof=True, status=ReportStatus.ACCEPTED, due_date=today - datetime.timedelta(days=30),
    )

    assert listed(client, type__exact="operation") == {company.pk}
    assert listed(client, status__exact="submitted") == {municipal.pk}
    assert listed(client, application__program__exact="439") == {municipal.pk}
    assert listed(client, overdue="yes") == {company.pk}  # accepted is never overdue
    assert listed(client, overdue="no") == {municipal.pk, accepted_late.pk}
    assert listed(client, q=municipal.application.kfw_number) == {municipal.pk}
    assert listed(client, q="wiesental") == {municipal.pk}
    assert listed(client, q="ladepark-ost") == {company.pk}
    assert listed(client, q=accepted_late.application.owner.email) == {accepted_late.pk}
    assert "Nach Frist" in client.get(reverse(CHANGELIST)).content.decode()  # not "Nach überfällig"


def test_a_reports_page_needs_the_same_queries_however_long_its_history(
    client, caseworker, applicant
):
    """Each row of the status history and of the reminders is captioned by its own
    words ("Entwurf → Eingereicht"), not by the report's name (two queries a row)."""
    from reports.models import ReminderSent

    report = submitted_commissioning_report(applicant)

    def count():
        with CaptureQueriesContext(connection) as queries:
            page = client.get(change_url(report))
        assert page.status_code == 200
        return len(queries), page.content.decode()

    ReminderSent.objects.create(report=report, occasion="due_soon", recipient=applicant.email)
    count()  # fills the per-process content type cache
    few, html = count()
    assert f"{ReportStatus.DRAFT.label} → {ReportStatus.SUBMITTED.label}" in html
    for number in range(8):
        ReportTransition.objects.create(report=report, from_status="submitted",
                                        to_status="returned", by=caseworker, comment=f"{number}")
    ReminderSent.objects.create(report=report, occasion="overdue", recipient=applicant.email)
    many, _html = count()
    assert many == few


def test_list_needs_the_same_queries_for_1_and_30_reports(client, caseworker):
    ReportFactory()

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(CHANGELIST)).status_code == 200
        return len(queries)

    one = count()
    ReportFactory.create_batch(29)
    assert count() == one


def test_detail_pages_of_operation_and_final_proof_reports(client, caseworker):
    commissioning = ReportFactory(status=ReportStatus.ACCEPTED)
    point = ChargingPointFactory(report=commissioning, label="Schnelllader Süd")
    operation = ReportFactory(
        application=commissioning.application, operation=True, status=ReportStatus.SUBMITTED,
        availability_and_faults="Ausfall am 3. Mai",
    )
    operation.session_summaries.create(
        charging_point=point, sessions=412, energy_kwh=Decimal("8123.456"), hours=Decimal("700.5")
    )
    html = client.get(change_url(operation)).content.decode()
    assert "Schnelllader Süd" in html and "412" in html and "Ausfall am 3. Mai" in html

    final = ReportFactory(
        application=commissioning.application, final_proof=True, status=ReportStatus.SUBMITTED,
        factual_report="Alle Ladepunkte sind in Betrieb.",
    )
    ReportFileFactory(report=final, kind="invoice", original_name="Rechnung 1.pdf")
    html = client.get(change_url(final)).content.decode()
    assert "Alle Ladepunkte sind in Betrieb." in html and "Rechnung 1.pdf" in html


def test_whole_round_trip_through_the_wizard_and_the_admin(client, django_capture_on_commit_callbacks):
    """Applicant submits through the wizard, the caseworker returns it in the admin, the
    applicant reads the comment, revises and resubmits, the caseworker accepts: every
    step over HTTP, every transition recorded, every e-mail sent."""
    from django.core import mail

    from .test_commissioning_wizard import complete_all_steps
    from .wizard_helpers import COSTS, check_url, days_ago, post_step

    applicant = UserFactory()
    caseworker = CaseworkerFactory()
    application = FundingApplicationFactory(
        owner=applicant, approval_date=days_ago(200), approved_charging_points=3
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(applicant)
        client.post(reverse("reports:start", args=[application.pk, "commissioning", 0]))
        report = Report.objects.get(application=application)
        complete_all_steps(client, report)
        assert client.post(check_url(report), {"submit_report": "1"}).status_code == 302

        client.force_login(caseworker)
        html = client.get(change_url(report)).content.decode()
        proof = report.files.get()
        assert reverse("reports:file_download", args=[proof.pk]) in html
        assert client.get(reverse("reports:file_download", args=[proof.pk])).status_code == 200
        comment = "Bitte prüfen Sie die sonstigen Kosten."
        assert client.post(return_url(report), {"comment": comment}).status_code == 302

        client.force_login(applicant)
        assert comment in client.get(reverse("applications:dashboard")).content.decode()
        client.post(reverse("reports:reopen", args=[report.pk]))
        post_step(client, report, "kosten", {**COSTS, "cost_other": "99"},
                  extra={"zur_pruefung": "1"})
        assert client.post(check_url(report), {"submit_report": "1"}).status_code == 302

        client.force_login(caseworker)
        assert client.post(accept_url(report), {"comment": ""}).status_code == 302

    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and str(report.cost_other) == "99.00"
    assert [(f, t) for f, t, _by, _c in history(report)] == [
        ("not_started", "draft"), ("draft", "submitted"), ("submitted", "returned"),
        ("returned", "draft"), ("draft", "submitted"), ("submitted", "accepted"),
    ]
    assert [m.to for m in mail.outbox] == [[applicant.email]] * 4
    receipt, returned, receipt_again, accepted = (m.body for m in mail.outbox)
    assert report.reference_number in receipt and report.reference_number in receipt_again
    assert comment in returned
    assert reverse("reports:detail", args=[report.pk]) in accepted
