"""The KfW import: read → normalise and check → upsert by KfW number, in bulk, one
transaction per file. The command, the S3 handler and the admin only call
`import_workbook`; every rule of the import lives here or in `columns`/`reader`.
"""

import bisect
import datetime
import functools
import hashlib
import logging
import time

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import FundingApplication, KfwStatus

from . import columns, reader
from .invitations import are_muted as invitations_muted
from .models import SUCCESSFUL, ApplicationChange, ImportRun, ImportStatus

logger = logging.getLogger(__name__)

ARCHIVE_FOLDER = "kfw-imports"
# Rows normalised before they are written: one query to load what exists, one insert,
# one upsert of the changed and one of the unchanged (provenance only), one insert of
# changes per batch. A KfW number repeated within a batch ends it early, so that the
# repeat is decided against the database like any other.
BATCH_ROWS = 2000
# Unchanged rows marked per UPDATE: 3 parameters each, within every backend's limit.
MARK_ROWS = 250
# A file of nothing but errors still fits an ImportRun; the counts stay exact. The rejected
# rows kept are those of the lowest row numbers, in row order.
MAX_REJECTED_KEPT = 10_000
MAX_WARNINGS_KEPT = 1000
PREVIEW_LIMIT = 500
WITHDRAWN = KfwStatus.WITHDRAWN.value
KEY_HEADER = columns.COLUMNS[columns.KEY_INDEX].header
DATA_FIELDS = [name for name in columns.FIELDS if name != columns.KEY_FIELD]


def sha256_of(fileobj) -> str:
    fileobj.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


def archive_name(sha256: str) -> str:
    return f"{ARCHIVE_FOLDER}/{sha256}.xlsx"


def keep_file(fileobj, sha256: str) -> str:
    """Store the original under its hash (once; the same content has the same name)."""
    name = archive_name(sha256)
    if not default_storage.exists(name):
        fileobj.seek(0)
        saved = default_storage.save(name, File(fileobj, name=name))
        assert saved == name, saved
    fileobj.seek(0)
    return name


def open_kept_file(sha256: str):
    return default_storage.open(archive_name(sha256), "rb")


def discard_kept_file(sha256: str) -> None:
    """A previewed file that was not imported; kept if any import used it (the archive)."""
    if not ImportRun.objects.filter(sha256=sha256).exists():
        default_storage.delete(archive_name(sha256))


def earlier_import(sha256: str) -> ImportRun | None:
    return (
        ImportRun.objects.filter(sha256=sha256, status__in=SUCCESSFUL)
        .order_by("started_at", "id")
        .first()
    )


class NothingToImport(Exception):
    """A sheet with a header and no rows below it."""


def import_workbook(fileobj, *, file_name, source, user=None, dry_run=False) -> ImportRun:
    """Import one KfW workbook. Returns its ImportRun (saved unless `dry_run`), with
    `preview` (what was created, updated, withdrawn; capped) for showing."""
    clock = time.perf_counter()
    run = ImportRun(
        source=source,
        file_name=str(file_name)[:1024],
        user=user if user is not None and user.is_authenticated else None,
        started_at=timezone.now(),
    )
    run.preview = {"created": [], "updated": [], "withdrawn": []}
    run.dry_run = dry_run

    def finish(status, message=""):
        run.status = status
        run.message = message
        run.duration = datetime.timedelta(seconds=time.perf_counter() - clock)
        if not dry_run:
            run.save()
        return run

    if reader.file_size(fileobj) <= reader.max_bytes():
        run.sha256 = sha256_of(fileobj)
    try:
        reader.check_file(fileobj)
    except reader.FileRejected as problem:
        return finish(ImportStatus.REJECTED, str(problem))

    earlier = earlier_import(run.sha256)
    if earlier is not None:
        run.already_imported_by = earlier
        return finish(ImportStatus.ALREADY_IMPORTED, _(
            "This file was already imported on %(date)s (import no. %(run)s). Nothing was "
            "changed."
        ) % {"date": timezone.localtime(earlier.started_at).strftime("%d.%m.%Y %H:%M"),
             "run": earlier.pk})

    if not dry_run:
        run.archive_name = keep_file(fileobj, run.sha256)
    try:
        sheet = reader.open_sheet(fileobj)
    except reader.FileRejected as problem:
        return finish(ImportStatus.REJECTED, str(problem))

    try:
        with transaction.atomic():
            run.status = ImportStatus.FAILED  # until it is done
            run.save()
            upsert = Upsert(run, sheet.plan, sheet.warnings)
            for number, cells in sheet.rows:
                upsert.add(number, cells)
            upsert.finish()
            if run.rows_read == 0:
                raise NothingToImport
            status = (
                ImportStatus.IMPORTED_WITH_REJECTIONS if run.rejected else ImportStatus.IMPORTED
            )
            if dry_run:
                transaction.set_rollback(True)
            else:
                finish(status)
                if not invitations_muted():
                    run_id = run.pk
                    transaction.on_commit(lambda: _send_invitations(run_id))
    except NothingToImport:
        run.pk = None
        run._state.adding = True
        return finish(ImportStatus.REJECTED, _(
            "The worksheet “%(sheet)s” has no rows below its header: there is nothing to "
            "import."
        ) % {"sheet": sheet.name})
    except Exception as error:
        logger.exception("KfW import of %s failed", file_name)
        run.pk = None
        run._state.adding = True
        _reset_counts(run)
        return finish(ImportStatus.FAILED, _(
            "The import failed and nothing was changed. Please try again later; if it "
            "fails again, contact the technical support. (%(error)s)"
        ) % {"error": f"{error.__class__.__name__}: {error}"[:500]})
    finally:
        sheet.close()
    if dry_run:
        run.pk = None
        run._state.adding = True
        finish(status)
    return run


