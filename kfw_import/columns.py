"""The columns of the KfW export: the one header map (German header → field, required) and
how each cell is normalised and checked, as FORMAT.md describes it.

Every normaliser takes the raw cell value as openpyxl gives it (str, int, float,
datetime, bool or None, never blank: blanks are handled once, in `normalise_row`) and
returns the value to store, or raises `InvalidValue` with a plain-language reason.
"""

import datetime
import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Callable

from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from applications.models import FundingApplication, KfwStatus, Program


class InvalidValue(ValueError):
    """A cell whose value breaks a rule; the message is shown to the person importing."""


@dataclass(frozen=True)
class Column:
    header: str  # as KfW writes it; shown in messages
    field: str  # FundingApplication field
    required: bool
    normalise: Callable


# --- messages (one place; tests import them from here) ---------------------------------

REQUIRED = _("This value is missing. It is required.")
KFW_NUMBER = _("The KfW application number must have exactly 10 digits.")
PROGRAM = _("The programme must be 439, 440 or 441.")
TOO_LONG = _("The text is too long: at most %(limit)d characters are allowed.")
EMAIL = _("This is not a valid e-mail address.")
POSTAL_CODE = _("The postal code must have exactly 5 digits.")
IBAN_FORMAT = _("This is not a valid IBAN: it must start with a country code and two check digits.")
IBAN_LENGTH = _("This is not a valid IBAN: a %(country)s IBAN has %(length)d characters.")
IBAN_CHECK = _("This is not a valid IBAN: the check digits do not match. Please check for typing errors.")
WHOLE_NUMBER = _("The number of charging points must be a whole number of at least 1.")
AMOUNT = _("The amount must be a number, for example 12345.67 or 12.345,67 (German format).")
AMOUNT_NEGATIVE = _("The amount must not be negative.")
AMOUNT_CENTS = _("The amount may have at most two decimal places (cents).")
AMOUNT_TOO_LARGE = _("The amount is too large.")
DATE = _("The date must be an Excel date or written as dd.mm.yyyy or yyyy-mm-dd.")
STATUS = _("The status must be “zugesagt” or “storniert”.")


# --- helpers ------------------------------------------------------------------------

def is_blank(value) -> bool:
    return value is None or (value.__class__ is str and not value.strip())


def _integral_number_text(value):
    """An int, or a float without fraction (Excel stores every number as a float), as
    text without ".0"; None for anything else."""
    if value.__class__ is int:
        return str(value)
    if value.__class__ is float and value.is_integer():
        return str(int(value))
    return None


def text(limit: int):
    """Text kept verbatim (only surrounding spaces removed): a cell like `=HYPERLINK(...)`
    or `<script>` is stored as it is and escaped where it is shown."""

    def normalise_text(value):
        if value.__class__ is str:
            result = value.strip()
        else:
            result = _integral_number_text(value)
            if result is None:
                result = value.isoformat() if hasattr(value, "isoformat") else str(value)
        if len(result) > limit:
            raise InvalidValue(TOO_LONG % {"limit": limit})
        return result

    return normalise_text


def _limit(field: str) -> int:
    return FundingApplication._meta.get_field(field).max_length


# --- one function per rule ----------------------------------------------------------

_TEN_DIGITS = re.compile(r"\d{10}")


def kfw_number(value) -> str:
    """10 digits; as text, or as a number (which Excel shows without ".0")."""
    result = value.strip() if value.__class__ is str else _integral_number_text(value)
    if result is None or not _TEN_DIGITS.fullmatch(result):
        raise InvalidValue(KFW_NUMBER)
    return result


_PROGRAMS = {choice.value for choice in Program}


def program(value) -> str:
    result = value.strip() if value.__class__ is str else _integral_number_text(value)
    if result not in _PROGRAMS:
        raise InvalidValue(PROGRAM)
    return result


