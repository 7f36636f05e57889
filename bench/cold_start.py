"""Lambda cold start: the portal's package against a bare Django 5.2 project (the floor).

    python bench/cold_start.py [--runs 7] [--package build/now-portal-dev.zip] [--importtime] [--sdk-secrets]

Builds the dev stage's package with `zappa package` (deploy/lambda_venv.py) unless one is
given, unpacks it, and starts fresh interpreters with only the package on their path, as
Lambda does (deploy/local_lambda.py). Each run times from interpreter start to the first
response of Zappa's `lambda_handler`:

- the login page (anonymous), and the dashboard (signed in with a session made
  beforehand), through the stage's settings: the secret through the AWS Parameters and
  Secrets extension (a stand-in of its localhost interface; with --sdk-secrets through
  boto3 from Secrets Manager on moto instead), SQLite;
- the floor: a project made by `django-admin startproject`, DEBUG off, its admin login
  page, through the same Zappa handler, libraries and bytecode.

Prints the medians and the ratios portal/floor. Target: ≤ 1.5. With --importtime it also
prints the heaviest imports of one cold login (`python -X importtime`).
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deploy import lambda_venv  # noqa: E402
from deploy.local_lambda import LocalLambda, SecretsExtension, base_python  # noqa: E402

STAGE = "dev"
STAGE_ENV = json.loads((ROOT / "zappa_settings.json").read_text())[STAGE]["environment_variables"]
HOST = STAGE_ENV["DJANGO_ALLOWED_HOSTS"].split(",")[0]


def start_moto(secret: dict):
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    import boto3
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client("secretsmanager", endpoint_url=endpoint, region_name="eu-central-1")
    client.create_secret(Name="now-portal/bench", SecretString=json.dumps(secret))
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="eu-central-1")
    s3.create_bucket(Bucket=STAGE_ENV["MEDIA_BUCKET"],
                     CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    return server, endpoint


def first_response_time(package_dir, event_kwargs, overrides, env, python_options=()):
    with LocalLambda(package_dir, overrides, env, python_options=python_options) as function:
        if event_kwargs.get("cookies"):
            function.cookies.update(event_kwargs["cookies"])
        response = function.http("GET", event_kwargs["path"], host=event_kwargs.get("host", HOST))
        elapsed = time.perf_counter() - function.started
        if response.status != 200:
            raise SystemExit(f"{event_kwargs['path']}: {response.status}\n{function.read_log()[-2000:]}")
        return elapsed, function.read_log()


def make_floor(package_dir: Path, work: Path) -> Path:
    """The package's libraries and Zappa handler around a fresh `startproject`."""
    floor = work / "floor"
    portal_only = {"now_portal", "applications", "reports", "kfw_import", "templates",
                   "staticfiles", "locale", "manage.py"}
    shutil.copytree(package_dir, floor, symlinks=True, ignore=lambda directory, names: (
        [n for n in names if n in portal_only] if Path(directory) == package_dir else []))
    subprocess.run([base_python(), "-I", "-S", "-c",
                    "import sys; sys.path.insert(0, sys.argv[1]);"
                    "from django.core import management;"
                    "management.execute_from_command_line(['django-admin', 'startproject', 'floorsite', sys.argv[2]])",
                    str(package_dir), str(floor)], check=True)
    settings = floor / "floorsite" / "settings.py"
    settings.write_text(settings.read_text().replace("DEBUG = True", "DEBUG = False").replace(
        "ALLOWED_HOSTS = []", f"ALLOWED_HOSTS = [{HOST!r}]"))
    (floor / "zappa_settings.py").write_text(
        re.sub(r"^DJANGO_SETTINGS=.*$", "DJANGO_SETTINGS='floorsite.settings'",
               re.sub(r"^ENVIRONMENT_VARIABLES=.*$", "ENVIRONMENT_VARIABLES={}",
                      (package_dir / "zappa_settings.py").read_text(), flags=re.M), flags=re.M))
    import compileall
    from py_compile import PycInvalidationMode

    compileall.compile_dir(str(floor / "floorsite"), quiet=1, force=True,
                           invalidation_mode=PycInvalidationMode.CHECKED_HASH)
    return floor


