"""Anonymised snapshot against the floor: mysqldump of the same MariaDB database.

    python bench/snapshot.py [--applications 55000] [--small 0.1]

Fills MariaDB database `now_bench_snapshot` (or $BENCH_SNAPSHOT_DATABASE: benchmarks run
side by side each need their own) with N applications, each with its user, a
commissioning report with three charging points and three operation reports with a
charging-session summary per point: 18 rows per application, about a million rows at
the default N. At N·small and at N applications it runs, each as its own process:
- `mysqldump --single-transaction --quick` (the floor: a plain dump, nothing anonymised);
- `manage.py anonymized_snapshot --output FILE` (policy, fakes, leak check included);
and prints rows/s, the time ratio to mysqldump, each process's peak resident memory
(from wait4: the snapshot's must stay flat from the small to the large size), the load
average, and processor seconds: of the process, of the leak check's child process, and
of the local database server meanwhile (Linux /proc).
"""

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Own database per run: helpers benchmarking side by side must not share one.
DATABASE = os.environ.get("BENCH_SNAPSHOT_DATABASE", "now_bench_snapshot")
ROWS_PER_APPLICATION = 18


def setup():
    os.environ["DJANGO_SETTINGS_MODULE"] = "now_portal.settings"
    os.environ["DATABASE_URL"] = f"mysql://root@127.0.0.1:3306/{DATABASE}"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import MySQLdb

    server = MySQLdb.connect(host="127.0.0.1", port=3306, user="root")
    server.cursor().execute(f"DROP DATABASE IF EXISTS {DATABASE}")
    server.cursor().execute(f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 "
                            "COLLATE utf8mb4_unicode_ci")
    server.close()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill(start: int, stop: int):
    """Applications start..stop-1 and everything hanging off them, by raw batched INSERTs."""
    from django.db import connection

    now = datetime.datetime(2026, 11, 1, 12, 0, 0)
    cursor = connection.cursor()

    def insert(table, columns, rows):
        marks = ",".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows)

    step = 2000
    for low in range(start, stop, step):
        ids = range(low, min(low + step, stop))
        insert("applications_user",
               ["id", "password", "is_superuser", "first_name", "last_name", "is_staff",
                "is_active", "date_joined", "email"],
               [(i + 1, "argon2$x", 0, f"Vorname{i}", f"Nachname{i}", 0, 1, now,
                 f"person{i}@firma{i % 997}.example") for i in ids])
        insert("applications_fundingapplication",
               ["id", "kfw_number", "program", "applicant_name", "contact_first_name",
                "contact_last_name", "email", "phone", "street", "house_number", "postal_code",
                "city", "iban", "approved_charging_points", "approved_amount", "approval_date",
                "kfw_status", "owner_id", "claimed_at", "created_at", "updated_at"],
               [(i + 1, f"47{i:08d}", ("439", "440", "441")[i % 3], f"Ladepark {i} GmbH",
                 f"Vorname{i}", f"Nachname{i}", f"person{i}@firma{i % 997}.example",
                 f"+49 30 {1000000 + i}", f"Musterstraße{i % 500}", str(i % 200 + 1),
                 f"{10000 + i % 89999:05d}", f"Stadt{i % 300}", "DE89370400440532013000",
                 3, f"{8000 + i % 5000}.50", datetime.date(2026, 1 + i % 12, 1 + i % 28),
                 "approved", i + 1, now, now, now) for i in ids])
        reports = []
        for i in ids:
            for n, (kind, period) in enumerate((("commissioning", 0), ("operation", 2027),
                                                ("operation", 2028), ("operation", 2029))):
                reports.append((4 * i + n + 1, i + 1, kind, period, datetime.date(2027, 3, 31),
                                "submitted", "", "", "{}", f"Musterstraße{i % 500}",
                                str(i % 200 + 1), "10115", f"Stadt{i % 300}",
                                f"Ladepark {i} GmbH", "Keine Störungen." if n else "", "", "",
                                0, now, now, "18400.00" if not n else None))
        insert("reports_report",
               ["id", "application_id", "type", "period", "due_date", "status",
                "caseworker_comment", "current_step", "wizard_state", "site_street",
                "site_house_number", "site_postal_code", "site_city", "operator_name",
                "availability_and_faults", "other_public_funding_source", "factual_report",
                "declaration_confirmed", "created_at", "updated_at", "cost_hardware"], reports)
        insert("reports_chargingpoint",
               ["id", "report_id", "label", "power_kw", "current_type", "connector",
                "commissioning_date", "evse_id", "created_at"],
               [(3 * i + p + 1, 4 * i + 1, f"Ladepunkt {p + 1}", "22.00", "AC", "type2",
                 datetime.date(2026, 6, 15), f"DE*ABC*E{i:07d}{p}", now)
                for i in ids for p in range(3)])
        insert("reports_chargingsessionsummary",
               ["id", "report_id", "charging_point_id", "sessions", "energy_kwh", "hours"],
               [(9 * i + 3 * r + p + 1, 4 * i + r + 2, 3 * i + p + 1, 100 + p, "1234.567",
                 "321.50") for i in ids for r in range(3) for p in range(3)])
    connection.commit() if not connection.get_autocommit() else None
    cursor.close()


