"""The applicant's dashboard and a wizard step as reports pile up, with their own baseline.

    python bench/reports_dashboard.py [--applications 50] [--repeat 20]

Builds a throwaway test database (SQLite by default; set DATABASE_URL=mysql://… for
MariaDB), one applicant with ONE application and its reports (the baseline), times the
dashboard, then gives the applicant N applications with reports in every status and
times it again. Prints median and p95 per page, the number of queries, and the ratios
against the baseline. Targets: the same number of queries for 1 and N applications;
a dashboard with N applications within N/2 × the baseline time (rendering grows with
the cards, the database work must not); a wizard step unaffected by N (≤ 1.5×).
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "now_portal.settings")


def measure(client, url, repeat, method="get", data=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code in (200, 302), (url, response.status_code)
    timings.sort()
    return {
        "median_ms": statistics.median(timings),
        "p95_ms": timings[max(0, int(len(timings) * 0.95) - 1)],
        "queries": len(queries.captured_queries),
    }


def add_application_with_reports(owner, index):
    from django.utils import timezone

    from applications.models import FundingApplication
    from reports.models import ChargingPoint, Report, ReportStatus, ReportType

    today = timezone.localdate()
    application = FundingApplication.objects.create(
        kfw_number=f"{4800000000 + index:010d}", program="441", applicant_name=f"Bench {index} GmbH",
        contact_last_name="Bank", email=f"bench{index}@example.org", street="Weg",
        house_number="1", postal_code="10115", city="Berlin", approved_charging_points=4,
        approved_amount=Decimal("1000"), approval_date=today - datetime.timedelta(days=900),
        owner=owner,
    )
    commissioning = Report.objects.create(
        application=application, type=ReportType.COMMISSIONING, status=ReportStatus.ACCEPTED,
        due_date=today - datetime.timedelta(days=700), accepted_at=timezone.now() - datetime.timedelta(days=600),
        reference_number=f"NOW-BENCH-{index:06d}",
    )
    for number in range(4):
        ChargingPoint.objects.create(
            report=commissioning, label=f"P{number}", power_kw=Decimal("22"), current_type="AC",
            connector="type2", commissioning_date=today - datetime.timedelta(days=800 - number),
        )
    first_year = (today - datetime.timedelta(days=800)).year
    for offset, status in enumerate([ReportStatus.SUBMITTED, ReportStatus.DRAFT]):
        Report.objects.create(
            application=application, type=ReportType.OPERATION, period=first_year + offset,
            status=status, due_date=datetime.date(first_year + offset + 1, 3, 31),
        )
    return application


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["testserver"]
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from django.contrib.auth import get_user_model

        from reports import lifecycle
        from reports.models import ReportType

        applicant = get_user_model().objects.create_user("bench@example.org", "Bench-Passwort-2026")
        client = Client()
        client.force_login(applicant)
        first = add_application_with_reports(applicant, 0)
        dashboard = reverse("applications:dashboard")

        # A draft commissioning report to time a wizard step against.
        from applications.models import FundingApplication

        draft_app = FundingApplication.objects.get(pk=first.pk)
        draft_app.pk = None
        draft_app.kfw_number = "4899999999"
        draft_app.save()
        draft = lifecycle.start(draft_app, ReportType.COMMISSIONING, 0, applicant)
        step = reverse("reports:commissioning_step", args=[draft.pk, "standort"])
        site = {"standort-street": "Weg", "standort-house_number": "1", "standort-postal_code": "10115",
                "standort-city": "Berlin", "standort-operator_name": "Bench",
                "standort-publicly_accessible": "yes", "wizard_next": "1"}

        measure(client, dashboard, 3)  # warm up templates and translations
        base_dash = measure(client, dashboard, args.repeat)
        base_step = measure(client, step, args.repeat, "post", site)

        for index in range(1, args.applications):
            add_application_with_reports(applicant, index)
        many_dash = measure(client, dashboard, args.repeat)
        many_step = measure(client, step, args.repeat, "post", site)

        vendor = connection.vendor
        print(f"database: {vendor}; repeat {args.repeat}; reports per application: 3 (+ 4 charging points)")
        for label, base, many in [("dashboard", base_dash, many_dash), ("wizard step POST", base_step, many_step)]:
            print(f"{label:18s} 2 applications: median {base['median_ms']:7.1f} ms  p95 {base['p95_ms']:7.1f} ms  "
                  f"queries {base['queries']}")
            print(f"{'':18s} {args.applications + 1} applications: median {many['median_ms']:7.1f} ms  "
                  f"p95 {many['p95_ms']:7.1f} ms  queries {many['queries']}")
            print(f"{'':18s} ratio (median): {many['median_ms'] / base['median_ms']:.2f}x")
        ok = (
            base_dash["queries"] == many_dash["queries"]
            and many_dash["median_ms"] <= base_dash["median_ms"] * args.applications / 2
            and many_step["median_ms"] <= base_step["median_ms"] * 1.5
        )
        print("targets met" if ok else "TARGETS MISSED")
        return 0 if ok else 1
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    sys.exit(main())
