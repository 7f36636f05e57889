"""Demo applications come in as real ones do: KfW workbooks written by the project's
generator and imported by the importer (`manage.py seed_demo`). The admin then shows two
imports: the first with a rejected row, the second with changes and a withdrawal, which
the applications' change history shows too. Nobody is invited."""

import io

from . import columns
from .importer import import_workbook
from .invitations import muted
from .models import SUCCESSFUL, ImportRun, ImportSource
from .workbooks import german_amount, spaced_iban, write_kfw_workbook

FIRST_FILE = "KfW-Zusagen 2025-06 (Demo).xlsx"
SECOND_FILE = "KfW-Zusagen 2025-09 (Demo).xlsx"
STATUS_WORDS = {value: word for word, value in columns.STATUS_WORDS.items()}


def export_row(kfw_number: str, values: dict) -> dict:
    """An application's values as a row of the KfW export, with a few of its quirks."""
    row = {column.header: values.get(column.field, "") for column in columns.COLUMNS}
    row["Antragsnummer"] = kfw_number
    row["Programm"] = int(values["program"])
    row["Förderbetrag (EUR)"] = german_amount(values["approved_amount"])
    row["Zusagedatum"] = values["approval_date"].strftime("%d.%m.%Y")
    row["IBAN"] = spaced_iban(values["iban"])
    row["Status"] = STATUS_WORDS[values["kfw_status"]].capitalize()
    return row


def _import_once(file_name: str, rows) -> ImportRun:
    """Idempotent: a demo file that went in is not imported again (a workbook written
    anew has another hash, its timestamps differ)."""
    done = ImportRun.objects.filter(file_name=file_name, status__in=SUCCESSFUL).first()
    if done is not None:
        return done
    buffer = io.BytesIO()
    write_kfw_workbook(buffer, rows)
    buffer.seek(0)
    with muted():
        return import_workbook(buffer, file_name=file_name, source=ImportSource.COMMAND)


def seed_imports(values_by_number: dict) -> list[ImportRun]:
    """Import the demo applications (KfW number → field values) in two files."""
    numbers = sorted(values_by_number)
    first = [export_row(number, values_by_number[number]) for number in numbers]
    # A row KfW got wrong: the letter O in the postal code. Rejected with its reason.
    first.append({**first[-1], "Antragsnummer": "4711099999", "PLZ": "1O115"})
    later = []
    for index, number in enumerate(numbers[4:7]):
        values = dict(values_by_number[number])
        if index == 0:
            values["approved_amount"] += 1500
            values["approved_charging_points"] += 2
        elif index == 1:
            values["city"] = values["city"] + " (Ortsteil Nord)"
        else:
            values["kfw_status"] = "withdrawn"
        later.append(export_row(number, values))
    return [_import_once(FIRST_FILE, first), _import_once(SECOND_FILE, later)]
