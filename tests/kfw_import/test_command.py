"""`manage.py import_kfw PATH [--dry-run]`: summary, rejected rows, exit codes."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from applications.models import FundingApplication
from kfw_import.models import ImportRun, ImportSource
from kfw_import.workbooks import valid_row

pytestmark = pytest.mark.django_db


def call(*args):
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_kfw", *map(str, args), stdout=out)
    return out.getvalue()


def test_prints_summary_and_each_rejected_row(workbook):
    path = workbook([valid_row(1), valid_row(2, PLZ="ABCDE"), valid_row(3, Status="storniert")])

    output = call(path)

    assert "3 rows read, 2 created, 0 updated, 0 unchanged, 0 withdrawn, 1 rejected" in output
    assert "row 3, PLZ: The postal code must have exactly 5 digits." in output
    run = ImportRun.objects.get()
    assert (run.source, run.file_name) == (ImportSource.COMMAND, path.name)


def test_dry_run_changes_nothing(workbook):
    output = call(workbook([valid_row(1)]), "--dry-run")

    assert "Dry run" in output and "1 created" in output
    assert not FundingApplication.objects.exists()
    assert not ImportRun.objects.exists()


def test_second_import_of_the_same_file_says_so(workbook):
    path = workbook([valid_row(1)])
    call(path)

    output = call(path)

    assert "already imported" in output and f"no. {ImportRun.objects.earliest('id').pk}" in output


def test_file_rejected_as_a_whole_is_a_command_error(tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_text("keine Tabelle")

    with translation.override("en"), pytest.raises(CommandError, match="not an Excel workbook"):
        call_command("import_kfw", str(path))


def test_exit_codes_and_stderr_as_an_operator_sees_them(workbook, tmp_path, capsys, monkeypatch):
    """As from the shell (run_from_argv): 0 when processed, even with rejected rows
    (listed in German by default); 1 when rejected as a whole, the reason on stderr."""
    from django.core.management import base

    from kfw_import.management.commands.import_kfw import Command

    # run_from_argv closes the connections when done, which on MySQL would end the
    # test's transaction.
    monkeypatch.setattr(base.connections, "close_all", lambda: None)

    Command().run_from_argv(["manage.py", "import_kfw", str(workbook([valid_row(1, PLZ="x")]))])
    processed = capsys.readouterr()
    bad_path = tmp_path / "kaputt.xlsx"
    bad_path.write_bytes(b"nope")
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "import_kfw", str(bad_path)])
    rejected = capsys.readouterr()

    assert "Zeile 2, PLZ:" in processed.out
    assert exit_info.value.code == 1
    assert ".xlsx" in rejected.err and rejected.out == ""


def test_missing_file_exits_1_with_the_reason(tmp_path):
    with translation.override("en"), pytest.raises(CommandError, match="cannot be opened") as error:
        call_command("import_kfw", str(tmp_path / "fehlt.xlsx"))
    assert str(tmp_path / "fehlt.xlsx") in str(error.value)  # which file
    assert not ImportRun.objects.exists()


def test_an_s3_address_is_explained_not_looked_for_on_disk():
    with pytest.raises(CommandError, match="s3://kfw-exporte/zusagen.xlsx ist eine S3-Adresse"):
        call_command("import_kfw", "s3://kfw-exporte/zusagen.xlsx")
    assert not ImportRun.objects.exists()


def test_dry_run_sends_no_invitation_and_the_real_run_sends_one(workbook, django_capture_on_commit_callbacks):
    from django.core import mail

    path = workbook([valid_row(1)])
    with django_capture_on_commit_callbacks(execute=True):
        call(path, "--dry-run")
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        call(path)
        call(path)  # the same file again: a no-op
    assert len(mail.outbox) == 1
