"""Status changes: only the allowed ones, each recorded with who, when and the comment."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import lifecycle
from reports.lifecycle import TransitionNotAllowed
from reports.models import Report, ReportStatus, ReportTransition, ReportType
from tests.applications.factories import CaseworkerFactory, FundingApplicationFactory, UserFactory

from .factories import ReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant():
    return UserFactory()


@pytest.fixture
def caseworker():
    return CaseworkerFactory(totp=False)


def history(report):
    return list(
        ReportTransition.objects.filter(report=report).values_list(
            "from_status", "to_status", "by__email", "comment"
        )
    )


def test_full_lifecycle_is_recorded(applicant, caseworker):
    application = FundingApplicationFactory(owner=applicant, approval_date=datetime.date(2026, 8, 31))

    report = lifecycle.start(application, ReportType.COMMISSIONING, 0, applicant)
    assert report.status == ReportStatus.DRAFT
    assert report.due_date == datetime.date(2027, 2, 28)
    # The site is prefilled from the application.
    assert (report.site_street, report.site_city, report.operator_name) == (
        application.street, application.city, application.applicant_name
    )

    lifecycle.submit(report, applicant)
    assert report.status == ReportStatus.SUBMITTED and report.submitted_at
    reference = report.reference_number
    assert reference.startswith("NOW-") and reference.endswith(f"-{report.pk:06d}")

    lifecycle.return_for_changes(report, caseworker, "Bitte den Nachweis ergänzen.")
    assert report.status == ReportStatus.RETURNED
    assert report.caseworker_comment == "Bitte den Nachweis ergänzen."

    lifecycle.reopen(report, applicant)
    lifecycle.submit(report, applicant)
    assert report.reference_number == reference  # kept on resubmission
    assert report.caseworker_comment == ""

    lifecycle.accept(report, caseworker)
    assert report.status == ReportStatus.ACCEPTED and report.accepted_at

    a, c = applicant.email, caseworker.email
    assert history(report) == [
        ("not_started", "draft", a, ""),
        ("draft", "submitted", a, ""),
        ("submitted", "returned", c, "Bitte den Nachweis ergänzen."),
        ("returned", "draft", a, ""),
        ("draft", "submitted", a, ""),
        ("submitted", "accepted", c, ""),
    ]


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (ReportStatus.DRAFT, "accept"),
        (ReportStatus.DRAFT, "return"),
        (ReportStatus.DRAFT, "reopen"),
        (ReportStatus.SUBMITTED, "submit"),
        (ReportStatus.SUBMITTED, "reopen"),
        (ReportStatus.ACCEPTED, "submit"),
        (ReportStatus.ACCEPTED, "return"),
        (ReportStatus.ACCEPTED, "reopen"),
        (ReportStatus.RETURNED, "submit"),
        (ReportStatus.RETURNED, "accept"),
        (ReportStatus.NOT_STARTED, "submit"),
    ],
)
def test_forbidden_transitions_change_nothing(status, action, applicant, caseworker):
    report = ReportFactory(status=status, application__owner=applicant)
    call = {
        "submit": lambda: lifecycle.submit(report, applicant),
        "accept": lambda: lifecycle.accept(report, caseworker),
        "return": lambda: lifecycle.return_for_changes(report, caseworker, "Bitte ändern."),
        "reopen": lambda: lifecycle.reopen(report, applicant),
    }[action]

    with pytest.raises(TransitionNotAllowed):
        call()

    report.refresh_from_db()
    assert report.status == status
    assert not ReportTransition.objects.filter(report=report).exists()


def test_return_needs_a_comment(caseworker):
    report = ReportFactory(status=ReportStatus.SUBMITTED)
    with pytest.raises(TransitionNotAllowed, match="Kommentar"):
        lifecycle.return_for_changes(report, caseworker, "   ")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_double_submit_records_one_transition_and_one_reference(applicant):
    report = ReportFactory(application__owner=applicant)
    stale_copy = Report.objects.get(pk=report.pk)

    lifecycle.submit(report, applicant)
    with pytest.raises(TransitionNotAllowed):
        lifecycle.submit(stale_copy, applicant)  # a second tab still showing the draft

    assert ReportTransition.objects.filter(report=report, to_status="submitted").count() == 1
    assert Report.objects.exclude(reference_number=None).count() == 1


def test_withdrawn_application_accepts_no_new_reports(applicant):
    application = FundingApplicationFactory(owner=applicant, withdrawn=True)
    with pytest.raises(TransitionNotAllowed, match="zurückgezogen"):
        lifecycle.start(application, ReportType.COMMISSIONING, 0, applicant)
    assert not Report.objects.exists()

    draft = ReportFactory(application__owner=applicant, application__withdrawn=True)
    with pytest.raises(TransitionNotAllowed, match="zurückgezogen"):
        lifecycle.submit(draft, applicant)
    draft.refresh_from_db()
    assert draft.status == ReportStatus.DRAFT and draft.reference_number is None


def test_start_twice_returns_the_same_draft(applicant):
    application = FundingApplicationFactory(owner=applicant)
    first = lifecycle.start(application, ReportType.COMMISSIONING, 0, applicant)
    second = lifecycle.start(application, ReportType.COMMISSIONING, 0, applicant)
    assert first.pk == second.pk and Report.objects.count() == 1
    assert ReportTransition.objects.count() == 1


def test_report_not_owed_cannot_be_started(applicant):
    application = FundingApplicationFactory(owner=applicant)
    with pytest.raises(TransitionNotAllowed):
        lifecycle.start(application, ReportType.OPERATION, 2027, applicant)
    with pytest.raises(TransitionNotAllowed):
        lifecycle.start(application, ReportType.FINAL_PROOF, 0, applicant)
    assert not Report.objects.exists()


def test_materialise_creates_not_started_rows_once():
    application = FundingApplicationFactory(claimed=True)
    rows = lifecycle.materialise_owed_reports(application)
    again = lifecycle.materialise_owed_reports(application)
    assert [r.pk for r in rows] == [r.pk for r in again]
    assert [r.status for r in rows] == [ReportStatus.NOT_STARTED]


def test_transition_signal_fires_after_commit(applicant, django_capture_on_commit_callbacks):
    from reports.lifecycle import report_transitioned

    seen = []

    def receiver(sender, report, transition, **kwargs):
        seen.append((report.pk, transition.to_status))

    report_transitioned.connect(receiver)
    try:
        report = ReportFactory(application__owner=applicant)
        with django_capture_on_commit_callbacks(execute=True):
            lifecycle.submit(report, applicant)
    finally:
        report_transitioned.disconnect(receiver)
    assert seen == [(report.pk, "submitted")]


def test_transition_locks_the_row(applicant):
    if not connection.features.has_select_for_update:
        pytest.skip("SQLite locks the whole database instead")
    report = ReportFactory(application__owner=applicant)
    with CaptureQueriesContext(connection) as queries:
        lifecycle.submit(report, applicant)
    assert any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)
