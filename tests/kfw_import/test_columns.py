"""Each rule of FORMAT.md for a single cell, on the pure normalising functions."""

import datetime
import re
from decimal import Decimal

import pytest

from kfw_import import columns
from kfw_import.columns import InvalidValue


@pytest.mark.parametrize(("raw", "expected"), [
    ("4400000003", "4400000003"), (4400000003, "4400000003"), (4400000003.0, "4400000003"),
    (" 4400000003 ", "4400000003"),
])
def test_kfw_number_arrives_as_text_or_number(raw, expected):
    assert columns.kfw_number(raw) == expected


@pytest.mark.parametrize("raw", ["440000000", "44000000031", "4400000003.0", "44OOOOOOO3", 4400000003.5, True])
def test_kfw_number_needs_ten_digits(raw):
    with pytest.raises(InvalidValue):
        columns.kfw_number(raw)


@pytest.mark.parametrize(("raw", "expected"), [(439, "439"), ("440", "440"), (441.0, "441")])
def test_programme_as_number_or_text(raw, expected):
    assert columns.program(raw) == expected


def test_unknown_programme_is_refused():
    with pytest.raises(InvalidValue, match=re.escape(str(columns.PROGRAM))):
        columns.program(442)


def test_applicant_at_most_200_characters():
    normalise = columns.COLUMNS_BY_KEY["antragsteller"].normalise
    assert normalise("x" * 200) == "x" * 200
    with pytest.raises(InvalidValue):
        normalise("x" * 201)


@pytest.mark.parametrize("raw", ['=HYPERLINK("http://evil.example","klick")', "<script>alert(1)</script>"])
def test_text_is_kept_verbatim(raw):
    assert columns.COLUMNS_BY_KEY["antragsteller"].normalise(raw) == raw


def test_house_number_may_arrive_as_a_number():
    assert columns.COLUMNS_BY_KEY["hausnummer"].normalise(39) == "39"
    assert columns.COLUMNS_BY_KEY["hausnummer"].normalise("12a") == "12a"


@pytest.mark.parametrize(("raw", "expected"), [
    ("  STEFAN.BECKER3@EXAMPLE.ORG ", "stefan.becker3@example.org"),
    ("anna.schäfer13@example.org", "anna.schäfer13@example.org"),  # as in real exports
    ("a+b@sub.example.de", "a+b@sub.example.de"),
])
def test_email_case_and_spaces_do_not_matter(raw, expected):
    assert columns.email(raw) == expected


@pytest.mark.parametrize("raw", ["not-an-email", "a@b", "a b@example.org", "@example.org", "a@@example.org", 12])
def test_invalid_email_is_refused(raw):
    with pytest.raises(InvalidValue, match=re.escape(str(columns.EMAIL))):
        columns.email(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    (1067, "01067"), (4109, "04109"), (70173, "70173"), ("01067", "01067"), (1067.0, "01067"),
])
def test_postal_code_gets_back_its_leading_zero(raw, expected):
    assert columns.postal_code(raw) == expected


@pytest.mark.parametrize("raw", ["ABCDE", "1067", "010677", 123456, -1067])
def test_postal_code_needs_five_digits(raw):
    with pytest.raises(InvalidValue, match=re.escape(str(columns.POSTAL_CODE))):
        columns.postal_code(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
    ("de89370400440532013000", "DE89370400440532013000"),
])
def test_iban_spaces_are_allowed(raw, expected):
    assert columns.iban(raw) == expected


def test_iban_with_wrong_check_digits_is_refused():
    with pytest.raises(InvalidValue, match=re.escape(str(columns.IBAN_CHECK))):
        columns.iban("DE88370400440532013000")


def test_iban_of_wrong_length_is_refused():
    with pytest.raises(InvalidValue):
        columns.iban("DE8937040044053201300")


@pytest.mark.parametrize(("raw", "expected"), [(1, 1), (18.0, 18), ("4", 4)])
def test_charging_points_whole_number(raw, expected):
    assert columns.charging_points(raw) == expected


@pytest.mark.parametrize("raw", [0, -2, 2.5, "zwei", "2,0"])
def test_charging_points_at_least_one(raw):
    with pytest.raises(InvalidValue, match=re.escape(str(columns.WHOLE_NUMBER))):
        columns.charging_points(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    ("12.345,67", "12345.67"), ("72.000,00", "72000.00"), ("8000", "8000.00"),
    ("1.500", "1500.00"), ("0,5", "0.50"), (16500, "16500.00"), (12345.67, "12345.67"),
    (0, "0.00"),
])
def test_amount_number_or_german_text(raw, expected):
    assert columns.amount(raw) == Decimal(expected)


@pytest.mark.parametrize(("raw", "message"), [
    ("12,345.67", columns.AMOUNT), ("zwölf", columns.AMOUNT), (-1, columns.AMOUNT_NEGATIVE),
    ("-5,00", columns.AMOUNT_NEGATIVE), (1.005, columns.AMOUNT_CENTS), ("1,005", columns.AMOUNT_CENTS),
])
def test_amount_refused(raw, message):
    with pytest.raises(InvalidValue, match=re.escape(str(message))):
        columns.amount(raw)


@pytest.mark.parametrize("raw", [
    datetime.datetime(2026, 4, 3), datetime.date(2026, 4, 3), "03.04.2026", "2026-04-03", " 3.4.2026 ",
    "2026-4-3",
])
def test_date_in_three_forms(raw):
    assert columns.approval_date(raw) == datetime.date(2026, 4, 3)


@pytest.mark.parametrize("raw", ["04/03/2026", "31.02.2026", "morgen", 46115, "2026-02-30",
                                 "03.04.26", "2026-04-03 12:00", "03.04.2026.", "0.04.2026"])
def test_other_dates_are_refused(raw):
    with pytest.raises(InvalidValue, match=re.escape(str(columns.DATE))):
        columns.approval_date(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    ("zugesagt", "approved"), ("Zugesagt", "approved"), (" ZUGESAGT ", "approved"),
    ("storniert", "withdrawn"), ("Storniert", "withdrawn"),
])
def test_status_words_in_any_case(raw, expected):
    assert columns.status(raw) == expected


def test_unknown_status_is_refused():
    with pytest.raises(InvalidValue, match=re.escape(str(columns.STATUS))):
        columns.status("abgelehnt")


@pytest.mark.parametrize("header", ["Antragsnummer", " antragsnummer ", "ANTRAGSNUMMER*", "Antragsnummer *"])
def test_header_matching_ignores_case_spaces_and_star(header):
    assert columns.header_key(header) == "antragsnummer"


def test_header_matching_collapses_inner_spaces():
    assert columns.COLUMNS_BY_KEY[columns.header_key("Anzahl   Ladepunkte")].field == "approved_charging_points"