# Local parts may hold non-ASCII letters (RFC 6531, e.g. "anna.schäfer@…"), which the
# KfW export contains; Django's EmailValidator accepts ASCII local parts only.
_LOCAL_PART = re.compile(r"[\w!#$%&'*+/=?^`{|}~-]+(\.[\w!#$%&'*+/=?^`{|}~-]+)*")
_domain_check = EmailValidator()


@functools.lru_cache(maxsize=4096)
def _valid_domain(domain: str) -> bool:
    """Many contacts share a domain: each is checked once (IDNA and regexes are slow)."""
    return bool(_domain_check.validate_domain_part(domain))


def email(value) -> str:
    """Case and surrounding spaces do not matter: stored trimmed and in lower case."""
    if value.__class__ is not str:
        raise InvalidValue(EMAIL)
    result = value.strip().lower()
    local, at, domain = result.rpartition("@")
    if (
        not at
        or len(result) > 254
        or len(local) > 64
        or not _LOCAL_PART.fullmatch(local)
        or not _valid_domain(domain)
    ):
        raise InvalidValue(EMAIL)
    return result


_FIVE_DIGITS = re.compile(r"\d{5}")


def postal_code(value) -> str:
    """5 digits; a number lost its leading zero (1067 means 01067)."""
    if value.__class__ is str:
        result = value.strip()
    else:
        digits = _integral_number_text(value)
        result = digits.zfill(5) if digits is not None and not digits.startswith("-") else ""
    if not _FIVE_DIGITS.fullmatch(result):
        raise InvalidValue(POSTAL_CODE)
    return result


_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")
# Lengths of the countries a German subsidy is likely paid to; others: 15–34 characters.
IBAN_LENGTHS = {"DE": 22, "AT": 20, "BE": 16, "CH": 21, "DK": 18, "ES": 24, "FR": 27,
                "IT": 27, "LU": 20, "NL": 18, "PL": 28, "CZ": 24}


# ISO 13616: each letter counts as its two-digit number, A = 10 … Z = 35.
_LETTERS_AS_DIGITS = str.maketrans({chr(code): str(code - 55) for code in range(65, 91)})


def iban(value) -> str:
    """Spaces allowed (removed); check digits verified (ISO 13616, mod 97)."""
    result = "".join(str(value).split()).upper()
    if not _IBAN.fullmatch(result):
        raise InvalidValue(IBAN_FORMAT)
    country = result[:2]
    if country in IBAN_LENGTHS and len(result) != IBAN_LENGTHS[country]:
        raise InvalidValue(IBAN_LENGTH % {"country": country, "length": IBAN_LENGTHS[country]})
    if int((result[4:] + result[:4]).translate(_LETTERS_AS_DIGITS)) % 97 != 1:
        raise InvalidValue(IBAN_CHECK)
    return result


_DIGITS = re.compile(r"\d+")


def charging_points(value) -> int:
    if value.__class__ is int:
        result = value
    elif value.__class__ is float and value.is_integer():
        result = int(value)
    elif value.__class__ is str and _DIGITS.fullmatch(value.strip()):
        result = int(value.strip())
    else:
        raise InvalidValue(WHOLE_NUMBER)
    if result < 1 or result > 2_147_483_647:
        raise InvalidValue(WHOLE_NUMBER)
    return result


# German format: "12.345,67", "12345,67", "12345", "1.500" (dots group thousands).
_GERMAN_AMOUNT = re.compile(r"-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?")
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # max_digits=12, decimal_places=2


def amount(value) -> Decimal:
    if value.__class__ is int:
        result = Decimal(value)
    elif value.__class__ is float:
        # repr is the shortest text that reads back as the same float: 0.1 → "0.1".
        result = Decimal(repr(value))
    elif value.__class__ is str:
        cleaned = value.strip()
        if not _GERMAN_AMOUNT.fullmatch(cleaned):
            raise InvalidValue(AMOUNT)
        result = Decimal(cleaned.replace(".", "").replace(",", "."))
    else:
        raise InvalidValue(AMOUNT)
    if not result.is_finite():
        raise InvalidValue(AMOUNT)
    if result < 0:
        raise InvalidValue(AMOUNT_NEGATIVE)
    if result.as_tuple().exponent < -2 and result != result.quantize(CENT):
        raise InvalidValue(AMOUNT_CENTS)
    if result > MAX_AMOUNT:
        raise InvalidValue(AMOUNT_TOO_LARGE)
    return result.quantize(CENT)


