"""KfW import: speed and memory against merely reading the workbook.

    python bench/import_kfw.py [--rows 100000] [--small 10000] [--database sqlite|mariadb|both]
                               [--no-tracemalloc] [--profile]

Writes, with the project's generator (kfw_import.workbooks.export_rows: the quirks of real
exports), a valid export of N rows and a changed copy (every 10th amount, every 25th city,
every 100th row withdrawn), cached under build/kfw-bench/. Then measures, each in a fresh
process, for N and for the small size:
  floor   – openpyxl alone iterating the sheet in read-only mode (as the reader opens it)
  import  – kfw_import.importer.import_workbook into an empty database
  update  – the changed copy imported over it (the updates path; change history written)
and prints rows/s, the import/floor time ratio (target ≤ 1.5) and the peak memory of each
step: the process's peak RSS added (ru_maxrss after minus before) and Python's own peak
while the step ran ("traced": tracemalloc started just before and read just after the
call, in separate runs because tracing slows everything down; --no-tracemalloc skips
them), and that peak less the floor's ("own": what the import holds beyond the reading,
whose shared-strings table grows with N). Peak memory must stay below 200 MB and must
not grow with N.
Databases (--database, default sqlite): SQLite (a file of its own) and/or MariaDB on the
server of DATABASE_URL when that is a mysql:// URL (else root@127.0.0.1:3306), in a
database of the bench's own named after DATABASE_URL's: `<name>_bench` (`now_bench` without
one), so that benches of different checkouts do not share one. --mariadb is short for
--database both. Invitation e-mails are sent after the import commits; they are rendered
(into memory) and timed on their own, outside the ratio.
--profile runs the full import once under cProfile and prints the top functions.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "build" / "kfw-bench"
DEFAULT_MARIADB = "mysql://root@127.0.0.1:3306/now"


# --- the files ------------------------------------------------------------------------


def changed_rows(count: int):
    """The same export a month later: some amounts and cities changed, some withdrawn."""
    from kfw_import.workbooks import export_row

    for index in range(count):
        overrides = {}
        if index % 10 == 0:
            overrides["Förderbetrag (EUR)"] = 100_000 + index % 997
        if index % 25 == 0:
            overrides["Ort"] = "Neustadt an der Weinstraße"
        if index % 100 == 0:
            overrides["Status"] = "STORNIERT"
        yield export_row(index, **overrides)


def expected_update_counts(count: int) -> tuple[int, int]:
    """(updated, withdrawn) that importing the changed copy over the original gives."""
    withdrawn = len(range(0, count, 100))
    changed = {i for i in range(count) if i % 10 == 0 or i % 25 == 0}
    return len(changed - set(range(0, count, 100))), withdrawn


def workbook_files(count: int) -> tuple[Path, Path]:
    from kfw_import.workbooks import export_rows, write_kfw_workbook

    CACHE.mkdir(parents=True, exist_ok=True)
    paths = CACHE / f"export-{count}.xlsx", CACHE / f"export-{count}-changed.xlsx"
    for path, rows in zip(paths, (export_rows(count), changed_rows(count))):
        if not path.exists():
            started = time.perf_counter()
            partial = path.with_suffix(".partial")
            write_kfw_workbook(partial, rows)
            partial.rename(path)
            print(f"generated {path.relative_to(ROOT)}: {path.stat().st_size / 1e6:.1f} MB in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
    return paths


# --- the databases ----------------------------------------------------------------------


def django_setup(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "now_portal.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    # Production settings: with DEBUG on, Django would keep and format every query.
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["DJANGO_MEDIA_ROOT"] = os.environ.get("BENCH_MEDIA_ROOT") or tempfile.mkdtemp()
    import django

    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def prepare_database(kind: str, mariadb_url: str) -> str:
    """A migrated database of the bench's own; returns its URL."""
    if kind == "sqlite":
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='kfw-bench-')) / 'bench.sqlite3'}"
    else:
        import MySQLdb
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(mariadb_url)
        name = (parts.path.strip("/") or "now") + "_bench"
        connection = MySQLdb.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 3306,
                                     user=parts.username or "root", passwd=parts.password or "")
        cursor = connection.cursor()
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 "
                       "COLLATE utf8mb4_unicode_ci")
        connection.close()
        url = urlunsplit(parts._replace(path=f"/{name}"))
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0", "--skip-checks"],
                   cwd=ROOT,
                   check=True, env={**os.environ, "DATABASE_URL": url})
    return url


