"""A database seeded across every model with values that are hard to get right, and a
fresh MariaDB database to import a dump into with the `mysql` client."""

import datetime
import hashlib
import shutil
import subprocess
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import connection

MYSQL = shutil.which("mysql") or "/usr/bin/mysql"
MARIADB = ["-h127.0.0.1", "-P3306", "-uroot"]

# One person in several tables: the same e-mail address (in two spellings).
SHARED_EMAIL = "jürgen.o'weber@ladepark-beispiel.de"
SHARED_EMAIL_USER = SHARED_EMAIL.lower()
LONG_TEXT = ("Störung am Ladepunkt \"Süd\" – Techniker: Herr Jürgen O'Weber, C:\\Logs\\ "
             "Zeile\nzwei\r\n") * 2000


def mariadb_available() -> str | None:
    """None, or why MariaDB cannot be used."""
    if not shutil.which(MYSQL):
        return f"the mysql client ({MYSQL}) is not installed (apt-get install mariadb-client)"
    try:
        subprocess.run([MYSQL, *MARIADB, "-e", "SELECT 1"], check=True, capture_output=True,
                       timeout=10)
    except (subprocess.SubprocessError, OSError) as error:
        return f"MariaDB at 127.0.0.1:3306 is unreachable ({error})"
    return None


