"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser).

They run whenever /usr/bin/chromium is present (`.ci/run` installs it) and are skipped
with a clear reason otherwise. The fixtures (`browser`, `phone_page`, `desktop_page`)
live in tests/conftest.py so every folder shares one browser.
"""

import os
import re
import shutil
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "build" / "screenshots"))
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def new_page(browser, viewport=PHONE, locale="de-DE", **options):
    context = browser.new_context(viewport=viewport, locale=locale, **options)
    page = context.new_page()
    # Generous: the machine running the tests may be busy (CI, several test runs).
    page.set_default_timeout(30_000)
    return page


def assert_accessible(page, label: str = ""):
    """axe-core (shipped inside axe-playwright-python) finds no WCAG 2.1 A/AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response["violations"]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} → {[n['target'] for n in v['nodes']][:5]}"
        for v in violations
    ]
    assert not violations, f"{label or page.url}:\n" + "\n".join(details)


def screenshot(page, name: str):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)


# --- Journeys: pages a person passes through -----------------------------------------

# The pages `make screenshots` keeps in docs/screenshots (SCREENSHOT_SET=key), the README
# shows them: the applicant's at phone and desktop width (check_page(..., desktop=True)),
# the caseworker's at desktop width. Every test run saves all pages (SCREENSHOT_SET=all,
# the default) to build/screenshots.
KEY_SCREENSHOTS = {
    "signup", "dashboard-reports", "report-site-errors", "report-cards", "report-check",
    "report-confirmation", "dashboard-returned", "admin-import-preview", "admin-report-review",
}
SCREENSHOT_SET = os.environ.get("SCREENSHOT_SET", "all")


def wants_screenshot(name: str) -> bool:
    return SCREENSHOT_SET != "key" or name in KEY_SCREENSHOTS


def check_page(page, name: str, desktop: bool = False):
    """A page reached in a journey: axe-core finds nothing, nothing scrolls sideways, and
    a screenshot is saved at the page's width (and, for key pages, at desktop width)."""
    assert_accessible(page, name)
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{name} is {scroll_width}px wide at {width}px"
    if wants_screenshot(name):
        screenshot(page, name)
    if desktop and width < DESKTOP["width"] and wants_screenshot(name):
        viewport = page.viewport_size
        page.set_viewport_size(DESKTOP)
        screenshot(page, name)
        page.set_viewport_size(viewport)


def sign_in(page, base_url: str, email: str, password: str, ui=None, start: str = ""):
    """Through the login form (or `start`, a page that leads to it); waits for the page
    after it (the dashboard, the 2FA step)."""
    from django.urls import reverse

    ui = ui or Mouse(page)
    page.goto(base_url + (start or reverse("account_login")))
    page.wait_for_url(re.compile(re.escape(reverse("account_login"))))
    ui.fill(page.locator("input[name=login]"), email)
    ui.fill(page.locator("input[name=password]"), password)
    with page.expect_navigation():
        ui.press(page.locator("main button[type=submit]").first)


def sign_in_caseworker(page, base_url: str, caseworker, password: str, wrong_code_first=False):
    """To the admin as caseworkers must: password, then the TOTP code of their
    authenticator app. The code page is the portal's own (applicants who add an
    authenticator app meet it too), so axe-core checks it, with its error state."""
    from django.urls import reverse

    sign_in(page, base_url, caseworker.email, password, start=reverse("admin:index"))
    page.wait_for_url(re.compile(r"/konto/2fa/authenticate/"))
    check_page(page, "caseworker-2fa")
    wrong = f"{(int(totp_code(caseworker)) + 1) % 1_000_000:06d}" if wrong_code_first else None
    # The code is read when it is typed: the wrong attempt's checks take seconds, and a
    # code read before them may have expired by then.
    enter_code(page, "caseworker-2fa", lambda: totp_code(caseworker), wrong)
    page.wait_for_url(re.compile(re.escape(reverse("admin:index")) + "$"))


def press_expecting_errors(page, ui, control):
    """Presses a control that sends a form which must come back with its error state.

    Waits for that response, not only for the "Fehler:" title: the page the control is
    on may carry it already (a resumed step shows the errors of the answers saved as they
    were), and axe-core running while the form's response loads finds its page gone."""
    from playwright.sync_api import expect

    with page.expect_navigation():
        ui.press(control)
    expect(page).to_have_title(re.compile(r"^(Fehler|Error):"))


