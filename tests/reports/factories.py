"""Factories for reports and what hangs off them (built on the applications' factories)."""

import datetime
from decimal import Decimal

import factory
from django.core.files.base import ContentFile

from reports import deadlines
from reports.models import (
    ONE_OFF_PERIOD,
    ChargingPoint,
    Connector,
    CurrentType,
    Report,
    ReportFile,
    ReportFileKind,
    ReportStatus,
    ReportTransition,
    ReportType,
)
from tests.applications.factories import FundingApplicationFactory

# The smallest valid PDF header is enough for content sniffing.
PDF_BYTES = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    application = factory.SubFactory(FundingApplicationFactory, claimed=True)
    type = ReportType.COMMISSIONING
    period = ONE_OFF_PERIOD
    status = ReportStatus.DRAFT
    due_date = factory.LazyAttribute(
        lambda o: deadlines.commissioning_due_date(o.application.approval_date)
        if o.type == ReportType.COMMISSIONING
        else deadlines.operation_due_date(o.period)
        if o.type == ReportType.OPERATION
        else datetime.date(2027, 6, 30)
    )
    site_street = factory.LazyAttribute(lambda o: o.application.street)
    site_house_number = factory.LazyAttribute(lambda o: o.application.house_number)
    site_postal_code = factory.LazyAttribute(lambda o: o.application.postal_code)
    site_city = factory.LazyAttribute(lambda o: o.application.city)
    operator_name = factory.LazyAttribute(lambda o: o.application.applicant_name)

    class Params:
        operation = factory.Trait(type=ReportType.OPERATION, period=2027)
        final_proof = factory.Trait(type=ReportType.FINAL_PROOF)


class ChargingPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChargingPoint

    report = factory.SubFactory(ReportFactory)
    label = factory.Sequence(lambda n: f"Ladepunkt {n + 1}")
    power_kw = Decimal("22.00")
    current_type = CurrentType.AC
    connector = Connector.TYPE_2
    commissioning_date = datetime.date(2026, 6, 15)
    evse_id = ""


class ReportFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportFile

    report = factory.SubFactory(ReportFactory)
    kind = ReportFileKind.RENEWABLE_PROOF
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="nachweis.pdf"))
    original_name = "Ökostrom-Nachweis.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)


class ReportTransitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportTransition

    report = factory.SubFactory(ReportFactory)
    from_status = ReportStatus.DRAFT
    to_status = ReportStatus.SUBMITTED
