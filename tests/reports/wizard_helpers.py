"""Driving the report wizards through the test client: URLs, step data, files."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from reports.wizard import CHECK_STEP, RETURN_TO_CHECK

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def step_url(report, step, back_to_check=False):
    url = reverse("reports:commissioning_step", args=[report.pk, step])
    return f"{url}?{RETURN_TO_CHECK}=1" if back_to_check else url


def check_url(report):
    return step_url(report, CHECK_STEP)


def prefixed(step, data):
    return {f"{step}-{key}": value for key, value in data.items()}


def post_step(client, report, step, data=None, files=None, action="wizard_next", extra=None):
    payload = prefixed(step, data or {})
    payload.update(prefixed(step, files or {}))
    payload[action] = "1"
    payload.update(extra or {})
    return client.post(step_url(report, step), payload)


def upload(content: bytes, name: str, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


SITE = {
    "street": "Am Ring",
    "house_number": "7",
    "postal_code": "50667",
    "city": "Köln",
    "operator_name": "Stadtwerke Köln GmbH",
    "publicly_accessible": "yes",
}
COSTS = {
    "cost_hardware": "12.500,00",
    "cost_installation": "3.000,50",
    "cost_grid_connection": "1200",
    "cost_other": "0",
}


def point_data(**overrides):
    data = {
        "label": "Parkplatz 1",
        "power_kw": "22",
        "current_type": "AC",
        "connector": "type2",
        "commissioning_date": days_ago(30).strftime("%d.%m.%Y"),
        "evse_id": "",
    }
    data.update(overrides)
    return data


def point_list_xlsx(rows, header=True) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if header:
        sheet.append(["Bezeichnung", "Leistung (kW)", "Stromart (AC/DC)", "Steckertyp",
                      "Datum der Inbetriebnahme", "EVSE-ID (optional)"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
