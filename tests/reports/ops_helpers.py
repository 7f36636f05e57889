"""Test data for the operation report and the final proof of use: an application whose
commissioning report is accepted, charging-process files in CSV and .xlsx, step URLs."""

import csv
import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from reports.models import ReportStatus, ReportType
from reports.wizard import CHECK_STEP, RETURN_TO_CHECK
from tests.applications.factories import FundingApplicationFactory

from .factories import ChargingPointFactory, ReportFactory

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
YEAR = 2027
HEADER = ["Ladepunkt", "Start", "Ende", "Energie (kWh)"]


def accepted_application(owner, **application):
    """An application with an accepted commissioning report and two points:
    "Parkplatz 1" (22 kW AC, EVSE ID DE*ABC*E1001) and "Schnelllader" (150 kW DC)."""
    application.setdefault("approval_date", datetime.date(2026, 1, 10))
    application.setdefault("approved_amount", Decimal("20000.00"))
    application = FundingApplicationFactory(owner=owner, **application)
    commissioning = ReportFactory(
        application=application, status=ReportStatus.ACCEPTED,
        reference_number=f"NOW-2026-{application.pk:06d}",
        accepted_at=timezone.make_aware(datetime.datetime(2026, 9, 1, 10, 0)),
        cost_hardware=Decimal("12000"), cost_installation=Decimal("3000"),
        cost_grid_connection=Decimal("1500"), cost_other=Decimal("0"),
    )
    ChargingPointFactory(report=commissioning, label="Parkplatz 1", power_kw=Decimal("22"),
                         evse_id="DE*ABC*E1001", commissioning_date=datetime.date(2026, 6, 15))
    ChargingPointFactory(report=commissioning, label="Schnelllader", power_kw=Decimal("150"),
                         current_type="DC", connector="ccs",
                         commissioning_date=datetime.date(2026, 6, 15))
    return application


def operation_report(application, year=YEAR, **fields):
    return ReportFactory(application=application, type=ReportType.OPERATION, period=year, **fields)


def csv_bytes(rows, header=HEADER, delimiter=";", bom=False, encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if header:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def step_url(report, step, back_to_check=False):
    name = f"reports:{report.type}_step"
    url = reverse(name, args=[report.pk, step])
    return f"{url}?{RETURN_TO_CHECK}=1" if back_to_check else url


def check_url(report):
    return step_url(report, CHECK_STEP)


def post_step(client, report, step, data=None, files=None, action="wizard_next", extra=None):
    payload = {f"{step}-{key}": value for key, value in (data or {}).items()}
    payload.update({f"{step}-{key}": value for key, value in (files or {}).items()})
    payload[action] = "1"
    payload.update(extra or {})
    return client.post(step_url(report, step), payload)
