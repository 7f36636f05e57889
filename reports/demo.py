"""Demo reports for `manage.py seed_demo`: the demo applicant's dashboard shows reports in
every status (not started, draft, submitted, returned with a comment, accepted, overdue).

Every status change goes through `reports.lifecycle` (so the history, reference numbers
and timestamps are real); no e-mails go out. Idempotent: a report that has already left
"not started" is left as it is.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction

from applications.demo import DEMO_CASEWORKER_EMAIL

from . import deadlines, emails, lifecycle
from .models import (
    ONE_OFF_PERIOD,
    ChargingPoint,
    ChargingSessionSummary,
    Connector,
    CurrentType,
    Report,
    ReportFile,
    ReportFileKind,
    ReportStatus,
    ReportType,
)

DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
RETURN_COMMENT = (
    "Bitte ergänzen Sie die Ausfallzeiten von Ladepunkt 2 im Oktober und bestätigen Sie, "
    "dass der Strom weiterhin vollständig aus erneuerbaren Quellen stammt."
)
POINTS = [
    ("Ladepunkt 1 (Einfahrt)", Decimal("22"), CurrentType.AC, Connector.TYPE_2, "DE*NOW*E0000001"),
    ("Ladepunkt 2 (Einfahrt)", Decimal("22"), CurrentType.AC, Connector.TYPE_2, "DE*NOW*E0000002"),
    ("Schnelllader", Decimal("150"), CurrentType.DC, Connector.CCS, "DE*NOW*E0000003"),
]


def _caseworker():
    return get_user_model().objects.filter(email=DEMO_CASEWORKER_EMAIL).first()


def _started(application, report_type, period, applicant, **answers) -> Report | None:
    """The report as a fresh draft with `answers`, or None if it was seeded before."""
    existing = Report.objects.filter(application=application, type=report_type, period=period).first()
    if existing is not None and existing.status != ReportStatus.NOT_STARTED:
        return None
    report = lifecycle.start(application, report_type, period, applicant)
    Report.objects.filter(pk=report.pk).update(**answers)
    report.refresh_from_db()
    return report


def _accepted_commissioning(application, applicant, caseworker):
    report = _started(
        application, ReportType.COMMISSIONING, ONE_OFF_PERIOD, applicant,
        publicly_accessible=True, renewable_electricity=True,
        cost_hardware=Decimal("18400.00"), cost_installation=Decimal("6150.50"),
        cost_grid_connection=Decimal("3200.00"), cost_other=Decimal("480.00"),
    )
    if report is None:
        return
    commissioned = max(application.approval_date, datetime.date(2025, 1, 1)) + datetime.timedelta(days=120)
    for label, power, current, connector, evse_id in POINTS:
        ChargingPoint.objects.create(
            report=report, label=label, power_kw=power, current_type=current,
            connector=connector, commissioning_date=commissioned, evse_id=evse_id,
        )
    proof = ReportFile(
        report=report, kind=ReportFileKind.RENEWABLE_PROOF, original_name="Ökostrom-Vertrag.pdf",
        content_type="application/pdf", size=len(DEMO_PDF), uploaded_by=applicant,
    )
    proof.file.save("nachweis.pdf", ContentFile(DEMO_PDF), save=False)
    proof.save()
    lifecycle.submit(report, applicant)
    lifecycle.accept(report, caseworker, "Vielen Dank, alles vollständig.")


def _operation_report(application, year, applicant, caseworker, *, outcome):
    report = _started(
        application, ReportType.OPERATION, year, applicant, renewable_electricity=True,
        availability_and_faults="Keine längeren Ausfälle; Wartung am Schnelllader im Mai (1 Tag).",
    )
    if report is None:
        return
    commissioning = Report.objects.get(application=application, type=ReportType.COMMISSIONING)
    for index, point in enumerate(commissioning.charging_points.all(), start=1):
        ChargingSessionSummary.objects.create(
            report=report, charging_point=point, sessions=180 * index,
            energy_kwh=Decimal(2150 * index) + Decimal("0.375"), hours=Decimal(410 * index),
        )
    lifecycle.submit(report, applicant)
    if outcome == ReportStatus.ACCEPTED:
        lifecycle.accept(report, caseworker)
    elif outcome == ReportStatus.RETURNED:
        lifecycle.return_for_changes(report, caseworker, RETURN_COMMENT)


def seed_reports(applicant, applications) -> None:
    """Reports for the demo applicant's first three applications (call it outside any
    open transaction, so that its own commit happens while e-mails are muted)."""
    own = [a for a in applications if a.owner_id == applicant.pk and not a.is_withdrawn][:3]
    if len(own) < 3:
        return
    first, second, third = own
    caseworker = _caseworker()
    with emails.muted(), transaction.atomic():
        # First application: commissioning accepted, last year's operation report accepted,
        # this year's returned with a comment, the final proof not started yet.
        _accepted_commissioning(first, applicant, caseworker)
        years = sorted(
            item.period for item in deadlines.owed_reports(first)
            if item.type == ReportType.OPERATION
        )
        if years:
            _operation_report(first, years[-1], applicant, caseworker, outcome=ReportStatus.RETURNED)
        for year in years[:-1]:
            _operation_report(first, year, applicant, caseworker, outcome=ReportStatus.ACCEPTED)
        # Second: the commissioning report begun, but not finished in time (overdue draft).
        _started(second, ReportType.COMMISSIONING, ONE_OFF_PERIOD, applicant,
                 publicly_accessible=False)
        # Third: the commissioning report submitted, waiting for the caseworker.
        report = _started(
            third, ReportType.COMMISSIONING, ONE_OFF_PERIOD, applicant,
            publicly_accessible=True, renewable_electricity=True,
            cost_hardware=Decimal("9800.00"), cost_installation=Decimal("2400.00"),
            cost_grid_connection=Decimal("0.00"), cost_other=Decimal("0.00"),
        )
        if report is not None:
            ChargingPoint.objects.create(
                report=report, label="Wallbox Hof", power_kw=Decimal("11"),
                current_type=CurrentType.AC, connector=Connector.TYPE_2,
                commissioning_date=third.approval_date + datetime.timedelta(days=60),
            )
            lifecycle.submit(report, applicant)
