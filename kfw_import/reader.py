"""Reading the KfW workbook: file checks (type, size, zip bombs), choosing the sheet,
matching the headers, and streaming the rows with openpyxl in read-only mode so that
memory stays flat however many rows the file has."""

import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from . import columns

SHEET_NAME = "Zusagen"
MB = 1024 * 1024


class FileRejected(Exception):
    """The file as a whole cannot be imported; the message says why, in plain language."""


@dataclass
class Sheet:
    """An opened workbook: which cell holds which field, and the rows to come."""

    plan: list  # [(Column, cell index or None)] in columns.FIELDS order
    rows: object  # iterator of (row number, cells)
    warnings: list = field(default_factory=list)
    workbook: object = None
    name: str = ""  # the worksheet read

    def close(self):
        if self.workbook is not None:
            self.workbook.close()


def max_bytes() -> int:
    return getattr(settings, "KFW_IMPORT_MAX_BYTES", 25 * MB)


def max_uncompressed_bytes() -> int:
    return getattr(settings, "KFW_IMPORT_MAX_UNCOMPRESSED_BYTES", 500 * MB)


def file_size(fileobj) -> int:
    fileobj.seek(0, 2)
    size = fileobj.tell()
    fileobj.seek(0)
    return size


def check_file(fileobj) -> None:
    """Refuse what is not an .xlsx, too large, or would unpack to too much (zip bomb)."""
    limit = max_bytes()
    if file_size(fileobj) > limit:
        raise FileRejected(
            _("The file is larger than the limit of %(limit)s MB.") % {"limit": _mb(limit)}
        )
    not_xlsx = _("The file is not an Excel workbook (.xlsx). Please upload the KfW "
                        "export as .xlsx.")
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FileRejected(not_xlsx) from None
    finally:
        fileobj.seek(0)
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise FileRejected(not_xlsx)
    # The declared sizes bound what is unpacked: zipfile never reads past file_size.
    unpacked = sum(member.file_size for member in members)
    limit = max_uncompressed_bytes()
    if unpacked > limit:
        raise FileRejected(
            _("The workbook unpacks to more than %(limit)s MB. It cannot be an "
                     "ordinary KfW export, so it was not read.") % {"limit": _mb(limit)}
        )


def _mb(size: int) -> str:
    return f"{size / MB:g}"


def open_sheet(fileobj) -> Sheet:
    """Open the "Zusagen" sheet (or the first), match its headers, stream its rows."""
    check_file(fileobj)
    from openpyxl import load_workbook  # heavy: only when a file is actually read

    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of errors for a broken workbook
        raise FileRejected(
            _("The file could not be read as an Excel workbook (.xlsx). It may be "
                     "damaged.")
        ) from None
    try:
        if not workbook.sheetnames:
            raise FileRejected(_("The workbook has no worksheet."))
        sheet = workbook[SHEET_NAME] if SHEET_NAME in workbook.sheetnames else workbook.worksheets[0]
        # Exporters write wrong <dimension> tags; without it openpyxl reads what is there.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None or all(columns.is_blank(value) for value in header):
            raise FileRejected(_("The worksheet has no header row (row 1 is empty)."))
        try:
            plan, warnings = match_headers(header)
        except FileRejected as problem:
            # Which sheet was read: a workbook without "Zusagen" is read from its first
            # sheet, which may be a cover page.
            raise FileRejected(_("Worksheet “%(sheet)s”: %(problem)s") % {
                "sheet": sheet.title, "problem": problem}) from None
    except Exception:
        workbook.close()
        raise
    return Sheet(plan=plan, rows=_numbered(rows, len(header)), warnings=warnings,
                 workbook=workbook, name=sheet.title)


def match_headers(header) -> tuple[list, list]:
    """Per column of columns.COLUMNS, the index of its cell; rejects the file when a
    required header is missing; lists unknown headers as warnings."""
    found = {}
    warnings = []
    for index, value in enumerate(header):
        if columns.is_blank(value):
            continue
        column = columns.COLUMNS_BY_KEY.get(columns.header_key(value))
        if column is None:
            warnings.append(
                _("The column “%(header)s” is not part of the KfW export and was "
                         "ignored.") % {"header": str(value).strip()}
            )
        elif column.field in found:
            warnings.append(
                _("The column “%(header)s” appears twice; the first one was used.")
                % {"header": column.header}
            )
        else:
            found[column.field] = index
    missing = [c.header for c in columns.COLUMNS if c.required and c.field not in found]
    if missing:
        raise FileRejected(
            _("Required columns are missing: %(headers)s. Row 1 must hold the "
                     "column headers of the KfW export.")
            % {"headers": ", ".join(f"„{header}“" for header in missing)}
        )
    return [(column, found.get(column.field)) for column in columns.COLUMNS], warnings


def _numbered(rows, width: int):
    """(row number, cells), data from row 2, rows of empty cells skipped. Short rows
    (trailing empty cells left out of the file) are padded to the header's width."""
    for number, cells in enumerate(rows, start=2):
        if len(cells) < width:
            cells = cells + (None,) * (width - len(cells))
        if all(value is None or (value.__class__ is str and not value.strip()) for value in cells):
            continue
        yield number, cells

