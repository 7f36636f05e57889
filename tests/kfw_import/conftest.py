import io
import itertools

import pytest

from kfw_import.workbooks import write_kfw_workbook

_counter = itertools.count()


@pytest.fixture
def workbook(tmp_path):
    """workbook(rows, **options) → path of a new .xlsx written by the project's generator."""

    def make(rows, name=None, **options):
        path = tmp_path / (name or f"export-{next(_counter)}.xlsx")
        write_kfw_workbook(path, rows, **options)
        return path

    return make


def workbook_bytes(rows, **options) -> io.BytesIO:
    buffer = io.BytesIO()
    write_kfw_workbook(buffer, rows, **options)
    buffer.seek(0)
    return buffer