# strptime's forms %d.%m.%Y and %Y-%m-%d (one- or two-digit day and month), without its cost.
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def approval_date(value) -> datetime.date:
    """An Excel date cell, or text `dd.mm.yyyy` or `yyyy-mm-dd`."""
    if value.__class__ is datetime.datetime:
        return value.date()
    if value.__class__ is datetime.date:
        return value
    if value.__class__ is str:
        match = _GERMAN_DATE.fullmatch(value.strip())
        if match is not None:
            day, month, year = match.groups()
        else:
            match = _ISO_DATE.fullmatch(value.strip())
            if match is not None:
                year, month, day = match.groups()
        if match is not None:
            try:
                return datetime.date(int(year), int(month), int(day))
            except ValueError:  # 31.02.2026
                pass
    raise InvalidValue(DATE)


STATUS_WORDS = {"zugesagt": KfwStatus.APPROVED.value, "storniert": KfwStatus.WITHDRAWN.value}


def status(value) -> str:
    """`zugesagt` or `storniert`, in any case."""
    if value.__class__ is str:
        result = STATUS_WORDS.get(value.strip().casefold())
        if result is not None:
            return result
    raise InvalidValue(STATUS)


# --- the header map: the one list of columns ----------------------------------------

COLUMNS = [
    Column("Antragsnummer", "kfw_number", True, kfw_number),
    Column("Programm", "program", True, program),
    Column("Antragsteller", "applicant_name", True, text(_limit("applicant_name"))),
    Column("Vorname", "contact_first_name", False, text(_limit("contact_first_name"))),
    Column("Nachname", "contact_last_name", True, text(_limit("contact_last_name"))),
    Column("E-Mail", "email", True, email),
    Column("Telefon", "phone", False, text(_limit("phone"))),
    Column("Straße", "street", True, text(_limit("street"))),
    Column("Hausnummer", "house_number", True, text(_limit("house_number"))),
    Column("PLZ", "postal_code", True, postal_code),
    Column("Ort", "city", True, text(_limit("city"))),
    Column("IBAN", "iban", False, iban),
    Column("Anzahl Ladepunkte", "approved_charging_points", True, charging_points),
    Column("Förderbetrag (EUR)", "approved_amount", True, amount),
    Column("Zusagedatum", "approval_date", True, approval_date),
    Column("Status", "kfw_status", True, status),
]
FIELDS = [column.field for column in COLUMNS]
KEY_FIELD = "kfw_number"
KEY_INDEX = FIELDS.index(KEY_FIELD)
STATUS_INDEX = FIELDS.index("kfw_status")
# What an optional column holds when its cell is empty (or the column is absent).
EMPTY = ""


def header_key(value) -> str:
    """Headers match ignoring case, surrounding and repeated inner spaces, a trailing `*`."""
    cleaned = " ".join(str(value).split()) if value is not None else ""
    if cleaned.endswith("*"):
        cleaned = cleaned[:-1].rstrip()
    return cleaned.casefold()


COLUMNS_BY_KEY = {header_key(column.header): column for column in COLUMNS}


def normalise_row(cells, plan):
    """(values in FIELDS order, errors as [(header, reason)]). `plan` is what
    `reader.match_headers` made: per field, the cell index (or None if absent)."""
    values = []
    errors = None
    for column, index in plan:
        value = cells[index] if index is not None else None
        if value is None or (value.__class__ is str and not value.strip()):
            if column.required:
                (errors := errors or []).append((column.header, str(REQUIRED)))
            values.append(EMPTY)
            continue
        try:
            values.append(column.normalise(value))
        except InvalidValue as problem:
            (errors := errors or []).append((column.header, str(problem)))
            values.append(None)
    return values, errors
