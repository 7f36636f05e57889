"""Journeys 1 and 2 in Debian's Chromium, one after the other: a caseworker (password and
TOTP code) uploads a KfW workbook in the admin, reads the preview with its two rejected
rows and confirms; an applicant from that workbook follows the invitation e-mail,
registers with the KfW number and the e-mail address on file, confirms the code from the
e-mail, signs in and sees the application with the reports it owes. Every applicant-facing
page, error states included, is checked with axe-core and saved as a screenshot."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from applications.models import FundingApplication
from kfw_import import columns
from kfw_import.models import ImportRun, ImportSource, ImportStatus
from kfw_import.workbooks import valid_row, write_kfw_workbook
from reports.deadlines import owed_reports
from tests.applications.factories import PASSWORD, CaseworkerFactory
from tests.reports.wizard_helpers import days_ago

from .support import (
    DESKTOP,
    check_admin_page,
    check_page,
    enter_code,
    new_page,
    sign_in,
    sign_in_caseworker,
    sign_out,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPLICANT_EMAIL = "ladepark@stadtwerke-goerlitz.example"
# Like KfW's real export: quirks that import fine (upper case and spaces around the
# e-mail, a postal code that Excel turned into a number, German decimals, a date as
# text), an empty row,
# and exactly two rows that are rejected, each for one reason.
APPLICANT_ROW = valid_row(
    0, number_base=4390000100, Antragsteller="Stadtwerke Görlitz", Ort="Görlitz", PLZ=2826,
    **{"E-Mail": f"  {APPLICANT_EMAIL.upper()} ", "Anzahl Ladepunkte": 4,
       "Förderbetrag (EUR)": "10.000,00", "Zusagedatum": days_ago(30).strftime("%d.%m.%Y")},
)
BAD_EMAIL_ROW = valid_row(3, number_base=4390000100, **{"E-Mail": "not-an-email"})
BAD_POSTAL_CODE_ROW = valid_row(4, number_base=4390000100, PLZ="ABCDE")
ROWS = [
    APPLICANT_ROW,
    valid_row(1, number_base=4390000100),
    valid_row(2, number_base=4390000100),
    BAD_EMAIL_ROW,
    None,
    BAD_POSTAL_CODE_ROW,
    valid_row(5, number_base=4390000100),
]
IMPORTED = [row for row in ROWS if row and row not in (BAD_EMAIL_ROW, BAD_POSTAL_CODE_ROW)]


def german(message) -> str:
    with translation.override("de"):
        return str(message)


def expected_rejections():
    """(row number in the sheet, column, reason): the header is row 1."""
    return [
        (ROWS.index(BAD_EMAIL_ROW) + 2, "E-Mail", german(columns.EMAIL)),
        (ROWS.index(BAD_POSTAL_CODE_ROW) + 2, "PLZ", german(columns.POSTAL_CODE)),
    ]


def import_workbook_in_the_admin(office, base, caseworker, workbook):
    """Journey 1: upload, preview with the rejected rows, confirm."""
    sign_in_caseworker(office, base, caseworker, PASSWORD, wrong_code_first=True)
    office.goto(base + reverse("admin:kfw_import_importrun_upload"))
    check_admin_page(office, "admin-import-upload")
    office.locator("input[name=workbook]").set_input_files(str(workbook))
    office.locator("#content-main input[type=submit]").click()

    rejected = office.locator("#rejected tbody tr")
    expect(rejected).to_have_count(2)
    for index, (row, column, reason) in enumerate(expected_rejections()):
        expect(rejected.nth(index).locator("td")).to_have_text([str(row), column, reason])
    created = office.locator("#created tbody tr")
    expect(created).to_have_count(len(IMPORTED))
    expect(office.locator("#created")).to_contain_text(APPLICANT_ROW["Antragsnummer"])
    expect(office.locator("#created")).to_contain_text(APPLICANT_EMAIL)
    check_admin_page(office, "admin-import-preview")
    # A preview changes nothing.
    assert not ImportRun.objects.exists() and not FundingApplication.objects.exists()

    office.locator("input[name=confirm]").click()
    office.wait_for_url(re.compile(r"/admin/kfw_import/importrun/\d+/change/$"))
    run = ImportRun.objects.get()
    assert office.url.endswith(reverse("admin:kfw_import_importrun_change", args=[run.pk]))
    expect(office.locator(".messagelist")).to_contain_text(f"{len(IMPORTED)} ")
    expect(office.locator(".kfw-rejected tbody tr")).to_have_count(2)
    check_admin_page(office, "admin-import-run")
    return run


def invitation_link(email: str) -> str:
    message = next(m for m in mail.outbox if m.to == [email])
    return re.search(r"https?://\S+/konto/signup/", message.body).group(0)


def verification_code(email: str) -> str:
    """From the latest e-mail to the address (the invitation came before it)."""
    message = next(m for m in reversed(mail.outbox) if m.to == [email])
    return re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE).group(1)


def register_from_the_invitation(page, base, link, kfw_number):
    """Journey 2 up to the dashboard, with an error state on each page that has one."""
    page.goto(base + reverse("applications:home"))
    check_page(page, "home")
    page.goto(link)
    check_page(page, "signup", desktop=True)
    page.locator("main button[type=submit]").first.click()
    expect(page).to_have_title(re.compile(r"^Fehler:"))
    expect(page.locator("[data-error-summary]")).to_be_focused()
    check_page(page, "signup-errors")

    page.fill("input[name=kfw_number]", kfw_number)
    page.fill("input[name=email]", APPLICANT_EMAIL)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/konto/confirm-email/"))
    check_page(page, "confirm-code")

    enter_code(page, "confirm-code", verification_code(APPLICANT_EMAIL), wrong="AAAA-AAAA")
    page.wait_for_url(re.compile(re.escape(reverse("applications:dashboard")) + "$"))


def assert_dashboard_shows(page, application):
    main = page.locator("main")
    expect(main).to_contain_text(application.kfw_number)
    expect(main).to_contain_text("02826 Görlitz")
    reports = owed_reports(application)
    assert reports, "a newly approved application owes its commissioning report"
    items = page.locator("main .reports-list > li")
    expect(items).to_have_count(len(reports))
    with translation.override("de"):
        for item, report in zip(items.all(), reports):
            expect(item).to_contain_text(str(report.title))


def test_caseworker_imports_a_workbook_and_an_applicant_from_it_registers(
    live_server, phone_page, browser, tmp_path, settings
):
    base = live_server.url
    settings.PORTAL_BASE_URL = base  # the invitation links to this server
    workbook = write_kfw_workbook(tmp_path / "Zusagen November.xlsx", ROWS)
    caseworker = CaseworkerFactory(email="sachbearbeitung@now-portal.example")
    office = new_page(browser, DESKTOP)
    try:
        run = import_workbook_in_the_admin(office, base, caseworker, workbook)
    finally:
        office.context.close()

    run.refresh_from_db()
    assert (run.status, run.source, run.user, run.file_name) == (
        ImportStatus.IMPORTED_WITH_REJECTIONS, ImportSource.ADMIN, caseworker, "Zusagen November.xlsx")
    assert (run.rows_read, run.created, run.rejected) == (len(IMPORTED) + 2, len(IMPORTED), 2)
    assert [(entry["row"], entry["column"], entry["reason"]) for entry in run.rejected_rows] == (
        expected_rejections())
    assert sorted(FundingApplication.objects.values_list("kfw_number", flat=True)) == sorted(
        row["Antragsnummer"] for row in IMPORTED)
    # One invitation per imported application, none for the rejected rows.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        row["E-Mail"].strip().lower() for row in IMPORTED)

    application = FundingApplication.objects.get(kfw_number=APPLICANT_ROW["Antragsnummer"])
    assert application.owner is None
    page = phone_page
    link = invitation_link(APPLICANT_EMAIL)
    assert link == base + reverse("account_signup")
    register_from_the_invitation(page, base, link, application.kfw_number)
    application.refresh_from_db()
    assert application.owner.email == APPLICANT_EMAIL
    assert_dashboard_shows(page, application)
    check_page(page, "dashboard-new")

    # Signing in again later: a wrong password first.
    sign_out(page)
    sign_in(page, base, APPLICANT_EMAIL, "falsches-Passwort")
    expect(page).to_have_title(re.compile(r"^Fehler:"))
    check_page(page, "login-errors")
    sign_in(page, base, APPLICANT_EMAIL, PASSWORD)
    page.wait_for_url(re.compile(re.escape(reverse("applications:dashboard")) + "$"))
    assert_dashboard_shows(page, application)
