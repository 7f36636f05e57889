"""The caseworkers' side of reports at scale: the daily reminder run and the .xlsx export.

    python bench/reports_review.py [--applications 5000] [--mariadb]

Builds a fresh database (SQLite file, or MariaDB database `now_bench_reports_review`)
with N claimed applications, each with a draft commissioning report, then prints:
- reminders on a quiet day (nothing due) for N/50 and N applications: queries and time
  (the queries must not grow with N; time per application is the figure to watch);
- the first run on a day when every report is overdue (N mails into memory) against a
  second run the same day (must send nothing: idempotent);
- the export of all N reports as .xlsx against the baseline of only reading the same
  rows and computing their cell values (time ratio, peak Python memory of each).
"""

import argparse
import datetime
import os
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup(mariadb: bool) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "now_portal.settings"
    if mariadb:
        import MySQLdb

        server = MySQLdb.connect(host="127.0.0.1", port=3306, user="root")
        server.cursor().execute(
            "CREATE DATABASE IF NOT EXISTS now_bench_reports_review CHARACTER SET utf8mb4"
        )
        server.close()
        os.environ["DATABASE_URL"] = "mysql://root@127.0.0.1:3306/now_bench_reports_review"
    else:
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core.management import call_command
    from django.db import connection

    if mariadb:
        with connection.cursor() as cursor:
            cursor.execute("SET FOREIGN_KEY_CHECKS=0")
            cursor.execute("SHOW TABLES")
            for (table,) in cursor.fetchall():
                cursor.execute(f"DROP TABLE `{table}`")
            cursor.execute("SET FOREIGN_KEY_CHECKS=1")
    call_command("migrate", verbosity=0)


def populate(count: int, offset: int = 0) -> None:
    from applications.models import FundingApplication, User
    from reports.models import Report, ReportStatus, ReportType

    approval = datetime.date(2026, 3, 31)
    users = User.objects.bulk_create(
        [User(email=f"bench{offset + i}@example.org", password="!") for i in range(count)],
        batch_size=1000,
    )
    if users[0].pk is None:  # MariaDB does not return ids from bulk inserts
        users = list(User.objects.filter(email__startswith="bench").order_by("pk")[offset:offset + count])
    applications = FundingApplication.objects.bulk_create([
        FundingApplication(
            kfw_number=f"49{offset + i:08d}", program="441", applicant_name=f"=Firma {i} GmbH",
            contact_last_name="Bank", email=f"bench{offset + i}@example.org", street="Weg",
            house_number=str(i), postal_code="10115", city="Berlin",
            approved_charging_points=4, approved_amount=Decimal("8000.00"),
            approval_date=approval, owner=user,
        )
        for i, user in enumerate(users)
    ], batch_size=1000)
    if applications[0].pk is None:
        applications = list(FundingApplication.objects.filter(
            kfw_number__gte=f"49{offset:08d}", kfw_number__lt=f"49{offset + count:08d}"
        ).order_by("pk"))
    Report.objects.bulk_create([
        Report(application=a, type=ReportType.COMMISSIONING, period=0, status=ReportStatus.DRAFT,
               due_date=datetime.date(2026, 9, 30), operator_name="@Betreiber",
               cost_hardware=Decimal("1000.50"))
        for a in applications
    ], batch_size=1000)


def timed_reminders(today):
    from django.db import connection

    from reports.reminders import send_due_reminders

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        summary = send_due_reminders(today=today)
        seconds = time.perf_counter() - started
    return summary, len(queries), seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=5000)
    parser.add_argument("--mariadb", action="store_true")
    args = parser.parse_args()
    setup(args.mariadb)
    from django.core import mail

    from reports.export import write_report_list
    from reports.models import Report

    n, small = args.applications, max(1, args.applications // 50)
    quiet, overdue = datetime.date(2026, 4, 1), datetime.date(2026, 10, 1)

    populate(small)
    _s, small_queries, small_seconds = timed_reminders(quiet)
    populate(n - small, offset=small)
    _s, big_queries, big_seconds = timed_reminders(quiet)
    print(f"Reminders, quiet day: {small} applications {small_queries} queries "
          f"{small_seconds * 1000:.0f} ms; {n} applications {big_queries} queries "
          f"{big_seconds * 1000:.0f} ms ({big_seconds / n * 1e6:.0f} µs per application)")

    mail.outbox = []
    first, first_queries, first_seconds = timed_reminders(overdue)
    second, second_queries, second_seconds = timed_reminders(overdue)
    print(f"Reminders, all {n} overdue: first run sent {first.sent} in {first_seconds:.2f} s "
          f"({first_queries} queries); second run sent {second.sent} "
          f"(already sent {second.already_sent}) in {second_seconds:.2f} s "
          f"({second_queries} queries); mails in outbox {len(mail.outbox)}")

    from reports import export

    queryset = Report.objects.all()
    today = datetime.date(2026, 10, 1)

    def baseline():
        spec = export.columns(today)
        rows = 0
        for report in export.with_point_counts(queryset.for_review()).iterator(chunk_size=2000):
            [value(report) for _t, _w, value in spec]
            rows += 1
        return rows

    def workbook():
        with tempfile.TemporaryFile() as target:
            rows = write_report_list(queryset, target)
            return rows, target.tell()

    results = {}
    for name, function in [("baseline (read + values)", baseline), ("xlsx export", workbook)]:
        started = time.perf_counter()
        outcome = function()
        seconds = time.perf_counter() - started
        # Memory in a second run: tracemalloc slows Python down too much to time with it.
        tracemalloc.start()
        function()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        results[name] = seconds
        print(f"{name}: {seconds:.2f} s, peak Python memory {peak / 1e6:.1f} MB, result {outcome}")
    ratio = results["xlsx export"] / results["baseline (read + values)"]
    print(f"Export / baseline time ratio: {ratio:.1f}x for {n} reports")


if __name__ == "__main__":
    main()
