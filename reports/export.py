"""The caseworkers' report list as an .xlsx workbook (what the admin list shows, filtered).

Applicants' text goes into the cells; text that a spreadsheet would read as a formula
(starting with =, +, -, @, a tab or a carriage return) is written with a leading
apostrophe and as an explicit text cell, so it is shown, never run.
"""

import tempfile

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse
from django.template.defaultfilters import yesno
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ChargingPoint

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARD = "'"


def guard_text(value) -> str:
    """Text as it may go into a cell: no XML-illegal characters, no formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if text.startswith(FORMULA_TRIGGERS):
        return FORMULA_GUARD + text
    return text


def with_point_counts(queryset):
    points = (
        ChargingPoint.objects.filter(report=OuterRef("pk"))
        .order_by()
        .values("report")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return queryset.annotate(charging_point_count=Coalesce(Subquery(points), 0))


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _yes_no(value):
    return None if value is None else yesno(value, _("yes,no"))


def columns(today):
    """(header, width, value of a report) for every column, in order."""
    return [
        (_("Reference number"), 16, lambda r: r.reference_number or ""),
        (_("KfW application number"), 14, lambda r: r.application.kfw_number),
        (_("Programme"), 24, lambda r: r.application.get_program_display()),
        (_("Applicant"), 32, lambda r: r.application.applicant_name),
        (_("E-mail (KfW)"), 28, lambda r: r.application.email),
        (_("E-mail (account)"), 28, lambda r: r.application.owner.email if r.application.owner else ""),
        (_("Report"), 24, lambda r: r.title),
        (_("Status"), 18, lambda r: r.get_status_display()),
        (_("Due date"), 12, lambda r: r.due_date),
        (_("Overdue"), 9, lambda r: _yes_no(r.is_overdue(today))),
        (_("Submitted at"), 17, lambda r: _local(r.submitted_at)),
        (_("Accepted at"), 17, lambda r: _local(r.accepted_at)),
        (_("Charging points"), 9, lambda r: r.charging_point_count or None),
        (_("Site"), 36, lambda r: " ".join(filter(None, [
            r.site_street, r.site_house_number, r.site_postal_code, r.site_city]))),
        (_("Operator"), 28, lambda r: r.operator_name),
        (_("Renewable electricity"), 10, lambda r: _yes_no(r.renewable_electricity)),
        (_("Hardware costs (EUR)"), 14, lambda r: r.cost_hardware),
        (_("Installation costs (EUR)"), 14, lambda r: r.cost_installation),
        (_("Grid connection costs (EUR)"), 14, lambda r: r.cost_grid_connection),
        (_("Other costs (EUR)"), 14, lambda r: r.cost_other),
        (_("Total costs (EUR)"), 14, lambda r: r.total_cost),
        (_("Approved amount (EUR)"), 14, lambda r: r.application.approved_amount),
        (_("Comment of the caseworker"), 40, lambda r: r.caseworker_comment),
    ]


def write_report_list(queryset, target) -> int:
    """Write the reports of `queryset` to `target` (a path or binary file); returns the
    number of rows. Write-only mode: rows go to disk as they come, not into memory."""
    import datetime
    from decimal import Decimal

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    today = timezone.localdate()
    spec = columns(today)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Reports"))
    sheet.freeze_panes = "A2"
    for index, (_header, width, _value) in enumerate(spec, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    def cell(value):
        if value is None or value == "":
            return None
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            result = WriteOnlyCell(sheet, value=value)
            result.number_format = "#,##0.00" if isinstance(value, Decimal) else "0"
            return result
        if isinstance(value, datetime.datetime):
            result = WriteOnlyCell(sheet, value=value)
            result.number_format = "DD.MM.YYYY HH:MM"
            return result
        if isinstance(value, datetime.date):
            result = WriteOnlyCell(sheet, value=value)
            result.number_format = "DD.MM.YYYY"
            return result
        result = WriteOnlyCell(sheet, value=guard_text(value))
        result.data_type = "s"  # never a formula, whatever the text
        return result

    header = []
    for title, _width, _value in spec:
        heading = cell(title)
        heading.font = Font(bold=True)
        header.append(heading)
    sheet.append(header)
    rows = 0
    for report in with_point_counts(queryset.for_review()).iterator(chunk_size=2000):
        sheet.append([cell(value(report)) for _title, _width, value in spec])
        rows += 1
    workbook.save(target)
    return rows


def report_list_response(queryset) -> FileResponse:
    """The workbook as a download, built in a temporary file (closed with the response)."""
    spool = tempfile.TemporaryFile(suffix=".xlsx")
    write_report_list(queryset, spool)
    spool.seek(0)
    filename = f"{_('reports')}-{timezone.localdate().isoformat()}.xlsx"
    response = FileResponse(spool, as_attachment=True, filename=filename,
                            content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response
