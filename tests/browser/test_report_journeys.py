"""Journeys 3–5 of the reports in Debian's Chromium, each page checked with axe-core
(WCAG 2.1 A/AA, error states included) and saved as a screenshot:

- the commissioning report on a 360 × 740 phone: three charging point cards, one changed,
  one removed, a break halfway (signed out and in again), resumed where it stopped, the
  proof uploaded, the answers checked, submitted;
- the same report in English, with the keyboard only;
- returned by a caseworker (signed in with a TOTP code) with a comment, corrected,
  resubmitted, accepted – and the applicant sees each outcome.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from reports.models import Report, ReportStatus
from reports.wizard import CHECK_STEP
from tests.applications.factories import (
    PASSWORD,
    CaseworkerFactory,
    FundingApplicationFactory,
    UserFactory,
)
from tests.reports.wizard_helpers import COSTS, PDF, SITE, days_ago, point_data, post_step, upload

from .support import (
    DESKTOP,
    Keyboard,
    Mouse,
    check_admin_page,
    check_page,
    new_page,
    press_expecting_errors,
    sign_in,
    sign_in_caseworker,
    sign_out,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def translated(language):
    def text(message):
        with translation.override(language):
            return translation.gettext(message)

    return text


def wizard_button(page, name):
    return page.locator(f"main button[name={name}]").first


def submit_button(page):
    return page.locator("main button[type=submit]").first


def url_of(name, *args):
    return re.compile(re.escape(reverse(name, args=args)) + r"(\?.*)?$")


def add_point(page, ui, label, power, current, connector, shot=None):
    ui.press(page.locator("main a[href*='/ladepunkte/neu/']"))
    page.wait_for_url(re.compile(r"/ladepunkte/neu/"))
    if shot:
        # The empty form first: its error state.
        press_expecting_errors(page, ui, submit_button(page))
        check_page(page, f"{shot}-errors")
    ui.fill(page.locator("input[name=label]"), label)
    ui.fill(page.locator("input[name=power_kw]"), power)
    ui.choose(page.locator(f"input[name=current_type][value={current}]"))
    ui.choose(page.locator(f"input[name=connector][value={connector}]"))
    ui.fill(page.locator("input[name=commissioning_date]"), days_ago(10).strftime("%d.%m.%Y"))
    if shot:
        check_page(page, shot)
    ui.press(submit_button(page))
    page.wait_for_url(re.compile(r"/inbetriebnahme/ladepunkte/"))
    expect(page.locator("main .portal-cards")).to_contain_text(label)


def commissioning_journey(page, base_url, tmp_path, ui, language, prefix=""):
    """Journey 3. `prefix` names this run's screenshots."""
    text = translated(language)
    applicant = UserFactory(email=f"inbetriebnahme-{language}@example.org")
    application = FundingApplicationFactory(
        owner=applicant, approval_date=days_ago(120), approved_charging_points=3
    )
    page.goto(base_url + reverse("account_login"))
    if language != "de":
        ui.press(page.locator(f"form[action$='/i18n/setlang/'] button[value={language}]"))
        expect(page.locator("html")).to_have_attribute("lang", language)
    check_page(page, prefix + "login")
    sign_in(page, base_url, applicant.email, PASSWORD, ui)
    page.wait_for_url(url_of("applications:dashboard"))
    check_page(page, prefix + "dashboard-reports", desktop=True)

    ui.press(page.locator("main a[href*='/berichte/neu/']"))
    page.wait_for_url(re.compile(r"/berichte/neu/"))
    check_page(page, prefix + "report-start")
    ui.press(submit_button(page))

    # Step 1, the site: a wrong postal code first.
    page.wait_for_url(re.compile(r"/inbetriebnahme/standort/"))
    report = Report.objects.get(application=application)
    expect(page.locator("#wizard-progress")).to_contain_text(text("Site"))
    check_page(page, prefix + "report-site")
    ui.fill(page.locator("input[name=standort-postal_code]"), "123")
    press_expecting_errors(page, ui, wizard_button(page, "wizard_next"))
    check_page(page, prefix + "report-site-errors", desktop=True)
    ui.fill(page.locator("input[name=standort-postal_code]"), "01067")
    ui.choose(page.locator("input[name=standort-publicly_accessible][value=yes]"))
    ui.press(wizard_button(page, "wizard_next"))

    page.wait_for_url(re.compile(r"/inbetriebnahme/erfassung/"))
    check_page(page, prefix + "report-method")
    ui.choose(page.locator("input[name=erfassung-method][value=form]"))
    ui.press(wizard_button(page, "wizard_next"))

    # The cards: none yet is an error; three added, one changed, one removed.
    page.wait_for_url(re.compile(r"/inbetriebnahme/ladepunkte/"))
    press_expecting_errors(page, ui, wizard_button(page, "wizard_next"))
    expect(page.locator("main")).to_contain_text(text("Add at least one charging point."))
    check_page(page, prefix + "report-cards-errors")
    add_point(page, ui, "Stellplatz 1", "22", "AC", "type2", shot=prefix + "report-point-form")
    add_point(page, ui, "Stellplatz 2", "50", "DC", "ccs")
    add_point(page, ui, "Stellplatz 3", "11", "AC", "type2")
    assert report.charging_points.count() == 3
    # All three approved points entered: no more "add".
    expect(page.locator("main a[href*='/ladepunkte/neu/']")).to_have_count(0)
    check_page(page, prefix + "report-cards", desktop=True)

    ui.press(page.get_by_role("link", name=f"{text('Change')} – Stellplatz 2"))
    page.wait_for_url(re.compile(r"/aendern/"))
    expect(page.locator("input[name=label]")).to_have_value("Stellplatz 2")
    check_page(page, prefix + "report-point-change")
    ui.fill(page.locator("input[name=power_kw]"), "150")
    ui.press(submit_button(page))
    page.wait_for_url(re.compile(r"/inbetriebnahme/ladepunkte/"))
    expect(page.locator("main .portal-cards")).to_contain_text("150 kW")

    # "Remove" asks first: "no" keeps the card, "yes" removes it.
    remove = page.get_by_role("link", name=f"{text('Remove')} – Stellplatz 3")
    ui.press(remove)
    page.wait_for_url(re.compile(r"/entfernen/"))
    check_page(page, prefix + "report-point-remove")
    ui.press(page.get_by_role("link", name=text("No, keep it")))
    page.wait_for_url(re.compile(r"/inbetriebnahme/ladepunkte/"))
    expect(page.locator("main .portal-cards > li")).to_have_count(3)
    ui.press(remove)
    page.wait_for_url(re.compile(r"/entfernen/"))
    ui.press(submit_button(page))
    page.wait_for_url(re.compile(r"/inbetriebnahme/ladepunkte/"))
    expect(page.locator("main .portal-cards > li")).to_have_count(2)
    assert sorted(report.charging_points.values_list("label", flat=True)) == [
        "Stellplatz 1", "Stellplatz 2",
    ]
    ui.press(wizard_button(page, "wizard_next"))

    # Halfway: the electricity step, left with "save and continue later", signed out.
    page.wait_for_url(re.compile(r"/inbetriebnahme/strom/"))
    check_page(page, prefix + "report-electricity")
    ui.press(wizard_button(page, "wizard_save"))
    page.wait_for_url(url_of("applications:dashboard"))
    expect(page.locator("main")).to_contain_text(
        text("Your answers have been saved. You can continue at any time from your overview.")
    )
    check_page(page, prefix + "dashboard-saved")
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.current_step == "strom"
    sign_out(page, ui)
    expect(page.locator("form[action$='/konto/logout/']")).to_have_count(0)

    # Back again: the dashboard leads to the step where they stopped.
    sign_in(page, base_url, applicant.email, PASSWORD, ui)
    page.wait_for_url(url_of("applications:dashboard"))
    if language != "de":
        expect(page.locator("html")).to_have_attribute("lang", language)
    continue_link = reverse("reports:commissioning_step", args=[report.pk, "strom"])
    ui.press(page.locator(f"main a[href='{continue_link}']"))
    page.wait_for_url(re.compile(r"/inbetriebnahme/strom/"))

    # The step comes back as it was left, with what is missing said already (its answers
    # were saved unchecked). Continue without the proof: the error state, then the proof
    # (a real, small PDF).
    expect(page).to_have_title(re.compile(r"^(Fehler|Error):"))
    press_expecting_errors(page, ui, wizard_button(page, "wizard_next"))
    check_page(page, prefix + "report-electricity-errors")
    proof = tmp_path / "Ökostrom-Vertrag.pdf"
    proof.write_bytes(PDF)
    ui.tick(page.locator("input[name=strom-renewable_electricity]"))
    ui.upload(page.locator("input[name=strom-renewable_proof]"), proof)
    ui.press(wizard_button(page, "wizard_next"))

    page.wait_for_url(re.compile(r"/inbetriebnahme/kosten/"))
    check_page(page, prefix + "report-costs")
    for field, value in [("cost_hardware", "12.000"), ("cost_installation", "2.500,50"),
                         ("cost_grid_connection", "0"), ("cost_other", "0")]:
        ui.fill(page.locator(f"input[name=kosten-{field}]"), value)
    ui.press(wizard_button(page, "wizard_next"))

    page.wait_for_url(re.compile(rf"/inbetriebnahme/{CHECK_STEP}/"))
    main = page.locator("main")
    expect(main).to_contain_text("Ökostrom-Vertrag.pdf")
    expect(main).to_contain_text("150 kW")
    expect(main).not_to_contain_text("Stellplatz 3")
    check_page(page, prefix + "report-check", desktop=True)

    ui.press(page.get_by_role("button", name=text("Submit report")))
    page.wait_for_url(url_of("reports:confirmation", report.pk))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    expect(page.locator("main")).to_contain_text(report.reference_number)
    check_page(page, prefix + "report-confirmation", desktop=True)

    page.goto(base_url + reverse("reports:detail", args=[report.pk]))
    expect(page.locator("main")).to_contain_text("Stellplatz 2")
    check_page(page, prefix + "report-detail")
    return report


