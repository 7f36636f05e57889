"""Import a KfW export from the command line: `manage.py import_kfw PATH [--dry-run]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kfw_import.importer import import_workbook
from kfw_import.models import ImportSource, ImportStatus
from kfw_import.report import rejected_lines, summary_lines


class Command(BaseCommand):
    help = "Import a KfW export (.xlsx). Exit 0 when the file was processed (rejected rows " \
           "are listed), 1 when the file was rejected as a whole."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true",
                            help="Check and show what would change; change nothing.")

    def handle(self, *args, path, dry_run, **options):
        if str(path).startswith("s3:/"):  # Path() folds "s3://" into "s3:/"
            raise CommandError(_(
                "%(path)s is an S3 address: the command reads local files. Files uploaded "
                "to the import bucket are imported by the bucket's event."
            ) % {"path": str(path).replace("s3:/", "s3://", 1)})
        try:
            handle = path.open("rb")
        except OSError as error:
            raise CommandError(_("The file %(path)s cannot be opened: %(error)s") % {
                "path": path, "error": error.strerror})
        with handle:
            run = import_workbook(handle, file_name=path.name, source=ImportSource.COMMAND,
                                  dry_run=dry_run)
        if run.status in (ImportStatus.REJECTED, ImportStatus.FAILED):
            raise CommandError(run.message)
        for line in summary_lines(run):
            self.stdout.write(line)
        for line in rejected_lines(run):
            self.stdout.write(line)
