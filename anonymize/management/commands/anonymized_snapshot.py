"""`manage.py anonymized_snapshot --output PATH|s3://bucket/key [--gzip] [--key HEX]`."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from anonymize.leaks import LeakFound, ScanFailed
from anonymize.sinks import DestinationError
from anonymize.snapshot import PolicyIncomplete, SnapshotError, take_snapshot


class Command(BaseCommand):
    help = "Write an anonymised SQL dump of the whole database to a file or to S3."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="A file path or s3://bucket/key.")
        parser.add_argument("--gzip", action="store_true", help="Compress with gzip.")
        parser.add_argument(
            "--key", help="Key of the fakes, in hex (at least 32 digits). Without it each "
            "snapshot gets a random key, so that two snapshots cannot be linked.")

    def handle(self, *args, output, gzip, key, **options):
        secret = None
        if key is not None:
            try:
                secret = bytes.fromhex(key)
            except ValueError:
                raise CommandError(_("--key must be hexadecimal.")) from None
            if len(secret) < 16:
                raise CommandError(_("--key must have at least 32 hexadecimal digits."))
        try:
            summary = take_snapshot(output, compress=gzip, key=secret)
        except (PolicyIncomplete, LeakFound, ScanFailed, SnapshotError, DestinationError) as error:
            raise CommandError(str(error)) from error
        for column in summary.stale_policy_columns:
            self.stderr.write(_("Warning: the policy names a column the database does not "
                                "have: %(column)s") % {"column": column})
        self.stdout.write(_(
            "Snapshot written to %(destination)s: %(tables)d tables, %(rows)d rows, "
            "%(bytes)d bytes of SQL (%(written)d written) in %(seconds).1f s."
        ) % {"destination": summary.destination, "tables": summary.tables,
             "rows": summary.rows, "bytes": summary.bytes, "written": summary.bytes_written,
             "seconds": summary.duration_seconds})
        k = summary.k_anonymity
        if k:
            self.stdout.write(_(
                "k-anonymity (k=%(k)d): smallest group %(smallest)s, %(below)d "
                "applications in groups smaller than k."
            ) % {"k": k["k"], "smallest": k["smallest_group"], "below": k["rows_below_k"]})
