"""The reports on the applicant's dashboard: what each shows, its next action, the
start page, and a number of queries that does not grow with the number of reports."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.models import Report, ReportStatus, ReportType
from tests.applications.factories import FundingApplicationFactory, UserFactory

from .factories import ChargingPointFactory, ReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(client):
    user = UserFactory()
    client.force_login(user)
    return user


def dashboard_html(client):
    response = client.get(reverse("applications:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_new_application_shows_commissioning_report_to_start(client, applicant):
    application = FundingApplicationFactory(owner=applicant, approval_date=datetime.date(2026, 8, 31))
    html = dashboard_html(client)
    assert "Inbetriebnahmemeldung" in html
    assert "28. Februar 2027" in html
    assert "Nicht begonnen" in html
    assert reverse("reports:start", args=[application.pk, "commissioning", 0]) in html


def test_every_status_shows_its_action_and_overdue_stands_out(client, applicant):
    application = FundingApplicationFactory(owner=applicant, approval_date=datetime.date(2025, 1, 1))
    commissioning = ReportFactory(
        application=application, status=ReportStatus.ACCEPTED, accepted_at=timezone.now()
    )
    ChargingPointFactory(report=commissioning, commissioning_date=datetime.date(2025, 5, 1))
    draft = ReportFactory(application=application, operation=True, period=2025, current_step="verfuegbarkeit")
    returned = ReportFactory(
        application=application, operation=True, period=2026, status=ReportStatus.RETURNED,
        caseworker_comment="Bitte ergänzen.",
    )

    html = dashboard_html(client)

    detail = lambda r: reverse("reports:detail", args=[r.pk])  # noqa: E731
    assert detail(commissioning) in html and "Angenommen" in html
    # "Continue" opens the draft's wizard at the step it was left on, with no redirect between.
    assert reverse("reports:operation_step", args=[draft.pk, "verfuegbarkeit"]) in html
    assert f'href="{detail(draft)}"' not in html and "Betriebsbericht 2025 fortsetzen" in html
    assert detail(returned) in html and "Zur Überarbeitung zurückgegeben" in html
    # The 2025 operation report (due 31 March 2026) is overdue; so is nothing accepted.
    assert html.count("reports-list__item--overdue") == 1
    assert "Überfällig" in html
    # The final proof is owed and can be started.
    assert reverse("reports:start", args=[application.pk, "final_proof", 0]) in html


def test_withdrawn_application_offers_no_start(client, applicant):
    application = FundingApplicationFactory(owner=applicant, withdrawn=True)
    html = dashboard_html(client)
    assert reverse("reports:start", args=[application.pk, "commissioning", 0]) not in html


def build_reports(applicant, count):
    """`count` applications with a submitted commissioning report and points each."""
    for _ in range(count):
        report = ReportFactory(application__owner=applicant, status=ReportStatus.ACCEPTED,
                               accepted_at=timezone.now())
        ChargingPointFactory.create_batch(2, report=report)
        ReportFactory(application=report.application, operation=True,
                      period=timezone.localdate().year)


def count_dashboard_queries(client):
    with CaptureQueriesContext(connection) as queries:
        dashboard_html(client)
    return len(queries.captured_queries)


def test_dashboard_queries_do_not_grow_with_reports(client, applicant):
    build_reports(applicant, 1)
    with_one = count_dashboard_queries(client)
    build_reports(applicant, 49)
    assert Report.objects.count() == 100
    with_fifty = count_dashboard_queries(client)

    assert with_fifty == with_one
    html = dashboard_html(client)
    assert html.count("reports-list__item") >= 150  # commissioning, operation, final proof


def test_start_page_then_start_creates_a_draft(client, applicant):
    application = FundingApplicationFactory(owner=applicant)
    url = reverse("reports:start", args=[application.pk, "commissioning", 0])

    page = client.get(url)
    assert page.status_code == 200 and not Report.objects.exists()

    response = client.post(url)
    report = Report.objects.get()
    assert report.status == ReportStatus.DRAFT and report.type == ReportType.COMMISSIONING
    assert response.status_code == 302
    # Starting again (the back button) leads to the same draft.
    assert client.get(url)["Location"] == reverse("reports:detail", args=[report.pk])
    client.post(url)
    assert Report.objects.count() == 1


def test_the_report_page_writes_the_due_date_as_the_dashboard_does(client, applicant):
    from django.utils import dateformat

    application = FundingApplicationFactory(owner=applicant)
    client.post(reverse("reports:start", args=[application.pk, "commissioning", 0]))
    report = Report.objects.get()
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)  # shown, not a wizard
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    written = dateformat.format(report.due_date, "j. F Y")  # German DATE_FORMAT
    assert written in page and written in client.get(reverse("applications:dashboard")).content.decode()


def test_starting_reads_the_applications_reports_once(client, applicant):
    application = FundingApplicationFactory(owner=applicant)
    with CaptureQueriesContext(connection) as queries:
        client.post(reverse("reports:start", args=[application.pk, "commissioning", 0]))

    statements = [q["sql"].lstrip() for q in queries.captured_queries]
    before_insert = statements[: next(i for i, sql in enumerate(statements) if sql.startswith("INSERT"))]
    report_reads = [sql for sql in before_insert if sql.startswith("SELECT") and "reports_report" in sql]
    # What the application owes (once for the view and `lifecycle.start`), then the
    # row of this report (get_or_create).
    assert len(report_reads) == 2


def test_start_of_report_not_owed_is_404(client, applicant):
    application = FundingApplicationFactory(owner=applicant)
    for args in [(application.pk, "operation", 2027), (application.pk, "final_proof", 0),
                 (application.pk, "nonsense", 0)]:
        assert client.get(reverse("reports:start", args=args)).status_code == 404
        assert client.post(reverse("reports:start", args=args)).status_code == 404
    assert not Report.objects.exists()


def test_another_applicants_reports_are_404(client, applicant):
    theirs = ReportFactory(status=ReportStatus.RETURNED, caseworker_comment="Geheim")
    other_application = FundingApplicationFactory(claimed=True)

    assert client.get(reverse("reports:detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("reports:reopen", args=[theirs.pk])).status_code == 404
    start = reverse("reports:start", args=[other_application.pk, "commissioning", 0])
    assert client.get(start).status_code == 404
    assert client.post(start).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ReportStatus.RETURNED
    assert not Report.objects.filter(application=other_application).exists()


def test_returned_report_shows_comment_and_can_be_revised(client, applicant):
    report = ReportFactory(
        application__owner=applicant, status=ReportStatus.RETURNED,
        caseworker_comment="Bitte den Nachweis ergänzen.",
    )
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Bitte den Nachweis ergänzen." in page

    client.post(reverse("reports:reopen", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


@pytest.mark.parametrize("language", ["de", "en"])
def test_reports_part_in_python_is_the_reference_template(applicant, language):
    """reports.dashboard.ReportRows.html writes reports/dashboard_reports.html's bytes, for
    every status, action, overdue row, comment (with markup and line breaks), withdrawn
    applications and cards without reports."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from reports.dashboard import ReportRows
    from reports.models import dashboard_reports

    today = timezone.localdate()
    busy = FundingApplicationFactory(owner=applicant, approval_date=datetime.date(2024, 1, 31))
    commissioning = ReportFactory(application=busy, status=ReportStatus.ACCEPTED,
                                  accepted_at=timezone.now() - datetime.timedelta(days=400))
    ChargingPointFactory(report=commissioning, commissioning_date=datetime.date(2024, 5, 2))
    ReportFactory(application=busy, operation=True, period=2024, status=ReportStatus.SUBMITTED)
    ReportFactory(application=busy, operation=True, period=2025, status=ReportStatus.RETURNED,
                  caseworker_comment='Bitte <b>ergänzen</b> & "so".\nZweite Zeile\n\nDritte')
    withdrawn = FundingApplicationFactory(owner=applicant, withdrawn=True)
    ReportFactory(application=withdrawn)
    FundingApplicationFactory(owner=applicant, withdrawn=True)  # owes nothing: no rows
    returned = FundingApplicationFactory(owner=applicant)
    ReportFactory(application=returned, status=ReportStatus.RETURNED, caseworker_comment="")
    applications = [busy, withdrawn, *applicant.funding_applications.exclude(
        pk__in=[busy.pk, withdrawn.pk])]

    with translation.override(language):
        rows = ReportRows(dashboard_reports(applicant), today)
        for application in applications:
            owed = rows.for_application(application)
            reference = render_to_string(
                "reports/dashboard_reports.html", {"rows": owed, "application": application}
            )
            assert rows.html(application) == reference, application
    statuses = {row["status_label"] for a in applications for row in rows.for_application(a)}
    assert len(statuses) >= 4
