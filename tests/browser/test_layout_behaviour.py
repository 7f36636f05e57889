"""The layout as a person meets it, in Debian's Chromium: focus moves to the error
summary, the skip link and the summary's links work from the keyboard, touch targets are
large enough, nothing scrolls sideways at 320 px, and the core tasks need no JavaScript."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.applications.factories import PASSWORD, FundingApplicationFactory, UserFactory

from . import support

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_page(browser):
    contexts = []

    def open_page(width=360, javascript=True):
        page = support.new_page(
            browser, {"width": width, "height": 740}, java_script_enabled=javascript
        )
        contexts.append(page.context)
        return page

    yield open_page
    for context in contexts:
        context.close()


def active_element(page, expression="el => el"):
    return page.evaluate(f"({expression})(document.activeElement)")


def sign_in(page, live_server, email):
    support.sign_in(page, live_server.url, email, PASSWORD)
    page.wait_for_url(f"**{reverse('applications:dashboard')}")


def test_error_summary_takes_focus_and_its_links_focus_the_field(live_server, open_page):
    page = open_page()
    page.goto(live_server.url + reverse("account_signup"))
    page.locator("main button[type=submit]").first.click()

    expect(page).to_have_title(re.compile(r"^Fehler:"))
    expect(page.locator("[data-error-summary]")).to_be_focused()
    page.keyboard.press("Tab")
    assert active_element(page, "el => el.getAttribute('href')") == "#id_kfw_number"
    page.keyboard.press("Enter")
    assert active_element(page, "el => el.id") == "id_kfw_number"


def test_error_summary_takes_focus_without_javascript(live_server, open_page):
    page = open_page(javascript=False)
    page.goto(live_server.url + reverse("account_signup"))
    page.locator("main button[type=submit]").first.click()
    expect(page).to_have_title(re.compile(r"^Fehler:"))
    # Without scripts, `autofocus` alone moves the focus there.
    expect(page.locator("[data-error-summary]")).to_be_focused()


def test_skip_link_is_first_visible_on_focus_and_moves_to_the_content(live_server, open_page):
    page = open_page()
    page.goto(live_server.url + reverse("accessibility"))
    page.keyboard.press("Tab")
    skip = page.locator(".portal-skip-link")
    assert active_element(page, "el => el.getAttribute('href')") == "#main"
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] >= 40, "the skip link shows when it has focus"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "focus is visible"
    page.keyboard.press("Enter")
    assert active_element(page, "el => el.id") == "main"


def test_core_tasks_work_without_javascript(live_server, open_page):
    user = UserFactory(email="ohne-js@example.org")
    FundingApplicationFactory(owner=user, kfw_number="4711000042")
    page = open_page(javascript=False)
    sign_in(page, live_server, user.email)
    expect(page.locator("main")).to_contain_text("4711000042")

    page.locator("form[action$='/i18n/setlang/'] button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Your applications")

    page.goto(live_server.url + reverse("applications:claim"))
    page.fill("#id_kfw_number", "4711000099")
    page.fill("#id_email", "someone@example.org")
    page.locator("main button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("someone@example.org")

    page.locator("form[action$='/konto/logout/'] button").click()
    expect(page.locator("form[action$='/konto/logout/']")).to_have_count(0)


PAGES_AT_320 = ["applications:home", "account_login", "account_signup", "accessibility", "privacy", "imprint"]


@pytest.mark.parametrize("width", [320, 1280])
def test_nothing_scrolls_sideways_and_targets_are_large(live_server, open_page, width):
    user = UserFactory(email="schmal@example.org")
    FundingApplicationFactory(owner=user, applicant_name="Stadtwerke Mittelstadt Energie- und Wasserversorgung GmbH")
    page = open_page(width=width)
    urls = [reverse(name) for name in PAGES_AT_320]
    for url in urls:
        page.goto(live_server.url + url)
        assert_fits(page, width, url)
    sign_in(page, live_server, user.email)
    for url in [reverse("applications:dashboard"), reverse("applications:claim"), reverse("mfa_index")]:
        page.goto(live_server.url + url)
        assert_fits(page, width, url)


def assert_fits(page, width, url):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{url} is {scroll_width}px wide at {width}px"
    small = page.evaluate(
        """() => [...document.querySelectorAll(
              'header a, header button, nav a, footer a, main button, main .kern-btn, main input:not([type=hidden]), main select')]
            .filter(el => el.offsetParent !== null)
            .map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect().height])
            .filter(([, height]) => height < 44 && height > 0)"""
    )
    # Checkboxes and radios are 32 px squares whose label widens the target (KERN's size).
    small = [item for item in small if "type=\"checkbox\"" not in item[0] and "type=\"radio\"" not in item[0]]
    assert not small, f"{url}: touch targets under 44 px: {small}"


def test_error_pages_a_wrong_address_and_a_refused_form(live_server, open_page):
    """The 404 page, and the page of a form whose security token is gone (here: its
    cookie deleted, as when a page was left open past a sign-out), checked by axe-core at
    phone width, each with a way on."""
    page = open_page()
    response = page.goto(live_server.url + "/gibt-es-nicht/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Seite nicht gefunden")
    support.check_page(page, "error-not-found")

    page.goto(live_server.url + reverse("account_login"))
    page.context.clear_cookies()
    page.fill("input[name=login]", "someone@example.org")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation() as navigation:
        page.locator("main button[type=submit]").first.click()
    assert navigation.value.status == 403
    expect(page.locator("h1")).to_have_text("Bitte senden Sie das Formular noch einmal")
    support.check_page(page, "error-form-refused")
    page.get_by_role("link", name="Zu Ihrer Übersicht").click()
    page.wait_for_url(re.compile(re.escape(reverse("account_login"))))
