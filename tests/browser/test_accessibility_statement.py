"""The accessibility statement as a visitor reaches it: from the footer, on a phone, in
German and English, checked with axe-core like every page of the journeys."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .support import check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_statement_is_reached_from_the_footer_and_passes_axe(live_server, phone_page):
    page = phone_page
    page.goto(live_server.url + reverse("applications:home"))
    page.locator("footer").get_by_role("link", name="Erklärung zur Barrierefreiheit").click()
    page.wait_for_url(re.compile(re.escape(reverse("accessibility")) + "$"))
    expect(page.locator("h1")).to_have_text("Erklärung zur Barrierefreiheit")
    check_page(page, "accessibility-statement", desktop=True)

    page.locator("form[action$='/i18n/setlang/'] button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Accessibility statement")
    check_page(page, "en-accessibility-statement")
