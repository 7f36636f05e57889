"""Database sessions (every request of a signed-in applicant reads one, many write one) in
one statement per write where Django's takes up to five round trips, and read without
building an ORM query each time."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.db import DatabaseError, IntegrityError, connections, router
from django.utils import timezone
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    """Django's database session store, with the same contract and fewer round trips.

    Django picks a new key by SELECTing it first (is it taken?), then INSERTs it inside
    `transaction.atomic` (on MySQL/MariaDB: autocommit off, INSERT, COMMIT, autocommit
    on); a modified session is UPDATEd inside the same wrapper, and `delete` SELECTs the
    row before DELETEing it. The wave's applicant journey (bench/journey_profile.py) made
    227 round trips to MariaDB that way, 207 with the writes below, and `cycle_key`
    saves one more per login.

    Here each write is the one statement it needs, atomic on its own in autocommit:
    - a new key is INSERTed without asking first: an existing key makes the INSERT fail
      (primary key), which raises CreateError, and `create` tries another key, so a new
      session never overwrites an existing one (Django's must_create contract);
    - a modified session is an UPDATE of its row; when the row is gone (the user logged
      out in another tab meanwhile), it raises UpdateError as Django's does, so the
      middleware refuses the request instead of bringing a deleted session back (which
      an upsert would);
    - `delete` is one DELETE;
    - `cycle_key` (at login, against session fixation) deletes the old session at once,
      as Django's does, but leaves drawing the new key to the save at the end of the
      request, as `flush` does: one INSERT of the signed-in session, where Django INSERTs
      the new key with the data of before and UPDATEs it with the login's moments later.
    Inside a transaction (ATOMIC_REQUESTS, or a caller's atomic block) writes keep
    Django's way: there the failed INSERT needs Django's savepoint to leave the
    transaction usable.
    """

    def load(self):
        # Django's `objects.get(session_key=..., expire_date__gt=now)` builds and compiles
        # the same query on every request of a signed-in user: about 0.2 ms of processor
        # of each, ten times the statement itself. The same statement, written once, with
        # the moment adapted as the ORM does; a missing or expired session loads empty
        # and forgets its key, as Django's does.
        using = router.db_for_read(self.model)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(
                self._load_sql(connection),
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])

    def _load_sql(self, connection):
        quote, meta = connection.ops.quote_name, self.model._meta
        column = {name: quote(meta.get_field(name).column)
                  for name in ("session_key", "session_data", "expire_date")}
        return (f"SELECT {column['session_data']} FROM {quote(meta.db_table)} "
                f"WHERE {column['session_key']} = %s AND {column['expire_date']} > %s")

    def _get_new_session_key(self):
        # No SELECT for a free key: the INSERT in `save(must_create=True)` is the check.
        return get_random_string(32, VALID_KEY_CHARS)

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()
        using = router.db_for_write(self.model)
        if connections[using].in_atomic_block:
            return super().save(must_create=must_create)
        data = self._get_session(no_load=must_create)
        session = self.create_model_instance(data)
        try:
            session.save(force_insert=must_create, force_update=not must_create, using=using)
        except IntegrityError:
            if must_create:
                raise CreateError
            raise
        except DatabaseError:
            # Forced update did not affect any rows: the session was deleted meanwhile.
            if not must_create:
                raise UpdateError
            raise

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        # An unsaved instance with only its key: Django deletes it with one DELETE by
        # primary key (no row needed, none found is no error).
        self.model(session_key=session_key).delete(using=router.db_for_write(self.model))

    def cycle_key(self):
        data = self._session
        key = self.session_key
        self._session_key = None  # a new key, drawn and INSERTed by `save`
        self._session_cache = data
        self.modified = True
        if key:
            self.delete(key)
