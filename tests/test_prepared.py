"""now_portal.prepared: querysets compiled once give what the ORM gives, on both databases."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db.models import Count

from applications.models import FundingApplication, dashboard_applications
from now_portal.prepared import PreparedQuery
from reports.models import Report, ReportStatus, dashboard_reports, owned_report_with_application
from tests.applications.factories import FundingApplicationFactory, UserFactory
from tests.reports.factories import ChargingPointFactory, ReportFactory

pytestmark = pytest.mark.django_db


def fields(instance):
    """Every column's value as the instance holds it (types included)."""
    values = {
        field.attname: instance.__dict__.get(field.attname, "<deferred>")
        for field in instance._meta.concrete_fields
    }
    return {name: (type(value), value) for name, value in values.items()}


@pytest.fixture
def applicant():
    return UserFactory()


@pytest.fixture
def report(applicant):
    application = FundingApplicationFactory(
        owner=applicant, approved_amount=Decimal("12345.67"), approval_date=datetime.date(2025, 3, 4)
    )
    report = ReportFactory(
        application=application, status=ReportStatus.DRAFT,
        wizard_state={"step_data": {"standort": {"standort-city": ["Köln"]}}},
    )
    ChargingPointFactory(report=report, commissioning_date=datetime.date(2025, 6, 2))
    ChargingPointFactory(report=report, commissioning_date=datetime.date(2025, 5, 30))
    return report


def test_a_report_with_its_application_as_the_orm_reads_it(report, applicant, django_assert_num_queries):
    expected = Report.objects.select_related("application").get(pk=report.pk)
    with django_assert_num_queries(1):
        found = owned_report_with_application(report.pk, applicant)
        application = found.application  # loaded with it, no second query
    assert fields(found) == fields(expected)
    assert fields(application) == fields(expected.application)
    assert found.wizard_state["step_data"]["standort"] == {"standort-city": ["Köln"]}
    assert isinstance(application.approved_amount, Decimal)
    assert found._state.adding is False and found._state.db == "default"
    found.status = ReportStatus.SUBMITTED
    found.save(update_fields=["status"])  # an instance like any other
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_another_applicants_report_is_not_found(report):
    other = UserFactory()
    FundingApplicationFactory(owner=other)
    assert owned_report_with_application(report.pk, other) is None
    assert owned_report_with_application(report.pk + 1000, report.application.owner) is None


def test_dashboard_reads_as_the_orm_with_the_annotation(report, applicant):
    second = FundingApplicationFactory(owner=applicant, approval_date=datetime.date(2026, 1, 5))
    ReportFactory(application=second)
    ReportFactory(application=FundingApplicationFactory(owner=UserFactory()))  # not theirs

    applications = dashboard_applications(applicant)
    assert [a.pk for a in applications] == [
        a.pk for a in FundingApplication.objects.for_dashboard(applicant)
    ] == [second.pk, report.application.pk]
    assert fields(applications[0]) == fields(FundingApplication.objects.for_dashboard(applicant)[0])

    reports = {r.pk: r for r in dashboard_reports(applicant)}
    expected = {r.pk: r for r in Report.objects.filter(application__owner=applicant).for_dashboard()}
    assert reports.keys() == expected.keys() and len(reports) == 2
    for pk, found in reports.items():
        assert fields(found) == fields(expected[pk])
        assert found.first_commissioning_date == expected[pk].first_commissioning_date
    assert reports[report.pk].first_commissioning_date == datetime.date(2025, 5, 30)
    assert set(reports[report.pk].get_deferred_fields()) == set(expected[report.pk].get_deferred_fields())


def test_a_number_beyond_every_integer_column_finds_nothing(report, applicant, client):
    """A number typed into a URL: nothing found, as the ORM answers, not an error."""
    for pk in (2**63, 10**23, -(2**63) - 1):
        assert owned_report_with_application(pk, applicant) is None
    assert owned_report_with_application(2**63 - 1, applicant) is None  # in range, no row
    client.force_login(applicant)
    assert client.get("/berichte/99999999999999999999999/inbetriebnahme/").status_code == 404
    assert client.get("/berichte/99999999999999999999999/inbetriebnahme/standort/").status_code == 404


def test_new_rows_and_other_values_after_the_first_compilation(applicant, report):
    assert len(dashboard_reports(applicant)) == 1
    ReportFactory(application=report.application, operation=True, period=2026)
    other = UserFactory()
    assert len(dashboard_reports(applicant)) == 2
    assert dashboard_reports(other) == []


@pytest.mark.django_db(transaction=True)
def test_each_thread_compiles_for_its_own_connection(applicant, report):
    from django.db import connections

    query = PreparedQuery(lambda pk: Report.objects.filter(pk=pk), arguments=1)
    assert query(report.pk)[0].pk == report.pk
    found = {}

    def other_thread():
        thread_connection = connections["default"]
        try:
            found["report"] = query(report.pk)[0]
            found["connection"] = thread_connection
        finally:
            thread_connection.close()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert found["report"].pk == report.pk
    assert found["connection"] is not connections["default"]
    assert query(report.pk)[0].pk == report.pk  # this thread's compilation still serves it


def test_what_cannot_be_prepared_is_refused(report):
    transformed = PreparedQuery(
        lambda number: FundingApplication.objects.filter(kfw_number__contains=number), arguments=1
    )
    with pytest.raises(ValueError, match="exact lookup"):
        transformed(123)
    with pytest.raises(ValueError, match="model instances"):
        PreparedQuery(lambda pk: Report.objects.filter(pk=pk).values("pk"), arguments=1)(report.pk)
    with pytest.raises(ValueError, match="model instances"):
        PreparedQuery(
            lambda pk: Report.objects.filter(pk=pk).prefetch_related("charging_points"), arguments=1
        )(report.pk)
    with pytest.raises(TypeError, match="2 values expected"):
        PreparedQuery(lambda a, b: Report.objects.filter(pk=a, application_id=b), arguments=2)(1)
    with pytest.raises(ValueError, match="1 to 8 arguments"):
        PreparedQuery(lambda: Report.objects.all(), arguments=0)


def test_an_aggregate_annotation_comes_through(report, applicant):
    query = PreparedQuery(
        lambda owner: Report.objects.filter(application__owner_id=owner)
        .annotate(points=Count("charging_points")),
        arguments=1,
    )
    assert [r.points for r in query(applicant.pk)] == [2]
