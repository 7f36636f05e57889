"""On MySQL/MariaDB the database computes most fakes in the SELECT: for the same key and
the same original they must be exactly the fakes Python computes (a SQLite source, the
kinds only Python computes, and the leak check's exclusions rely on it)."""

import pytest
from django.db import connection

from anonymize.actions import Column, Fake, Redact
from anonymize.fakes import Faker

pytestmark = pytest.mark.skipif(connection.vendor != "mysql", reason="SQL fakes: MySQL only")

SQL_KINDS = ("first_name", "last_name", "person_or_organisation", "email", "street",
             "house_number", "city", "token")
ORIGINALS = [
    None, "", " ", "Erika", "  Erika  ", "Jürgen O'Weber-Müller", "ÄÖÜ äöü ß", "Zoë 😀",
    "Erika.Mustermann@Example.ORG", "erika.mustermann@example.org", "back\\slash",
    "tab\tinside", "Musterstraße 12a", "+49 (30) 123-456", "x" * 300, "0000000000",
]


@pytest.fixture
def originals(db):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE fake_source (id int PRIMARY KEY, "
                       "v varchar(400) NULL) DEFAULT CHARSET=utf8mb4 "
                       "COLLATE=utf8mb4_unicode_ci")
        cursor.executemany("INSERT INTO fake_source VALUES (%s, %s)", list(enumerate(ORIGINALS)))
    yield Column("v", True, "varchar")
    with connection.cursor() as cursor:
        cursor.execute("DROP TEMPORARY TABLE fake_source")


def sql_literals(expression):
    with connection.cursor() as cursor:
        # The expressions hold % (modulo): no parameters, nothing to interpolate.
        cursor.execute(f"SELECT {expression} FROM fake_source ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.parametrize("kind", SQL_KINDS)
@pytest.mark.parametrize("key", [b"k" * 32, bytes(range(32)), b"a longer key" * 8])
@pytest.mark.parametrize("variables", [False, True], ids=["computed", "variables"])
def test_sql_fakes_equal_python_fakes(originals, kind, key, variables):
    if variables and not connection.mysql_is_mariadb:
        pytest.skip("user variables carry a digest on MariaDB only")
    faker = Faker(key, sql_variables=variables)
    action = Fake(kind)
    expression = action.mysql_expression(originals, faker)
    assert expression is not None
    python = action.literal_function(faker)
    assert sql_literals(expression) == [python(value) for value in ORIGINALS]


def test_kinds_sql_cannot_compute_are_left_to_python(originals):
    faker = Faker(b"k" * 32)
    for kind in ("phone", "iban", "kfw_number", "pattern"):
        assert Fake(kind).mysql_expression(originals, faker) is None
    # Not text (an integer column): Python fakes str(value).
    assert Fake("token").mysql_expression(Column("id", False, "int"), faker) is None


def test_redaction_in_sql_equals_python(originals):
    action = Redact()
    python = action.literal_function(Faker(b"k" * 32))
    assert sql_literals(action.mysql_expression(originals, None)) == [python(v) for v in ORIGINALS]


@pytest.mark.parametrize("kind", ["email", "person_or_organisation"])
def test_with_variables_each_value_is_hashed_once(originals, kind):
    """An e-mail or an organisation needs two parts of one digest: on MariaDB it is
    computed once (one SHA2 call), not twice."""
    column = "`v`"
    assert Faker(b"k" * 32).sql(kind, column).count("SHA2(") == 2
    assert Faker(b"k" * 32, sql_variables=True).sql(kind, column).count("SHA2(") == 1


def test_rows_the_database_finishes_come_as_utf8_bytes_whatever_the_tables_charset(db):
    from anonymize.actions import Keep
    from anonymize.snapshot import TablePlan, streaming_cursor

    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE latin_source (id int PRIMARY KEY, "
                       "v varchar(40) NULL) DEFAULT CHARSET=latin1")
        cursor.execute("INSERT INTO latin_source VALUES (1, 'Müller'), (2, NULL)")
    try:
        columns = [Column("id", False, "int"), Column("v", True, "varchar")]
        plan = TablePlan("latin_source", columns, "id", {"id": Keep(), "v": Keep()},
                         "mysql", Faker(b"k" * 32))
        assert plan.binary
        cursor = streaming_cursor(connection)
        cursor.execute(plan.query)
        assert [row[0] for row in cursor.fetchall()] == ["(1,'Müller')".encode(), b"(2,NULL)"]
        cursor.close()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TEMPORARY TABLE latin_source")
