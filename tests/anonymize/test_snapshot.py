"""A snapshot of a seeded database, imported into a fresh MariaDB with the mysql client."""

import gzip
import io
import subprocess

import pytest
from django.core.management import CommandError, call_command

from anonymize.fakes import Faker, is_valid_iban
from anonymize.leaks import LeakFound
from anonymize.policy import KEEP, POLICY
from anonymize.snapshot import take_snapshot

from .conftest import SHARED_EMAIL, fingerprint

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "00112233445566778899aabbccddeeff"


def snapshot(path, *args):
    out = io.StringIO()
    call_command("anonymized_snapshot", "--output", str(path), *args, stdout=out)
    return out.getvalue()


def escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def assert_no_originals(text: str, originals):
    lowered = text.lower()
    for value in originals:
        for form in {value.lower(), escaped(value).lower()}:
            assert form not in lowered, f"an original value leaked: {value!r}"


def test_snapshot_imports_into_mariadb_with_every_row_and_no_personal_data(
        seeded, tmp_path, import_dump):
    from django.db import connection

    before = fingerprint()
    path = tmp_path / "snapshot.sql"
    output = snapshot(path, "--key", KEY)
    assert str(path) in output
    assert fingerprint() == before, "the source database changed"

    dump = path.read_text(encoding="utf-8")
    assert "SET FOREIGN_KEY_CHECKS=0" in dump or "FOREIGN_KEY_CHECKS=0" in dump
    assert " AUTO_INCREMENT=" not in dump
    assert_no_originals(dump, seeded.personal_values)

    imported = import_dump(path)
    assert_no_originals(imported.all_text(), seeded.personal_values)

    # Every kept table has all its rows; omitted tables exist and are empty.
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            source_rows = cursor.fetchone()[0]
            rows = int(imported.scalar(f"SELECT COUNT(*) FROM `{table}`"))
            expected = 0 if not isinstance(POLICY[table], dict) else source_rows
            assert rows == expected, table
    for table in ("django_session", "mfa_authenticator", "account_emailconfirmation",
                  "socialaccount_socialtoken", "socialaccount_socialapp"):
        assert imported.scalar(f"SELECT COUNT(*) FROM `{table}`") == "0"

    # Joins hold: the same e-mail in four tables is the same fake; the keys still join.
    emails = imported.query(
        "SELECT a.email, u.email, c.email, r.recipient, e.email FROM "
        "applications_fundingapplication a JOIN applications_user u ON u.id = a.owner_id "
        "JOIN applications_applicationclaim c ON c.application_id = a.id "
        "JOIN reports_report rep ON rep.application_id = a.id "
        "JOIN reports_remindersent r ON r.report_id = rep.id "
        "JOIN account_emailaddress e ON e.user_id = u.id")
    assert len(emails) == 1
    assert len(set(emails[0])) == 1
    assert emails[0][0].endswith("@example.invalid")
    change = imported.query("SELECT new_value FROM kfw_import_applicationchange "
                            "WHERE field = 'email'")
    assert change == [[emails[0][0]]], "change history fakes like the application's field"
    joined = imported.scalar(
        "SELECT COUNT(*) FROM reports_chargingsessionsummary s "
        "JOIN reports_chargingpoint p ON p.id = s.charging_point_id "
        "JOIN reports_report r ON r.id = p.report_id "
        "JOIN applications_fundingapplication a ON a.id = r.application_id")
    assert joined == "1"

    # Fakes keep their format; generalisations are what the policy says.
    first = seeded.applications[0]
    row = dict(zip(
        ["kfw_number", "postal_code", "approval_date", "approved_amount", "iban", "phone",
         "street", "house_number", "contact_last_name"],
        imported.query(
            "SELECT kfw_number, postal_code, approval_date, approved_amount, iban, phone, "
            f"street, house_number, contact_last_name FROM applications_fundingapplication "
            f"WHERE id = {first.pk}")[0]))
    assert row["postal_code"] == "01"
    assert row["approval_date"] == "2026-03-01"
    assert row["approved_amount"] == "123500.00"
    assert len(row["kfw_number"]) == 10 and row["kfw_number"].isdigit()
    assert is_valid_iban(row["iban"]) and row["iban"].startswith("DE")
    assert row["phone"].startswith("+49 (") and len(row["phone"]) == len(first.phone)
    assert imported.scalar("SELECT commissioning_date FROM reports_chargingpoint "
                           "WHERE evse_id <> ''") == "2026-06-01"
    assert imported.scalar(
        f"SELECT postal_code FROM applications_fundingapplication WHERE id = {seeded.applications[1].pk}"
    ) == "79"
    assert imported.scalar("SELECT old_value FROM kfw_import_applicationchange "
                           "WHERE field = 'approval_date'") == "2026-03-01"
    assert imported.scalar("SELECT old_value FROM kfw_import_applicationchange "
                           "WHERE field = 'program'") == "440"
    # Free text is redacted, empty text stays empty, JSON drafts are emptied, no file paths.
    assert imported.query("SELECT DISTINCT caseworker_comment FROM reports_report ORDER BY 1") \
        == [[""], ["[entfernt]"]]
    assert imported.query("SELECT DISTINCT wizard_state FROM reports_report") == [["{}"]]
    assert imported.query("SELECT DISTINCT file FROM reports_reportfile") == [[""]]
    assert imported.query("SELECT original_name FROM reports_reportfile ORDER BY 1") \
        == [["datei.csv"], ["datei.pdf"]]
    assert imported.scalar("SELECT COUNT(*) FROM applications_user "
                           "WHERE password <> '!'") == "0"

    # Kept values survive exactly: quotes, backslashes, NUL, newlines, umlauts, decimals, NULL.
    from django.contrib.auth.models import Group

    group = Group.objects.get(name__startswith="Prüfer")
    assert imported.scalar(f"SELECT HEX(name) FROM auth_group WHERE id = {group.pk}") \
        == group.name.encode().hex().upper()
    report = seeded.applications[0].reports.get(type="commissioning")
    assert imported.query(
        f"SELECT cost_hardware, cost_other, publicly_accessible FROM reports_report "
        f"WHERE id = {report.pk}") == [["18400.50", "NULL", "NULL"]]
    long_text = imported.scalar("SELECT LENGTH(availability_and_faults) FROM reports_report "
                                "WHERE type = 'operation'")
    assert long_text == str(len("[entfernt]"))


