"""The KfW import: read → normalise and check → upsert by KfW number, in bulk, one
transaction per file. The command, the S3 handler and the admin only call
`import_workbook`; every rule of the import lives here or in `columns`/`reader`.
"""

import datetime
import functools
import hashlib
import logging
import time

from django.conf import settings
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
# one upsert, one insert of changes per batch.
BATCH_ROWS = 2000
# A file of nothing but errors still fits an ImportRun; the counts stay exact.
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
            upsert = Upsert(run, sheet.plan)
            for number, cells in sheet.rows:
                upsert.add(number, cells)
            upsert.finish()
            run.warnings = (sheet.warnings + upsert.warnings)[:MAX_WARNINGS_KEPT]
            status = (
                ImportStatus.IMPORTED_WITH_REJECTIONS if run.rejected else ImportStatus.IMPORTED
            )
            if dry_run:
                transaction.set_rollback(True)
            else:
                finish(status)
                if not invitations_muted():
                    created = upsert.invited_numbers()
                    transaction.on_commit(lambda: _send_invitations(created))
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


def _send_invitations(kfw_numbers):
    from .invitations import send_invitations

    send_invitations(kfw_numbers)


def _as_text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class RowWriter:
    """Writes normalised rows (values in columns.FIELDS order) with one statement per batch,
    run by the driver's executemany: Django's bulk_create builds its SQL per object and
    field, which cost as much as reading the workbook. New rows are inserted; changed rows
    go through an upsert on the KfW number (one statement, not an UPDATE per row) that sets
    the data fields and updated_at only: owner, claim and created_at stay as they are."""

    def __init__(self):
        meta = FundingApplication._meta
        quote = connection.ops.quote_name
        fields = [meta.get_field(name) for name in columns.FIELDS + ["created_at", "updated_at"]]
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
        self.upsert_sql = self.insert_sql + " " + connection.ops.on_conflict_suffix_sql(
            fields, OnConflict.UPDATE,
            [meta.get_field(name).column for name in DATA_FIELDS + ["updated_at"]],
            [meta.get_field(columns.KEY_FIELD).column],
        )

        changes = ApplicationChange._meta
        change_fields = [changes.get_field(name) for name in
                         ("application", "run", "field", "old_value", "new_value")]
        self.change_sql = "INSERT INTO %s (%s) VALUES (%s)" % (
            quote(changes.db_table), ", ".join(quote(field.column) for field in change_fields),
            ", ".join(["%s"] * len(change_fields)))

    def _params(self, rows):
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        for values in rows:
            params = list(values)
            for index, adapt in self.adapt:
                params[index] = adapt(params[index])
            params.append(now)
            params.append(now)
            yield params

    def _execute(self, sql, rows):
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH_ROWS):
                cursor.executemany(sql, list(self._params(rows[start:start + BATCH_ROWS])))

    def insert(self, rows) -> None:
        self._execute(self.insert_sql, rows)

    def update(self, rows) -> None:
        self._execute(self.upsert_sql, rows)

    def insert_changes(self, changes) -> None:
        rows = [(c.application_id, c.run_id, c.field, c.old_value, c.new_value) for c in changes]
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH_ROWS):
                cursor.executemany(self.change_sql, rows[start:start + BATCH_ROWS])


# What Upsert keeps per KfW number of a file, packed in one int to keep memory small: the
# number of its first row (an .xlsx has at most 2**20 rows) and a 40-bit hash of its content;
# -(first row number) once a second row with other content made it a conflict.
ROW_BITS = 24
ROW_MASK = (1 << ROW_BITS) - 1
DIGEST_MASK = (1 << 40) - 1