def _reset_counts(run):
    run.rows_read = run.created = run.updated = run.unchanged = run.withdrawn = 0
    run.rejected = 0
    run.rejected_rows = []
    run.preview = {"created": [], "updated": [], "withdrawn": []}


def _send_invitations(run_id):
    from .invitations import send_invitations

    send_invitations(run_id)


def _as_text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class RowWriter:
    """Writes normalised rows (values in columns.FIELDS order) with one statement per batch,
    run by the driver's executemany: Django's bulk_create builds its SQL per object and
    field, which cost as much as reading the workbook. Every row is written with its
    provenance (the run, its row number). New rows are inserted; changed rows go through an
    upsert on the KfW number (one statement, not an UPDATE per row) that sets the data
    fields and updated_at; unchanged rows through one that sets only the provenance. Owner,
    claim, created_at and created_by_import stay as they are."""

    PROVENANCE = ["created_by_import", "last_import", "last_import_row"]

    def __init__(self, run_id: int):
        self.run_id = run_id
        meta = FundingApplication._meta
        quote = connection.ops.quote_name
        fields = [meta.get_field(name) for name in
                  columns.FIELDS + ["created_at", "updated_at"] + self.PROVENANCE]
        # Values the database driver may not take as they are (Decimal, date), adapted as
        # the fields would (without their per-value checks: normalising did those).
        ops = connection.ops
        self.adapt = []
        for index, field in enumerate(fields[:len(columns.FIELDS)]):
            if field.get_internal_type() == "DecimalField":
                self.adapt.append((index, functools.partial(
                    ops.adapt_decimalfield_value, max_digits=field.max_digits,
                    decimal_places=field.decimal_places)))
            elif field.get_internal_type() == "DateField":
                self.adapt.append((index, ops.adapt_datefield_value))
        self.insert_sql = "INSERT INTO %s (%s) VALUES (%s)" % (
            quote(meta.db_table), ", ".join(quote(field.column) for field in fields),
            ", ".join(["%s"] * len(fields)))

        def upsert_sql(updated):
            return self.insert_sql + " " + ops.on_conflict_suffix_sql(
                fields, OnConflict.UPDATE, [meta.get_field(name).column for name in updated],
                [meta.get_field(columns.KEY_FIELD).column],
            )

        self.update_sql = upsert_sql(DATA_FIELDS + ["updated_at", "last_import", "last_import_row"])
        self.mark_sql = "UPDATE {table} SET {run} = %s, {row} = CASE {pk} {{cases}} END WHERE {pk} IN ({{pks}})".format(
            table=quote(meta.db_table), run=quote(meta.get_field("last_import").column),
            row=quote(meta.get_field("last_import_row").column), pk=quote(meta.pk.column))

        changes = ApplicationChange._meta
        change_fields = [changes.get_field(name) for name in
                         ("application", "run", "field", "old_value", "new_value")]
        self.change_sql = "INSERT INTO %s (%s) VALUES (%s)" % (
            quote(changes.db_table), ", ".join(quote(field.column) for field in change_fields),
            ", ".join(["%s"] * len(change_fields)))

    def _params(self, rows):
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        run_id = self.run_id
        for values, number in rows:
            params = list(values)
            for index, adapt in self.adapt:
                params[index] = adapt(params[index])
            params += (now, now, run_id, run_id, number)
            yield params

    def _execute(self, sql, rows):
        with connection.cursor() as cursor:
            cursor.executemany(sql, list(self._params(rows)))

    def insert(self, rows) -> None:
        """New applications: [(values, row number)]."""
        self._execute(self.insert_sql, rows)

    def update(self, rows) -> None:
        """Changed applications: [(values, row number)]."""
        self._execute(self.update_sql, rows)

    def mark(self, rows) -> None:
        """Unchanged applications, which only get the provenance: [(pk, row number)]. One
        narrow UPDATE per MARK_ROWS: an upsert would send and parse every column of every
        row again (most rows of a re-import are unchanged). Full chunks share one statement
        text, so the driver's prepared statement is reused."""
        with connection.cursor() as cursor:
            for start in range(0, len(rows), MARK_ROWS):
                chunk = rows[start:start + MARK_ROWS]
                sql = self.mark_sql.format(cases=" ".join(["WHEN %s THEN %s"] * len(chunk)),
                                           pks=", ".join(["%s"] * len(chunk)))
                params = [self.run_id]
                for pk, number in chunk:
                    params += (pk, number)
                params += [pk for pk, _number in chunk]
                cursor.execute(sql, params)

    def insert_changes(self, changes) -> None:
        rows = [(c.application_id, c.run_id, c.field, c.old_value, c.new_value) for c in changes]
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH_ROWS):  # up to a change per field per row
                cursor.executemany(self.change_sql, rows[start:start + BATCH_ROWS])


