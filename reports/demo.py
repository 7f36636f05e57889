"""Demo reports for the demo applicant (`manage.py seed_demo`):
every status on the dashboard – accepted, submitted, draft (overdue), returned with the
caseworker's comment, not started.

Deterministic and idempotent: an application that already has reports is left alone.
Status changes go through `reports.lifecycle`, as in real use (with its e-mails muted);
only the timestamps are moved into the past afterwards so that the deadlines look like a
real history."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from applications import demo as application_demo

from . import emails, lifecycle
from .models import ChargingPoint, Connector, CurrentType, Report, ReportFile, ReportFileKind, ReportType

DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
RETURN_COMMENT = (
    "Der Nachweis über den Ökostrom ist nicht lesbar. Bitte laden Sie ihn erneut hoch."
)


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def _commissioning_answers(report: Report, points: int, first_day: datetime.date):
    report.publicly_accessible = True
    report.renewable_electricity = True
    report.cost_hardware = Decimal("18400.00")
    report.cost_installation = Decimal("5250.00")
    report.cost_grid_connection = Decimal("2100.00")
    report.cost_other = Decimal("0.00")
    report.save()
    for number in range(points):
        ChargingPoint.objects.create(
            report=report, label=f"Stellplatz {number + 1}",
            power_kw=Decimal("22") if number % 2 == 0 else Decimal("150"),
            current_type=CurrentType.AC if number % 2 == 0 else CurrentType.DC,
            connector=Connector.TYPE_2 if number % 2 == 0 else Connector.CCS,
            commissioning_date=first_day + datetime.timedelta(days=7 * number),
        )
    proof = ReportFile(report=report, kind=ReportFileKind.RENEWABLE_PROOF,
                       original_name="Ökostromvertrag.pdf", content_type="application/pdf",
                       size=len(DEMO_PDF))
    proof.file.save("demo.pdf", ContentFile(DEMO_PDF), save=False)
    proof.save()


def _seed(applicant, applications, caseworker) -> list[Report]:
    own = [a for a in applications if a.owner_id == applicant.pk and not a.is_withdrawn][:3]
    created = []
    for index, application in enumerate(own):
        if application.reports.exists():
            continue
        commissioning = lifecycle.start(application, ReportType.COMMISSIONING, 0, applicant)
        first_day = application.approval_date + datetime.timedelta(days=90)
        if index == 0:
            # Accepted commissioning; last year's operation report submitted; this year's
            # operation report and the final proof (overdue) not started.
            _commissioning_answers(commissioning, 2, first_day)
            lifecycle.submit(commissioning, applicant)
            lifecycle.accept(commissioning, caseworker, "Vollständig, vielen Dank.")
            accepted = _aware(first_day + datetime.timedelta(days=60))
            Report.objects.filter(pk=commissioning.pk).update(
                submitted_at=accepted - datetime.timedelta(days=20), accepted_at=accepted
            )
            operation = lifecycle.start(application, ReportType.OPERATION, first_day.year, applicant)
            operation.availability_and_faults = "Keine nennenswerten Ausfälle."
            operation.renewable_electricity = True
            operation.save()
            lifecycle.submit(operation, applicant)
            created += [commissioning, operation]
        elif index == 1:
            # A draft, overdue, with the site and one charging point entered.
            _commissioning_answers(commissioning, 1, first_day)
            commissioning.current_step = "ladepunkte"
            commissioning.save(update_fields=["current_step"])
            created.append(commissioning)
        else:
            # Returned for changes with the caseworker's comment.
            _commissioning_answers(commissioning, 2, first_day)
            lifecycle.submit(commissioning, applicant)
            lifecycle.return_for_changes(commissioning, caseworker, RETURN_COMMENT)
            created.append(commissioning)
    return created


def seed_reports(applicant, applications, caseworker=None) -> list[Report]:
    """Reports for the demo applicant's first three applications; returns the new ones.

    Call it outside an open transaction: it commits on its own while the lifecycle's
    e-mails are muted (they are sent on commit), so nobody is mailed about demo data."""
    if caseworker is None:
        caseworker, _secret = application_demo.seed_caseworker()
    with emails.muted(), transaction.atomic():
        return _seed(applicant, applications, caseworker)

