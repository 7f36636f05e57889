"""Taking an anonymised snapshot: read the source in one consistent read-only
transaction, write schema and anonymised rows as a MySQL dump, check it for leaks, and
release it (or delete it)."""

import contextlib
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from operator import itemgetter

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from .actions import ByField, Fake, Omit, Redact
from .coverage import check_coverage, database_tables
from .fakes import Faker
from .kanonymity import k_anonymity
from .leaks import Needles, Scanner, ScannerProcess, normalise
from .policy import ADDRESS_NEEDLES, POLICY
from .schema import django_schema, mysql_schema
from .sinks import open_sink
from .sql import literal, quote_name

STATEMENT_CHARS = 1 << 20  # one INSERT stays well under max_allowed_packet (16 MB)
NEEDLE_BATCH_ROWS = 10000  # rows read at a time for the leak check's needles

HEADER = """-- NOW Portal: anonymised snapshot (policy: anonymize/policy.py)
-- Import into an empty MySQL or MariaDB database: mysql DBNAME < this-file
SET NAMES utf8mb4;
SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0;
SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0;
SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO';
SET @OLD_TIME_ZONE=@@TIME_ZONE, TIME_ZONE='+00:00';

"""
FOOTER = """
SET TIME_ZONE=@OLD_TIME_ZONE;
SET SQL_MODE=@OLD_SQL_MODE;
SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS;
SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS;
-- end of snapshot
"""


class PolicyIncomplete(RuntimeError):
    def __init__(self, coverage):
        self.coverage = coverage
        parts = []
        if coverage.unclassified_tables:
            parts.append("tables not in the policy: " + ", ".join(coverage.unclassified_tables))
        if coverage.unclassified_columns:
            parts.append("columns not in the policy: " + ", ".join(coverage.unclassified_columns))
        if coverage.invalid:
            parts.append("invalid rules: " + "; ".join(coverage.invalid))
        super().__init__(
            "The anonymisation policy (anonymize/policy.py) is incomplete, nothing was "
            "written. " + ". ".join(parts) + "."
        )


class SnapshotError(RuntimeError):
    pass


@dataclass
class Summary:
    destination: str
    tables: int = 0
    rows: int = 0
    bytes: int = 0  # the SQL text
    bytes_written: int = 0  # what went to the destination (compressed with --gzip)
    duration_seconds: float = 0.0
    rows_per_table: dict = field(default_factory=dict)
    omitted_tables: list = field(default_factory=list)
    stale_policy_columns: list = field(default_factory=list)
    needles_checked: int = 0
    k_anonymity: dict = field(default_factory=dict)

    def as_dict(self):
        return asdict(self)


@contextlib.contextmanager
def read_only_snapshot(connection):
    """One consistent, read-only transaction on the source, whatever the backend."""
    if connection.in_atomic_block:
        raise SnapshotError("A snapshot must not run inside a transaction: it opens its own.")
    connection.ensure_connection()
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            try:  # MySQL 8 and MariaDB 11.1+ name it transaction_isolation
                cursor.execute("SELECT @@SESSION.transaction_isolation")
            except DatabaseError:
                cursor.execute("SELECT @@SESSION.tx_isolation")
            previous = cursor.fetchone()[0].replace("-", " ")
            cursor.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
            try:
                yield
            finally:
                cursor.execute("ROLLBACK")  # read only: nothing to keep
                cursor.execute(f"SET SESSION TRANSACTION ISOLATION LEVEL {previous}")
        elif connection.vendor == "sqlite":
            cursor.execute("BEGIN")
            cursor.execute("PRAGMA query_only = ON")
            try:
                yield
            finally:
                cursor.execute("ROLLBACK")
                cursor.execute("PRAGMA query_only = OFF")
        else:
            raise SnapshotError(f"Snapshots support MySQL/MariaDB and SQLite, not {connection.vendor}.")


