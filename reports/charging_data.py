"""The charging-process data of an operation report: read an uploaded CSV or .xlsx file
row by row (streamed, constant memory), check every row, and sum it up per charging point.

`import_charging_data` is the one entry point (views, commands and the admin alike); the
readers and `check_rows` are separate so the benchmark can measure them on their own.
"""

import codecs
import csv
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy as _

from . import uploads
from .models import (
    ChargingPoint,
    ChargingProcessUpload,
    ChargingSessionSummary,
    ReportFileKind,
    ReportType,
)

# How many row errors are kept with an upload (and shown); all of them are counted.
MAX_KEPT_ERRORS = 200

# The columns, and the header names (German and English) that mean them. Headers are
# compared in lower case with everything but letters and digits removed, so
# "Energie (kWh)", "energie_kwh" and "ENERGIE KWH" are all the same.
COLUMNS = ("point", "start", "end", "energy")
HEADER_NAMES = {
    "point": (
        "ladepunkt", "ladepunktbezeichnung", "bezeichnung", "ladepunktid", "evseid", "evse",
        "chargingpoint", "chargepoint", "point", "chargingpointid", "label",
    ),
    "start": (
        "start", "beginn", "begin", "ladebeginn", "startzeit", "startzeitpunkt", "beginnzeit",
        "starttime", "startdatetime", "sessionstart", "chargingstart",
    ),
    "end": (
        "ende", "end", "ladeende", "endzeit", "endzeitpunkt", "stop", "stopp", "endtime",
        "stoptime", "enddatetime", "sessionend", "chargingend",
    ),
    "energy": (
        "energiekwh", "energie", "energy", "energykwh", "kwh", "lademengekwh", "lademenge",
        "geladeneenergiekwh", "geladeneenergie", "energymeteredkwh", "chargedenergykwh",
        "verbrauchkwh", "mengekwh",
    ),
}
_HEADER_LOOKUP = {name: column for column, names in HEADER_NAMES.items() for name in names}
_NOT_ALNUM = re.compile(r"[^0-9a-zäöüß]")
COLUMN_LABELS = {
    "point": _("charging point"),
    "start": _("start"),
    "end": _("end"),
    "energy": _("energy in kWh"),
}

_GERMAN_DATETIME = re.compile(
    r"^(\d{1,2})\.(\d{1,2})\.(\d{4}),?[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?$"
)
_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)
_UTC = datetime.timezone.utc


def normalise_header(value) -> str:
    return _NOT_ALNUM.sub("", str(value or "").strip().lower())


def normalise_point_key(value) -> str:
    """Labels and EVSE IDs compared without case, spaces and '*' separators."""
    return re.sub(r"[\s*]", "", str(value or "")).upper()


# --- reading the file ---------------------------------------------------------------


def _binary_file(upload):
    return getattr(upload, "file", upload)


