"""The importer on real workbooks and a real database: FORMAT.md's semantics."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.db import OperationalError, connection

from applications.models import FundingApplication, KfwStatus
from kfw_import import importer
from kfw_import.importer import import_workbook
from kfw_import.models import ApplicationChange, ImportRun, ImportSource, ImportStatus
from kfw_import import columns
from kfw_import.workbooks import HEADERS, export_rows, sample_like_rows, valid_row, valid_rows
from tests.applications.factories import FundingApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db


def run_import(path, **options):
    options.setdefault("source", ImportSource.COMMAND)
    with open(path, "rb") as handle:
        return import_workbook(handle, file_name=path.name, **options)


def snapshot():
    return sorted(FundingApplication.objects.values_list(
        "kfw_number", "applicant_name", "email", "approved_amount", "kfw_status", "postal_code"))


def test_workbook_with_the_sample_quirks_imports_all_but_its_two_bad_rows(workbook):
    """The generator's rebuild of kfw_export_sample.xlsx gives what the sample gives by hand:
    30 rows read, 28 created, rows 31 and 32 rejected."""
    run = run_import(workbook(sample_like_rows()))

    assert run.status == ImportStatus.IMPORTED_WITH_REJECTIONS
    assert (run.rows_read, run.created, run.rejected) == (30, 28, 2), run.rejected_rows
    assert [(e["row"], e["column"]) for e in run.rejected_rows] == [
        (31, "E-Mail"), (32, "PLZ"), (32, "Anzahl Ladepunkte")]
    assert FundingApplication.objects.count() == 28


def test_every_quirk_of_real_exports_normalises_to_the_plain_values(workbook):
    """export_rows writes numbers as text and text as numbers, German amounts, dates as
    text, e-mails in upper case with spaces, IBANs in groups …; stored, each row is the
    same as the plain row it was made from."""
    quirky = list(export_rows(84))
    run = run_import(workbook(quirky))

    assert (run.created, run.rejected) == (84, 0), run.rejected_rows[:3]
    stored = {a.kfw_number: a for a in FundingApplication.objects.all()}
    kinds = {column: set() for column in HEADERS}
    for index, row in enumerate(quirky):
        plain = _model_values(valid_row(index))
        application = stored[plain["kfw_number"]]
        for column in columns.COLUMNS:
            kinds[column.header].add(type(row[column.header]).__name__)
            expected = plain[column.field]
            if column.field == "approved_amount" and index % 4 == 2:
                expected = Decimal(int(expected))
            if column.field == "email" and index % 11 == 5 and index % 6 != 3:
                expected = row["E-Mail"]
            assert getattr(application, column.field) == expected, (index, column.field)
    assert kinds["Antragsnummer"] == {"str", "int"} and kinds["PLZ"] == {"str", "int"}
    assert kinds["Förderbetrag (EUR)"] == {"str", "int", "float"}
    assert kinds["Zusagedatum"] == {"str", "datetime"}
    assert {row["Status"] for row in quirky} == {"zugesagt", "Zugesagt"}
    assert any(row["E-Mail"].startswith("  ") for row in quirky)
    assert any(" " in row["IBAN"] for row in quirky)
    assert any(row["PLZ"] == 1067 for row in quirky) and any(row["PLZ"] == 4109 for row in quirky)
    assert any("ä" in a.email or "ü" in a.email or "ö" in a.email for a in stored.values())


def test_rows_of_empty_cells_are_skipped_and_row_numbers_stay_those_of_the_sheet(workbook):
    run = run_import(workbook([valid_row(1), None, None, valid_row(2, **{"PLZ": "x"})]))

    assert run.rows_read == 2 and run.created == 1
    assert run.rejected_rows[0]["row"] == 5


def test_missing_required_value_rejects_the_row_optional_may_be_empty(workbook):
    run = run_import(workbook([
        valid_row(1, **{"Nachname": "  "}),
        valid_row(2, **{"Vorname": None, "Telefon": None, "IBAN": None}),
    ]))

    assert run.created == 1 and run.rejected == 1
    assert run.rejected_rows[0]["column"] == "Nachname"
    created = FundingApplication.objects.get()
    assert (created.contact_first_name, created.phone, created.iban) == ("", "", "")


def test_known_number_updates_the_application_and_records_the_change(workbook):
    existing = FundingApplicationFactory(kfw_number="4400000001", **{
        k: v for k, v in _model_values(valid_row(1)).items() if k != "kfw_number"})
    claimed_by = UserFactory()
    FundingApplication.objects.filter(pk=existing.pk).update(owner=claimed_by)

    run = run_import(workbook([valid_row(1, **{"Förderbetrag (EUR)": "99.999,99", "Ort": "Görlitz"})]))

    assert (run.created, run.updated, run.unchanged) == (0, 1, 0)
    assert FundingApplication.objects.count() == 1
    existing.refresh_from_db()
    assert existing.approved_amount == Decimal("99999.99") and existing.city == "Görlitz"
    assert existing.owner == claimed_by  # the import never touches the owner
    changes = {c.field: (c.old_value, c.new_value) for c in ApplicationChange.objects.filter(run=run)}
    assert changes["approved_amount"][1] == "99999.99"
    assert changes["city"][1] == "Görlitz"
    assert set(changes) == {"approved_amount", "city"}


def test_unchanged_row_changes_nothing(workbook):
    run_import(workbook([valid_row(1), valid_row(2)]))
    before = list(FundingApplication.objects.values_list("kfw_number", "updated_at"))

    run = run_import(workbook([valid_row(1), valid_row(2, **{"Telefon": "+49 1"})]))

    assert (run.created, run.updated, run.unchanged) == (0, 1, 1)
    after = dict(FundingApplication.objects.values_list("kfw_number", "updated_at"))
    assert after["4400000001"] == dict(before)["4400000001"]
    assert ApplicationChange.objects.filter(run=run).count() == 1


def test_storniert_withdraws_the_application(workbook):
    run_import(workbook([valid_row(1)]))

    run = run_import(workbook([valid_row(1, Status="STORNIERT")]))

    assert run.withdrawn == 1 and run.updated == 0
    assert FundingApplication.objects.get().kfw_status == KfwStatus.WITHDRAWN
    change = ApplicationChange.objects.get(run=run)
    assert (change.field, change.old_value, change.new_value) == ("kfw_status", "approved", "withdrawn")


def test_identical_duplicate_rows_count_once(workbook):
    run = run_import(workbook([valid_row(1), valid_row(2), valid_row(1)]))

    assert (run.rows_read, run.created, run.rejected) == (3, 2, 0)
    assert any("4" in w and "2" in w for w in run.warnings)


def test_same_number_with_different_content_rejects_both_rows(workbook):
    run = run_import(workbook([valid_row(1), valid_row(2), valid_row(1, Ort="Anderswo")]))

    assert (run.created, run.rejected) == (1, 2)
    assert sorted(e["row"] for e in run.rejected_rows) == [2, 4]
    assert not FundingApplication.objects.filter(kfw_number="4400000001").exists()


def test_conflict_found_after_the_first_row_was_written_is_undone(workbook, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    run_import(workbook([valid_row(5)]))  # exists before: will be updated, then restored
    rows = [valid_row(1), valid_row(5, Ort="Neu"), valid_row(2), valid_row(3),
            valid_row(1, Ort="Anders"), valid_row(5, Ort="Wieder anders"), valid_row(1, Ort="3.")]

    run = run_import(workbook(rows))

    assert (run.created, run.updated, run.rejected) == (2, 0, 5)
    assert not FundingApplication.objects.filter(kfw_number="4400000001").exists()
    assert FundingApplication.objects.get(kfw_number="4400000005").city == valid_row(5)["Ort"]
    assert not ApplicationChange.objects.filter(run=run).exists()
    assert sorted({e["row"] for e in run.rejected_rows}) == [2, 3, 6, 7, 8]


def test_importing_the_same_file_again_is_a_no_op_that_names_the_first_run(workbook):
    path = workbook([valid_row(1), valid_row(2)])
    first = run_import(path)
    FundingApplication.objects.filter(kfw_number="4400000001").update(city="Manuell")

    again = run_import(path)

    assert again.status == ImportStatus.ALREADY_IMPORTED
    assert again.already_imported_by == first
    assert f"{first.pk}" in again.message
    assert FundingApplication.objects.get(kfw_number="4400000001").city == "Manuell"
    assert (again.created, again.updated) == (0, 0)


def test_original_is_archived_under_its_hash(workbook):
    path = workbook([valid_row(1)])

    run = run_import(path)

    assert run.archive_name == f"kfw-imports/{run.sha256}.xlsx"
    with default_storage.open(run.archive_name, "rb") as archived:
        assert archived.read() == path.read_bytes()
    assert len(run.sha256) == 64


def test_run_records_source_user_time_and_counts(workbook):
    user = UserFactory()
    run = run_import(workbook([valid_row(1)]), source=ImportSource.ADMIN, user=user)

    stored = ImportRun.objects.get(pk=run.pk)
    assert (stored.source, stored.user, stored.status, stored.created) == ("admin", user, "imported", 1)
    assert stored.duration is not None and stored.started_at is not None


def test_failure_midway_leaves_the_database_as_it_was_and_records_a_failed_run(workbook, monkeypatch):
    """The database fails at the third statement that writes applications, after the
    first batches went in (a dropped connection, a full disk): nothing stays."""
    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    run_import(workbook([valid_row(1)]))
    before = snapshot()
    table = FundingApplication._meta.db_table
    writes = []

    def failing_database(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and table in sql:
            writes.append(sql)
            if len(writes) == 3:
                raise OperationalError("database went away")
        return execute(sql, params, many, context)

    rows = [valid_row(1, Ort="Neu")] + list(valid_rows(7, start=2))
    with connection.execute_wrapper(failing_database):
        run = run_import(workbook(rows))

    assert len(writes) == 3
    assert run.status == ImportStatus.FAILED
    assert "database went away" in run.message
    assert snapshot() == before
    assert not ApplicationChange.objects.exists()
    assert ImportRun.objects.get(pk=run.pk).status == ImportStatus.FAILED


def test_a_failed_file_can_be_imported_again(workbook, monkeypatch):
    path = workbook([valid_row(1)])
    monkeypatch.setattr(importer.Upsert, "flush", lambda self: 1 / 0)
    assert run_import(path).status == ImportStatus.FAILED
    monkeypatch.undo()

    assert run_import(path).status == ImportStatus.IMPORTED
    assert FundingApplication.objects.count() == 1


def test_dry_run_changes_nothing_and_reports_what_would_change(workbook):
    run_import(workbook([valid_row(1), valid_row(2)]))
    before = snapshot()
    runs = ImportRun.objects.count()

    preview = run_import(workbook([valid_row(1, Status="storniert"), valid_row(2, Ort="Neu"),
                                   valid_row(3), valid_row(4, PLZ="x")]), dry_run=True)

    assert (preview.created, preview.updated, preview.withdrawn, preview.rejected) == (1, 1, 1, 1)
    assert preview.pk is None
    assert [a.kfw_number for a in preview.preview["created"]] == ["4400000003"]
    [(application, changes)] = preview.preview["updated"]
    assert [(c.field, c.new_value) for c in changes] == [("city", "Neu")]
    assert snapshot() == before
    assert ImportRun.objects.count() == runs
    assert not default_storage.exists(f"kfw-imports/{preview.sha256}.xlsx")


def test_new_applications_get_one_invitation_after_commit(workbook, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run_import(workbook([valid_row(1), valid_row(2, Status="storniert"),
                             valid_row(3, **{"E-Mail": "Dritte@Example.org"})]))
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["dritte@example.org", valid_row(1)["E-Mail"]]
    message = mail.outbox[0]
    assert "4400000001" in message.body or "4400000003" in message.body
    assert "English version" in message.body
    assert "/konto/signup/" in message.body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_import(workbook([valid_row(1, Ort="Neu"), valid_row(3)]))
    assert mail.outbox == []


def test_invitation_is_german_with_an_english_part(workbook, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_import(workbook([valid_row(1)]))
    [message] = mail.outbox
    german, english = message.body.split("English version")
    assert "4400000001" in german and "4400000001" in english
    assert "Antragsnummer" in german or "KfW" in german
    assert "Guten Tag" in german and "Hello" in english


def test_no_invitation_for_a_dry_run(workbook, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run_import(workbook([valid_row(1)]), dry_run=True)
    assert callbacks == [] and mail.outbox == []


def test_text_is_stored_verbatim(workbook):
    formula = '=HYPERLINK("http://evil.example","Klick")'
    run_import(workbook([valid_row(1, Antragsteller=formula, Ort="<script>alert(1)</script>")]))

    application = FundingApplication.objects.get()
    assert application.applicant_name == formula
    assert application.city == "<script>alert(1)</script>"


def test_columns_in_any_order_with_headers_in_any_case_and_an_unknown_column(workbook):
    headers = list(reversed(HEADERS)) + ["Bemerkung"]
    odd = {"Antragsnummer": " antragsnummer* ", "Anzahl Ladepunkte": "ANZAHL   LADEPUNKTE"}
    row = valid_row(1)
    cells = [row[h] for h in reversed(HEADERS)] + ["egal"]

    run = run_import(workbook([cells], headers=[odd.get(h, h) for h in headers]))

    assert run.created == 1 and run.rejected == 0
    assert FundingApplication.objects.get().approved_charging_points == row["Anzahl Ladepunkte"]
    assert any("Bemerkung" in warning for warning in run.warnings)


def _model_values(row):
    from kfw_import import columns

    return {column.field: column.normalise(row[column.header]) for column in columns.COLUMNS}


def test_queries_do_not_grow_with_the_rows(workbook, django_assert_max_num_queries):
    """Upsert in bulk: the same statements for 3 rows as for 300 (one batch), created or
    updated."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(rows):
        path = workbook(rows)
        with CaptureQueriesContext(connection) as captured:
            run = run_import(path)
        assert run.rejected == 0
        return len(captured)

    few = queries(list(valid_rows(3)))
    many = queries(list(valid_rows(300, start=3)))
    updates_few = queries([valid_row(i, Ort="Neu") for i in range(3)])
    updates_many = queries([valid_row(i, Ort="Neu") for i in range(3, 303)])

    assert few == many and updates_few == updates_many
    assert many <= 15 and updates_many <= 15


