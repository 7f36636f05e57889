"""Does the policy classify every table and column the database has?"""

from dataclasses import dataclass, field

from .actions import Column, Omit


@dataclass
class Coverage:
    unclassified_tables: list = field(default_factory=list)
    unclassified_columns: list = field(default_factory=list)  # "table.column"
    # Columns the policy names that the database no longer has (a stale policy).
    stale_columns: list = field(default_factory=list)
    invalid: list = field(default_factory=list)  # "table.column: why"

    @property
    def complete(self) -> bool:
        return not (self.unclassified_tables or self.unclassified_columns or self.invalid)


def database_tables(connection) -> dict[str, list[Column]]:
    """Every table of the source database with its columns, in the database's order."""
    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        data_types = {}
        if connection.vendor == "mysql":
            cursor.execute(
                "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS "
                "WHERE TABLE_SCHEMA = DATABASE()"
            )
            data_types = {(t, c): d.lower() for t, c, d in cursor.fetchall()}
        tables = {}
        for name in names:
            description = connection.introspection.get_table_description(cursor, name)
            tables[name] = [
                Column(info.name, bool(info.null_ok), data_types.get((name, info.name), ""))
                for info in description
            ]
    return tables


def check_coverage(tables: dict[str, list[Column]], policy: dict) -> Coverage:
    coverage = Coverage()
    for table, columns in tables.items():
        rules = policy.get(table)
        if rules is None:
            coverage.unclassified_tables.append(table)
            continue
        if isinstance(rules, Omit):
            continue
        names = {column.name for column in columns}
        for column in columns:
            action = rules.get(column.name)
            if action is None:
                coverage.unclassified_columns.append(f"{table}.{column.name}")
                continue
            problem = action.check(column)
            if problem:
                coverage.invalid.append(f"{table}.{column.name}: {problem}")
        coverage.stale_columns.extend(
            f"{table}.{name}" for name in rules if name not in names
        )
    return coverage
