"""The Lambda package, proven offline: `zappa package dev` in a clean environment made from
requirements.txt only (deploy/lambda_venv.py), unpacked, and Zappa's `lambda_handler`
invoked in a fresh interpreter with only the package on its path (deploy/local_lambda.py)
with the events API Gateway, S3 and EventBridge send.

The stage's own environment is used, except: the secret comes from a stand-in of the AWS
Parameters and Secrets extension (it holds the secret key and the database: SQLite, or
MariaDB when the suite runs on MariaDB, through the package's own MySQLdb), S3 is moto's,
e-mails go to files.
"""

import json
import re
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from deploy import lambda_venv, packaging
from deploy.local_lambda import LocalLambda, SecretsExtension, s3_created_event, scheduled_event
from kfw_import.workbooks import valid_rows, write_kfw_workbook

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
STAGE = "dev"
SETTINGS = json.loads((ROOT / "zappa_settings.json").read_text())
STAGE_ENV = SETTINGS[STAGE]["environment_variables"]
HOST = STAGE_ENV["DJANGO_ALLOWED_HOSTS"].split(",")[0]
LAMBDA_ZIP_LIMIT = 50 * 1024 * 1024  # direct upload; above it only slim_handler helps
# Libraries the Lambda runtime (Amazon Linux 2) provides; anything else must be bundled.
SYSTEM_LIBRARIES = {"libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1",
                    "libutil.so.1", "ld-linux-x86-64.so.2", "libgcc_s.so.1", "libz.so.1"}


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    out = tmp_path_factory.mktemp("lambda")
    zip_path = lambda_venv.build_package(STAGE, out / f"now-portal-{STAGE}.zip")
    unpacked = out / "task"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(unpacked)
    return zip_path, unpacked


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """The database URL the Lambda gets from its secret, and a way to query it."""
    import os

    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("mysql://"):
        import MySQLdb

        parsed = urlparse(url)
        name = f"{parsed.path.lstrip('/') or 'now_portal'}_lambda"
        connect = dict(host=parsed.hostname, port=parsed.port or 3306, user=parsed.username or "root",
                       password=parsed.password or "")
        server = MySQLdb.connect(**connect)
        server.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        server.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        server.close()

        def query(sql):
            connection = MySQLdb.connect(database=name, **connect)
            try:
                cursor = connection.cursor()
                cursor.execute(sql)
                return cursor.fetchall()
            finally:
                connection.close()

        yield f"{url.rsplit('/', 1)[0]}/{name}", query
        server = MySQLdb.connect(**connect)
        server.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        server.close()
    else:
        import sqlite3

        path = tmp_path_factory.mktemp("db") / "lambda.sqlite3"

        def query(sql):
            with sqlite3.connect(path) as connection:
                return connection.execute(sql).fetchall()

        yield f"sqlite:///{path}", query


@pytest.fixture(scope="module")
def function(package, database, s3_endpoint, tmp_path_factory):
    """The Lambda, cold, with the stage's buckets on moto and its secret from the
    extension's stand-in; migrated as an
    operator would (`zappa manage dev migrate`, `createcachetable`), demo data seeded."""
    import boto3

    _zip, unpacked = package
    database_url, _query = database
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-central-1")
    for bucket in (STAGE_ENV["MEDIA_BUCKET"], STAGE_ENV["KFW_IMPORT_BUCKET"]):
        if bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
            s3.create_bucket(Bucket=bucket,
                             CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    secret_name = f"now-portal/{STAGE}/{tmp_path_factory.getbasetemp().name}"
    secret = json.dumps({"DJANGO_SECRET_KEY": "lambda-test-" + "k" * 50,
                         "DATABASE_URL": database_url})
    mail_dir = tmp_path_factory.mktemp("mails")
    # The stage reads its secret through the Parameters and Secrets extension (a layer);
    # here a stand-in of its HTTP interface serves it.
    assert STAGE_ENV["DJANGO_SECRETS_EXTENSION"] == "1"
    overrides = {
        "DJANGO_SECRETS_ARN": secret_name,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "DJANGO_EMAIL_FILE_PATH": str(mail_dir),
    }
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        # Every boto3 client (Secrets Manager, S3) talks to moto.
        "AWS_ENDPOINT_URL": s3_endpoint,
    }
    with (SecretsExtension({secret_name: secret}) as extension,
          LocalLambda(unpacked, {**overrides, **extension.environ}, env) as lam):
        lam.invoke({"manage": "migrate --noinput"})
        lam.invoke({"manage": "createcachetable"})
        lam.invoke({"manage": "seed_demo"})
        lam.mail_dir = mail_dir
        yield lam


def test_package_fits_lambda_upload_limit_without_slim_handler(package):
    zip_path, unpacked = package
    assert SETTINGS["base"]["slim_handler"] is False
    size = zip_path.stat().st_size
    assert size < LAMBDA_ZIP_LIMIT, f"{size / 2**20:.1f} MiB: switch slim_handler on"
    assert not (unpacked / "tests").exists() and not (unpacked / "node_modules").exists()
    assert not (unpacked / "troposphere").exists()
    assert (unpacked / "staticfiles" / "staticfiles.json").exists()
    assert sorted(p.name for p in (unpacked / "botocore" / "data").iterdir() if p.is_dir()) == sorted(
        packaging.BOTOCORE_SERVICES)


