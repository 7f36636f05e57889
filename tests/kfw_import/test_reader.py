"""Files refused as a whole, sheet choice and header matching (through the importer)."""

import io
import zipfile

import pytest

from applications.models import FundingApplication
from kfw_import.importer import import_workbook
from kfw_import.models import ImportRun, ImportSource, ImportStatus
from kfw_import.workbooks import HEADERS, valid_row

from .conftest import workbook_bytes

pytestmark = pytest.mark.django_db


def run(fileobj, name="datei.xlsx"):
    return import_workbook(fileobj, file_name=name, source=ImportSource.COMMAND)


def test_file_that_is_not_an_xlsx_is_rejected_with_a_clear_message():
    result = run(io.BytesIO(b"Antragsnummer;Programm\n4400000001;440\n"), "export.csv")

    assert result.status == ImportStatus.REJECTED
    assert ".xlsx" in result.message
    assert ImportRun.objects.get(pk=result.pk).status == ImportStatus.REJECTED


def test_zip_that_is_no_workbook_is_rejected():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hallo")
    buffer.seek(0)

    assert run(buffer).status == ImportStatus.REJECTED


def test_damaged_workbook_is_rejected():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<kaputt")
        archive.writestr("xl/workbook.xml", "<kaputt")
    buffer.seek(0)

    result = run(buffer)
    assert result.status == ImportStatus.REJECTED and result.message


def test_file_larger_than_the_limit_is_rejected(settings):
    settings.KFW_IMPORT_MAX_BYTES = 1000
    result = run(workbook_bytes([valid_row(1)]))

    assert result.status == ImportStatus.REJECTED
    assert "MB" in result.message
    assert not FundingApplication.objects.exists()


def test_zip_bomb_is_refused_before_it_is_unpacked(settings):
    settings.KFW_IMPORT_MAX_UNCOMPRESSED_BYTES = 5 * 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        source = zipfile.ZipFile(workbook_bytes([valid_row(1)]))
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b"<!--" + b" " * (20 * 1024 * 1024) + b"--></sheetData>")
            archive.writestr(item.filename, data)
    assert len(buffer.getvalue()) < 1024 * 1024  # small on disk, 20 MB unpacked
    buffer.seek(0)

    result = run(buffer)

    assert result.status == ImportStatus.REJECTED
    assert "5 MB" in result.message
    assert not FundingApplication.objects.exists()


def test_missing_required_headers_reject_the_file_naming_them():
    headers = [h for h in HEADERS if h not in ("PLZ", "E-Mail", "Telefon")]
    result = run(workbook_bytes([valid_row(1)], headers=headers))

    assert result.status == ImportStatus.REJECTED
    assert "PLZ" in result.message and "E-Mail" in result.message
    assert "Telefon" not in result.message  # optional
    assert not FundingApplication.objects.exists()


def test_optional_column_may_be_absent():
    headers = [h for h in HEADERS if h not in ("IBAN", "Telefon", "Vorname")]
    result = run(workbook_bytes([valid_row(1)], headers=headers))

    assert result.created == 1
    assert FundingApplication.objects.get().iban == ""


def test_sheet_named_zusagen_is_read_even_when_not_first():
    result = run(workbook_bytes([valid_row(1)], extra_sheets=["Deckblatt"]))
    assert result.created == 1


def test_first_sheet_is_read_when_none_is_named_zusagen():
    result = run(workbook_bytes([valid_row(1)], sheet_name="Export 2026"))
    assert result.created == 1


def test_empty_sheet_is_rejected():
    result = run(workbook_bytes([], headers=[]))
    assert result.status == ImportStatus.REJECTED


def test_default_size_limit_is_25_mb(tmp_path):
    """Without KFW_IMPORT_MAX_BYTES in the environment: 25 MB; one byte more is refused
    before anything is unpacked."""
    from django.utils import translation

    too_large = tmp_path / "gross.xlsx"
    with too_large.open("wb") as handle:
        handle.truncate(25 * 1024 * 1024 + 1)
    at_limit = tmp_path / "genau.xlsx"
    with at_limit.open("wb") as handle:
        handle.truncate(25 * 1024 * 1024)

    with translation.override("en"), too_large.open("rb") as big, at_limit.open("rb") as exact:
        refused, accepted_size = run(big), run(exact)

    assert refused.status == ImportStatus.REJECTED
    assert refused.message == "The file is larger than the limit of 25 MB."
    assert "25 MB" not in accepted_size.message and ".xlsx" in accepted_size.message
