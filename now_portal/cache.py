"""The database cache that production uses for allauth's rate limits (shared by every
Lambda instance), culled without forgetting a live counter, in as few round trips as the
database allows."""

import base64
import pickle
import time
from datetime import datetime, timezone

from django.conf import settings
from django.core.cache.backends import db
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.db import DatabaseError, connections, router
from django.utils.timezone import now as tz_now


class DatabaseCache(db.DatabaseCache):
    """Django's database cache, except that it never drops a live entry, and writes in one
    statement where Django's takes six.

    Culling: Django's own culls a third of the live entries (by key order) whenever the
    table holds more than MAX_ENTRIES: under a wave of sign-ups that would reset
    rate-limit counters exactly when they matter. Here live entries stay; expired ones
    are swept out, at most once every SWEEP_SECONDS (option, default 60) by each of the
    process's cache handles (one per thread).

    Writes: Django's `set` and `add` count the table's rows (to decide on culling), then
    in a transaction (two more round trips on MySQL: autocommit off and on, plus COMMIT)
    SELECT the key and UPDATE or INSERT it. allauth takes a lock (`add`), reads, writes
    (`set`) and unlocks for each of its rate limits, five of them on a login: that was
    70 round trips of a login on MariaDB. Here `set` is one upsert and `add` one statement
    (SQLite; MySQL/MariaDB: INSERT IGNORE, and only when the key is taken DELETE it if
    expired and INSERT IGNORE again), each atomic on its own; other databases keep
    Django's way (with the sweep above as its cull).
    """

    def __init__(self, table, params):
        super().__init__(table, params)
        options = params.get("OPTIONS", {})
        self._sweep_seconds = float(options.get("SWEEP_SECONDS", 60))
        self._next_sweep = 0.0  # the first write of a process sweeps

    def _cull(self, db, cursor, now, num):
        self._sweep(db, cursor, now)

    def _sweep(self, db, cursor, now):
        connection = connections[db]
        cursor.execute(
            "DELETE FROM %s WHERE %s < %%s"
            % (connection.ops.quote_name(self._table), connection.ops.quote_name("expires")),
            [connection.ops.adapt_datetimefield_value(now)],
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        if self._write("set", key, value, timeout) is None:
            self._base_set("set", key, value, timeout)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        added = self._write("add", key, value, timeout)
        return self._base_set("add", key, value, timeout) if added is None else added

    def _write(self, mode, key, value, timeout):
        """`set` or `add` in a statement or two; None on databases this is not tested on."""
        db_alias = router.db_for_write(self.cache_model_class)
        connection = connections[db_alias]
        if connection.vendor not in ("mysql", "sqlite"):  # the two the tests run on
            return None
        timeout = self.get_backend_timeout(timeout)
        now = tz_now().replace(microsecond=0)
        if timeout is None:
            expires = datetime.max
        else:
            expires = datetime.fromtimestamp(timeout, tz=timezone.utc if settings.USE_TZ else None)
        expires = connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))
        now_value = connection.ops.adapt_datetimefield_value(now)
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        quote = connection.ops.quote_name
        table, key_col, value_col, expires_col = (
            quote(self._table), quote("cache_key"), quote("value"), quote("expires"))
        insert = f"INTO {table} ({key_col}, {value_col}, {expires_col}) VALUES (%s, %s, %s)"
        try:
            with connection.cursor() as cursor:
                if time.monotonic() >= self._next_sweep:
                    self._sweep(db_alias, cursor, now)
                    self._next_sweep = time.monotonic() + self._sweep_seconds
                if connection.vendor == "mysql":
                    if mode == "set":
                        cursor.execute(
                            f"INSERT {insert} ON DUPLICATE KEY UPDATE {value_col} = VALUES({value_col}), "
                            f"{expires_col} = VALUES({expires_col})",
                            [key, encoded, expires],
                        )
                        return True
                    # Insert unless the key is there (IGNORE: the duplicate inserts
                    # nothing). Mostly it is not (allauth deletes its lock after use): one
                    # statement. When it is, an expired entry counts as absent: out with it,
                    # then insert unless another request holds the key meanwhile.
                    cursor.execute(f"INSERT IGNORE {insert}", [key, encoded, expires])
                    if cursor.rowcount == 1:
                        return True
                    cursor.execute(f"DELETE FROM {table} WHERE {key_col} = %s AND {expires_col} < %s",
                                   [key, now_value])
                    if cursor.rowcount == 0:
                        return False  # a live entry: not added
                    cursor.execute(f"INSERT IGNORE {insert}", [key, encoded, expires])
                    return cursor.rowcount == 1
                update = f"{value_col} = excluded.{value_col}, {expires_col} = excluded.{expires_col}"
                if mode == "set":
                    cursor.execute(f"INSERT {insert} ON CONFLICT ({key_col}) DO UPDATE SET {update}",
                                   [key, encoded, expires])
                    return True
                cursor.execute(
                    f"INSERT {insert} ON CONFLICT ({key_col}) DO UPDATE SET {update} "
                    f"WHERE {table}.{expires_col} < %s",
                    [key, encoded, expires, now_value],
                )
                return cursor.rowcount == 1
        except DatabaseError:
            # As Django's writes: a write that fails (a deadlock under a wave) fails
            # quietly, as a cache may, instead of failing the request. Not inside a
            # transaction, though: there the failure may have undone (MySQL deadlock) or
            # aborted (PostgreSQL) the transaction, which must not go on as if nothing
            # happened; outside one, each statement was its own transaction.
            if connection.in_atomic_block:
                raise
            return False