def test_same_key_reproduces_and_another_key_gives_other_fakes(seeded, tmp_path):
    snapshot(tmp_path / "a.sql", "--key", KEY)
    snapshot(tmp_path / "b.sql", "--key", KEY)
    snapshot(tmp_path / "c.sql", "--key", "ff" * 16)
    snapshot(tmp_path / "d.sql")  # a random key
    a, b, c, d = ((tmp_path / f"{n}.sql").read_text() for n in "abcd")
    assert a == b
    fake = Faker(bytes.fromhex(KEY)).email(SHARED_EMAIL)
    assert fake in a
    assert fake not in c and fake not in d
    assert c != a and d != a


def test_small_batches_page_through_every_row_in_key_order(seeded, tmp_path, settings):
    settings.SNAPSHOT_BATCH_ROWS = 2
    snapshot(tmp_path / "small.sql", "--key", KEY)
    settings.SNAPSHOT_BATCH_ROWS = 5000
    snapshot(tmp_path / "large.sql", "--key", KEY)

    def rows(text):
        return [line.rstrip(",;") for line in text.splitlines() if line.startswith("(")]

    small, large = ((tmp_path / n).read_text() for n in ("small.sql", "large.sql"))
    assert rows(small) == rows(large)
    from django.contrib.auth.models import Permission

    permissions = Permission.objects.count()
    assert permissions > 10
    assert small.count("INSERT INTO `auth_permission`") == (permissions + 1) // 2


def test_gzip_output_is_the_same_dump_compressed(seeded, tmp_path):
    snapshot(tmp_path / "plain.sql", "--key", KEY)
    output = snapshot(tmp_path / "dump.sql.gz", "--key", KEY, "--gzip")
    compressed = (tmp_path / "dump.sql.gz").read_bytes()
    assert compressed[:2] == b"\x1f\x8b"
    assert gzip.decompress(compressed).decode() == (tmp_path / "plain.sql").read_text()
    assert "dump.sql.gz" in output


def test_a_leaking_policy_fails_and_deletes_the_output(seeded, tmp_path):
    leaking = {table: dict(rules) if isinstance(rules, dict) else rules
               for table, rules in POLICY.items()}
    # The operator is the applicant: keeping it leaks the applicant's name.
    leaking["reports_report"]["operator_name"] = KEEP
    out = tmp_path / "out"
    out.mkdir()
    path = out / "leaking.sql"
    with pytest.raises(LeakFound) as caught:
        take_snapshot(str(path), policy=leaking)
    assert "reports_report" in caught.value.hits
    assert "applications_fundingapplication.applicant_name" in caught.value.hits["reports_report"]
    assert "Weberling" not in str(caught.value), "the message must not quote the value"
    assert list(out.iterdir()) == []


def test_a_fake_equal_to_another_rows_original_is_no_leak(seeded, tmp_path):
    from applications.models import FundingApplication

    first, second = seeded.applications[:2]
    # The second application's phone number is what the dump writes for the first one's.
    written = Faker(bytes.fromhex(KEY)).phone(first.phone)
    FundingApplication.objects.filter(pk=second.pk).update(phone=written)
    snapshot(tmp_path / "dump.sql", "--key", KEY)
    assert escaped(written) in (tmp_path / "dump.sql").read_text()


