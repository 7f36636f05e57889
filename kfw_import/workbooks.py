"""Writing KfW-style workbooks: the one generator for tests, the benchmark and the demo
data. Rows are dicts keyed by the German headers (columns.COLUMNS); a cell holds
whatever the row says, so tests can write the quirks of real exports (numbers as text,
German decimals, dates as text, upper-case e-mails, ...)."""

import datetime

from . import columns

HEADERS = [column.header for column in columns.COLUMNS]

_FIRST = ["Anna", "Jürgen", "Özlem", "Lena", "Thomas", "Sabine", "Mehmet", "Katrin"]
_LAST = ["Schäfer", "Müller", "Yılmaz", "Weiß", "Becker", "Hoffmann", "Demir", "Groß"]
_SITES = [("Hauptstraße", "01067", "Dresden"), ("Bahnhofstraße", "10115", "Berlin"),
          ("Marktplatz", "20095", "Hamburg"), ("Lindenallee", "04109", "Leipzig"),
          ("Schillerstraße", "80331", "München"), ("Am Ring", "50667", "Köln")]


def iban_for(index: int) -> str:
    """A valid German IBAN (check digits computed), different for every index."""
    bban = f"{37040044 + index % 1000:08d}{index:010d}"
    check = 98 - int(bban + "131400") % 97  # "DE" = 13 14, then "00"
    return f"DE{check:02d}{bban}"


def valid_row(index: int, *, number_base: int = 4400000000, **overrides) -> dict:
    """A row that imports without a problem; `overrides` by header."""
    first, last = _FIRST[index % len(_FIRST)], _LAST[(index // 3) % len(_LAST)]
    street, postal_code, city = _SITES[index % len(_SITES)]
    points = 1 + index % 12
    row = {
        "Antragsnummer": f"{number_base + index:010d}",
        "Programm": ("439", "440", "441")[index % 3],
        "Antragsteller": f"{last} Ladepark {index} GmbH",
        "Vorname": first,
        "Nachname": last,
        "E-Mail": f"kontakt{index}@firma{index % 97}.example",
        "Telefon": f"+49 30 {1000000 + index:07d}",
        "Straße": street,
        "Hausnummer": str(1 + index % 150),
        "PLZ": postal_code,
        "Ort": city,
        "IBAN": iban_for(index),
        "Anzahl Ladepunkte": points,
        "Förderbetrag (EUR)": points * 2500 + (index % 100) / 4,
        "Zusagedatum": datetime.datetime(2026, 1, 1) + datetime.timedelta(days=index % 300),
        "Status": "zugesagt",
    }
    row.update(overrides)
    return row


def valid_rows(count: int, *, start: int = 0, **overrides):
    """`count` valid rows with distinct KfW numbers (a generator: any size)."""
    for index in range(start, start + count):
        yield valid_row(index, **overrides)


def write_kfw_workbook(target, rows, *, headers=None, sheet_name="Zusagen", extra_sheets=()):
    """Write rows (dicts by header, missing keys are empty cells; or lists of cells) to `target` (a path or
    a binary file). openpyxl's write-only mode: constant memory, fast."""
    from openpyxl import Workbook

    headers = list(HEADERS if headers is None else headers)
    workbook = Workbook(write_only=True)
    for name in extra_sheets:
        workbook.create_sheet(name).append(["nichts"])
    sheet = workbook.create_sheet(sheet_name)
    sheet.append(headers)
    for row in rows:
        if row is None:  # an empty row, as exports have
            sheet.append([])
        elif isinstance(row, (list, tuple)):
            sheet.append(list(row))
        else:
            sheet.append([row.get(header) for header in headers])
    workbook.save(target)
    return target