# What Upsert reads of an application it is about to write, in this order (then its
# columns.FIELDS): the provenance says whether an earlier row of the same file wrote it.
STORED = ("pk", "created_by_import_id", "last_import_id", "last_import_row")
DATA = len(STORED)


class Upsert:
    """Normalised rows in, written in batches of at most BATCH_ROWS. Memory stays flat
    however long the file: nothing is kept per row once its batch is written. Whether a
    KfW number appeared in an earlier row of the file is read back from the database
    (each row is written with the run and its row number), as is which applications the
    run created (for the invitations, after the commit)."""

    def __init__(self, run: ImportRun, plan, warnings=()):
        self.run = run
        self.plan = plan
        self.pending = {}  # kfw_number → (values, row number), not written yet
        self.warnings = list(warnings)[:MAX_WARNINGS_KEPT]
        self.warning_count = len(warnings)
        # Applications created by a row that a later row turned into a conflict: kept
        # (marked) while the file is read, so that further rows see the conflict.
        self.conflicts_created = 0
        self.writer = RowWriter(run.pk)

    # --- rows in -----------------------------------------------------------------

    def add(self, number: int, cells) -> None:
        self.run.rows_read += 1
        values, errors = columns.normalise_row(cells, self.plan)
        if errors:
            self.reject(number, errors)
            return
        key = values[columns.KEY_INDEX]
        if key in self.pending:  # an earlier row of this batch: decided against the database
            self.flush()
        self.pending[key] = (values, number)
        if len(self.pending) >= BATCH_ROWS:
            self.flush()

    def reject(self, number: int, errors) -> None:
        self.run.rejected += 1
        kept = self.run.rejected_rows
        for header, reason in errors:
            entry = {"row": number, "column": header, "reason": reason}
            if len(kept) < MAX_REJECTED_KEPT:
                bisect.insort(kept, entry, key=_row_of)
            elif number < kept[-1]["row"]:
                bisect.insort(kept, entry, key=_row_of)
                kept.pop()

    def warn(self, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_WARNINGS_KEPT:
            self.warnings.append(message)

    # --- writing -----------------------------------------------------------------

    def flush(self) -> None:
        if not self.pending:
            return
        run = self.run
        stored = {
            row[DATA + columns.KEY_INDEX]: row
            for row in FundingApplication.objects.filter(kfw_number__in=list(self.pending))
            .values_list(*STORED, *columns.FIELDS)
            .order_by()
        }
        new, changed, unchanged, changes, conflicts = [], [], [], [], []
        preview = run.preview
        for key, (values, number) in self.pending.items():
            old = stored.get(key)
            if old is None:
                new.append((values, number))
                run.created += 1
                if len(preview["created"]) < PREVIEW_LIMIT:
                    preview["created"].append(FundingApplication(**dict(zip(columns.FIELDS, values))))
                continue
            pk, created_by, last_import, first = old[:DATA]
            if last_import == run.pk:  # an earlier row of this file wrote it
                self._repeated(key, values, number, old, conflicts)
                continue
            if tuple(values) == old[DATA:]:
                run.unchanged += 1
                unchanged.append((pk, number))
                continue
            row_changes = [
                ApplicationChange(application_id=pk, run=run, field=columns.FIELDS[index],
                                  old_value=_as_text(before), new_value=_as_text(after))
                for index, (before, after) in enumerate(zip(old[DATA:], values))
                if before != after
            ]
            changes.extend(row_changes)
            changed.append((values, number))
            newly_withdrawn = (values[columns.STATUS_INDEX] == WITHDRAWN
                               and old[DATA + columns.STATUS_INDEX] != WITHDRAWN)
            if newly_withdrawn:
                run.withdrawn += 1
            else:
                run.updated += 1
            listed = preview["withdrawn" if newly_withdrawn else "updated"]
            if len(listed) < PREVIEW_LIMIT:
                application = FundingApplication(pk=pk, **dict(zip(columns.FIELDS, values)))
                listed.append((application, row_changes))
        self.pending.clear()
        if new:
            self.writer.insert(new)
        if changed:
            self.writer.update(changed)
        if unchanged:
            self.writer.mark(unchanged)
        if changes:
            self.writer.insert_changes(changes)
        if conflicts:
            self._undo(conflicts)

    def _repeated(self, key, values, number, old, conflicts) -> None:
        """A row whose KfW number an earlier row of the file had: counted once when it
        repeats that row exactly, else both rows (and any further one) are rejected."""
        first = old[3]
        if first is None:  # already a conflict
            self.reject(number, [(KEY_HEADER, _(
                "Row %(row)s has the KfW application number %(number)s of rows already "
                "rejected as a conflict (same number, different content); it was rejected "
                "too. Please correct the export."
            ) % {"row": number, "number": key})])
        elif tuple(values) == old[DATA:]:
            self.warn(_("Row %(row)s repeats row %(first)s exactly; it was counted once.")
                      % {"row": number, "first": first})
        else:
            reason = _(
                "Rows %(first)s and %(row)s have the same KfW application number %(number)s "
                "but different content. Both rows were rejected; please correct the export."
            ) % {"first": first, "row": number, "number": key}
            self.reject(first, [(KEY_HEADER, reason)])
            self.reject(number, [(KEY_HEADER, reason)])
            conflicts.append(old)

    def _undo(self, conflicts) -> None:
        """The first rows of new conflicts were written by an earlier batch: take them back
        out of the counts and the preview, give updated applications their old values
        back, and mark the applications as conflicts (no row) for the rest of the file.
        Created ones are deleted when the file is done."""
        run = self.run
        earlier = {old[0] for old in conflicts if old[1] != run.pk}
        created = len(conflicts) - len(earlier)
        run.created -= created
        self.conflicts_created += created
        recorded = ApplicationChange.objects.filter(run=run, application_id__in=earlier)
        restored, withdrawn = {}, set()
        for change in recorded.select_related("application"):
            application = restored.setdefault(change.application_id, change.application)
            field = FundingApplication._meta.get_field(change.field)
            setattr(application, change.field, field.to_python(change.old_value))
            if change.field == "kfw_status" and change.new_value == WITHDRAWN:
                withdrawn.add(change.application_id)
        for application in restored.values():
            application.save(update_fields=DATA_FIELDS)
        run.withdrawn -= len(withdrawn)
        run.updated -= len(restored) - len(withdrawn)
        run.unchanged -= len(earlier) - len(restored)
        recorded.delete()
        FundingApplication.objects.filter(pk__in=[old[0] for old in conflicts]).update(
            last_import_row=None)
        gone = {old[DATA + columns.KEY_INDEX] for old in conflicts}
        preview = run.preview
        preview["created"] = [a for a in preview["created"] if a.kfw_number not in gone]
        for name in ("updated", "withdrawn"):
            preview[name] = [(a, c) for a, c in preview[name] if a.kfw_number not in gone]

    def finish(self) -> None:
        self.flush()
        if self.conflicts_created:
            conflicted = FundingApplication.objects.filter(
                created_by_import=self.run, last_import_row__isnull=True)
            while pks := list(conflicted.values_list("pk", flat=True)[:BATCH_ROWS]):
                FundingApplication.objects.filter(pk__in=pks).delete()
        self.run.warnings = self.warnings
        if self.warning_count > len(self.warnings):
            self.run.warnings.append(_("… and %(count)s more warnings.") % {
                "count": self.warning_count - len(self.warnings)})


def _row_of(entry) -> int:
    return entry["row"]
