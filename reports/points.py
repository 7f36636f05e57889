"""Rules for the charging points of a commissioning report, and the .xlsx list of points.

The form (`reports.forms.ChargingPointForm`) holds the rules for one point; the list
import runs every row through that same form, so a row is valid exactly when the form
would accept it."""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, ngettext

from .models import Connector

# An EVSE ID as in the eMI³/ISO 15118 scheme: country, operator ID, "E", then the
# operator's own id – "DE*ABC*E12345", separators optional.
EVSE_ID_PATTERN = re.compile(r"^[A-Z]{2}\*?[A-Z0-9]{3}\*?E[A-Z0-9][A-Z0-9*]{0,30}$")


def normalise_evse_id(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def validate_evse_id(value: str) -> None:
    if value and not EVSE_ID_PATTERN.match(value):
        raise ValidationError(
            _("Enter the EVSE ID in the form DE*ABC*E12345: country code, operator ID, "
              "then E and the number of the charging point."),
            code="evse_id",
        )


def validate_commissioning_date(value: datetime.date, approval_date: datetime.date) -> None:
    if value < approval_date:
        raise ValidationError(
            _("The commissioning date cannot be before the approval date (%(date)s)."),
            code="before_approval",
            params={"date": approval_date.strftime("%d.%m.%Y")},
        )
    if value > timezone.localdate():
        raise ValidationError(
            _("The commissioning date cannot be in the future."), code="in_future"
        )


def too_many_points_message(approved: int) -> str:
    return ngettext(
        "Your application was approved for %(count)d charging point. You cannot report more.",
        "Your application was approved for %(count)d charging points. You cannot report more.",
        approved,
    ) % {"count": approved}


def validate_point_count(report, count: int) -> None:
    approved = report.application.approved_charging_points
    if count > approved:
        raise ValidationError(too_many_points_message(approved), code="too_many_points")


# The .xlsx list: one row per point under this header row (German, as users see it).
LIST_COLUMNS = [
    ("label", "Bezeichnung"),
    ("power_kw", "Leistung (kW)"),
    ("current_type", "Stromart (AC/DC)"),
    ("connector", "Steckertyp"),
    ("commissioning_date", "Datum der Inbetriebnahme"),
    ("evse_id", "EVSE-ID (optional)"),
]
CONNECTOR_NAMES = {
    "typ 2": Connector.TYPE_2, "type 2": Connector.TYPE_2, "typ2": Connector.TYPE_2,
    "type2": Connector.TYPE_2, "ccs": Connector.CCS, "chademo": Connector.CHADEMO,
    "schuko": Connector.DOMESTIC, "haushaltssteckdose": Connector.DOMESTIC,
    "haushaltssteckdose (schuko)": Connector.DOMESTIC, "domestic socket": Connector.DOMESTIC,
    "domestic": Connector.DOMESTIC,
}
MAX_LIST_ROWS = 1000


@dataclass
class RowError:
    row: int
    messages: list[str]


def point_list_template() -> bytes:
    """An empty list with the header row and one example, for applicants to fill in."""
    import io

    from openpyxl import Workbook  # heavy: off the request path of every other page

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Ladepunkte"
    sheet.append([title for _key, title in LIST_COLUMNS])
    sheet.append(["Ladepunkt 1", 22, "AC", "Typ 2", datetime.date(2026, 6, 15), "DE*ABC*E12345"])
    for column in "ABCDEF":
        sheet.column_dimensions[column].width = 26
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_point_rows(upload) -> list[tuple[int, dict]]:
    """(row number, form data) for each non-empty row of the uploaded list."""
    from openpyxl import load_workbook  # heavy: only when a list is actually read

    upload.seek(0)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ValidationError(
            _("The file could not be read as an Excel workbook. Please use the template."),
            code="unreadable",
        ) from exc
    sheet = workbook.worksheets[0]
    rows = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number == 1:
            continue  # header
        cells = [_cell_text(v) for v in (values or ())][: len(LIST_COLUMNS)]
        if not any(cells):
            continue
        cells += [""] * (len(LIST_COLUMNS) - len(cells))
        data = dict(zip((key for key, _title in LIST_COLUMNS), cells))
        data["current_type"] = data["current_type"].upper()
        data["connector"] = CONNECTOR_NAMES.get(data["connector"].lower(), data["connector"])
        rows.append((number, data))
        if len(rows) > MAX_LIST_ROWS:
            break
    workbook.close()
    return rows


def parse_point_list(report, upload, form_class) -> tuple[list, list[RowError]]:
    """The points of the uploaded list (unsaved), or the errors of its rows. Every row
    goes through `form_class` (the card's form), so the list follows the same rules."""
    rows = read_point_rows(upload)
    if not rows:
        raise ValidationError(_("The list contains no charging points."), code="no_rows")
    errors, new_points, seen_evse = [], [], {}
    for number, data in rows:
        form = form_class(data=data, report=report, counting_existing=False)
        if not form.is_valid():
            messages = [
                f"{form.fields[name].label}: {message}" if name in form.fields else message
                for name, field_errors in form.errors.items()
                for message in field_errors
            ]
            errors.append(RowError(number, messages))
            continue
        evse = form.cleaned_data.get("evse_id")
        if evse and evse in seen_evse:
            errors.append(RowError(number, [
                _("The EVSE ID %(id)s appears twice in the list (also in row %(row)d).")
                % {"id": evse, "row": seen_evse[evse]}
            ]))
            continue
        if evse:
            seen_evse[evse] = number
        new_points.append(form.instance)
    if not errors:
        try:
            validate_point_count(report, len(rows))
        except ValidationError as exc:
            raise ValidationError(
                _("The list has %(rows)d charging points. %(reason)s")
                % {"rows": len(rows), "reason": exc.messages[0]},
                code="too_many_points",
            ) from exc
    return new_points, errors


def replace_points(report, new_points) -> None:
    with transaction.atomic():
        report.charging_points.all().delete()
        for point in new_points:
            point.report = report
            point.pk = None
            point.save()
