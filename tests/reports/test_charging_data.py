"""Importing charging-process data: reading CSV and .xlsx, every row rule, the per-point
summary, what is kept and what is replaced."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from reports import charging_data, uploads
from reports.models import ChargingProcessUpload, ChargingSessionSummary, ReportFile, ReportFileKind
from tests.applications.factories import UserFactory

from .factories import ChargingPointFactory, ReportFactory
from .ops_helpers import (
    PDF, PNG, accepted_application, csv_bytes, operation_report, upload, xlsx_bytes,
)

pytestmark = pytest.mark.django_db

GOOD_ROWS = [
    ["Parkplatz 1", "01.03.2027 08:00", "01.03.2027 10:00", "30,5"],
    ["DE*ABC*E1001", "2027-03-02T18:00", "2027-03-02T18:30", "10"],
    ["schnelllader", "05.04.2027 12:00", "05.04.2027 12:20", "45,25"],
]


@pytest.fixture(autouse=True)
def english():
    # The messages are compared in English here; the wizard tests read the German ones.
    with translation.override("en"):
        yield


@pytest.fixture
def applicant():
    return UserFactory()


@pytest.fixture
def report(applicant):
    return operation_report(accepted_application(applicant))


def summary_of(report):
    return {
        s.charging_point.label: (s.sessions, s.energy_kwh, s.hours)
        for s in charging_data.summaries(report)
    }


def run(report, content, name="ladevorgaenge.csv", user=None):
    return charging_data.import_charging_data(report, upload(content, name), user)


def row_errors(report, rows, **kwargs):
    record, result = run(report, csv_bytes(rows, **kwargs))
    assert not result.is_valid
    return {error["row"]: error["message"] for error in record.errors}


# --- good files ------------------------------------------------------------------------


def test_csv_is_summed_up_per_point_exactly(report, applicant):
    record, result = run(report, csv_bytes(GOOD_ROWS), user=applicant)
    assert result.is_valid
    assert (record.row_count, record.error_count, record.errors) == (3, 0, [])
    assert summary_of(report) == {
        "Parkplatz 1": (2, Decimal("40.500"), Decimal("2.50")),
        "Schnelllader": (1, Decimal("45.250"), Decimal("0.33")),
    }
    stored = record.file
    assert stored.kind == ReportFileKind.CHARGING_DATA
    assert stored.original_name == "ladevorgaenge.csv"
    assert stored.content_type == "text/csv"
    assert stored.uploaded_by == applicant
    assert stored.file.read() == csv_bytes(GOOD_ROWS)


def test_points_without_sessions_get_a_summary_of_zero(report):
    run(report, csv_bytes(GOOD_ROWS[:1]))
    assert summary_of(report)["Schnelllader"] == (0, Decimal("0.000"), Decimal("0.00"))


@pytest.mark.parametrize("options", [
    {"delimiter": ";"},
    {"delimiter": ";", "bom": True},
    {"delimiter": "\t"},
])
def test_csv_separators_and_bom(report, options):
    _record, result = run(report, csv_bytes(GOOD_ROWS, **options))
    assert result.is_valid, result.errors
    assert summary_of(report)["Parkplatz 1"] == (2, Decimal("40.500"), Decimal("2.50"))


def test_comma_separated_with_decimal_points_or_quoted_decimal_commas(report):
    rows = [
        ["Parkplatz 1", "01.03.2027 08:00", "01.03.2027 10:00", "30.5"],
        ["Parkplatz 1", "2027-03-02 18:00:00", "2027-03-02 18:30:00", "10,0"],  # quoted by csv
    ]
    content = csv_bytes(rows, delimiter=",")
    assert b'"10,0"' in content
    _record, result = run(report, content)
    assert result.is_valid, result.errors
    assert summary_of(report)["Parkplatz 1"] == (2, Decimal("40.500"), Decimal("2.50"))


def test_headers_are_matched_tolerantly_in_german_and_english(report):
    header = ["  energy_KWH ", "CHARGING POINT", "Start time", "end", "Kommentar"]
    rows = [["30,5", "Parkplatz 1", "01.03.2027 08:00", "01.03.2027 10:00", "egal"]]
    _record, result = run(report, csv_bytes(rows, header=header))
    assert result.is_valid, result.errors
    assert summary_of(report)["Parkplatz 1"] == (1, Decimal("30.500"), Decimal("2.00"))


def test_windows_1252_csv_from_german_excel_is_read(applicant):
    application = accepted_application(applicant)
    ChargingPointFactory(report=application.reports.get(type="commissioning"),
                         label="Ladesäule Süd", power_kw=Decimal("11"),
                         commissioning_date=datetime.date(2026, 6, 15))
    report = operation_report(application)
    content = csv_bytes([["Ladesäule Süd", "01.03.2027 08:00", "01.03.2027 09:00", "11"]],
                        encoding="cp1252")
    _record, result = run(report, content)
    assert result.is_valid, result.errors
    assert summary_of(report)["Ladesäule Süd"] == (1, Decimal("11.000"), Decimal("1.00"))


def test_blank_lines_are_skipped_and_not_counted(report):
    content = b"\r\n" + csv_bytes(GOOD_ROWS[:1]) + b";;;\r\n\r\n"
    record, result = run(report, content)
    assert result.is_valid
    assert record.row_count == 1


def test_xlsx_with_date_cells_serial_numbers_and_text(report):
    rows = [
        ["Parkplatz 1", datetime.datetime(2027, 3, 1, 8, 0), datetime.datetime(2027, 3, 1, 10, 0), 30.5],
        # Excel serial dates: 46447 = 01.03.2027; .75 = 18:00
        ["Parkplatz 1", 46447.75, 46447.75 + 1 / 48, 10],
        ["Schnelllader", "05.04.2027 12:00", "2027-04-05T12:20:00+02:00", "45,25"],
    ]
    record, result = run(report, xlsx_bytes(rows), name="daten.xlsx")
    assert result.is_valid, result.errors
    assert record.file.content_type == uploads.XLSX.content_type
    assert summary_of(report) == {
        "Parkplatz 1": (2, Decimal("40.500"), Decimal("2.50")),
        "Schnelllader": (1, Decimal("45.250"), Decimal("0.33")),
    }


def test_duration_is_real_time_across_the_change_to_summer_time(report):
    # On 28 March 2027 clocks jump from 02:00 to 03:00: 01:30 to 03:30 is ONE hour,
    # in which 22 kW deliver at most 22 kWh.
    errors = row_errors(report, [["Parkplatz 1", "28.03.2027 01:30", "28.03.2027 03:30", "30"]])
    assert "22 kW × 1,00 h = 22,000 kWh" in errors[2]
    _record, result = run(report, csv_bytes(
        [["Parkplatz 1", "28.03.2027 01:30", "28.03.2027 03:30", "21"]]))
    assert result.is_valid
    assert summary_of(report)["Parkplatz 1"] == (1, Decimal("21.000"), Decimal("1.00"))


# --- row rules -------------------------------------------------------------------------


def test_each_row_rule_names_the_row(report):
    rows = [
        ["Parkplatz 1", "01.03.2027 10:00", "01.03.2027 08:00", "5"],      # 2 end before start
        ["Parkplatz 1", "01.03.2027 10:00", "01.03.2027 10:00", "0"],      # 3 end == start
        ["Parkplatz 1", "01.03.2027 08:00", "01.03.2027 09:00", "-1"],     # 4 negative
        ["Parkplatz 1", "01.03.2027 08:00", "01.03.2027 09:00", "22,5"],   # 5 > 22 kW × 1 h
        ["Parkplatz 1", "01.03.2027 08:00", "01.03.2027 09:00", "viel"],   # 6 not a number
        ["Parkplatz 1", "gestern", "01.03.2027 09:00", "1"],               # 7 bad start
        ["Parkplatz 1", "01.03.2027 08:00", "", "1"],                      # 8 no end
        ["", "01.03.2027 08:00", "01.03.2027 09:00", "1"],                 # 9 no point
        ["Parkplatz 9", "01.03.2027 08:00", "01.03.2027 09:00", "1"],      # 10 unknown point
        ["Parkplatz 1", "31.12.2026 23:00", "01.01.2027 01:00", "1"],      # 11 other year
        ["Parkplatz 1", "31.02.2027 08:00", "01.03.2027 09:00", "1"],      # 12 no such day
        ["Parkplatz 1", "01.03.2027 08:00", "01.03.2027 09:00", ""],       # 13 no energy
        ["Parkplatz 1", "01.03.2027 08:00", "01.03.2027 09:00", "22"],     # 14 fine (= limit)
    ]
    errors = row_errors(report, rows)
    assert set(errors) == set(range(2, 14))
    assert "The end must be after the start." in errors[2]
    assert "The end must be after the start." in errors[3]
    assert "The energy cannot be negative." in errors[4]
    assert "22,5 kWh is more than the charging point can deliver in this time " \
           "(22 kW × 1,00 h = 22,000 kWh)." in errors[5]
    assert "The energy “viel” is not a number of kWh." in errors[6]
    assert "The start “gestern” is not a date and time such as 31.12.2027 18:30." in errors[7]
    assert "The end is missing." in errors[8]
    assert "The charging point is missing." in errors[9]
    assert ("The charging point “Parkplatz 9” is not one of the charging points of this "
            "application (Parkplatz 1, Schnelllader).") in errors[10]
    assert "The session starts in 2026; this report covers 2027." in errors[11]
    assert "The start “31.02.2027 08:00” is not a date" in errors[12]
    assert "The energy is missing." in errors[13]
    # Nothing of an erroneous file becomes the report's data.
    assert not ChargingSessionSummary.objects.filter(report=report).exists()


def test_a_row_may_have_several_problems(report):
    errors = row_errors(report, [["Parkplatz 9", "01.03.2027 08:00", "kaputt", "-3"]])
    assert "not one of the charging points" in errors[2]
    assert "The end “kaputt”" in errors[2]
    assert "cannot be negative" in errors[2]


def test_a_point_of_another_application_is_rejected(report, applicant):
    other = accepted_application(UserFactory())
    ChargingPointFactory(report=other.reports.get(type="commissioning"), label="Fremdpunkt",
                         evse_id="DE*XYZ*E9")
    errors = row_errors(report, [
        ["Fremdpunkt", "01.03.2027 08:00", "01.03.2027 09:00", "1"],
        ["DE*XYZ*E9", "01.03.2027 08:00", "01.03.2027 09:00", "1"],
    ])
    assert set(errors) == {2, 3}
    assert "“Fremdpunkt” is not one of the charging points of this application" in errors[2]


def test_points_of_a_commissioning_report_are_the_only_reference(report):
    # A point hanging off some other report of the same application does not count.
    ChargingPointFactory(report=ReportFactory(application=report.application, final_proof=True),
                         label="Irrläufer")
    errors = row_errors(report, [["Irrläufer", "01.03.2027 08:00", "01.03.2027 09:00", "1"]])
    assert "not one of the charging points" in errors[2]


def test_a_session_before_commissioning_is_rejected(applicant):
    application = accepted_application(applicant)
    application.reports.get(type="commissioning").charging_points.filter(
        label="Schnelllader").update(commissioning_date=datetime.date(2027, 5, 1))
    report = operation_report(application)
    errors = row_errors(report, [["Schnelllader", "30.04.2027 12:00", "30.04.2027 13:00", "1"]])
    assert "before the charging point was commissioned (01.05.2027)" in errors[2]


def test_only_the_first_200_errors_are_kept_but_all_are_counted(report):
    bad = [["Parkplatz 1", "01.03.2027 10:00", "01.03.2027 09:00", "1"]] * 250
    record, result = run(report, csv_bytes(GOOD_ROWS + bad))
    assert (record.row_count, record.error_count) == (253, 250)
    assert len(record.errors) == 200
    assert record.errors[0]["row"] == 5 and record.errors[-1]["row"] == 204
    assert not record.is_valid


# --- whole-file problems: nothing is stored -------------------------------------------


@pytest.mark.parametrize(("content", "name", "message"), [
    (PDF, "daten.csv", "is not in an allowed format"),
    (PNG, "daten.xlsx", "is not in an allowed format"),
    (b"PK\x03\x04" + b"\x00" * 100, "daten.xlsx", "is not in an allowed format"),
    (b"", "daten.csv", "is empty"),
    (b"\r\n\r\n", "daten.csv", "The file is empty."),
    (csv_bytes(GOOD_ROWS, header=None), "daten.csv", "Not found: charging point, start, end, energy in kWh"),
    (csv_bytes(GOOD_ROWS, header=["Ladepunkt", "Beginn", "Ende", "Menge"]), "daten.csv",
     "Not found: energy in kWh"),
])
def test_file_level_problems_store_nothing(report, content, name, message):
    with pytest.raises(ValidationError) as caught:
        run(report, content, name=name)
    assert message in " ".join(caught.value.messages)
    assert not ReportFile.objects.exists()
    assert not ChargingProcessUpload.objects.exists()


def test_non_utf8_after_the_start_names_the_row(report):
    content = csv_bytes(GOOD_ROWS * 4000) + b"Ladepunkt \xc4;01.03.2027 08:00;01.03.2027 09:00;1\r\n"
    with pytest.raises(ValidationError) as caught:
        run(report, content)
    assert "Row 12002 contains characters that are not UTF-8" in caught.value.messages[0]
    assert not ReportFile.objects.exists()


def test_oversized_file_is_refused(report, monkeypatch):
    rule = uploads.UPLOAD_RULES[ReportFileKind.CHARGING_DATA]
    monkeypatch.setitem(uploads.UPLOAD_RULES, ReportFileKind.CHARGING_DATA,
                        uploads.UploadRule(rule.types, 100))
    with pytest.raises(ValidationError) as caught:
        run(report, csv_bytes(GOOD_ROWS))
    assert "is larger than" in caught.value.messages[0]
    assert not ReportFile.objects.exists()


def test_a_broken_xlsx_is_refused(report):
    good = xlsx_bytes(GOOD_ROWS)
    broken = good[: len(good) // 2]  # zip directory missing
    with pytest.raises(ValidationError):
        run(report, broken, name="daten.xlsx")
    assert not ReportFile.objects.exists()


def test_an_application_without_points_cannot_import(applicant):
    from tests.applications.factories import FundingApplicationFactory

    report = operation_report(FundingApplicationFactory(owner=applicant))
    with pytest.raises(ValidationError) as caught:
        run(report, csv_bytes(GOOD_ROWS))
    assert "lists no charging points" in caught.value.messages[0]


# --- what is kept and replaced --------------------------------------------------------


def test_a_new_valid_file_replaces_the_previous_upload_and_summary(report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = run(report, csv_bytes(GOOD_ROWS))
    first_name = first.file.file.name
    storage = first.file.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        second, _ = run(report, csv_bytes(GOOD_ROWS[2:]))
    assert list(report.charging_uploads.all()) == [second]
    assert list(ReportFile.objects.filter(report=report)) == [second.file]
    assert not storage.exists(first_name)
    assert summary_of(report) == {
        "Parkplatz 1": (0, Decimal("0.000"), Decimal("0.00")),
        "Schnelllader": (1, Decimal("45.250"), Decimal("0.33")),
    }


def test_a_file_with_errors_changes_nothing_of_the_reports_data(report, django_capture_on_commit_callbacks):
    good, _ = run(report, csv_bytes(GOOD_ROWS))
    before = summary_of(report)
    bad_rows = [["Parkplatz 1", "01.03.2027 10:00", "01.03.2027 09:00", "1"]]
    with django_capture_on_commit_callbacks(execute=True):
        failed, _ = run(report, csv_bytes(bad_rows))
    assert summary_of(report) == before
    assert charging_data.current_upload(report) == good
    assert set(report.charging_uploads.all()) == {good, failed}
    # The next failed attempt replaces the previous failed one, never the valid upload.
    failed_name = failed.file.file.name
    with django_capture_on_commit_callbacks(execute=True):
        again, _ = run(report, csv_bytes(bad_rows))
    assert set(report.charging_uploads.all()) == {good, again}
    assert not good.file.file.storage.exists(failed_name)
    assert summary_of(report) == before


def test_queries_do_not_grow_with_the_number_of_rows(report):
    def count(rows):
        with CaptureQueriesContext(connection) as queries:
            run(report, csv_bytes(rows))
        return len(queries)

    count(GOOD_ROWS)  # from now on, every import replaces an earlier one
    few = count(GOOD_ROWS)
    many = count(GOOD_ROWS * 500)
    assert few == many
    assert summary_of(report)["Parkplatz 1"] == (1000, Decimal("20250.000"), Decimal("1250.00"))


# --- cells ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "utc"), [
    ("01.03.2027 08:00", datetime.datetime(2027, 3, 1, 7, 0)),
    ("1.3.2027 8:05:30", datetime.datetime(2027, 3, 1, 7, 5, 30)),
    ("01.07.2027 08:00", datetime.datetime(2027, 7, 1, 6, 0)),
    ("2027-07-01T08:00", datetime.datetime(2027, 7, 1, 6, 0)),
    ("2027-07-01 08:00:00Z", datetime.datetime(2027, 7, 1, 8, 0)),
    ("2027-07-01T08:00:00+01:00", datetime.datetime(2027, 7, 1, 7, 0)),
    (46447.75, datetime.datetime(2027, 3, 1, 17, 0)),
    ("2027-13-01T08:00", None),
    ("morgen", None),
    ("", None),
    (None, None),
])
def test_parse_datetime(text, utc):
    assert charging_data.parse_datetime(text) == utc


@pytest.mark.parametrize(("value", "energy"), [
    ("12,5", Decimal("12.5")), ("12.5", Decimal("12.5")), ("1.234,5", Decimal("1234.5")),
    (" 7 ", Decimal("7")), (30.5, Decimal("30.5")), (3, Decimal("3")), ("NaN", None),
    ("zwölf", None), (True, None),
])
def test_parse_energy(value, energy):
    assert charging_data.parse_energy(value) == energy
