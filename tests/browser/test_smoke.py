import pytest

from .support import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_renders_in_chromium_without_violations(live_server, phone_page):
    phone_page.goto(f"{live_server.url}/konto/login/")
    assert phone_page.locator("html").get_attribute("lang") == "de"
    assert_accessible(phone_page)