class TablePlan:
    """How one table's rows are read and turned into VALUES tuples: one query, streamed."""

    def __init__(self, table, columns, pk, rules, vendor, faker):
        self.table, self.pk = table, pk
        in_sql, in_python = [], []
        for column in columns:
            action = rules[column.name]
            expression = None
            if vendor == "mysql" and not isinstance(action, ByField):
                expression = action.mysql_expression(column, faker)
            (in_sql if expression else in_python).append((column, action, expression))
        self.insert_columns = [column.name for column, _a, _e in in_sql + in_python]
        select = []
        if in_sql:
            # The database returns the finished literals of these columns, comma-joined;
            # with nothing left for Python, the whole "(…)" tuple of the row.
            joined = "CONCAT_WS(',', " + ", ".join(e for _c, _a, e in in_sql) + ")"
            # A finished tuple comes as its UTF-8 bytes (binary: the driver does not
            # decode it; CONVERT, a no-op for utf8mb4 columns, for a table in another
            # character set), and goes to the file and the leak check as it came.
            select.append(joined if in_python else
                          f"CAST(CONVERT(CONCAT('(', {joined}, ')') USING utf8mb4) AS BINARY)")
        self.sql_part = bool(in_sql)
        self.converters = []
        # Fakes Python wrote that could equal some original (Fake.literal_function), for
        # the leak check: sent after each batch, then cleared.
        self.written_fakes = []
        extra = []
        for column, action, _e in in_python:
            index = len(select)
            select.append(quote_name(column.name))
            if isinstance(action, ByField):
                extra.append((index, action))
            elif isinstance(action, Fake):
                self.converters.append(
                    (index, action.literal_function(faker, self.written_fakes.append), None))
            else:
                self.converters.append((index, action.literal_function(faker), None))
        for index, action in extra:
            field_index = len(select)
            select.append(quote_name(action.field_column))
            self.converters.append((index, action.row_function(faker), field_index))
        self.converters.sort()
        # One pass in primary-key order (InnoDB's own order: no sort), as mysqldump --quick.
        order = f" ORDER BY {quote_name(pk)}" if pk else ""
        self.query = f"SELECT {', '.join(select)} FROM {quote_name(table)}{order}"
        self.insert_prefix = (f"INSERT INTO {quote_name(table)} ("
                              + ",".join(map(quote_name, self.insert_columns)) + ") VALUES\n")
        self.row_literal = self._compile() if in_python else None
        self.binary = self.row_literal is None  # rows are finished bytes

    def _compile(self):
        """row → "(literal,literal,…)" as one generated expression: no per-column loop,
        which is most of the Python work per row."""
        parts = ["row[0]"] if self.sql_part else []
        names = {}
        for number, (index, convert, field_index) in enumerate(self.converters):
            names[f"c{number}"] = convert
            if field_index is not None:
                parts.append(f"c{number}(row[{field_index}], row[{index}])")
            elif hasattr(convert, "memo"):  # remembered literal, else compute
                names[f"m{number}"] = convert.memo
                parts.append(f"(m{number}.get(row[{index}]) or c{number}(row[{index}]))")
            else:
                parts.append(f"c{number}(row[{index}])")
        return eval("lambda row: '(' + " + " + ',' + ".join(parts) + " + ')'", names)


class DumpWriter:
    """Encodes, counts, scans and hands text to the sink."""

    def __init__(self, sink, scanner):
        self.sink, self.scanner, self.bytes = sink, scanner, 0

    def write(self, text: str | bytes):
        data = text if text.__class__ is bytes else text.encode("utf-8")
        self.scanner.feed(data)
        self.bytes += len(data)
        self.sink.write(data)


def _distinct_values(cursor, query, count=1) -> list[set]:
    """Per column of the query, the distinct values it returns, told apart exactly (the
    database's DISTINCT would compare by the column's case- and accent-blind collation,
    and is slower than a set filled at C speed)."""
    cursor.execute(query)
    found = [set() for _ in range(count)]
    pick = [itemgetter(index) for index in range(count)]
    while rows := cursor.fetchmany(10000):
        for values, get in zip(found, pick):
            values.update(map(get, rows))
    return found