def test_commissioning_report_on_a_phone_with_cards_a_break_and_a_proof(
    live_server, phone_page, tmp_path
):
    report = commissioning_journey(phone_page, live_server.url, tmp_path, Mouse(phone_page), "de")
    assert report.files.get().original_name == "Ökostrom-Vertrag.pdf"
    assert sorted(report.charging_points.values_list("power_kw", flat=True)) == [22, 150]


def test_commissioning_report_in_english_with_the_keyboard_only(live_server, browser, tmp_path):
    page = new_page(browser, DESKTOP, locale="en-GB")
    try:
        report = commissioning_journey(
            page, live_server.url, tmp_path, Keyboard(page), "en", prefix="en-"
        )
    finally:
        page.context.close()
    assert report.status == ReportStatus.SUBMITTED


# --- Journey 4: returned, corrected, resubmitted, accepted ---------------------------


def submitted_through_the_wizard(applicant, application) -> Report:
    """What journey 3 leaves behind, made quickly with the test client."""
    client = Client()
    client.force_login(applicant)
    client.post(reverse("reports:start", args=[application.pk, "commissioning", 0]))
    report = Report.objects.get(application=application)
    post_step(client, report, "standort", SITE)
    post_step(client, report, "erfassung", {"method": "form"})
    client.post(reverse("reports:point_add", args=[report.pk]), point_data(label="Einfahrt"))
    post_step(client, report, "ladepunkte")
    post_step(client, report, "strom", {"renewable_electricity": "on"},
              files={"renewable_proof": upload(PDF, "Ökostrom.pdf")})
    post_step(client, report, "kosten", COSTS)
    client.post(reverse("reports:commissioning_step", args=[report.pk, CHECK_STEP]))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    return report


