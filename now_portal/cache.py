"""The database cache that production uses for allauth's rate limits (shared by every
Lambda instance), culled without forgetting a live counter."""

from django.core.cache.backends import db
from django.db import connections


class DatabaseCache(db.DatabaseCache):
    """Django's database cache, except that a full table drops only expired entries.

    Django's own culls a third of the live entries (by key order) whenever the table
    holds more than MAX_ENTRIES: under a wave of sign-ups that would reset rate-limit
    counters exactly when they matter. Here live entries stay; MAX_ENTRIES only says when
    to sweep out the expired ones, which keeps the table (and its COUNT on every write)
    small.
    """

    def _cull(self, db, cursor, now, num):
        connection = connections[db]
        cursor.execute(
            "DELETE FROM %s WHERE %s < %%s"
            % (connection.ops.quote_name(self._table), connection.ops.quote_name("expires")),
            [connection.ops.adapt_datetimefield_value(now)],
        )
