"""A wave of applicants under load, against gunicorn and MariaDB, with its own baseline.

    python bench/wave.py [--users 200] [--ramp 60] [--worker-class gthread|sync] [--workers 4] [--threads 4]

Creates N claimable applications in a fresh MariaDB database, starts the portal under
gunicorn with production settings (over plain HTTP on loopback), times a single user
walking the journey alone (before and after the wave), and runs a wave of N locust users
who register by claim, confirm the e-mail code, sign in, open the dashboard and complete
and submit a short commissioning report, ramping up within --ramp seconds. Like people,
wave users read each page for a moment (--think, 1-3 s) before the next request; the
response times measured never include that pause. Prints requests/s, p50 and p95 per
page, errors, and checks afterwards that every applicant got exactly their application.
Targets: no errors, nothing lost or doubled, p95 under the wave <= 3x the single-user p95.
It also prints the processor time gunicorn, the database and locust used during the wave,
so a saturated machine shows.

The lone user and the wave's users use the same client (locust's FastHttpUser), the lone
user in a process of its own, so both times are taken the same way, and their p95 by the
same rule (`percentile`). The lone user walks --single journeys (default 40), half just
before the wave and half just after it: a p95 of 10 values is their largest, on average
the 91st percentile, not the 95th (with 20 or 40 values, the 95th); and this machine's
speed swings by a quarter within a minute (60 lone journeys in blocks of 10: the blocks'
median report start 18.4-25.9 ms, p95 22.8-34.1), so a baseline taken in one moment is
only as fast or slow as that moment, while the wave spans a minute and a half.

gunicorn's default layout, 4 gthread workers x 4 threads, is the one that did best here
(2 cores shared by gunicorn, MariaDB and locust; worst page's p95 ratio / geometric mean
of the pages' ratios, one run each, earlier session): gthread 3x2 8.2/3.0, 2x4 6.8/4.2,
8x1 14.9/4.2, 4x4 4.2-5.7/2.9-3.4; sync 8 6.9/3.4, sync 4 5.6/3.3. sync 4 measured again
with one-statement sessions: 6.9/3.3 against 4x4's 5.9-9.7/4.1-4.8, but sync workers
close every connection, so the lone user's own times grow (dashboard p95 15 ms instead
of 9, login 91 instead of 60-78) and with them the baseline of the ratio; under the wave
the pages' p95 are alike. 4x4 stays, keeping connections like a browser. With password
hashes in low-priority threads (now_portal/hashers.py), 8x2 against 4x4, run in turns:
3.04/1.78 and 3.92/2.45 against 2.93/2.11 and 3.17/2.10: no better. With every worker's
hashing warmed up, sync 8 against 4x4, in turns: 5.15/3.02 (56 s of gunicorn processor
time) against 3.68/2.84 (47 s).
"""

import argparse
import csv
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))  # wave_flow: the journey, shared with the wave's users
PYTHON = sys.executable
PASSWORD = "Wellen-Passwort-2026"
MARIADB = os.environ.get("WAVE_MARIADB", "mysql://root@127.0.0.1:3306")



