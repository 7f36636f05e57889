"""The deadline rules: month arithmetic at month ends and leap years, the operating duty,
and the list of reports an application owes."""

import datetime

import pytest
from django.utils import timezone

from reports import deadlines
from reports.deadlines import add_months, owed_reports
from reports.models import Report, ReportStatus, ReportType
from tests.applications.factories import FundingApplicationFactory

from .factories import ChargingPointFactory, ReportFactory

D = datetime.date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 8, 31), 6, D(2027, 2, 28)),  # February is short
        (D(2027, 8, 31), 6, D(2028, 2, 29)),  # … and leap years have the 29th
        (D(2027, 8, 29), 6, D(2028, 2, 29)),
        (D(2026, 8, 29), 6, D(2027, 2, 28)),
        (D(2026, 3, 31), 6, D(2026, 9, 30)),
        (D(2026, 7, 31), 6, D(2027, 1, 31)),  # across the year end
        (D(2026, 1, 15), 6, D(2026, 7, 15)),
        (D(2026, 12, 31), 2, D(2027, 2, 28)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),  # a leap day plus a year
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(start, months, expected):
    assert add_months(start, months) == expected


def test_commissioning_due_six_months_after_approval():
    assert deadlines.commissioning_due_date(D(2026, 8, 31)) == D(2027, 2, 28)
    assert deadlines.commissioning_due_date(D(2027, 8, 31)) == D(2028, 2, 29)


@pytest.mark.parametrize(
    ("commissioned", "years"),
    [
        (D(2026, 9, 15), list(range(2026, 2033))),  # partial first and last year: seven
        (D(2027, 1, 1), list(range(2027, 2033))),  # starts on 1 January: exactly six
        (D(2026, 12, 31), list(range(2026, 2033))),  # one day of 2026 counts
        (D(2028, 2, 29), list(range(2028, 2035))),  # leap day: duty ends 28 Feb 2034
    ],
)
def test_operating_duty_covers_each_calendar_year_with_a_day_of_duty(commissioned, years):
    assert deadlines.operating_duty_years(commissioned) == years


def test_operation_report_due_31_march_next_year():
    assert deadlines.operation_due_date(2028) == D(2029, 3, 31)


def test_final_proof_due_six_months_after_acceptance():
    assert deadlines.final_proof_due_date(D(2026, 8, 31)) == D(2027, 2, 28)


pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_new_application_owes_only_the_commissioning_report():
    application = FundingApplicationFactory(approval_date=D(2026, 8, 31))

    owed = owed_reports(application, today=D(2026, 10, 1))

    assert [(o.type, o.period, o.due_date, o.status) for o in owed] == [
        (ReportType.COMMISSIONING, 0, D(2027, 2, 28), ReportStatus.NOT_STARTED)
    ]
    assert owed[0].report is None and owed[0].next_action == "start"
    assert not owed[0].is_overdue


@pytestmark_db
def test_overdue_flag_from_the_day_after_the_due_date():
    application = FundingApplicationFactory(approval_date=D(2026, 8, 31))
    assert not owed_reports(application, today=D(2027, 2, 28))[0].is_overdue
    assert owed_reports(application, today=D(2027, 3, 1))[0].is_overdue


@pytestmark_db
def test_submitted_report_is_never_overdue():
    report = ReportFactory(status=ReportStatus.SUBMITTED, due_date=D(2026, 1, 1))
    (item,) = owed_reports(report.application, today=D(2027, 1, 1))
    assert item.report == report and not item.is_overdue and item.next_action == "view"


def accepted_commissioning(accepted_at, first_point, other_points=()):
    report = ReportFactory(
        status=ReportStatus.ACCEPTED,
        accepted_at=accepted_at,
        application__approval_date=D(2026, 3, 31),
    )
    for day in (first_point, *other_points):
        ChargingPointFactory(report=report, commissioning_date=day)
    return report