class Upsert:
    """Normalised rows in, written in batches. Keeps per KfW number of the file only its
    first row number and a hash of its content (duplicates and conflicts), as ints: the
    10-digit number as an int, both others packed into one."""

    def __init__(self, run: ImportRun, plan):
        self.run = run
        self.plan = plan
        self.seen = {}  # int(kfw_number) → row number and content hash, packed (ROW_BITS)
        self.pending = {}  # kfw_number → (values, row number), not written yet
        self.created_approved = set()  # int(kfw_number) of new approved applications: invited
        self.created_withdrawn = set()
        self.conflicted = []  # (kfw_number, what had been done with its first row)
        self.warnings = []
        self.writer = RowWriter()

    def invited_numbers(self) -> list[str]:
        """The KfW numbers of the approved applications this file created."""
        return [f"{code:010d}" for code in self.created_approved]

    # --- rows in -----------------------------------------------------------------

    def add(self, number: int, cells) -> None:
        run = self.run
        run.rows_read += 1
        values, errors = columns.normalise_row(cells, self.plan)
        if errors:
            self.reject(number, errors)
            return
        key = values[columns.KEY_INDEX]
        code = int(key)
        digest = hash(tuple(values)) & DIGEST_MASK
        first = self.seen.get(code)
        if first is None:
            self.seen[code] = digest << ROW_BITS | number
            self.pending[key] = (values, number)
            if len(self.pending) >= BATCH_ROWS:
                self.flush()
        elif first < 0:  # already a conflict
            self.reject(number, [(KEY_HEADER, self._conflict_reason(-first, number))])
        elif first >> ROW_BITS == digest:
            self.warnings.append(_(
                "Row %(row)s repeats row %(first)s exactly; it was counted once."
            ) % {"row": number, "first": first & ROW_MASK})
        else:
            first_number = first & ROW_MASK
            reason = self._conflict_reason(first_number, number)
            self.conflicted.append((key, self._undo_count(key)))
            self.seen[code] = -first_number
            self.reject(first_number, [(KEY_HEADER, reason)])
            self.reject(number, [(KEY_HEADER, reason)])

    @staticmethod
    def _conflict_reason(first: int, number: int) -> str:
        return _(
            "Rows %(first)s and %(row)s have the same KfW application number but different "
            "content. Both rows were rejected; please correct the export."
        ) % {"first": first, "row": number}

    def reject(self, number: int, errors) -> None:
        self.run.rejected += 1
        kept = self.run.rejected_rows
        for header, reason in errors:
            if len(kept) < MAX_REJECTED_KEPT:
                kept.append({"row": number, "column": header, "reason": reason})

    def _undo_count(self, key) -> str:
        """Take the first row of a conflict back out of the counts; say what it did."""
        run = self.run
        if self.pending.pop(key, None) is not None:
            return "pending"
        code = int(key)
        if code in self.created_approved or code in self.created_withdrawn:
            run.created -= 1
            self.created_approved.discard(code)
            self.created_withdrawn.discard(code)
            return "created"
        status_change = ApplicationChange.objects.filter(
            run=run, application__kfw_number=key
        ).values_list("field", "new_value")
        changes = dict(status_change)
        if not changes:
            run.unchanged -= 1
            return "unchanged"
        if changes.get("kfw_status") == WITHDRAWN:
            run.withdrawn -= 1
        else:
            run.updated -= 1
        return "updated"

    # --- writing -----------------------------------------------------------------

    def flush(self) -> None:
        if not self.pending:
            return
        run = self.run
        existing = {
            row[1]: row
            for row in FundingApplication.objects.filter(kfw_number__in=list(self.pending))
            .values_list("pk", *columns.FIELDS)
            .order_by()
        }
        new, changed, changes = [], [], []
        preview = run.preview
        for key, (values, _number) in self.pending.items():
            old = existing.get(key)
            if old is None:
                new.append(values)
                if values[columns.STATUS_INDEX] == WITHDRAWN:
                    self.created_withdrawn.add(int(key))
                else:
                    self.created_approved.add(int(key))
                run.created += 1
                if len(preview["created"]) < PREVIEW_LIMIT:
                    preview["created"].append(FundingApplication(**dict(zip(columns.FIELDS, values))))
                continue
            pk = old[0]
            if tuple(values) == old[1:]:
                run.unchanged += 1
                continue
            row_changes = [
                ApplicationChange(application_id=pk, run=run, field=columns.FIELDS[index],
                                  old_value=_as_text(before), new_value=_as_text(after))
                for index, (before, after) in enumerate(zip(old[1:], values))
                if before != after
            ]
            changes.extend(row_changes)
            changed.append(values)
            newly_withdrawn = (values[columns.STATUS_INDEX] == WITHDRAWN
                               and old[1 + columns.STATUS_INDEX] != WITHDRAWN)
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
        if changes:
            self.writer.insert_changes(changes)

    def finish(self) -> None:
        self.flush()
        self._undo_conflicts()
        if self.conflicted:
            gone = {key for key, _what in self.conflicted}
            preview = self.run.preview
            preview["created"] = [a for a in preview["created"] if a.kfw_number not in gone]
            for name in ("updated", "withdrawn"):
                preview[name] = [(a, c) for a, c in preview[name] if a.kfw_number not in gone]

    def _undo_conflicts(self) -> None:
        """Rows written before a later row of the same number turned out to conflict:
        created ones are removed, updated ones get their old values back."""
        created = [key for key, what in self.conflicted if what == "created"]
        updated = [key for key, what in self.conflicted if what == "updated"]
        if created:
            FundingApplication.objects.filter(kfw_number__in=created).delete()
        if updated:
            recorded = ApplicationChange.objects.filter(
                run=self.run, application__kfw_number__in=updated
            ).select_related("application")
            applications = {}
            for change in recorded:
                application = applications.setdefault(change.application_id, change.application)
                model_field = FundingApplication._meta.get_field(change.field)
                setattr(application, change.field, model_field.to_python(change.old_value))
            for application in applications.values():
                application.save()
            recorded.delete()