def collect_needles(cursor, tables, policy, address_needles, vendor, add):
    """The original personal values of every table (one streamed pass over the table for
    all its columns), given batch by batch, each column's distinct values of the batch,
    to `add(values, source)` (Needles.add_many, or the leak check's process), which
    drops short ones and files each value once."""
    addresses = {}
    for address in address_needles:
        addresses.setdefault(address.table, []).append(address)
    for table, columns in tables.items():
        rules = policy[table]
        if isinstance(rules, Omit):
            continue
        name = quote_name(table)
        select, sources, redactions = [], [], {}
        for column in columns:
            action = rules[column.name]
            if not action.personal:
                continue
            source = f"{table}.{column.name}"
            if isinstance(action, ByField):  # the field's rule decides, row by row
                needed = ", ".join(map(quote_name, action.needle_columns(column.name)))
                cursor.execute(f"SELECT {needed} FROM {name}")
                while rows := cursor.fetchmany(10000):
                    add([n for row in rows for n in action.needles(row)], source)
                continue
            expression = quote_name(column.name)
            if isinstance(action, Redact):
                # Free text is looked for by its beginning (Redact.needles): only that.
                expression = (f"LEFT({expression}, 120)" if vendor == "mysql"
                              else f"substr({expression}, 1, 120)")
                redactions[len(select)] = action
            select.append(expression)
            sources.append(source)
        for address in addresses.get(table, []):  # "street number", when both are there
            street, number = quote_name(address.street), quote_name(address.house_number)
            pair = (f"CONCAT({street}, ' ', {number})" if vendor == "mysql"
                    else f"{street} || ' ' || {number}")
            select.append(f"CASE WHEN {street} <> '' AND {number} <> '' THEN {pair} END")
            sources.append(f"{table}.{address.street}+{address.house_number}")
        if not select:
            continue
        # Streamed, batch by batch: each batch's distinct values of each column go to the
        # leak check at once (it files every value once), so memory holds one batch,
        # however many distinct values the table has.
        cursor.execute(f"SELECT {', '.join(select)} FROM {name}")
        columns = [(itemgetter(index), source, redactions.get(index))
                   for index, source in enumerate(sources)]
        while rows := cursor.fetchmany(NEEDLE_BATCH_ROWS):
            for get, source, redaction in columns:
                values = set(map(get, rows))
                if redaction is not None:
                    values = [n for value in values for n in redaction.needles((value,))]
                add(values, source)


def written_fakes(cursor, tables, policy, faker):
    """found needles → those that are fakes this dump writes: a fake that equals some
    other row's original (two KfW numbers, two phone numbers) is no leak. Only fakes of
    numbers and identifiers can (names and e-mails come from lists and a reserved domain);
    their columns are read again only when the leak check found something that is not
    among the fakes told to it while writing (KfW and phone numbers, TablePlan), and
    only in the tables it was found in (a fake is written in its own table)."""

    def forgiven(found: dict[str, set[str]]) -> dict[str, set[str]]:
        fakes = {}
        for table, needles in found.items():
            rules = policy.get(table)
            if not isinstance(rules, dict):  # the header, the constraints, an omitted table
                continue
            fakes[table] = set()
            for column in tables[table]:
                action = rules[column.name]
                if action.fake_of(faker, "0000000000") is None:
                    continue
                if isinstance(action, Redact):  # the placeholder, whatever the text was
                    fakes[table] |= needles & {normalise(action.placeholder)}
                    continue
                (values,) = _distinct_values(
                    cursor, f"SELECT {quote_name(column.name)} FROM {quote_name(table)}")
                fakes[table] |= needles.intersection(
                    normalise(action.fake_of(faker, value)) for value in values if value)
        return fakes

    return forgiven


def primary_keys(connection, cursor, tables) -> dict[str, str | None]:
    """Each table's single-column primary key (None for none or a composite one): the
    order rows are written in (none for the others)."""
    if connection.vendor == "mysql":  # one query, not one per table
        cursor.execute(
            "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE "
            "WHERE TABLE_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'PRIMARY'")
        found = {}
        for table, column in cursor.fetchall():
            found[table] = None if table in found else column
        return {table: found.get(table) for table in tables}
    return {table: connection.introspection.get_primary_key_column(cursor, table)
            for table in tables}


def streaming_cursor(connection):
    """A cursor whose rows come as they are read: MySQL's unbuffered result (mysqlclient's
    SSCursor, as mysqldump --quick), so memory holds one batch whatever the table's size.
    No other query may run on the connection until its result is read to the end."""
    if connection.vendor == "mysql":
        from MySQLdb.cursors import SSCursor

        return connection.connection.cursor(SSCursor)
    return connection.connection.cursor()  # sqlite3 steps through a query lazily