def _choose_encoding(binary) -> str:
    """UTF-8 (with or without BOM); German Excel saves "CSV" as Windows-1252, so a
    file whose start is not UTF-8 is read as that."""
    binary.seek(0)
    head = binary.read(65536)
    binary.seek(0)
    try:
        # The head may end inside a multi-byte character: decode incrementally.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def _sniff_delimiter(first_line: str) -> str:
    # The header holds no decimal commas, so the most frequent separator there is it.
    counts = {delimiter: first_line.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ";"


class _NotDecodable(Exception):
    pass


def _decoded_lines(binary, encoding):
    # Line by line (not a TextIOWrapper's chunks), so a bad byte is found in its row.
    lines = iter(binary)
    first = next(lines, b"")
    try:
        yield first.decode("utf-8-sig" if encoding.startswith("utf-8") else encoding)
        for raw in lines:
            yield raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _NotDecodable from exc


def iter_csv_rows(upload):
    """(row number, cells) of every record of a CSV upload, the header being row 1."""
    binary = _binary_file(upload)
    encoding = _choose_encoding(binary)
    binary.seek(0)
    first_line = binary.readline().decode(encoding, errors="replace")
    binary.seek(0)
    reader = csv.reader(_decoded_lines(binary, encoding), delimiter=_sniff_delimiter(first_line))
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except _NotDecodable as exc:
        raise ValidationError(
            _("Row %(row)d contains characters that are not UTF-8. Please save the file "
              "as “CSV UTF-8”."),
            code="encoding", params={"row": number + 1},
        ) from exc
    except csv.Error as exc:
        raise ValidationError(
            _("Row %(row)d could not be read as CSV (%(reason)s)."),
            code="csv", params={"row": number + 1, "reason": str(exc)},
        ) from exc


def iter_xlsx_rows(upload):
    """(row number, cells) of every row of the first sheet of an .xlsx upload, streamed."""
    from openpyxl import load_workbook

    binary = _binary_file(upload)
    binary.seek(0)
    try:
        workbook = load_workbook(binary, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise ValidationError(
            _("The file could not be read as an Excel workbook."), code="unreadable"
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, cells
    finally:
        workbook.close()


def iter_rows(upload, file_type):
    if file_type == uploads.XLSX:
        return iter_xlsx_rows(upload)
    return iter_csv_rows(upload)


# --- reading one cell ---------------------------------------------------------------


def parse_datetime(value, tz=None) -> datetime.datetime | None:
    """A cell as a point in time (naive UTC), or None. Accepts "31.12.2027 23:59", ISO
    8601 (with or without offset) and Excel date cells (datetime or serial number).
    Times without an offset are local German time (settings.TIME_ZONE)."""
    if type(value) is str and len(value) == 16 and value[2] == "." and value[13] == ":":
        # The common "31.12.2027 23:59" without the regular expression (hot path).
        try:
            moment = datetime.datetime(int(value[6:10]), int(value[3:5]), int(value[0:2]),
                                       int(value[11:13]), int(value[14:16]))
        except ValueError:
            return None
    elif isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 0 < value < 2958466:  # Excel's range of serial dates
            return None
        moment = _EXCEL_EPOCH + datetime.timedelta(days=value)
        moment = moment.replace(microsecond=0) + datetime.timedelta(
            seconds=round(moment.microsecond / 1e6)
        )
    elif isinstance(value, str):
        text = value.strip()
        match = _GERMAN_DATETIME.match(text)
        try:
            if match:
                day, month, year, hour, minute, second = match.groups()
                moment = datetime.datetime(
                    int(year), int(month), int(day), int(hour), int(minute), int(second or 0)
                )
            elif len(text) >= 16 and text[4] == "-":
                moment = datetime.datetime.fromisoformat(text)
            else:
                return None
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        # Local wall-clock time: subtract its offset so that durations across the
        # change to and from summer time are right.
        offset = (tz or _local_zone()).utcoffset(moment)
        return moment - offset
    return moment.astimezone(_UTC).replace(tzinfo=None)


def _local_zone():
    return ZoneInfo(settings.TIME_ZONE)


def parse_energy(value) -> Decimal | None:
    """kWh as a Decimal: "12,5" (German), "12.5", "1.234,5", or a number cell."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip().replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        energy = Decimal(text)
    except InvalidOperation:
        return None
    return energy if energy.is_finite() else None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- checking and summing -----------------------------------------------------------


@dataclass
class PointTotals:
    point: ChargingPoint
    sessions: int = 0
    energy_kwh: Decimal = Decimal(0)
    seconds: int = 0

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.seconds) / 3600).quantize(Decimal("0.01"))


@dataclass
class CheckResult:
    row_count: int = 0
    error_count: int = 0
    errors: list = field(default_factory=list)  # the first MAX_KEPT_ERRORS {"row", "message"}
    totals: dict = field(default_factory=dict)  # point pk -> PointTotals

    @property
    def is_valid(self) -> bool:
        return self.error_count == 0 and self.row_count > 0


def application_points(report) -> list[ChargingPoint]:
    """The charging points an operation report may refer to: those of its application's
    commissioning report (one query)."""
    return list(
        ChargingPoint.objects.filter(
            report__application_id=report.application_id,
            report__type=ReportType.COMMISSIONING,
        ).order_by("id")
    )


def point_index(points) -> dict:
    index = {}
    for point in points:
        index.setdefault(normalise_point_key(point.label), point)
        if point.evse_id:
            index.setdefault(normalise_point_key(point.evse_id), point)
    return index


def _header_columns(cells) -> dict:
    """Column name -> position, or a ValidationError naming the columns not found."""
    positions = {}
    for position, cell in enumerate(cells):
        column = _HEADER_LOOKUP.get(normalise_header(cell))
        if column and column not in positions:
            positions[column] = position
    missing = [column for column in COLUMNS if column not in positions]
    if missing:
        raise ValidationError(
            _("The first row must name the columns. Not found: %(missing)s. Expected are "
              "the columns “Ladepunkt”, “Start”, “Ende” and “Energie (kWh)” (or in English "
              "“Charging point”, “Start”, “End”, “Energy (kWh)”)."),
            code="header",
            params={"missing": ", ".join(str(COLUMN_LABELS[c]) for c in missing)},
        )
    return positions


def check_rows(rows, points, year: int | None = None) -> CheckResult:
    """Check every data row of `rows` ((number, cells) pairs, header first) against
    the application's `points`, summing up the valid ones per point.

    Rules per row: a known charging point (label or EVSE ID), start and end readable,
    end after start, the session starting in the report's `year` and not before the
    point's commissioning date, energy readable, not negative and not more than the
    point's power times the duration."""
    result = CheckResult(totals={point.pk: PointTotals(point) for point in points})
    index = point_index(points)
    point_by_text = {}
    tz = _local_zone()
    positions = None
    known = ", ".join(point.label for point in points[:5]) + (" …" if len(points) > 5 else "")
    commissioned = {
        point.pk: datetime.datetime.combine(point.commissioning_date, datetime.time()) - tz.utcoffset(
            datetime.datetime.combine(point.commissioning_date, datetime.time())
        )
        for point in points
    }
    power = {point.pk: Decimal(point.power_kw) for point in points}
    totals = result.totals
    errors = result.errors

    for number, cells in rows:
        if positions is None:
            if not cells or not any(cell not in (None, "") for cell in cells):
                continue  # blank lines before the header
            positions = _header_columns(cells)
            width = max(positions.values()) + 1
            p_point, p_start, p_end, p_energy = (positions[c] for c in COLUMNS)
            continue
        if len(cells) < width:
            if not any(cell not in (None, "") and str(cell).strip() for cell in cells):
                continue  # an empty row
            cells = list(cells) + [None] * (width - len(cells))
        raw_point, raw_start, raw_end, raw_energy = (
            cells[p_point], cells[p_start], cells[p_end], cells[p_energy]
        )
        if raw_point in (None, "") and raw_start in (None, "") and raw_end in (None, "") and (
            raw_energy in (None, "")
        ):
            continue  # an empty row
        result.row_count += 1
        problems = []
        point = point_by_text.get(raw_point)
        if point is None:
            point = index.get(normalise_point_key(_cell_text(raw_point)))
            if point is not None and len(point_by_text) < 10_000 and isinstance(raw_point, str):
                point_by_text[raw_point] = point  # the same few spellings repeat
        if point is None:
            if _cell_text(raw_point):
                problems.append(gettext(
                    "The charging point “%(point)s” is not one of the charging points of this "
                    "application (%(known)s)."
                ) % {"point": _cell_text(raw_point)[:60], "known": known})
            else:
                problems.append(gettext("The charging point is missing."))
        start = parse_datetime(raw_start, tz)
        end = parse_datetime(raw_end, tz)
        if start is None:
            problems.append(_datetime_problem("start", raw_start))
        if end is None:
            problems.append(_datetime_problem("end", raw_end))
        energy = parse_energy(raw_energy)
        if energy is None:
            problems.append(
                gettext("The energy is missing.") if _cell_text(raw_energy) == "" else
                gettext("The energy “%(value)s” is not a number of kWh.")
                % {"value": _cell_text(raw_energy)[:30]}
            )
        elif energy < 0:
            problems.append(gettext("The energy cannot be negative."))
        seconds = None
        if start is not None and end is not None:
            seconds = int((end - start).total_seconds())
            if seconds <= 0:
                problems.append(gettext("The end must be after the start."))
                seconds = None
            elif year is not None:
                local_start = start + tz.utcoffset(start)
                if local_start.year != year:
                    problems.append(gettext(
                        "The session starts in %(start_year)d; this report covers %(year)d."
                    ) % {"start_year": local_start.year, "year": year})
        if point is not None and start is not None and start < commissioned[point.pk]:
            problems.append(gettext(
                "The session starts before the charging point was commissioned (%(date)s)."
            ) % {"date": point.commissioning_date.strftime("%d.%m.%Y")})
        if point is not None and seconds is not None and energy is not None and energy >= 0:
            if energy * 3600 > power[point.pk] * seconds:
                maximum = (power[point.pk] * seconds / 3600).quantize(Decimal("0.001"))
                problems.append(gettext(
                    "%(energy)s kWh is more than the charging point can deliver in this time "
                    "(%(power)s kW × %(hours)s h = %(max)s kWh)."
                ) % {
                    "energy": _german(energy), "power": _german(power[point.pk].normalize()),
                    "hours": _german((Decimal(seconds) / 3600).quantize(Decimal("0.01"))),
                    "max": _german(maximum),
                })
        if problems:
            result.error_count += 1
            if len(errors) < MAX_KEPT_ERRORS:
                errors.append({"row": number, "message": " ".join(problems)})
            continue
        point_totals = totals[point.pk]
        point_totals.sessions += 1
        point_totals.energy_kwh += energy
        point_totals.seconds += seconds

    if positions is None:
        raise ValidationError(_("The file is empty."), code="empty")
    return result


def _german(number: Decimal) -> str:
    return f"{number:f}".replace(".", ",")


def _datetime_problem(column: str, raw) -> str:
    label = gettext("The start") if column == "start" else gettext("The end")
    if _cell_text(raw) == "":
        return gettext("%(column)s is missing.") % {"column": label}
    return gettext(
        "%(column)s “%(value)s” is not a date and time such as 31.12.2027 18:30."
    ) % {"column": label, "value": _cell_text(raw)[:30]}


# --- the import ---------------------------------------------------------------------


def read_and_check(report, upload, points=None) -> CheckResult:
    """Check an upload for `report` without storing anything. File-level problems (type,
    size, header, encoding) raise a ValidationError; row problems are in the result."""
    file_type = uploads.validate_upload(upload, ReportFileKind.CHARGING_DATA)
    if points is None:
        points = application_points(report)
    if not points:
        raise ValidationError(
            _("The commissioning report of this application lists no charging points yet."),
            code="no_points",
        )
    try:
        return check_rows(iter_rows(upload, file_type), points, year=report.period or None)
    finally:
        _binary_file(upload).seek(0)


def import_charging_data(report, upload, user) -> tuple[ChargingProcessUpload, CheckResult]:
    """Check an uploaded file for an operation report and keep it with its outcome.

    A readable file is kept as a ReportFile (kind charging_data) with a
    ChargingProcessUpload saying how many rows it had and which were wrong. Only a file
    without errors becomes the report's data: it replaces the earlier uploads and the
    per-point summary, in one transaction. A file with row errors leaves the report's
    data as it was (its record is kept until the next upload, to show what was wrong).
    File-level problems raise a ValidationError and store nothing."""
    result = read_and_check(report, upload)
    with transaction.atomic():
        report_file = uploads.store_report_file(
            report, upload, ReportFileKind.CHARGING_DATA, user, replace=False
        )
        record = ChargingProcessUpload.objects.create(
            report=report,
            file=report_file,
            row_count=result.row_count,
            error_count=result.error_count,
            errors=result.errors,
        )
        earlier = report.charging_uploads.exclude(pk=record.pk).select_related("file")
        if result.is_valid:
            for old in earlier:
                _drop_file(old.file)  # cascades to the upload record
            report.session_summaries.all().delete()
            ChargingSessionSummary.objects.bulk_create(
                ChargingSessionSummary(
                    report=report,
                    charging_point=totals.point,
                    sessions=totals.sessions,
                    energy_kwh=totals.energy_kwh,
                    hours=totals.hours,
                )
                for totals in result.totals.values()
            )
        else:
            # Keep the valid upload the summary came from; drop earlier failed attempts.
            for old in earlier:
                if not old.is_valid:
                    _drop_file(old.file)
    return record, result


def drop_failed_uploads(report) -> None:
    """The attempts refused for their rows: kept while the applicant corrects them (the
    step lists their errors), dropped with their files when the report is submitted, so
    it holds only the data it was checked with."""
    for upload in report.charging_uploads.select_related("file"):
        if not upload.is_valid:
            _drop_file(upload.file)  # cascades to the upload record


def _drop_file(report_file) -> None:
    # The stored file goes only once the rows are gone for good.
    storage, name = report_file.file.storage, report_file.file.name
    report_file.delete()
    transaction.on_commit(lambda: storage.delete(name))


def current_upload(report) -> ChargingProcessUpload | None:
    """The upload the report's summary comes from (the latest without errors)."""
    return report.charging_uploads.filter(error_count=0, row_count__gt=0).select_related(
        "file"
    ).order_by("-created_at", "-id").first()


def summaries(report):
    """The per-point summary of an operation report, for cards and the check page."""
    return report.session_summaries.select_related("charging_point").order_by(
        "charging_point__id"
    )