@pytestmark_db
def test_accepted_commissioning_starts_operation_reports_and_final_proof():
    accepted_at = timezone.make_aware(datetime.datetime(2027, 8, 31, 10, 0))
    commissioning = accepted_commissioning(
        accepted_at, D(2026, 9, 15), other_points=[D(2026, 11, 2), D(2027, 1, 5)]
    )

    owed = owed_reports(commissioning.application, today=D(2028, 4, 1))

    summary = [(o.type, o.period, o.due_date) for o in owed]
    assert (ReportType.OPERATION, 2026, D(2027, 3, 31)) in summary
    assert (ReportType.OPERATION, 2027, D(2028, 3, 31)) in summary
    assert (ReportType.OPERATION, 2028, D(2029, 3, 31)) in summary  # its year has begun
    assert not any(o.type == ReportType.OPERATION and o.period > 2028 for o in owed)
    assert (ReportType.FINAL_PROOF, 0, D(2028, 2, 29)) in summary  # 31 Aug + 6 months, leap
    # Sorted by due date; overdue where open and past due.
    assert [o.due_date for o in owed] == sorted(o.due_date for o in owed)
    overdue = {(o.type, o.period) for o in owed if o.is_overdue}
    assert overdue == {
        (ReportType.OPERATION, 2026),
        (ReportType.OPERATION, 2027),
        (ReportType.FINAL_PROOF, 0),
    }


@pytestmark_db
def test_whole_duty_listed_once_all_years_have_begun():
    commissioning = accepted_commissioning(timezone.now(), D(2026, 9, 15))
    owed = owed_reports(commissioning.application, today=D(2040, 1, 1))
    assert [o.period for o in owed if o.type == ReportType.OPERATION] == list(range(2026, 2033))


@pytestmark_db
def test_submitted_commissioning_report_starts_nothing_yet():
    report = ReportFactory(status=ReportStatus.SUBMITTED)
    ChargingPointFactory(report=report)
    assert [o.type for o in owed_reports(report.application, today=D(2030, 1, 1))] == [
        ReportType.COMMISSIONING
    ]


@pytestmark_db
def test_existing_row_replaces_the_not_started_entry():
    report = ReportFactory(status=ReportStatus.DRAFT, due_date=D(2026, 9, 30))
    owed = owed_reports(report.application, today=D(2026, 10, 1))
    assert len(owed) == 1
    assert owed[0].report == report and owed[0].next_action == "continue" and owed[0].is_overdue


@pytestmark_db
def test_withdrawn_application_owes_nothing_new_but_keeps_its_reports():
    application = FundingApplicationFactory(withdrawn=True, claimed=True)
    assert owed_reports(application, today=D(2026, 10, 1)) == []

    commissioning = accepted_commissioning(timezone.now(), D(2026, 9, 15))
    commissioning.application.kfw_status = "withdrawn"
    commissioning.application.save()
    owed = owed_reports(commissioning.application, today=D(2030, 1, 1))
    assert [o.report for o in owed] == [commissioning]
    assert commissioning.application.is_withdrawn


@pytestmark_db
def test_not_started_row_can_not_be_continued_on_withdrawn_application():
    report = ReportFactory(status=ReportStatus.NOT_STARTED, application__withdrawn=True)
    (item,) = owed_reports(report.application)
    assert item.status == ReportStatus.NOT_STARTED and item.next_action is None


@pytestmark_db
def test_query_annotation_gives_the_earliest_point_as_deadlines_reads_it():
    commissioning = accepted_commissioning(
        timezone.now(), D(2026, 11, 2), other_points=[D(2026, 9, 15), D(2027, 1, 5)]
    )
    without_points = ReportFactory(type=ReportType.OPERATION, period=2026)

    annotated = {
        r.pk: r.first_commissioning_date
        for r in Report.objects.filter(pk__in=[commissioning.pk, without_points.pk])
        .with_first_commissioning_date()
    }

    assert annotated == {commissioning.pk: D(2026, 9, 15), without_points.pk: None}
    assert deadlines.commissioning_date(
        [Report.objects.with_first_commissioning_date().get(pk=commissioning.pk)]
    ) == deadlines.commissioning_date([commissioning]) == D(2026, 9, 15)