def take_snapshot(destination: str, *, compress: bool = False, key: bytes | None = None,
                  policy: dict | None = None, address_needles=None,
                  using: str = DEFAULT_DB_ALIAS) -> Summary:
    """Write an anonymised dump of database `using` to `destination` (a path or
    s3://bucket/key). Raises PolicyIncomplete (nothing written), LeakFound or ScanFailed
    (output deleted: a leak was found, or the leak check stopped without a verdict) or
    SnapshotError."""
    policy = POLICY if policy is None else policy
    address_needles = ADDRESS_NEEDLES if address_needles is None else address_needles
    connection = connections[using]
    connection.ensure_connection()
    faker = Faker(key or secrets.token_bytes(32),  # never written anywhere
                  sql_variables=connection.vendor == "mysql" and connection.mysql_is_mariadb)
    batch_rows = settings.SNAPSHOT_BATCH_ROWS
    started = time.monotonic()
    summary = Summary(destination=destination)
    with read_only_snapshot(connection):
        tables = database_tables(connection)
        coverage = check_coverage(tables, policy)
        if not coverage.complete:
            raise PolicyIncomplete(coverage)
        summary.stale_policy_columns = coverage.stale_columns
        raw = connection.connection.cursor()
        stream = streaming_cursor(connection)
        if connection.vendor == "mysql":
            creates, after = mysql_schema(raw, tables)
        else:
            creates, after = django_schema(tables)
        # The leak check runs beside the rest, in a process of its own that files the
        # needles itself, where there is fork(); in this process otherwise.
        scanner = ScannerProcess() if hasattr(os, "fork") else Scanner(Needles())
        sink = None
        try:
            # First: a destination that cannot take the dump fails before any data is read.
            sink = open_sink(destination, compress)
            collect_needles(stream, tables, policy, address_needles, connection.vendor,
                            scanner.add_needles)
            if "applications_fundingapplication" in tables:
                summary.k_anonymity = k_anonymity(
                    raw, connection.vendor, settings.SNAPSHOT_K_ANONYMITY).as_dict()
            keys = primary_keys(connection, raw, tables)
            writer = DumpWriter(sink, scanner)
            writer.write(HEADER)
            for table, columns in tables.items():
                writer.scanner.start_table(table)
                writer.write(f"DROP TABLE IF EXISTS {quote_name(table)};\n{creates[table]};\n")
                rules = policy[table]
                if isinstance(rules, Omit):
                    writer.write(f"-- {table}: rows left out ({rules.reason})\n\n")
                    summary.omitted_tables.append(table)
                    summary.rows_per_table[table] = 0
                    continue
                plan = TablePlan(table, columns, keys.get(table), rules, connection.vendor,
                                 faker)
                count = _write_rows(stream, plan, writer, batch_rows)
                summary.rows_per_table[table] = count
                summary.rows += count
                writer.write("\n")
            writer.scanner.start_table("(indexes and constraints)")
            for statement in after:
                writer.write(statement + ";\n")
            writer.write(FOOTER)
            writer.scanner.finish(written_fakes(stream, tables, policy, faker))
            summary.needles_checked = scanner.needle_count
            sink.commit()
        except BaseException:
            if sink is not None:
                sink.abort()
            raise
        finally:
            scanner.close()
            stream.close()  # reads what is left of an unbuffered result
            raw.close()
    summary.tables = len(tables)
    summary.bytes = writer.bytes
    summary.bytes_written = sink.bytes_out
    summary.duration_seconds = round(time.monotonic() - started, 3)
    return summary


def _write_rows(cursor, plan: TablePlan, writer: DumpWriter, batch_rows: int) -> int:
    """The table's rows from one streamed query; one multi-row INSERT per batch of rows
    (split further when its text grows past STATEMENT_CHARS)."""
    count = 0
    prefix, row_literal = plan.insert_prefix, plan.row_literal
    separator, end_ = ",\n", ";\n"
    if plan.binary:  # bytes from the database: no str on the way (MySQL only)
        prefix, separator, end_ = prefix.encode(), b",\n", b";\n"
    first = itemgetter(0)
    cursor.execute(plan.query)
    while rows := cursor.fetchmany(batch_rows):
        count += len(rows)
        if row_literal is None:  # finished by the database
            values = list(map(first, rows))
        else:
            values = list(map(row_literal, rows))
        text = separator.join(values)
        if len(text) < STATEMENT_CHARS:
            writer.write(prefix + text + end_)
        else:
            start, size = 0, 0
            for end, value in enumerate(values, 1):
                size += len(value) + 2
                if size >= STATEMENT_CHARS or end == len(values):
                    writer.write(prefix + separator.join(values[start:end]) + end_)
                    start, size = end, 0
        if plan.written_fakes:  # after the rows that hold them
            writer.scanner.add_written_fakes(plan.written_fakes)
            plan.written_fakes.clear()
    return count
