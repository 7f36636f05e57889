"""The dump's DDL: MySQL's own on a MySQL source, MySQL DDL from the models on SQLite.

On a MySQL/MariaDB source `SHOW CREATE TABLE` is exact (AUTO_INCREMENT counters dropped:
they would tell how many rows were ever created). On SQLite (local development) the
tables are described from the Django models, through Django's own MySQL schema editor
run offline: the same DDL `migrate` would create on MariaDB 10.11, with foreign keys and
indexes added after the data.
"""

import re

from django.apps import apps
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.recorder import MigrationRecorder

from .sql import literal, quote_name

TABLE_OPTIONS = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
_AUTO_INCREMENT = re.compile(r" AUTO_INCREMENT=\d+")

# Tables without a model: the database cache (`createcachetable`).
TABLES_WITHOUT_MODEL = {
    "django_cache": [
        "CREATE TABLE `django_cache` (`cache_key` varchar(255) NOT NULL PRIMARY KEY, "
        "`value` longtext NOT NULL, `expires` datetime(6) NOT NULL)" + TABLE_OPTIONS,
        "CREATE INDEX `django_cache_expires` ON `django_cache` (`expires`)",
    ],
}


class SchemaError(RuntimeError):
    pass


def mysql_schema(cursor, tables) -> tuple[dict[str, str], list[str]]:
    """({table: CREATE TABLE}, statements to run after the data) from a MySQL source."""
    creates = {}
    for table in tables:
        cursor.execute(f"SHOW CREATE TABLE {quote_name(table)}")
        creates[table] = _AUTO_INCREMENT.sub("", cursor.fetchone()[1])
    return creates, []


def _offline_mysql_wrapper():
    """Django's MySQL backend, never connected: enough to render DDL for MariaDB 10.11."""
    from django.db.backends.mysql.base import DatabaseWrapper

    wrapper = DatabaseWrapper({
        "ENGINE": "django.db.backends.mysql", "NAME": "snapshot", "USER": "", "PASSWORD": "",
        "HOST": "", "PORT": "", "OPTIONS": {}, "TIME_ZONE": None, "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False, "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False, "TEST": {},
    }, alias="anonymize-offline")
    server = {
        "version": "10.11.0-MariaDB", "sql_mode": "", "default_isolation_level": "repeatable-read",
        "lower_case_table_names": 0, "has_zoneinfo_database": True, "sql_auto_is_null": 0,
        "default_storage_engine": "InnoDB",
    }
    wrapper.__dict__.update(mysql_server_data=server, mysql_server_info=server["version"],
                            mysql_version=(10, 11, 0), mysql_is_mariadb=True)
    return wrapper


def _offline_editor():
    from django.db.backends.mysql.schema import DatabaseSchemaEditor

    class OfflineSchemaEditor(DatabaseSchemaEditor):
        # MySQL's variant asks the server for its storage engine: InnoDB is given.
        def _field_should_be_indexed(self, model, field):
            return BaseDatabaseSchemaEditor._field_should_be_indexed(self, model, field)

        def quote_value(self, value):  # check constraints' constants
            return literal(value)

    return OfflineSchemaEditor(_offline_mysql_wrapper(), collect_sql=True, atomic=False)


def models_by_table() -> dict:
    found = {MigrationRecorder.Migration._meta.db_table: MigrationRecorder.Migration}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            found.setdefault(model._meta.db_table, model)
    return found


def django_schema(tables: dict) -> tuple[dict[str, str], list[str]]:
    """({table: CREATE TABLE}, FK constraints and indexes) in MySQL DDL from the models,
    for the tables (and columns) the source database has."""
    models = models_by_table()
    editor = _offline_editor()
    editor.deferred_sql = []
    creates, after = {}, []
    for table, columns in tables.items():
        if table in TABLES_WITHOUT_MODEL:
            creates[table], *rest = TABLES_WITHOUT_MODEL[table]
            after.extend(rest)
            continue
        model = models.get(table)
        if model is None:
            raise SchemaError(
                f"No model describes table {table}: MySQL DDL cannot be generated from a "
                "SQLite source for it (take the snapshot from MySQL/MariaDB)."
            )
        model_columns = {f.column for f in model._meta.local_fields}
        database_columns = {column.name for column in columns}
        if model_columns != database_columns:
            raise SchemaError(
                f"Table {table} does not match its model (missing migration?): "
                f"{sorted(model_columns ^ database_columns)}"
            )
        sql, params = editor.table_sql(model)
        # table_sql defers the model's foreign keys; its indexes are deferred here (as
        # create_model does): both are rendered after the data.
        creates[table] = (sql % tuple(literal(p) for p in params)) + TABLE_OPTIONS
        editor.deferred_sql.extend(editor._model_indexes_sql(model))
    known = set(tables)
    for statement in editor.deferred_sql:
        referenced = [t for t in models if statement.references_table(t)]
        if all(t in known for t in referenced):
            after.append(str(statement))
    # Unique, order-preserving: each index or constraint once.
    return creates, list(dict.fromkeys(after))