def test_native_libraries_need_nothing_the_lambda_runtime_lacks(package):
    _zip, unpacked = package
    mysql = list((unpacked / "MySQLdb").glob("_mysql*.so"))
    assert mysql, "MySQLdb's extension is missing"
    ldd = subprocess.run(["ldd", str(mysql[0])], capture_output=True, text=True, check=True).stdout
    assert "mariadb" not in ldd and "mysqlclient" not in ldd, ldd
    bundled = {p.name for p in unpacked.rglob("*.so*")}
    for library in unpacked.rglob("*.so"):
        dynamic = subprocess.run(["objdump", "-p", "-T", str(library)], capture_output=True,
                                 text=True, check=True).stdout
        needed = set(re.findall(r"NEEDED\s+(\S+)", dynamic))
        assert needed <= SYSTEM_LIBRARIES | bundled, (library, needed - SYSTEM_LIBRARIES - bundled)
        glibc = {tuple(map(int, v.split("."))) for v in re.findall(r"GLIBC_(\d+\.\d+(?:\.\d+)?)", dynamic)}
        assert max(glibc, default=(0,)) <= lambda_venv.LAMBDA_GLIBC, (library, max(glibc))


def test_bytecode_is_checked_by_hash_not_by_the_zip_timestamps(package):
    _zip, unpacked = package
    for module in ("now_portal/settings.py", "django/db/models/query.py"):
        source = unpacked / module
        pyc = source.parent / "__pycache__" / f"{source.stem}.cpython-311.pyc"
        flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
        assert flags == 0b11, f"{pyc}: flags {flags}, expected checked hash-based"


def test_login_page_is_served_in_german(function):
    response = function.http("GET", "/konto/login/", host=HOST)
    assert response.status == 200
    assert response.header("Content-Type").startswith("text/html")
    assert '<html lang="de"' in response.text
    assert "Anmelden" in response.text
    assert response.header("Strict-Transport-Security")
    assert "csrftoken" in function.cookies


def test_post_needs_the_csrf_token_and_a_wrong_password_is_refused(function):
    page = function.http("GET", "/konto/login/", host=HOST).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"login": "antragstellerin@demo.now-portal.example", "password": "falsch-falsch"}
    referer = {"Referer": f"https://{HOST}/konto/login/", "Origin": f"https://{HOST}"}

    without_token = function.http("POST", "/konto/login/", host=HOST, data=form, headers=referer)
    assert without_token.status == 403

    wrong = function.http("POST", "/konto/login/", host=HOST, headers=referer,
                          data={**form, "csrfmiddlewaretoken": token})
    assert wrong.status == 200
    assert "<title>Fehler:" in wrong.text
    assert "sessionid" not in function.cookies


def test_applicant_signs_in_and_sees_the_dashboard(function):
    page = function.http("GET", "/konto/login/", host=HOST).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    signed_in = function.http(
        "POST", "/konto/login/", host=HOST,
        headers={"Referer": f"https://{HOST}/konto/login/", "Origin": f"https://{HOST}"},
        data={"login": "antragstellerin@demo.now-portal.example", "password": "Demo-Passwort-2026",
              "csrfmiddlewaretoken": token},
    )
    assert signed_in.status == 302, signed_in.text[:500]
    assert "sessionid" in function.cookies
    dashboard = function.http("GET", urlparse(signed_in.header("Location")).path, host=HOST)
    assert dashboard.status == 200
    assert "47110" in dashboard.text  # the demo applicant's KfW numbers


def test_static_files_are_served_hashed_with_their_type(function):
    page = function.http("GET", "/impressum/", host=HOST).text
    found = re.search(r'href="(/static/kern/kern\.min\.[0-9a-f]{12}\.css)"', page)
    assert found, page[:1200]
    css_path = found.group(1)
    css = function.http("GET", css_path, host=HOST)
    assert css.status == 200
    assert css.header("Content-Type").startswith("text/css")
    assert "max-age=315360000" in css.header("Cache-Control")  # hashed: cached for good
    font_css_path = re.search(r'href="(/static/kern/fonts/fira-sans\.[0-9a-f]{12}\.css)"', page).group(1)
    font_css = function.http("GET", font_css_path, host=HOST).text
    font_url = re.search(r"url\([\"']?([^\"')]+\.woff2)", font_css).group(1)
    font = function.http("GET", urljoin(font_css_path, font_url), host=HOST)
    assert font.status == 200
    assert font.header("Content-Type") == "font/woff2"
    assert font.content[:4] == b"wOF2"  # binary, base64 through API Gateway and back


def test_kfw_workbook_uploaded_to_s3_is_imported(function, database, s3_endpoint, tmp_path):
    import boto3

    _url, query = database
    workbook = write_kfw_workbook(tmp_path / "Zusagen Übersicht.xlsx",
                                  valid_rows(4, number_base=5500000000))
    bucket, key = STAGE_ENV["KFW_IMPORT_BUCKET"], "exporte/Zusagen Übersicht.xlsx"
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-central-1")
    s3.upload_file(str(workbook), bucket, key)

    result = function.invoke(s3_created_event(bucket, key, workbook.stat().st_size))

    assert [(i["key"], i["status"]) for i in result["imports"]] == [(key, "imported")], result
    rows = query("SELECT kfw_number FROM applications_fundingapplication "
                 "WHERE kfw_number LIKE '55000000%' ORDER BY kfw_number")
    assert [r[0] for r in rows] == [f"{5500000000 + i:010d}" for i in range(4)]


def test_scheduled_reminder_event_runs_the_reminders(function):
    result = function.invoke(scheduled_event("reports.handlers.send_reminders"))
    assert result["applications"] > 0 and result["failed"] == 0, result
    sent = result["due_soon"] + result["overdue"]
    assert len(list(function.mail_dir.iterdir())) >= (1 if sent else 0)
