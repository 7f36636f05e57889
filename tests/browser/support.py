"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser).

They run whenever /usr/bin/chromium is present (`.ci/run` installs it) and are skipped
with a clear reason otherwise. The fixtures (`browser`, `phone_page`, `desktop_page`)
live in tests/conftest.py so every folder shares one browser.
"""

import os
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
    page.set_default_timeout(15_000)
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