# --- one measurement, in a process of its own ---------------------------------------------


def measure(mode: str, path: Path, database_url: str, trace: bool) -> dict:
    import tracemalloc

    if mode == "floor":
        from openpyxl import load_workbook
    else:
        django_setup(database_url)
        from django.core.management import call_command

        from kfw_import import importer
        from kfw_import.importer import import_workbook
        from kfw_import.invitations import send_invitations
        from kfw_import.models import ImportSource

        if mode == "import":  # into an empty database
            call_command("flush", interactive=False, verbosity=0)
        # What the import hands to the invitations after its commit, sent below and timed
        # on their own.
        invited = []
        importer._send_invitations = invited.append
        import openpyxl  # noqa: F401  (loaded before the "before" reading, as for the floor)
    if trace:
        tracemalloc.start()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu = time.perf_counter(), time.process_time()
    result = {}
    with path.open("rb") as handle:
        if mode == "floor":
            workbook = load_workbook(handle, read_only=True, data_only=False)
            sheet = workbook["Zusagen"]
            sheet.reset_dimensions()
            rows = sum(1 for _ in sheet.iter_rows(values_only=True)) - 1
            workbook.close()
        else:
            run = import_workbook(handle, file_name=path.name, source=ImportSource.COMMAND)
            rows = run.rows_read
            result["counts"] = [run.status, run.created, run.updated, run.unchanged,
                                run.withdrawn, run.rejected]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result.update(rows=rows, seconds=seconds, cpu=cpu, peak_mib=(after - before) / 1024)
    if trace:
        result["traced_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    if mode != "floor" and invited and not os.environ.get("BENCH_SKIP_INVITATIONS"):
        started = time.perf_counter()
        result["invitations"] = send_invitations(invited[0])
        result["invitation_seconds"] = time.perf_counter() - started
    return result


def run_measurement(mode: str, path: Path, database_url: str = "", trace: bool = False,
                    invitations: bool = False) -> dict:
    command = [sys.executable, __file__, "--measure", mode, str(path), database_url]
    if trace:
        command.append("--trace")
    environment = {**os.environ, "BENCH_SKIP_INVITATIONS": "" if invitations else "1"}
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT,
                            env=environment).stdout
    return json.loads(output.strip().splitlines()[-1])


def profile(path: Path, database_url: str) -> None:
    import cProfile
    import pstats

    django_setup(database_url)
    from django.core.management import call_command

    from kfw_import import importer
    from kfw_import.models import ImportSource

    call_command("flush", interactive=False, verbosity=0)
    importer._send_invitations = lambda created: None
    profiler = cProfile.Profile()
    with path.open("rb") as handle:
        profiler.runcall(importer.import_workbook, handle, file_name=path.name,
                         source=ImportSource.COMMAND)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