def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def portal_env(database: str, mail_dir: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="now_portal.settings",
        DATABASE_URL=f"{MARIADB}/{database}",
        DJANGO_DEBUG="0",
        DJANGO_HTTPS_ONLY="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_CACHE="database",
        DJANGO_TRUSTED_PROXY_COUNT="1",
        DJANGO_EMAIL_FILE_PATH=str(mail_dir),
        DJANGO_LOG_LEVEL="WARNING",
    )
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def prepare(env, database: str, users: int) -> list[dict]:
    subprocess.run(["mysql", "-h127.0.0.1", "-uroot", "-e",
                    f"DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database} "
                    "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"], check=True)
    manage(env, "migrate", "--noinput")
    manage(env, "createcachetable")
    manage(env, "collectstatic", "--noinput")
    code = (
        "import django, json, sys; django.setup(); "
        "from bench.wave_data import create_claimable_applications as c; "
        "print(json.dumps(c(int(sys.argv[1]))))"
    )
    out = subprocess.run([PYTHON, "-c", code, str(users)], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def start_gunicorn(env, port: int, worker_class: str, workers: int, threads: int):
    pool = ["--workers", str(workers), "--worker-class", worker_class]
    if worker_class == "gthread":
        pool += ["--threads", str(threads)]
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "now_portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
         *pool,
         # Idle connections stay open longer than a wave user reads a page (--think, at
         # most 3 s): with gunicorn's default of 2 s the server closes a connection just
         # as the client sends its next request on it, and the request is lost on the wire.
         # (sync workers close every connection after its response instead)
         "--keep-alive", "10",
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not start")


def cpu_seconds(pids) -> float:
    """Processor time (user + system) the given processes have used so far, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def server_pids(server) -> tuple[list[int], list[int]]:
    """gunicorn's master and workers, and the database server."""
    pids = [server.pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == server.pid:
            pids.append(int(stat.parent.name))
    gunicorn = list(pids)
    database = subprocess.run(["pidof", "mariadbd", "mysqld"], capture_output=True, text=True).stdout.split()
    return gunicorn, [int(pid) for pid in database]


def percentile(values: list[float], fraction: float) -> float:
    """locust's rule for the wave's percentiles (stats.calculate_response_time_percentile),
    so that both sides of a ratio are the same percentile: the value that follows the
    int(n * fraction) smallest (the largest at most). For p95 that is the largest of 10
    or 20 values, the second largest of 40, the tenth largest of 200."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def medians_added(timings: dict[str, list[float]]) -> float:
    """The pages' median times added up: how fast the machine served the lone user."""
    return sum(statistics.median(times) for times in timings.values() if times)


def warm_up(base_url: str, workers: int):
    """Every worker renders each kind of page once and hashes a password once, so no
    timing pays for first imports. The first hash of a process loads argon2-cffi and
    starts the hashing threads: without that here, a process's first sign-up cost about
    85 ms of processor time instead of 38, and the lone user's sign-up p95 (then the
    slowest of its 10) was 94-115 ms against a median of 50; with it, 54-56. A sign-in with an
    unknown address hashes (allauth hashes a dummy password, so such a sign-in takes as
    long as any) and changes nothing; each comes from a client address of its own, below
    allauth's rate limits."""
    import requests

    from wave_flow import csrf_token, expect

    for round_ in range(workers * 4):
        for path in ("/", "/konto/signup/", "/konto/confirm-email/"):
            requests.get(base_url + path, timeout=30)
        with requests.Session() as session:
            session.headers["X-Forwarded-For"] = f"2001:db8:fffe:{round_:x}::1"
            form = session.get(base_url + "/konto/login/", timeout=30)
            refused = session.post(base_url + "/konto/login/", timeout=30, data={
                "csrfmiddlewaretoken": csrf_token(form), "login": f"aufwaermen-{round_}@example.invalid",
                "password": PASSWORD})
            expect(refused, "/konto/login/")  # the form again, with its message


def single_user_pass(base_url: str, accounts: list[dict], mail_dir: Path) -> dict[str, list[float]]:
    """Each account's journey in turn, alone, with the wave users' client (locust's
    FastHttpUser): the time of each named request, as locust times the wave's.

    Importing locust patches the calling process for gevent (sockets, threads,
    subprocesses): call this in a process of its own, as `time_alone` does."""
    from locust import FastHttpUser
    from locust.env import Environment
    from wave_flow import FromAddress, applicant_journey

    class LoneApplicant(FastHttpUser):
        host = base_url

    environment = Environment(host=base_url)
    timings: dict[str, list[float]] = {}
    failures = []

    def record(name, response_time, exception=None, **_):
        timings.setdefault(name, []).append(response_time)
        if exception is not None:
            failures.append(f"{name}: {exception}")

    environment.events.request.add_listener(record)
    for number, account in enumerate(accounts, start=1):
        user = LoneApplicant(environment)  # a user of its own (cookies, connections) per journey
        client = FromAddress(user.client, f"2001:db8:ffff:{number:x}::1")
        applicant_journey(client, account["kfw_number"], account["email"], PASSWORD, mail_dir)
    if failures:
        raise RuntimeError("the lone user's requests failed: " + "; ".join(failures))
    return timings


def time_alone(base_url: str, accounts: list[dict], mail_dir: Path) -> dict[str, list[float]]:
    """`single_user_pass` in a process of its own (see there): its timings."""
    code = (
        "import json, sys; from pathlib import Path; from wave import single_user_pass; "
        "print(json.dumps(single_user_pass(sys.argv[1], json.loads(sys.argv[2]), Path(sys.argv[3]))))"
    )
    out = subprocess.run([PYTHON, "-c", code, base_url, json.dumps(accounts), str(mail_dir)],
                         cwd=BENCH, env=dict(os.environ, PYTHONPATH=str(BENCH)), check=True,
                         stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_wave(base_url: str, accounts: list[dict], mail_dir: Path, ramp: int, think: str, workdir: Path) -> dict:
    accounts_file = workdir / "accounts.json"
    accounts_file.write_text(json.dumps(accounts))
    env = dict(os.environ, WAVE_ACCOUNTS=str(accounts_file), WAVE_MAIL_DIR=str(mail_dir),
               WAVE_PASSWORD=PASSWORD, WAVE_THINK=think, PYTHONPATH=str(BENCH))
    users = len(accounts)
    spawn_rate = max(1.0, users / ramp)
    started = time.monotonic()
    subprocess.run(
        [PYTHON, "-m", "locust", "-f", str(BENCH / "wave_locustfile.py"), "--headless",
         "--host", base_url, "-u", str(users), "-r", f"{spawn_rate:.2f}",
         "--run-time", f"{ramp + 180}s", "--stop-timeout", "30", "--csv", str(workdir / "wave"),
         "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
        cwd=BENCH, env=env, check=True,
    )
    duration = time.monotonic() - started
    rows = list(csv.DictReader((workdir / "wave_stats.csv").open()))
    return {"rows": rows, "duration": duration}


def verify(env, accounts: list[dict]) -> dict:
    code = (
        "import django, json, sys; django.setup(); "
        "from bench.wave_data import claimed_counts as c; "
        "print(json.dumps(c(json.load(open(sys.argv[1])))))"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump([a["kfw_number"] for a in accounts], handle)
    out = subprocess.run([PYTHON, "-c", code, handle.name], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def layout(args) -> str:
    if args.worker_class == "sync":
        return f"{args.workers} sync workers"
    return f"{args.workers} gthread workers x {args.threads} threads"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--ramp", type=int, default=60, help="seconds to reach all users")
    parser.add_argument("--single", type=int, default=40,
                        help="journeys of the lone user, half before the wave and half after it")
    parser.add_argument("--worker-class", choices=("gthread", "sync"), default="gthread",
                        help="gunicorn's worker class (default gthread; see the module's docstring)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--think", default="1-3",
                        help="seconds each wave user reads a page before the next request, "
                             "a range (default 1-3; 0 for a wave that never pauses)")
    parser.add_argument("--database", default="now_bench_wave")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="now-wave-"))
    mail_dir = workdir / "mail"
    mail_dir.mkdir()
    env = portal_env(args.database, mail_dir)
    print(f"Preparing {args.users + args.single} claimable applications in {args.database} …")
    accounts = prepare(env, args.database, args.users + args.single)
    single_accounts, wave_accounts = accounts[: args.single], accounts[args.single:]
    port = free_port()
    server = start_gunicorn(env, port, args.worker_class, args.workers, args.threads)
    base_url = f"http://127.0.0.1:{port}"
    try:
        warm_up(base_url, args.workers)
        before_wave, after_wave = single_accounts[: args.single // 2], single_accounts[args.single // 2:]
        alone_before = time_alone(base_url, before_wave, mail_dir)
        gunicorn, database = server_pids(server)
        before = cpu_seconds(gunicorn), cpu_seconds(database), os.times()
        wave = run_wave(base_url, wave_accounts, mail_dir, args.ramp, args.think, workdir)
        after = cpu_seconds(gunicorn), cpu_seconds(database), os.times()
        alone_after = time_alone(base_url, after_wave, mail_dir)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    outcome = verify(env, accounts)
    alone = {name: alone_before.get(name, []) + alone_after.get(name, [])
             for name in alone_before.keys() | alone_after.keys()}

    print(f"\nWave: {len(wave_accounts)} applicants, ramp {args.ramp}s, reading {args.think}s per page, gunicorn "
          f"{layout(args)}, MariaDB; ran {wave['duration']:.0f}s")
    locust_cpu = (after[2].children_user + after[2].children_system
                  - before[2].children_user - before[2].children_system)
    print(f"processor time during the wave ({os.cpu_count()} cores, {wave['duration']:.0f}s wall): "
          f"gunicorn {after[0] - before[0]:.0f}s, database {after[1] - before[1]:.0f}s, "
          f"locust (the users) {locust_cpu:.0f}s")
    print(f"the lone user's pages, their medians added up: {medians_added(alone_before):.0f} ms "
          f"before the wave, {medians_added(alone_after):.0f} ms after it")
    print(f"{'page':<16}{'alone p50':>10}{'alone p95':>10}{'wave p50':>10}{'wave p95':>10}"
          f"{'ratio p95':>10}{'req/s':>8}{'errors':>8}")
    worst_ratio, errors_total, ratios = 0.0, 0, []
    for row in wave["rows"]:
        name = row["Name"]
        if name == "Aggregated":
            continue
        errors = int(row["Failure Count"])
        errors_total += errors
        single = alone.get(name)
        if not single:
            print(f"{name:<16}{'':>40}{'':>10}{float(row['Requests/s']):>8.1f}{errors:>8}")
            continue
        alone_p50, alone_p95 = statistics.median(single), percentile(single, 0.95)
        wave_p50, wave_p95 = float(row["50%"]), float(row["95%"])
        ratio = wave_p95 / alone_p95 if alone_p95 else float("inf")
        worst_ratio = max(worst_ratio, ratio)
        ratios.append(ratio)
        print(f"{name:<16}{alone_p50:>10.0f}{alone_p95:>10.0f}{wave_p50:>10.0f}{wave_p95:>10.0f}"
              f"{ratio:>10.2f}{float(row['Requests/s']):>8.1f}{errors:>8}")
    total = next(r for r in wave["rows"] if r["Name"] == "Aggregated")
    print(f"\nall pages: {float(total['Requests/s']):.1f} req/s, {errors_total} errors; "
          f"worst p95 ratio wave/alone {worst_ratio:.2f} (target <= 3), "
          f"geometric mean of the pages' {statistics.geometric_mean(ratios):.2f}")
    print(f"applications claimed exactly once: {outcome['claimed_once']}/{len(accounts)}; "
          f"missing or wrong: {outcome['missing_or_doubled']} (target 0)")
    print(f"reports submitted exactly once: {outcome['reports_once']}/{len(accounts)}; "
          f"missing or doubled: {outcome['reports_missing_or_doubled']} (target 0)")
    lost = outcome["missing_or_doubled"] + outcome["reports_missing_or_doubled"]
    ok = errors_total == 0 and lost == 0 and worst_ratio <= 3
    print("RESULT:", "targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
