"""Journey 2: an applicant registers with their KfW number, confirms the e-mail code,
and sees their application on the dashboard – on a phone, checked with axe-core."""

import re

import pytest
from django.core import mail

from tests.applications.factories import PASSWORD, FundingApplicationFactory

from .support import DESKTOP, assert_accessible, new_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(page):
    page.locator("main button[type=submit]").first.click()


def verification_code(email: str) -> str:
    message = next(m for m in reversed(mail.outbox) if m.to == [email])
    return re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE).group(1)


def test_applicant_registers_confirms_and_sees_the_dashboard_on_a_phone(live_server, phone_page):
    application = FundingApplicationFactory(email="ladepark@example.org", city="Görlitz")
    page = phone_page

    page.goto(live_server.url + "/")
    assert_accessible(page, "home")
    screenshot(page, "home")
    page.goto(live_server.url + "/konto/signup/")
    assert_accessible(page, "sign-up")
    screenshot(page, "signup")

    submit(page)  # nothing filled in: the error state
    assert page.title().startswith("Fehler:")
    summary = page.locator("[data-error-summary], .kern-error-summary, [role=alert]").first
    assert summary.is_visible()
    assert_accessible(page, "sign-up with errors")
    screenshot(page, "signup-errors")

    page.fill("input[name=kfw_number]", application.kfw_number)
    page.fill("input[name=email]", "ladepark@example.org")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    submit(page)
    page.wait_for_url(re.compile(r"/konto/confirm-email/"))
    assert_accessible(page, "e-mail code")
    screenshot(page, "confirm-code")

    page.fill("input[name=code]", verification_code("ladepark@example.org"))
    submit(page)
    page.wait_for_url(re.compile(r"/uebersicht/"))
    assert application.kfw_number in page.content()
    assert "Görlitz" in page.content()
    assert_accessible(page, "dashboard")
    screenshot(page, "dashboard")


def test_the_same_pages_in_english_on_a_desktop(live_server, browser):
    FundingApplicationFactory(email="english@example.org")
    page = new_page(browser, DESKTOP, locale="en-GB")
    try:
        page.goto(live_server.url + "/konto/login/")
        assert page.locator("html").get_attribute("lang") == "de"
        page.locator("form[action$='/i18n/setlang/'] button, form[action$='/i18n/setlang/'] [type=submit]").first.click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "en"
        assert_accessible(page, "login in English")
        screenshot(page, "login-en")
    finally:
        page.context.close()