def test_a_fake_python_wrote_is_forgiven_without_computing_fakes_again(
        seeded, tmp_path, monkeypatch):
    from applications.models import FundingApplication

    first, second = seeded.applications[:2]
    written = Faker(bytes.fromhex(KEY)).kfw_number(first.kfw_number)
    FundingApplication.objects.filter(pk=second.pk).update(kfw_number=written)

    def recompute(*args):
        return lambda found: pytest.fail(f"fakes computed again for {found}")

    monkeypatch.setattr("anonymize.snapshot.written_fakes", recompute)
    snapshot(tmp_path / "dump.sql", "--key", KEY)
    assert escaped(written) in (tmp_path / "dump.sql").read_text()


def test_a_rare_coincidence_is_sorted_out_by_faking_the_table_again(seeded, tmp_path):
    from reports.models import ChargingPoint

    # An EVSE ID equal to the fake of another point's: not told while writing (such
    # fakes almost never meet a real one), found by the leak check, then forgiven.
    original = ChargingPoint.objects.exclude(evse_id="").first()
    written = Faker(bytes.fromhex(KEY)).pattern(original.evse_id)
    other = ChargingPoint.objects.exclude(pk=original.pk).first()
    ChargingPoint.objects.filter(pk=other.pk).update(evse_id=written)
    snapshot(tmp_path / "dump.sql", "--key", KEY)
    assert escaped(written) in (tmp_path / "dump.sql").read_text()


def test_the_command_reports_a_leak_as_an_error(seeded, tmp_path, monkeypatch):
    leaking = {table: dict(rules) if isinstance(rules, dict) else rules
               for table, rules in POLICY.items()}
    leaking["applications_user"]["last_name"] = KEEP  # also the contact's last name
    monkeypatch.setattr("anonymize.snapshot.POLICY", leaking)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(CommandError, match="applications_user"):
        snapshot(out / "x.sql")
    assert list(out.iterdir()) == []


def test_bad_key_and_missing_folder_are_refused(db, tmp_path):
    with pytest.raises(CommandError, match="hexadezimal"):
        snapshot(tmp_path / "x.sql", "--key", "not-hex")
    with pytest.raises(CommandError, match="32 Hexadezimalziffern"):
        snapshot(tmp_path / "x.sql", "--key", "abcd")
    with pytest.raises(CommandError, match="gibt es nicht"):
        snapshot(tmp_path / "missing" / "x.sql")


def test_a_destination_that_cannot_take_the_dump_is_refused_before_anything_is_read(
    db, tmp_path, monkeypatch
):
    """A folder, a device, no name, or a folder without write access: a clear message,
    nothing replaced, and no data read (the policy check is the first read)."""
    import os

    def never(*args, **kwargs):
        raise AssertionError("data read for a destination that cannot take it")

    monkeypatch.setattr("anonymize.snapshot.collect_needles", never)
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(CommandError, match="ist ein Ordner"):
        snapshot(folder)
    assert folder.is_dir() and list(folder.iterdir()) == []
    with pytest.raises(CommandError, match="keine gewöhnliche Datei"):
        snapshot("/dev/null")
    assert not os.path.isfile("/dev/null")  # still the device
    with pytest.raises(CommandError, match="Geben Sie eine Datei"):
        snapshot("")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.access(locked, os.W_OK):  # root may write anyway: make it a file's child instead
        locked = tmp_path / "a-file"
        locked.write_text("")
        with pytest.raises(CommandError, match="gibt es nicht"):
            snapshot(locked / "x.sql")
    else:
        with pytest.raises(CommandError, match="kann nicht geschrieben werden"):
            snapshot(locked / "x.sql")
    assert not list(tmp_path.rglob("*.partial"))  # nothing half-written left behind


def test_literals_of_every_type_round_trip_through_mariadb(tmp_path, import_dump):
    import datetime
    from decimal import Decimal

    from anonymize.sql import literal

    values = ["O'Brien \\ \"x\"\n\r\x00\x1a Ärger ß 😀", None, "", Decimal("-12345.67"),
              datetime.date(2026, 2, 28), datetime.datetime(2026, 2, 28, 23, 59, 58, 123456),
              b"\x00\xff'\\\n", 42, True, 1.5]
    path = tmp_path / "literals.sql"
    path.write_text(
        "SET NAMES utf8mb4;\nCREATE TABLE t (id int PRIMARY KEY, s longtext, n longtext, "
        "e longtext, d decimal(12,2), day date, at datetime(6), b varbinary(20), i int, "
        "f bool, x double) DEFAULT CHARSET=utf8mb4;\nINSERT INTO t VALUES (1,"
        + ",".join(literal(v) for v in values) + ");\n", encoding="utf-8")
    imported = import_dump(path)
    row = imported.query("SELECT HEX(s), n IS NULL, e, d, day, at, HEX(b), i, f, x FROM t")[0]
    assert row == [values[0].encode().hex().upper(), "1", "", "-12345.67", "2026-02-28",
                   "2026-02-28 23:59:58.123456", b"\x00\xff'\\\n".hex().upper(), "42", "1",
                   "1.5"]


def test_mysqldump_is_available_for_the_checks():
    # all_text() reads the imported database back with mysqldump (mariadb-client).
    assert subprocess.run(["mysqldump", "--version"], capture_output=True).returncode == 0
