"""How an import's outcome is told in text: the command prints it, the S3 handler logs it."""

from django.utils.translation import gettext as _

from .models import ImportStatus


def summary_lines(run) -> list[str]:
    lines = []
    if getattr(run, "dry_run", False):
        lines.append(_("Dry run: nothing was changed. This is what the import would do:"))
    if run.status == ImportStatus.ALREADY_IMPORTED:
        return lines + [run.message]
    lines.append(_(
        "%(file)s: %(read)d rows read, %(created)d created, %(updated)d updated, "
        "%(unchanged)d unchanged, %(withdrawn)d withdrawn, %(rejected)d rejected."
    ) % {"file": run.file_name, "read": run.rows_read, "created": run.created,
         "updated": run.updated, "unchanged": run.unchanged, "withdrawn": run.withdrawn,
         "rejected": run.rejected})
    lines.extend(run.warnings)
    return lines


def rejected_lines(run) -> list[str]:
    lines = [
        _("row %(row)s, %(column)s: %(reason)s") % entry for entry in run.rejected_rows
    ]
    listed = len({entry["row"] for entry in run.rejected_rows})
    if run.rejected > listed:
        lines.append(_("… and %(count)d more rejected rows.") % {"count": run.rejected - listed})
    return lines