def enter_code(page, name: str, code, wrong: str | None = None):
    """A code form (the e-mail confirmation, the authenticator app): `code` is the code or
    a function that reads it when it is typed. A wrong code first, when given, shows the
    error state, which axe-core checks too."""
    field = page.locator("input[name=code]")
    submit = page.locator("main button[type=submit]").first
    if wrong:
        field.fill(wrong)
        press_expecting_errors(page, Mouse(page), submit)
        check_page(page, f"{name}-errors")
    field.fill(code() if callable(code) else code)
    submit.click()


def check_admin_page(page, name: str):
    """A page of the Django admin, which only caseworkers use: a screenshot, no axe-core
    (the accessibility statement says the admin is not covered)."""
    if wants_screenshot(name):
        screenshot(page, name)


def sign_out(page, ui=None):
    ui = ui or Mouse(page)
    with page.expect_navigation():
        ui.press(page.locator("form[action$='/konto/logout/'] button"))
    page.wait_for_load_state()


def totp_code(user) -> str:
    """The code an authenticator app would show now for the user's TOTP secret; in the
    last seconds of a period it waits for the next one, so the code is still valid when
    the server checks it (the portal accepts only the current period's code)."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if left < 5:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


class Mouse:
    """Drives a page the usual way: clicks and typing into fields."""

    def __init__(self, page):
        self.page = page

    def fill(self, field, value: str):
        field.fill(value)

    def choose(self, radio):
        radio.check()

    def tick(self, checkbox):
        checkbox.check()

    def press(self, control):
        control.click()

    def upload(self, field, path):
        field.set_input_files(str(path))


class Keyboard(Mouse):
    """Drives a page with the keyboard only: Tab and Shift+Tab to move, Enter to follow a
    link, Space to press a button or tick a box, the arrow keys in a radio group. Every
    control it reaches must show where the focus is."""

    MAX_STEPS = 120

    def focus(self, control, group: bool = False):
        page = self.page
        handle = control.element_handle()
        for _ in range(self.MAX_STEPS):
            arrived = page.evaluate(
                """([el, group]) => {
                    const active = document.activeElement;
                    if (active === el) return true;
                    return group && active && active.type === 'radio' && active.name === el.name;
                }""",
                [handle, group],
            )
            if arrived:
                break
            forward = page.evaluate(
                """el => {
                    const active = document.activeElement;
                    if (!active || active === document.body) return true;
                    return !!(active.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
                }""",
                handle,
            )
            page.keyboard.press("Tab" if forward else "Shift+Tab")
        else:
            raise AssertionError(f"the keyboard never reaches {control}")
        assert_focus_visible(page)

    def fill(self, field, value: str):
        self.focus(field)
        self.page.keyboard.press("ControlOrMeta+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.type(value)

    def choose(self, radio):
        self.focus(radio, group=True)
        for _ in range(10):
            if radio.is_checked():
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"the arrow keys never select {radio}")

    def tick(self, checkbox):
        self.focus(checkbox)
        if not checkbox.is_checked():
            self.page.keyboard.press("Space")
        assert checkbox.is_checked()

    def press(self, control):
        self.focus(control)
        tag = control.evaluate("el => el.tagName")
        self.page.keyboard.press("Enter" if tag == "A" else "Space")

    def upload(self, field, path):
        self.focus(field)
        with self.page.expect_file_chooser() as chooser:
            self.page.keyboard.press("Space")
        chooser.value.set_files(str(path))


def assert_focus_visible(page):
    """The focused element (or, for a visually replaced control, its label) has an
    outline or a focus ring (box shadow)."""
    visible = page.evaluate(
        """() => {
            const el = document.activeElement;
            const ring = node => {
                if (!node) return false;
                const style = getComputedStyle(node);
                return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
                    || style.boxShadow !== 'none';
            };
            return ring(el) || [...(el.labels || [])].some(ring);
        }"""
    )
    assert visible, "focus is not visible on " + page.evaluate(
        "document.activeElement.outerHTML.slice(0, 120)"
    )