# --- duplicates found through the database, provenance, invitations by run ------------------


def test_duplicate_number_in_a_later_batch_rejects_both_rows_naming_them(workbook, monkeypatch):
    """The earlier row was written by an earlier batch: the later one finds it through the
    provenance the first wrote (this run, its row), not through a list kept in memory."""
    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    rows = [valid_row(1), valid_row(2), valid_row(3), valid_row(4), valid_row(2, Ort="Anderswo")]

    run = run_import(workbook(rows))

    assert (run.rows_read, run.created, run.rejected) == (5, 3, 2)
    assert [(e["row"], e["column"]) for e in run.rejected_rows] == [
        (3, "Antragsnummer"), (6, "Antragsnummer")]
    reason = run.rejected_rows[0]["reason"]
    assert "3" in reason and "6" in reason and "4400000002" in reason
    assert run.rejected_rows[1]["reason"] == reason
    assert not FundingApplication.objects.filter(kfw_number="4400000002").exists()
    assert ImportRun.objects.get(pk=run.pk).created == 3


def test_every_further_row_of_a_conflicting_number_is_rejected_too(workbook, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    rows = [valid_row(1), valid_row(1, Ort="Anders"), valid_row(1), valid_row(2)]

    run = run_import(workbook(rows))

    assert (run.created, run.rejected) == (1, 3)
    assert [e["row"] for e in run.rejected_rows] == [2, 3, 4]
    assert "4400000001" in run.rejected_rows[2]["reason"]
    assert list(FundingApplication.objects.values_list("kfw_number", flat=True)) == ["4400000002"]


def test_exact_repeat_in_a_later_batch_counts_once_with_a_warning(workbook, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    run_import(workbook([valid_row(3)]))

    run = run_import(workbook([valid_row(1), valid_row(3), valid_row(2), valid_row(1),
                               valid_row(3)]))

    assert (run.rows_read, run.created, run.unchanged, run.rejected) == (5, 2, 1, 0)
    assert run.warnings == [
        "Zeile 5 wiederholt Zeile 2 genau; sie wurde einmal gezählt.",
        "Zeile 6 wiederholt Zeile 3 genau; sie wurde einmal gezählt.",
    ]


def test_conflict_with_an_updated_application_restores_it_in_a_dry_run_too(workbook, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    run_import(workbook([valid_row(1), valid_row(2)]))
    before = snapshot()
    rows = [valid_row(1, Ort="Neu"), valid_row(3), valid_row(2, Status="storniert"),
            valid_row(4), valid_row(1, Ort="Anders"), valid_row(2, Ort="Nochmal")]

    preview = run_import(workbook(rows), dry_run=True)
    run = run_import(workbook(rows))

    for result in (preview, run):
        assert (result.created, result.updated, result.withdrawn, result.unchanged,
                result.rejected) == (2, 0, 0, 0, 4)
        assert sorted(a.kfw_number for a in result.preview["created"]) == ["4400000003",
                                                                            "4400000004"]
        assert result.preview["updated"] == [] and result.preview["withdrawn"] == []
    assert [e["row"] for e in run.rejected_rows] == [2, 4, 6, 7]
    assert not ApplicationChange.objects.filter(run=run).exists()
    assert [row for row in snapshot() if row[0] in ("4400000001", "4400000002")] == before


def test_provenance_names_the_creating_run_and_the_last_run_and_row(workbook):
    first = run_import(workbook([valid_row(1), valid_row(2), valid_row(3)]))
    second = run_import(workbook([valid_row(3), valid_row(2, Ort="Neu"), valid_row(4),
                                  valid_row(1, PLZ="x")]))

    provenance = dict((number, rest) for number, *rest in FundingApplication.objects.values_list(
        "kfw_number", "created_by_import", "last_import", "last_import_row"))
    assert provenance == {
        "4400000001": [first.pk, first.pk, 2],  # its row of the second file was rejected
        "4400000002": [first.pk, second.pk, 3],  # updated
        "4400000003": [first.pk, second.pk, 2],  # unchanged, but in the file
        "4400000004": [second.pk, second.pk, 4],  # created
    }


def test_dry_run_leaves_no_provenance(workbook):
    first = run_import(workbook([valid_row(1)]))

    preview = run_import(workbook([valid_row(1, Ort="Neu"), valid_row(2)]), dry_run=True)

    assert (preview.created, preview.updated) == (1, 1)
    assert list(FundingApplication.objects.values_list(
        "kfw_number", "created_by_import", "last_import", "last_import_row")) == [
        ("4400000001", first.pk, first.pk, 2)]


def test_invitations_are_read_by_run_in_chunks_once_per_new_approved_application(
        workbook, monkeypatch, django_capture_on_commit_callbacks):
    from kfw_import import invitations

    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    monkeypatch.setattr(invitations, "CHUNK", 2)
    run_import(workbook([valid_row(1)]))
    mail.outbox.clear()
    rows = [valid_row(1, Ort="Neu"), valid_row(2), valid_row(3, Status="storniert"),
            valid_row(4), valid_row(5), valid_row(4), valid_row(6),
            valid_row(6, Ort="Anders"), valid_row(7)]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = run_import(workbook(rows))

    assert len(callbacks) == 1
    assert run.created == 5  # 2, 3 (withdrawn), 4, 5, 7; not the conflicting 6
    invited = sorted(m.to[0] for m in mail.outbox)
    assert invited == sorted(valid_row(i)["E-Mail"].strip().lower() for i in (2, 4, 5, 7))
    assert len(invited) == len(set(invited))


def test_invitations_are_sent_only_once_the_import_committed(
        workbook, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_import(workbook([valid_row(1), valid_row(2)]))
    assert len(callbacks) == 1 and mail.outbox == []

    callbacks[0]()

    assert len(mail.outbox) == 2


def test_warnings_are_capped_and_say_how_many_more(workbook, monkeypatch):
    monkeypatch.setattr(importer, "MAX_WARNINGS_KEPT", 2)

    run = run_import(workbook([valid_row(1)] * 5))

    assert (run.created, run.rejected) == (1, 0)
    assert len(run.warnings) == 3
    assert "2" in run.warnings[-1] and "Zeile 2" not in run.warnings[-1]


def test_rejected_rows_kept_are_the_first_ones_in_row_order(workbook, monkeypatch):
    monkeypatch.setattr(importer, "MAX_REJECTED_KEPT", 3)
    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    rows = [valid_row(1), valid_row(2, PLZ="x"), valid_row(3, PLZ="x"), valid_row(4, PLZ="x"),
            valid_row(1, Ort="Anders")]

    run = run_import(workbook(rows))

    assert run.rejected == 5
    assert [e["row"] for e in run.rejected_rows] == [2, 3, 4]


def test_a_sheet_with_only_its_header_is_rejected_not_imported(workbook):
    """Not "imported, 0 rows" (with a button to confirm it in the admin): the file holds
    nothing, which is worth a clear word."""
    run = run_import(workbook([]))
    assert run.status == ImportStatus.REJECTED
    assert run.message == ("Das Tabellenblatt „Zusagen“ hat unter der Kopfzeile keine Zeilen: "
                           "Es gibt nichts zu importieren.")
    assert ImportRun.objects.get() == run and not FundingApplication.objects.exists()


def test_missing_columns_name_the_sheet_that_was_read(workbook):
    """Without a "Zusagen" sheet the first is read, perhaps a cover page: say which."""
    run = run_import(workbook([valid_row(1)], sheet_name="Export", extra_sheets=["Deckblatt"]))
    assert run.status == ImportStatus.REJECTED
    assert run.message.startswith("Tabellenblatt „Deckblatt“: ")