def test_returned_report_is_corrected_resubmitted_and_accepted(live_server, phone_page, browser):
    applicant = UserFactory(email="rueckfrage@example.org")
    application = FundingApplicationFactory(
        owner=applicant, approval_date=days_ago(120), approved_charging_points=2
    )
    report = submitted_through_the_wizard(applicant, application)
    caseworker = CaseworkerFactory(email="sachbearbeitung@example.org")
    office = new_page(browser, DESKTOP)
    base = live_server.url
    try:
        # The caseworker signs in with password and TOTP code, reads, returns.
        sign_in_caseworker(office, base, caseworker, PASSWORD)

        office.goto(base + reverse("admin:reports_report_change", args=[report.pk]))
        expect(office.locator("#content")).to_contain_text("Einfahrt")
        check_admin_page(office, "admin-report-review")
        comment = "Bitte geben Sie die Kosten für den Netzanschluss an (laut Rechnung 1.450 €)."
        review(office, report, "return", comment)
        report.refresh_from_db()
        assert report.status == ReportStatus.RETURNED

        # The applicant sees the comment on the dashboard and the report, and corrects.
        page = phone_page
        sign_in(page, base, applicant.email, PASSWORD)
        page.wait_for_url(url_of("applications:dashboard"))
        expect(page.locator("main")).to_contain_text(comment)
        check_page(page, "dashboard-returned", desktop=True)
        page.locator(f"main a[href='{reverse('reports:detail', args=[report.pk])}']").click()
        page.wait_for_url(url_of("reports:detail", report.pk))
        expect(page.locator("main [role=status]")).to_contain_text(comment)
        check_page(page, "report-returned")
        page.get_by_role("button", name="Bericht überarbeiten").click()
        page.wait_for_url(re.compile(rf"/inbetriebnahme/{CHECK_STEP}/"))
        expect(page.locator("main [role=status]")).to_contain_text(comment)
        check_page(page, "report-check-reopened")
        page.get_by_role("link", name="Ändern – Kosten").click()
        page.wait_for_url(re.compile(r"/inbetriebnahme/kosten/\?zur_pruefung=1"))
        page.fill("input[name=kosten-cost_grid_connection]", "")
        press_expecting_errors(page, Mouse(page), wizard_button(page, "wizard_next"))
        check_page(page, "report-costs-errors")
        page.fill("input[name=kosten-cost_grid_connection]", "1.450")
        wizard_button(page, "wizard_next").click()
        page.wait_for_url(re.compile(rf"/inbetriebnahme/{CHECK_STEP}/"))
        expect(page.locator("main")).to_contain_text("1.450,00")
        page.get_by_role("button", name="Bericht absenden").click()
        page.wait_for_url(url_of("reports:confirmation", report.pk))
        check_page(page, "report-confirmation-resubmitted")
        report.refresh_from_db()
        assert report.status == ReportStatus.SUBMITTED and report.cost_grid_connection == 1450

        # The caseworker accepts; the applicant sees it.
        review(office, report, "accept", "Vielen Dank, alles vollständig.")
        report.refresh_from_db()
        assert report.status == ReportStatus.ACCEPTED
        page.goto(base + reverse("applications:dashboard"))
        expect(page.locator("main .reports-list .kern-badge--success")).to_contain_text("Angenommen")
        check_page(page, "dashboard-accepted", desktop=True)
        page.goto(base + reverse("reports:detail", args=[report.pk]))
        expect(page.locator("main")).to_contain_text("Angenommen")
        check_page(page, "report-accepted")
    finally:
        office.context.close()


def review(office, report, action, comment):
    office.goto(office.url.split("/admin/")[0] + reverse("admin:reports_report_change", args=[report.pk]))
    office.locator(f"#content a[href$='/{action}/']").first.click()
    office.wait_for_url(re.compile(rf"/{action}/$"))
    check_admin_page(office, f"admin-report-{action}")
    office.fill("textarea[name=comment]", comment)
    office.locator("#content-main input[type=submit]").click()
    office.wait_for_url(url_of("admin:reports_report_change", report.pk))
