"""The policy classifies every table and column of the database: a new field fails here
(and stops the command) until someone decides what happens to it."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from anonymize.actions import Column, Omit
from anonymize.coverage import check_coverage, database_tables
from anonymize.policy import POLICY


@pytest.mark.django_db
def test_every_table_and_column_of_the_database_is_classified():
    coverage = check_coverage(database_tables(connection), POLICY)
    assert coverage.unclassified_tables == [], "add these tables to anonymize/policy.py"
    assert coverage.unclassified_columns == [], "add these columns to anonymize/policy.py"
    assert coverage.invalid == []
    assert coverage.stale_columns == [], "the policy names columns that no longer exist"


@pytest.mark.django_db
def test_secrets_and_traces_of_sessions_are_left_out():
    for table in ("django_session", "django_cache", "mfa_authenticator",
                  "account_emailconfirmation", "socialaccount_socialtoken",
                  "socialaccount_socialapp"):
        assert isinstance(POLICY[table], Omit), table


@pytest.mark.django_db(transaction=True)
def test_a_new_table_stops_the_command_naming_it(tmp_path):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE reports_newfeature (id integer PRIMARY KEY, "
                       "applicant_birthday varchar(10))")
    try:
        with pytest.raises(CommandError, match="tables not in the policy: reports_newfeature"):
            call_command("anonymized_snapshot", "--output", str(tmp_path / "x.sql"),
                         stdout=io.StringIO())
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE reports_newfeature")
    assert list(tmp_path.glob("x.sql*")) == []


@pytest.mark.django_db(transaction=True)
def test_a_new_column_stops_the_command_naming_it(tmp_path, monkeypatch):
    def with_new_column(conn):
        tables = database_tables(conn)
        tables["applications_fundingapplication"].append(Column("birth_date", True))
        return tables

    monkeypatch.setattr("anonymize.snapshot.database_tables", with_new_column)
    with pytest.raises(CommandError,
                       match=r"columns not in the policy: applications_fundingapplication\.birth_date"):
        call_command("anonymized_snapshot", "--output", str(tmp_path / "x.sql"),
                     stdout=io.StringIO())
    assert list(tmp_path.glob("x.sql*")) == []


@pytest.mark.django_db(transaction=True)
def test_a_column_the_policy_names_but_the_database_lacks_is_warned_about(tmp_path, monkeypatch):
    def without_column(conn):
        tables = database_tables(conn)
        tables["applications_fundingapplication"] = [
            c for c in tables["applications_fundingapplication"] if c.name != "iban"]
        return tables

    monkeypatch.setattr("anonymize.snapshot.database_tables", without_column)
    monkeypatch.setattr("anonymize.snapshot.django_schema", lambda tables: (
        {t: f"CREATE TABLE `{t}` (id int)" for t in tables}, []))
    monkeypatch.setattr("anonymize.snapshot.mysql_schema", lambda cursor, tables: (
        {t: f"CREATE TABLE `{t}` (id int)" for t in tables}, []))
    err = io.StringIO()
    call_command("anonymized_snapshot", "--output", str(tmp_path / "x.sql"),
                 stdout=io.StringIO(), stderr=err)
    assert "applications_fundingapplication.iban" in err.getvalue()


def test_a_null_rule_on_a_not_null_column_is_refused():
    from anonymize.actions import Null

    coverage = check_coverage({"t": [Column("id", False), Column("name", False)]},
                              {"t": {"id": POLICY["auth_group"]["id"], "name": Null()}})
    assert coverage.invalid == ["t.name: is NOT NULL: use a Constant other than None"]
