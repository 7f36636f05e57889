"""Export of the caseworkers' (filtered) report list as .xlsx, safe against formulas."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from reports.export import FORMULA_GUARD, guard_text
from reports.models import ReportStatus
from tests.applications.factories import CaseworkerFactory, UserFactory

from .factories import ChargingPointFactory, ReportFactory

pytestmark = pytest.mark.django_db

EXPORT = "admin:reports_report_export"
DANGEROUS = {
    "applicant": "=HYPERLINK(\"http://evil.example\",\"Klick\")",
    "operator": "+49 30 1234567",
    "city": "-2+3",
    "comment": "@SUM(1,2)",
    "street": "\t=1+1",
    "house": "\r=1+1",
}


@pytest.fixture
def caseworker(client):
    user = CaseworkerFactory()
    client.force_login(user)
    return user


def download(client, **params):
    response = client.get(reverse(EXPORT), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.worksheets[0]


def heading(msgid):
    """A column heading as the (German) export writes it."""
    with translation.override("de"):
        return translation.gettext(msgid)


def rows_by_kfw(sheet):
    rows = list(sheet.iter_rows())
    header = [cell.value for cell in rows[0]]
    column = header.index(heading("KfW application number"))
    return header, {row[column].value: row for row in rows[1:]}


def test_text_that_looks_like_a_formula_is_stored_as_guarded_text(client, caseworker):
    report = ReportFactory(
        status=ReportStatus.RETURNED,
        application__applicant_name=DANGEROUS["applicant"],
        operator_name=DANGEROUS["operator"],
        caseworker_comment=DANGEROUS["comment"],
        site_street=DANGEROUS["street"],
        site_city=DANGEROUS["city"],
        cost_hardware=Decimal("-12.50"),
    )

    header, rows = rows_by_kfw(download(client))
    row = rows[report.application.kfw_number]
    cells = {header[index]: cell for index, cell in enumerate(row)}
    guarded = [cells[heading("Applicant")], cells[heading("Operator")], cells[heading("Comment of the caseworker")],
               cells[heading("Site")]]
    for cell in guarded:
        assert cell.data_type == "s", cell.value
        assert cell.value.startswith(FORMULA_GUARD), cell.value
    assert cells[heading("Applicant")].value == FORMULA_GUARD + DANGEROUS["applicant"]
    assert cells[heading("Site")].value.startswith("'\t=1+1")
    # Numbers stay numbers (a negative amount is not text), the KfW number stays text.
    assert cells[heading("Hardware costs (EUR)")].data_type == "n"
    assert cells[heading("Hardware costs (EUR)")].value == -12.5
    assert cells[heading("KfW application number")].data_type == "s"
    assert cells[heading("Due date")].is_date
    # No cell anywhere in the workbook is a formula.
    assert all(cell.data_type != "f" for line in download(client).iter_rows() for cell in line)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\t1", "\r1"])
def test_guard_text_prefixes_every_trigger(text):
    assert guard_text(text) == FORMULA_GUARD + text


def test_guard_text_leaves_ordinary_text_and_drops_illegal_characters():
    assert guard_text("Stadtwerke Görlitz – Ladepark") == "Stadtwerke Görlitz – Ladepark"
    assert guard_text("a\x00b\x07c") == "abc"


def test_export_follows_the_filters_and_search_of_the_list(client, caseworker):
    submitted = ReportFactory(status=ReportStatus.SUBMITTED, application__applicant_name="Gemeinde Au")
    ChargingPointFactory.create_batch(3, report=submitted)
    ReportFactory(status=ReportStatus.DRAFT, application__applicant_name="Gemeinde Bach")
    ReportFactory(
        status=ReportStatus.SUBMITTED, application__applicant_name="Firma Zeh", operation=True
    )

    header, rows = rows_by_kfw(download(client, status__exact="submitted", type__exact="commissioning"))
    assert list(rows) == [submitted.application.kfw_number]
    row = rows[submitted.application.kfw_number]
    assert row[header.index(heading("Charging points"))].value == 3

    _header, rows = rows_by_kfw(download(client, q="Gemeinde"))
    assert len(rows) == 2
    _header, rows = rows_by_kfw(download(client))
    assert len(rows) == 3


def test_changelist_links_to_the_export_with_its_filters(client, caseworker):
    ReportFactory()
    html = client.get(reverse("admin:reports_report_changelist"), {"status__exact": "draft"}).content.decode()
    assert f'{reverse(EXPORT)}?status__exact=draft' in html


def test_export_is_for_caseworkers_only(client):
    client.force_login(UserFactory())
    response = client.get(reverse(EXPORT))
    assert response.status_code == 302 and "xlsx" not in response.get("Content-Type", "")


def test_overdue_column_and_dates(client, caseworker):
    late = ReportFactory(status=ReportStatus.DRAFT, due_date=datetime.date(2020, 1, 31))
    header, rows = rows_by_kfw(download(client))
    row = rows[late.application.kfw_number]
    assert row[header.index(heading("Overdue"))].value == heading("yes,no").split(",")[0]
    assert row[header.index(heading("Due date"))].value == datetime.datetime(2020, 1, 31)