# --- the report -------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "mariadb", "both"], default="sqlite",
                        help=f"MariaDB: the server of DATABASE_URL, else {DEFAULT_MARIADB}")
    parser.add_argument("--mariadb", action="store_true", help="short for --database both")
    parser.add_argument("--no-tracemalloc", dest="tracemalloc", action="store_false",
                        help="skip the runs that measure Python's peak memory")
    parser.add_argument("--repeat", type=int, default=2, help="rounds; the best of them counts")
    parser.add_argument("--profile", action="store_true", help="cProfile one import and stop")
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", nargs=3, metavar=("MODE", "PATH", "DATABASE_URL"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        mode, path, database_url = args.measure
        if mode == "profile":
            return profile(Path(path), database_url)
        print(json.dumps(measure(mode, Path(path), database_url, args.trace)))
        return

    # Read before django_setup below, which sets DATABASE_URL for this process.
    environment_url = os.environ.get("DATABASE_URL", "")
    mariadb_url = environment_url if environment_url.startswith("mysql") else DEFAULT_MARIADB
    database = "both" if args.mariadb else args.database
    databases = {"sqlite": ["sqlite"], "mariadb": ["mariadb"], "both": ["sqlite", "mariadb"]}[
        database]
    os.environ["BENCH_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="kfw-bench-media-")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    sizes = sorted({args.small, args.rows})
    django_setup("sqlite://:memory:")  # the generator reads the columns from the models
    files = {count: workbook_files(count) for count in sizes}
    if args.profile:
        url = prepare_database(databases[-1], mariadb_url)
        subprocess.run([sys.executable, __file__, "--measure", "profile", str(files[args.rows][0]),
                        url], check=True, cwd=ROOT)
        return

    print(f"\n{'database':<9}{'step':<8}{'rows':>8}{'seconds':>9}{'rows/s':>8}{'ratio':>7}"
          f"{'CPU s':>8}{'CPU ratio':>10}{'peak RSS':>10}{'traced':>9}{'own':>9}  status, created, "
          "updated, "
          "unchanged, withdrawn, rejected", flush=True)
    problems = []
    for database in databases:
        print(f"(load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs)", flush=True)
        url = prepare_database(database, mariadb_url)
        for count in sizes:
            original, changed = files[count]
            # Floor and import alternate and the best of the repeats counts: the machine
            # may be shared, and the floor must see the same conditions as the import.
            best = {}
            for round_ in range(args.repeat):
                for step, path in (("floor", original), ("import", original), ("update", changed)):
                    # The invitations of the first small import are timed once, on their own.
                    result = run_measurement(step, path, url,
                                             invitations=round_ == 0 and count == sizes[0])
                    kept = best.setdefault(step, result)
                    for figure in ("seconds", "cpu", "peak_mib"):
                        kept[figure] = min(kept[figure], result[figure])
            if args.tracemalloc:
                for step, path in (("floor", original), ("import", original), ("update", changed)):
                    best[step]["traced_mib"] = run_measurement(step, path, url, trace=True)["traced_mib"]
            floor = best["floor"]
            for step in ("floor", "import", "update"):
                result = best[step]
                traced = own = ""
                if "traced_mib" in result:
                    traced = f"{result['traced_mib']:>7.1f}MB"
                    # What the step holds beyond what merely reading the file holds (the
                    # shared strings of the workbook grow with N for both).
                    own = f"{result['traced_mib'] - floor['traced_mib']:>7.1f}MB"
                print(f"{database:<9}{step:<8}{result['rows']:>8}{result['seconds']:>9.2f}"
                      f"{result['rows'] / result['seconds']:>8.0f}"
                      f"{result['seconds'] / floor['seconds']:>7.2f}{result['cpu']:>8.2f}"
                      f"{result['cpu'] / floor['cpu']:>10.2f}{result['peak_mib']:>8.1f}MB"
                      f"{traced:>9}{own:>9}  {', '.join(map(str, result.get('counts', [])))}",
                      flush=True)
                if "invitations" in result:
                    print(f"{'':<17}(then {result['invitations']} invitations rendered and "
                          f"sent to memory in {result['invitation_seconds']:.2f} s)")
                if step == "floor":
                    continue
                created, updated, _unchanged, withdrawn = result["counts"][1:5]
                got = [created, updated, withdrawn]
                want = [count, 0, 0] if step == "import" else [0, *expected_update_counts(count)]
                if got != want:
                    problems.append(f"{database} {step} {count}: counts {got}, expected {want}")
    print(f"(load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs)")
    print("\ntargets: import/floor ≤ 1.5; peak memory < 200 MB and flat in N")
    for problem in problems:
        print("PROBLEM:", problem)


if __name__ == "__main__":
    main()