def _cpu_seconds(pid) -> float | None:
    """User + system processor time of a process so far (Linux /proc), or None."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_pid() -> int | None:
    """The local MariaDB/MySQL server's process (its processor time is part of the cost)."""
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/comm") as comm:
                    if comm.read().strip() in ("mariadbd", "mysqld"):
                        return int(name)
            except OSError:
                continue
    return None


def _peak_mb(pid) -> float | None:
    """The peak resident memory of a process so far (VmHWM), in MB."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _children(pid) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as children:
                found += [int(child) for child in children.read().split()]
    except OSError:
        pass
    return found


def run(command: list[str]) -> dict:
    """Seconds, peak resident MB (the largest of the process and its children), and
    processor seconds of the process, of its own child processes (the leak check's), and
    of the database server meanwhile (sampled from /proc every 20 ms)."""
    server = _server_pid()
    server_before = _cpu_seconds(server) if server else None
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               cwd=ROOT)
    children, peaks, done = {}, {}, threading.Event()

    def sample():
        while not done.wait(0.02):
            for pid in [process.pid, *_children(process.pid)]:
                peak = _peak_mb(pid)
                if peak is not None:
                    peaks[pid] = peak
                seconds = _cpu_seconds(pid) if pid != process.pid else None
                if seconds is not None:
                    children[pid] = seconds

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if status != 0:
        raise SystemExit(f"{command[0]} failed: {process.stderr.read().decode()}")
    child_cpu = sum(children.values())
    server_after = _cpu_seconds(server) if server else None
    # Peak memory from the processes' own high-water marks: wait4's ru_maxrss would
    # include this (large) benchmark process's, as the child starts as its copy (vfork).
    return {
        "seconds": seconds, "mb": max(peaks.values(), default=usage.ru_maxrss / 1024),
        "cpu": usage.ru_utime + usage.ru_stime - child_cpu, "child_cpu": child_cpu,
        "server_cpu": (server_after - server_before) if server_after is not None else None,
    }


def _cpu_text(figures: dict) -> str:
    text = f"processor {figures['cpu']:.2f} s"
    if figures["child_cpu"]:
        text += f" + leak check {figures['child_cpu']:.2f} s"
    if figures["server_cpu"] is not None:
        text += f", server {figures['server_cpu']:.2f} s"
    return text


def measure(applications: int, out: Path) -> dict:
    rows = applications * ROWS_PER_APPLICATION
    load = os.getloadavg()[0]
    dump = run(["mysqldump", "-h127.0.0.1", "-uroot", "--single-transaction",
                "--quick", f"--result-file={out / 'plain.sql'}", DATABASE])
    snap = run([sys.executable, "manage.py", "anonymized_snapshot",
                "--output", str(out / "anonymised.sql")])
    # Python's own start (Django set-up) is part of the snapshot's time: measured apart.
    start_s = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level",
                   "CRITICAL"])["seconds"]
    dump_s, dump_mb, snap_s, snap_mb = dump["seconds"], dump["mb"], snap["seconds"], snap["mb"]
    figures = {
        "applications": applications, "rows": rows,
        "mysqldump_s": dump_s, "mysqldump_mb": dump_mb,
        "mysqldump_bytes": (out / "plain.sql").stat().st_size,
        "snapshot_s": snap_s, "snapshot_mb": snap_mb, "startup_s": start_s,
        "snapshot_bytes": (out / "anonymised.sql").stat().st_size,
    }
    print(f"\n{applications} applications, {rows:,} rows (load average {load:.2f})")
    print(f"  mysqldump --single-transaction --quick: {dump_s:7.2f} s  "
          f"{rows / dump_s:>10,.0f} rows/s  peak {dump_mb:6.1f} MB  "
          f"{figures['mysqldump_bytes'] / 1e6:7.1f} MB written  {_cpu_text(dump)}")
    print(f"  anonymized_snapshot:                    {snap_s:7.2f} s  "
          f"{rows / snap_s:>10,.0f} rows/s  peak {snap_mb:6.1f} MB  "
          f"{figures['snapshot_bytes'] / 1e6:7.1f} MB written  {_cpu_text(snap)}")
    print(f"  ratio snapshot / mysqldump: {snap_s / dump_s:.2f}x time "
          f"({(snap_s - start_s) / dump_s:.2f}x without the {start_s:.1f} s of Django's start)")
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=55_000)
    parser.add_argument("--small", type=float, default=0.1,
                        help="the smaller size, as a share of --applications")
    args = parser.parse_args()
    setup()
    small = max(1, int(args.applications * args.small))
    out = Path(tempfile.mkdtemp(prefix="bench-snapshot-"))
    started = time.perf_counter()
    fill(0, small)
    print(f"filled {small} applications in {time.perf_counter() - started:.1f} s")
    first = measure(small, out)
    started = time.perf_counter()
    fill(small, args.applications)
    print(f"\nfilled up to {args.applications} applications in "
          f"{time.perf_counter() - started:.1f} s")
    second = measure(args.applications, out)
    print(f"\nrows x{second['rows'] / first['rows']:.0f}: snapshot peak memory "
          f"{first['snapshot_mb']:.1f} MB -> {second['snapshot_mb']:.1f} MB "
          f"(x{second['snapshot_mb'] / first['snapshot_mb']:.2f}); mysqldump "
          f"{first['mysqldump_mb']:.1f} MB -> {second['mysqldump_mb']:.1f} MB")
    for path in out.iterdir():
        path.unlink()
    out.rmdir()


if __name__ == "__main__":
    main()