class ImportedDatabase:
    """A fresh MariaDB database a dump was imported into; queried with the client."""

    def __init__(self, name):
        self.name = name

    def query(self, sql: str) -> list[list[str]]:
        result = subprocess.run(
            [MYSQL, *MARIADB, "--default-character-set=utf8mb4", "-N", "-B", "-r", self.name,
             "-e", sql], check=True, capture_output=True, text=True)
        return [line.split("\t") for line in result.stdout.splitlines()]

    def scalar(self, sql: str) -> str:
        return self.query(sql)[0][0]

    def all_text(self) -> str:
        """Everything the imported database holds, as mysqldump writes it."""
        return subprocess.run(
            ["mysqldump", *MARIADB, "--default-character-set=utf8mb4", "--skip-extended-insert",
             self.name], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def import_dump():
    """import_dump(path) → ImportedDatabase: `mysql -h127.0.0.1 -uroot NAME < path`."""
    reason = mariadb_available()
    if reason:
        pytest.skip(f"Cannot import the dump into MariaDB: {reason}")
    created = []

    def do_import(path):
        name = f"now_snapshot_import_{uuid.uuid4().hex[:10]}"
        subprocess.run([MYSQL, *MARIADB, "-e", f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"],
                       check=True)
        created.append(name)
        with open(path, "rb") as dump:
            result = subprocess.run([MYSQL, *MARIADB, name], stdin=dump, capture_output=True)
        assert result.returncode == 0, result.stderr.decode()
        return ImportedDatabase(name)

    yield do_import
    for name in created:
        subprocess.run([MYSQL, *MARIADB, "-e", f"DROP DATABASE IF EXISTS `{name}`"], check=False)


@dataclass
class Seeded:
    """What was seeded, and every original personal value that must not reach a dump."""

    applications: list = field(default_factory=list)
    users: list = field(default_factory=list)
    personal_values: list = field(default_factory=list)


def seed_everything() -> Seeded:
    from allauth.account.models import EmailAddress, EmailConfirmation
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from kfw_import.models import ApplicationChange, ImportRun, ImportSource, ImportStatus
    from reports.models import (
        ChargingProcessUpload, ChargingSessionSummary, ReminderSent, ReportFileKind,
        ReportStatus,
    )
    from tests.applications.factories import (
        CaseworkerFactory, FundingApplicationFactory, UserFactory,
    )
    from tests.reports.factories import (
        ChargingPointFactory, ReportFactory, ReportFileFactory, ReportTransitionFactory,
    )

    seeded = Seeded()
    # Kept columns carry the hard characters: quotes, backslashes, NUL, newlines, umlauts.
    Group.objects.create(name="Prüfer's \\Gruppe\\ \"A\"\n\tzwei\x00drei")
    caseworker = CaseworkerFactory(email="sachbearbeiterin.brigitte.kaltenbach@now-gmbh.example",
                                   first_name="Brigitte", last_name="Kaltenbach")
    owner = UserFactory(email=SHARED_EMAIL_USER, first_name="Jürgen", last_name="O'Weberling")
    seeded.users += [caseworker, owner]
    first = FundingApplicationFactory(
        kfw_number="4711000001", applicant_name="Weberling Ladepark O'Hara & Söhne GmbH",
        contact_first_name="Jürgen", contact_last_name="O'Weberling", email=SHARED_EMAIL,
        phone="+49 (0)351 4567-8910", street="Zur Alten Ölmühle", house_number="17b",
        postal_code="01067", city="Dresden", iban="DE02120300000000202051",
        approved_amount=Decimal("123456.78"), approval_date=datetime.date(2026, 3, 31),
        owner=owner, claimed_at=timezone.now(),
    )
    second = FundingApplicationFactory(
        kfw_number="4711000002", applicant_name="Stadtwerke Quellenbrunn-Hinterzarten",
        contact_first_name="", contact_last_name="Pfeifenberger-Nußbaum",
        email="r.pfeifenberger@quellenbrunn.example", phone="", street="Backslashgasse \\ 3",
        house_number="3", postal_code="79856", city="Hinterzarten",
        iban="DE89 3704 0044 0532 0130 00", approved_amount=Decimal("9999.99"),
        approval_date=datetime.date(2025, 12, 1),
    )
    seeded.applications += [first, second]
    from applications.models import ApplicationClaim

    ApplicationClaim.objects.create(user=owner, application=first, email=SHARED_EMAIL_USER,
                                    completed_at=timezone.now())

    report = ReportFactory(
        application=first, status=ReportStatus.RETURNED,
        caseworker_comment="Bitte Herrn Jürgen O'Weberling anrufen: +49 (0)351 4567-8910",
        wizard_state={"site": {"site_street": "Zur Alten Ölmühle", "operator_name": "Weberling"}},
        operator_name="Weberling Ladepark O'Hara & Söhne GmbH",
        cost_hardware=Decimal("18400.50"), cost_other=None, publicly_accessible=None,
    )
    operation = ReportFactory(application=first, operation=True, period=2027,
                              availability_and_faults=LONG_TEXT,
                              factual_report="Der Betreiber Jürgen O'Weberling berichtet …")
    point = ChargingPointFactory(report=report, label="Wallbox Fam. O'Weberling, Garage",
                                 evse_id="DE*WBL*E4711001", power_kw=Decimal("22.00"),
                                 commissioning_date=datetime.date(2026, 6, 15))
    ChargingPointFactory(report=report, label="Ladepunkt 2")
    upload_file = ReportFileFactory(report=operation, kind=ReportFileKind.CHARGING_DATA,
                                    original_name="Ladevorgänge O'Weberling 2027.csv",
                                    uploaded_by=owner)
    ReportFileFactory(report=report, original_name="Rechnung Weberling.PDF", uploaded_by=owner)
    ChargingProcessUpload.objects.create(
        report=operation, file=upload_file, row_count=2, error_count=1,
        errors=[{"row": 3, "message": "Kunde Jürgen O'Weberling: Datum fehlt"}])
    ChargingSessionSummary.objects.create(report=operation, charging_point=point, sessions=12,
                                          energy_kwh=Decimal("123.456"), hours=Decimal("7.25"))
    ReportTransitionFactory(report=report, by=caseworker, from_status=ReportStatus.SUBMITTED,
                            to_status=ReportStatus.RETURNED,
                            comment="Rückfrage an Jürgen O'Weberling wegen Rechnung")
    ReminderSent.objects.create(report=operation, occasion="due_soon", recipient=SHARED_EMAIL)

    # allauth: a confirmation key, a social account with its token, MFA (caseworker).
    address = EmailAddress.objects.get(user=owner)
    EmailConfirmation.objects.create(email_address=address, key="confirm-key-x7f3k9q2w8",
                                     sent=timezone.now())
    app = SocialApp.objects.create(provider="openid_connect", provider_id="cognito",
                                   name="Cognito", client_id="client-id-8s7d6f5g",
                                   secret="client-secret-9a8s7d6f5g")
    account = SocialAccount.objects.create(
        user=owner, provider="cognito", uid="cognito-sub-5f1e2d3c-4b5a",
        extra_data={"email": SHARED_EMAIL_USER, "name": "Jürgen O'Weberling"})
    SocialToken.objects.create(app=app, account=account, token="access-token-q1w2e3r4t5",
                               token_secret="refresh-token-y6u7i8o9p0")
    session = SessionStore()
    session["who"] = SHARED_EMAIL_USER
    session.create()
    LogEntry.objects.create(
        user=caseworker, content_type=ContentType.objects.get_for_model(first),
        object_id=str(first.pk), object_repr=str(first), action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["E-Mail"], "old": "' + SHARED_EMAIL + '"}}]')

    run = ImportRun.objects.create(
        source=ImportSource.COMMAND, file_name="Zusagen Weberling 2026-03.xlsx", sha256="ab" * 32,
        started_at=timezone.now(), status=ImportStatus.IMPORTED_WITH_REJECTIONS, rows_read=3,
        created=2, rejected=1, message="Zeile 4 (Roswitha Pfeifenberger-Nußbaum) abgelehnt",
        rejected_rows=[{"row": 4, "column": "E-Mail", "reason": "r.pfeifenberger@@x"}],
        warnings=["Zeile 5 wiederholt Hinterzarten"], archive_name="kfw/2026/zusagen-weberling.xlsx",
        user=caseworker)
    ApplicationChange.objects.create(application=first, run=run, field="email",
                                     old_value="juergen.alt-weberling@altmail.example",
                                     new_value=SHARED_EMAIL)
    ApplicationChange.objects.create(application=first, run=run, field="approval_date",
                                     old_value="2026-03-15", new_value="2026-03-31")
    ApplicationChange.objects.create(application=first, run=run, field="program",
                                     old_value="440", new_value="441")
    ApplicationChange.objects.create(application=first, run=run, field="street",
                                     old_value="Am Ehemaligen Kornspeicher", new_value="Zur Alten Ölmühle")

    seeded.personal_values = [
        SHARED_EMAIL, "ladepark-beispiel", "sachbearbeiterin.brigitte.kaltenbach", "Kaltenbach",
        "O'Weberling", "Weberling", "Pfeifenberger", "Roswitha", "quellenbrunn",
        "4567-8910", "DE02120300000000202051", "3704 0044 0532", "Zur Alten Ölmühle",
        "Ölmühle", "Backslashgasse", "4711000001", "4711000002", "DE*WBL*E4711001",
        "juergen.alt-weberling", "Am Ehemaligen Kornspeicher", "cognito-sub-5f1e2d3c",
        "confirm-key-x7f3k9q2w8", "client-secret-9a8s7d6f5g", "access-token-q1w2e3r4t5",
        "refresh-token-y6u7i8o9p0", "Hinterzarten", "Dresden", "Techniker: Herr",
        "kfw/2026/zusagen", "Ladevorgänge", "Zusagen Weberling", session.session_key,
    ]
    return seeded


@pytest.fixture
def seeded(db, transactional_db):
    return seed_everything()


def fingerprint(conn=connection) -> str:
    """A hash of every row of every table: equal before and after means unchanged."""
    digest = hashlib.sha256()
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {conn.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            digest.update(table.encode())
            for row in rows:
                digest.update(row.encode())
    return digest.hexdigest()
