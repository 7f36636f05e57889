"""Where one wave applicant's requests spend the server's processor and database.

    python bench/journey_profile.py [--journeys 5] [--profile PAGE] [--sql PAGE]

Walks the wave's applicant journey (bench/wave_flow.py: register by claim, confirm,
sign out and in, dashboard, short report, submit) through Django's WSGI handler in this
process, with the wave's production settings (DEBUG off, MariaDB by default, the database
cache for allauth's rate limits, database sessions, CSRF checks on). Prints per page the
queries (split into session, cache and other), on MariaDB the statements the server
received (round trips, with those Django sends without a cursor: autocommit, COMMIT) and
the processor time of the request, the median over the journeys. `--sql PAGE` prints the statements of one page of the last
journey; `--profile PAGE` a cProfile of that page over all journeys (the pages' names are
those of the wave). Set DATABASE_URL to use another database (SQLite: `sqlite://`).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

MAIL_DIR = Path(tempfile.mkdtemp(prefix="now-journey-mail-"))
os.environ.setdefault("DATABASE_URL", "mysql://root@127.0.0.1:3306/now_bench_journey")
os.environ.update(
    DJANGO_SETTINGS_MODULE="now_portal.settings", DJANGO_DEBUG="0", DJANGO_HTTPS_ONLY="0",
    DJANGO_SECRET_KEY="bench-only-" + "x" * 50, DJANGO_CACHE="database", DJANGO_TRUSTED_PROXY_COUNT="1",
    DJANGO_EMAIL_FILE_PATH=str(MAIL_DIR), DJANGO_LOG_LEVEL="WARNING",
)
PASSWORD = "Wellen-Passwort-2026"
HANDLER = None


def server_questions():
    """MariaDB's count of the statements this connection sent, including those Django
    sends without a cursor (autocommit on and off, COMMIT): None on other databases."""
    from django.db import connection

    if connection.vendor != "mysql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SHOW SESSION STATUS LIKE 'Questions'")
        return int(cursor.fetchone()[1])


class Response:
    """What wave_flow reads of a response (requests' names), from the test client's."""

    def __init__(self, response, path):
        chain = getattr(response, "redirect_chain", [])
        self.status_code = response.status_code
        self.url = "http://testserver" + (chain[-1][0] if chain else path)
        self.text = response.content.decode()


class ProfiledClient:
    """Django's test client (CSRF enforced, redirects followed like requests does) that
    records per named request the processor time and the queries, and can profile one."""

    def __init__(self, forwarded_for, stats, profile_page=None, profiler=None):
        from django.test import Client

        self.client = Client(enforce_csrf_checks=True, HTTP_X_FORWARDED_FOR=forwarded_for)
        # One handler for every journey, as one gunicorn worker has: its middleware (and
        # WhiteNoise's scan of the static files) is set up once, not per applicant.
        self.client.handler = HANDLER
        self.stats, self.profile_page, self.profiler = stats, profile_page, profiler
        self.last_sql = {}

    def _request(self, method, path, name, **kwargs):
        from django.db import connection

        queries = []

        def record(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        profiling = self.profiler is not None and self.profile_page in (name, "all")
        questions = server_questions()
        start = time.process_time()
        if profiling:
            self.profiler.enable()
        with connection.execute_wrapper(record):
            response = getattr(self.client, method)(path, follow=True, **kwargs)
        if profiling:
            self.profiler.disable()
        cpu = (time.process_time() - start) * 1000
        # The second SHOW counts itself: one less.
        round_trips = server_questions() - questions - 1 if questions is not None else 0
        self.last_sql.setdefault(name, []).append(queries)
        entry = self.stats.setdefault(name, {"cpu": [], "queries": [], "session": [], "cache": [],
                                             "round_trips": []})
        entry["round_trips"].append(round_trips)
        entry["cpu"].append(cpu)
        entry["queries"].append(len(queries))
        entry["session"].append(sum("django_session" in q for q in queries))
        entry["cache"].append(sum("django_cache" in q for q in queries))
        return Response(response, path)

    def get(self, path, name):
        return self._request("get", path, name)

    def post(self, path, data, name, files=None):
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = dict(data)
        for field, (filename, content, content_type) in (files or {}).items():
            data[field] = SimpleUploadedFile(filename, content, content_type)
        return self._request("post", path, name, data=data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=5)
    parser.add_argument("--profile", metavar="PAGE", help="cProfile this page (e.g. dashboard; all: every page)")
    parser.add_argument("--sql", metavar="PAGE", help="print the statements of this page (all: of every page)")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from bench.wave_data import create_claimable_applications
    from wave_flow import applicant_journey

    global HANDLER
    from django.test.client import ClientHandler

    HANDLER = ClientHandler(enforce_csrf_checks=True)
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        accounts = create_claimable_applications(args.journeys + 1)
        stats, profiler = {}, (cProfile.Profile() if args.profile else None)
        # The first journey warms templates, translations and imports; not counted.
        applicant_journey(ProfiledClient("2001:db8:ffff::1", {}), accounts[0]["kfw_number"],
                          accounts[0]["email"], PASSWORD, MAIL_DIR)
        for number, account in enumerate(accounts[1:], start=1):
            client = ProfiledClient(f"2001:db8:{number:x}::1", stats, args.profile, profiler)
            applicant_journey(client, account["kfw_number"], account["email"], PASSWORD, MAIL_DIR)
        print(f"database: {connection.vendor}; {args.journeys} journeys; median per page "
              "(redirects followed, as the wave's client does)")
        print(f"{'page':<20}{'n':>4}{'cpu ms':>9}{'queries':>9}{'session':>9}{'cache':>7}"
              f"{'round trips':>13}")
        total_cpu = total_queries = total_trips = 0
        for name, entry in stats.items():
            per_journey = len(entry["cpu"]) / args.journeys
            cpu, queries = statistics.median(entry["cpu"]), statistics.median(entry["queries"])
            total_cpu += cpu * per_journey
            total_queries += queries * per_journey
            trips = statistics.median(entry["round_trips"])
            total_trips += trips * per_journey
            print(f"{name:<20}{per_journey:>4.0f}{cpu:>9.1f}{queries:>9.0f}"
                  f"{statistics.median(entry['session']):>9.0f}{statistics.median(entry['cache']):>7.0f}"
                  f"{trips:>13.0f}")
        print(f"{'one journey':<20}{'':>4}{total_cpu:>9.0f}{total_queries:>9.0f}{'':>16}{total_trips:>13.0f}")
        if args.sql:
            print(f"--- statements of {args.sql} (last journey)")
            for request in client.last_sql.get(args.sql, [])[-1:] if args.sql != "all" else [
                    q for pages in client.last_sql.values() for q in pages]:
                print(f"  ({len(request)} statements)")
                for sql in request:
                    print("  ", sql[:300])
        if profiler:
            print(f"--- profile of {args.profile} over {args.journeys} journeys")
            if os.environ.get("JOURNEY_PROFILE_DUMP"):
                profiler.dump_stats(os.environ["JOURNEY_PROFILE_DUMP"])
            stats_ = pstats.Stats(profiler).strip_dirs()
            stats_.sort_stats("cumulative").print_stats(args.top)
            stats_.sort_stats("tottime").print_stats(args.top)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
