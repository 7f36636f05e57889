"""The commissioning report on a 360 px phone in Chromium: every page of the wizard,
its error state, the cards and the confirmation pass axe-core (WCAG 2.1 AA) and can be
completed without JavaScript-only controls."""

import re

import pytest
from django.urls import reverse

from reports.models import Report, ReportStatus
from tests.applications.factories import PASSWORD, FundingApplicationFactory, UserFactory
from tests.browser.support import assert_accessible, screenshot

from .wizard_helpers import PDF, days_ago

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def press(page, name):
    page.locator(f"main button[name={name}]").first.click()


def test_commissioning_report_on_a_phone(live_server, phone_page, tmp_path):
    applicant = UserFactory(email="mobil@example.org")
    application = FundingApplicationFactory(owner=applicant, approval_date=days_ago(120),
                                            approved_charging_points=2)
    page = phone_page
    page.goto(live_server.url + reverse("account_login"))
    page.fill("input[name=login]", applicant.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/uebersicht/"))
    assert_accessible(page, "dashboard with a report to start")
    screenshot(page, "reports-dashboard")

    page.get_by_role("link", name=re.compile("Inbetriebnahmemeldung beginnen")).click()
    assert_accessible(page, "start page")
    page.locator("main button[type=submit]").click()

    page.wait_for_url(re.compile(r"/inbetriebnahme/standort/"))
    assert "Schritt 1 von 5: Standort" in page.content()
    page.fill("input[name=standort-postal_code]", "123")
    press(page, "wizard_next")
    assert page.title().startswith("Fehler:")
    assert_accessible(page, "site with errors")
    screenshot(page, "reports-site-errors")
    page.fill("input[name=standort-postal_code]", "01067")
    page.check("input[name=standort-publicly_accessible][value=yes]")
    press(page, "wizard_next")

    page.check("input[name=erfassung-method][value=form]")
    press(page, "wizard_next")
    page.wait_for_url(re.compile(r"/inbetriebnahme/ladepunkte/"))
    assert_accessible(page, "empty cards page")
    page.get_by_role("link", name="Ladepunkt hinzufügen").click()
    assert_accessible(page, "add a charging point")
    page.fill("input[name=label]", "Stellplatz 1")
    page.fill("input[name=power_kw]", "22")
    page.check("input[name=current_type][value=AC]")
    page.check("input[name=connector][value=type2]")
    page.fill("input[name=commissioning_date]", days_ago(10).strftime("%d.%m.%Y"))
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/inbetriebnahme/ladepunkte/"))
    assert "Stellplatz 1" in page.content()
    assert_accessible(page, "cards page")
    screenshot(page, "reports-cards")
    press(page, "wizard_next")

    proof = tmp_path / "Ökostrom.pdf"
    proof.write_bytes(PDF)
    page.check("input[name=strom-renewable_electricity]")
    page.set_input_files("input[name=strom-renewable_proof]", str(proof))
    press(page, "wizard_next")

    for field, value in [("cost_hardware", "12.000"), ("cost_installation", "2.500,50"),
                         ("cost_grid_connection", "0"), ("cost_other", "0")]:
        page.fill(f"input[name=kosten-{field}]", value)
    press(page, "wizard_next")
    page.wait_for_url(re.compile(r"/inbetriebnahme/pruefen/"))
    assert_accessible(page, "check your answers")
    screenshot(page, "reports-check")

    page.get_by_role("button", name="Bericht absenden").click()
    page.wait_for_url(re.compile(r"/bestaetigung/"))
    assert_accessible(page, "confirmation")
    screenshot(page, "reports-confirmation")
    report = Report.objects.get(application=application)
    assert report.status == ReportStatus.SUBMITTED
    assert report.reference_number in page.content()
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
