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


def german_amount(value) -> str:
    """12345.5 → "12.345,50", as KfW writes amounts that are text."""
    return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def spaced_iban(value: str) -> str:
    return " ".join(value[start:start + 4] for start in range(0, len(value), 4))


def export_row(index: int, *, number_base: int = 4400000000, **overrides) -> dict:
    """A valid row written as real exports write it (kfw_export_sample.xlsx): the KfW
    number as text or as a number, the programme and house number as numbers, postal
    codes as numbers that lost their leading zero, amounts as numbers or German text,
    dates as Excel dates or text in both forms, e-mails in upper case with spaces,
    IBANs in groups, "Zugesagt" with a capital letter, non-ASCII e-mail local parts.
    Which quirk a row has depends on its index, so every quirk recurs throughout."""
    row = valid_row(index, number_base=number_base)
    row["Programm"] = int(row["Programm"])
    row["Hausnummer"] = int(row["Hausnummer"])
    if index % 4 == 1:
        row["Antragsnummer"] = int(row["Antragsnummer"])
    if index % 3 == 0:
        row["PLZ"] = int(row["PLZ"])  # "01067" → 1067
    if index % 4 == 0:
        row["Förderbetrag (EUR)"] = german_amount(row["Förderbetrag (EUR)"])
    elif index % 4 == 2:
        row["Förderbetrag (EUR)"] = int(row["Förderbetrag (EUR)"])  # whole euros
    if index % 7 == 1:
        row["Zusagedatum"] = row["Zusagedatum"].strftime("%d.%m.%Y")
    elif index % 7 == 4:
        row["Zusagedatum"] = row["Zusagedatum"].strftime("%Y-%m-%d")
    if index % 6 == 3:
        row["E-Mail"] = f"  {row['E-Mail'].upper()} "
    elif index % 11 == 5:
        row["E-Mail"] = f"{row['Vorname'].lower()}.{row['Nachname'].lower()}{index}@example.org"
    if index % 4 == 3:
        row["IBAN"] = spaced_iban(row["IBAN"])
    if index % 5 == 4:
        row["Status"] = "Zugesagt"
    row.update(overrides)
    return row


def export_rows(count: int, *, start: int = 0, **overrides):
    """`count` rows of a valid export with the quirks of real ones (a generator)."""
    for index in range(start, start + count):
        yield export_row(index, **overrides)


# The two bad rows of kfw_export_sample.xlsx: an invalid e-mail address; a postal code of
# letters together with 0 charging points.
BAD_EMAIL = {"E-Mail": "not-an-email"}
BAD_POSTAL_CODE_AND_POINTS = {"PLZ": "ABCDE", "Anzahl Ladepunkte": 0}


def sample_like_rows(*, number_base: int = 4400000000):
    """The layout of kfw_export_sample.xlsx, rebuilt: 10 rows, an empty row, 18 rows, then
    its two bad rows (sheet rows 31 and 32). Importing it reads 30 rows, creates 28 and
    rejects rows 31 (E-Mail) and 32 (PLZ, Anzahl Ladepunkte), as the sample does."""
    rows = list(export_rows(28, start=1, number_base=number_base))
    rows.insert(10, None)
    rows.append(export_row(29, number_base=number_base, **BAD_EMAIL))
    rows.append(export_row(30, number_base=number_base, **BAD_POSTAL_CODE_AND_POINTS))
    return rows


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