def heaviest_imports(log: str, top: int = 20):
    rows = []
    for line in log.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match:
            rows.append((int(match.group(2)), len(match.group(3)), match.group(4)))
    # Top-level packages (least indented) by cumulative time.
    level = min(indent for _c, indent, _n in rows)
    return sorted([r for r in rows if r[1] <= level + 2], reverse=True)[:top]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--package", type=Path, help="an existing `zappa package` zip")
    parser.add_argument("--importtime", action="store_true")
    parser.add_argument("--sdk-secrets", action="store_true",
                        help="read the secret with boto3 from Secrets Manager, not the extension")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cold-start-"))
    try:
        zip_path = args.package
        if zip_path is None:
            print("Building the package (zappa package dev) ...", flush=True)
            zip_path = lambda_venv.build_package(STAGE, work / "now-portal-dev.zip")
        package_dir = work / "task"
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(package_dir)

        secret = {"DJANGO_SECRET_KEY": "bench-" + "k" * 50,
                  "DATABASE_URL": f"sqlite:///{work / 'portal.sqlite3'}"}
        server, endpoint = start_moto(secret)
        # The stage reads its secret through the Parameters and Secrets extension (a
        # layer that answers on localhost); its stand-in serves the same secret.
        extension = SecretsExtension({"now-portal/bench": json.dumps(secret)}).__enter__()
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "AWS_ACCESS_KEY_ID": "testing",
               "AWS_SECRET_ACCESS_KEY": "testing", "AWS_ENDPOINT_URL": endpoint}
        overrides = {"DJANGO_SECRETS_ARN": "now-portal/bench", "AWS_S3_ENDPOINT_URL": endpoint,
                     "DJANGO_EMAIL_FILE_PATH": str(work / "mails"), **extension.environ}
        if args.sdk_secrets:  # the secret through boto3 and Secrets Manager (moto) instead
            overrides["DJANGO_SECRETS_EXTENSION"] = "0"

        # Set-up, not timed: migrate, demo data, and a signed-in session for the dashboard.
        with LocalLambda(package_dir, overrides, env) as setup:
            for command in ("migrate --noinput", "createcachetable", "seed_demo"):
                setup.invoke({"manage": command})
            page = setup.http("GET", "/konto/login/", host=HOST)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            if not token:
                raise SystemExit(f"No login form: {page.status}\n{page.text[:500]}\n{setup.read_log()[-2000:]}")
            token = token.group(1)
            signed_in = setup.http("POST", "/konto/login/", host=HOST, data={
                "login": "antragstellerin@demo.now-portal.example", "password": "Demo-Passwort-2026",
                "csrfmiddlewaretoken": token}, headers={"Referer": f"https://{HOST}/konto/login/"})
            assert signed_in.status == 302, signed_in.status
            session = dict(setup.cookies)
        floor = make_floor(package_dir, work)

        cases = {
            "portal login page": (package_dir, {"path": "/konto/login/"}, overrides),
            "portal dashboard": (package_dir, {"path": "/uebersicht/", "cookies": session}, overrides),
            "floor (startproject admin login)": (floor, {"path": "/admin/login/"}, {}),
        }
        timings = {name: [] for name in cases}
        for _run in range(args.runs):  # interleaved, so that machine noise hits all alike
            for name, (directory, request, case_overrides) in cases.items():
                elapsed, _log = first_response_time(directory, request, case_overrides, env)
                timings[name].append(elapsed)

        print(f"\nCold start: interpreter start to first response, median of {args.runs} runs")
        medians = {name: statistics.median(values) for name, values in timings.items()}
        for name, values in timings.items():
            print(f"  {name:34s} {medians[name] * 1000:7.0f} ms   "
                  f"(min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f})")
        floor_median = medians["floor (startproject admin login)"]
        for name in ("portal login page", "portal dashboard"):
            ratio = medians[name] / floor_median
            print(f"  ratio {name} / floor: {ratio:.2f}  (target <= 1.5: "
                  f"{'met' if ratio <= 1.5 else 'NOT met'})")

        if args.importtime:
            _elapsed, log = first_response_time(package_dir, {"path": "/konto/login/"}, overrides,
                                                 env, python_options=("-X", "importtime"))
            print("\nHeaviest imports of a cold login (cumulative ms):")
            for cumulative, _indent, name in heaviest_imports(log):
                print(f"  {cumulative / 1000:7.1f}  {name}")
        server.stop()
        extension.__exit__(None, None, None)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
