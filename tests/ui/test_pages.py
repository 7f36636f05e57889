"""Every page renders in German by default and in English after the language switch,
with the base layout's landmarks and nothing that the Content Security Policy would block."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.applications.factories import PASSWORD

from .conftest import switch_to_english
from .html import attrs, elements, find, find_all, text, tree

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "applications:home",
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "accessibility",
    "imprint",
    "privacy",
]
APPLICANT_PAGES = [
    "applications:dashboard",
    "applications:claim",
    "mfa_index",
    "account_email",
    "account_change_password",
    "account_logout",
]
# allauth's German says "du" in places; the portal addresses applicants with "Sie".
# Pronouns and the informal imperatives allauth's catalogue uses ("Bitte kontaktiere uns").
INFORMAL_GERMAN = re.compile(r"\b(du|dein\w*|dich|dir|kontaktiere|klicke|gib|wähle|gehe)\b", re.IGNORECASE)


def assert_csp_safe(page):
    """No inline script or style: `script-src 'self'` and `style-src 'self'` would block them."""
    for element in elements(page):
        values = attrs(element)
        assert "style" not in values, f"style attribute on <{element.name}>"
        assert not any(name.startswith("on") for name in values), f"event handler on <{element.name}>"
        assert element.name != "style", "<style> element"
        if element.name == "script":
            # Data blocks (allauth's JSON) are never executed, so the policy allows them.
            assert "src" in values or values.get("type") == "application/json", "inline <script>"


def assert_base_layout(page, language):
    html = find(page, "html")
    assert attrs(html)["lang"] == language
    body = find(page, "body")
    first_link = find(body, "a")
    assert attrs(first_link)["href"] == "#main", "the skip link comes first"
    assert find(page, "main", id="main") is not None
    footer = find(page, "footer")
    hrefs = {attrs(link)["href"] for link in find_all(footer, "a")}
    assert {reverse("accessibility"), reverse("imprint"), reverse("privacy")} <= hrefs
    switch = find(page, "form", action=reverse("set_language"))
    assert attrs(switch)["method"] == "post"
    assert find(switch, "button", name="language") is not None
    # An icon of our own: no browser asks for /favicon.ico (answered by the 404 page).
    icon = find(page, "link", rel="icon")
    assert icon is not None and attrs(icon)["href"].startswith(settings.STATIC_URL)
    assert finders.find(attrs(icon)["href"].removeprefix(settings.STATIC_URL))


def title(page) -> str:
    return text(find(page, "title"))


def check_both_languages(client, url):
    german = client.get(url)
    assert german.status_code == 200, url
    german_page = tree(german)
    assert_base_layout(german_page, "de")
    assert_csp_safe(german_page)
    assert "Zum Hauptinhalt springen" in german.content.decode()
    assert not INFORMAL_GERMAN.findall(text(find(german_page, "main"))), url

    switch_to_english(client, url)
    english = client.get(url)
    assert english.status_code == 200, url
    english_page = tree(english)
    assert_base_layout(english_page, "en")
    assert_csp_safe(english_page)
    assert "Skip to main content" in english.content.decode()
    # Every page title is translated.
    assert title(german_page) != title(english_page)
    assert title(german_page).endswith("– NOW-Portal")


@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_public_page_in_german_and_english(client, url_name):
    check_both_languages(client, reverse(url_name))


@pytest.mark.parametrize("url_name", APPLICANT_PAGES)
def test_applicant_page_in_german_and_english(client, application, url_name):
    check_both_languages(client, reverse(url_name))


def test_authenticator_app_activation_in_german_and_english(client, applicant):
    # Setting up a second factor asks for a fresh sign-in with the password.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    check_both_languages(client, reverse("mfa_activate_totp"))
    page = tree(client.get(reverse("mfa_activate_totp")))
    qr_code = find(page, "img", class_="portal-qr")
    assert attrs(qr_code)["src"].startswith("data:image/svg+xml")
    assert attrs(qr_code)["alt"]
    # The secret is there to copy (readonly, so it stays focusable), not disabled.
    secret = find(page, "textarea", id="authenticator_secret")
    assert "readonly" in attrs(secret) and "disabled" not in attrs(secret)


def test_application_detail_in_german_and_english(client, application):
    check_both_languages(client, reverse("applications:detail", args=[application.pk]))


def test_claim_confirmation_page_in_german_and_english(client, applicant):
    check_both_languages(client, reverse("applications:confirm_claim", args=["some-token"]))


def test_invalid_password_reset_link_page(client):
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "not-a-key"})
    response = client.get(url, follow=True)
    assert response.status_code == 200
    page = tree(response)
    assert_base_layout(page, "de")
    assert_csp_safe(page)
    assert not INFORMAL_GERMAN.findall(text(find(page, "main")))


def test_failed_claim_link_page(client, applicant):
    response = client.post(reverse("applications:confirm_claim", args=["not-a-valid-token"]))
    assert response.status_code == 400
    page = tree(response)
    assert_base_layout(page, "de")
    assert_csp_safe(page)
    assert "Dieser Link lässt sich nicht verwenden" in title(page)


def test_claim_sent_page(client, applicant):
    response = client.post(
        reverse("applications:claim"), {"kfw_number": "4711000099", "email": "someone@example.org"}
    )
    assert response.status_code == 200
    page = tree(response)
    assert_csp_safe(page)
    assert "someone@example.org" in text(find(page, "main"))
    assert title(page).startswith("Bitte sehen Sie in Ihr E-Mail-Postfach")


def test_header_navigation_when_signed_in(client, applicant):
    page = tree(client.get(reverse("applications:dashboard")))
    nav = find(page, "nav", aria_label="Hauptnavigation")
    assert attrs(find(nav, "a", href=reverse("applications:dashboard")))["aria-current"] == "page"
    assert find(nav, "a", href=reverse("mfa_index")) is not None
    # Signing out changes state, so it is a POST form, not a link.
    logout = find(nav, "form", action=reverse("account_logout"))
    assert attrs(logout)["method"] == "post"
    assert find(logout, "input", name="csrfmiddlewaretoken") is not None


def test_no_navigation_for_visitors(client):
    page = tree(client.get(reverse("applications:home")))
    assert find(page, "nav", aria_label="Hauptnavigation") is None


def test_language_switch_returns_to_the_same_page(client):
    url = reverse("privacy")
    page = tree(client.get(url))
    switch = find(page, "form", action=reverse("set_language"))
    assert attrs(find(switch, "input", name="next"))["value"] == url
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response["Location"] == url


def test_signed_out_message_is_a_kern_alert_in_polite_german(client, applicant):
    response = client.post(reverse("account_logout"), follow=True)
    page = tree(response)
    alert = next(e for e in find_all(page, "div", role="status") if "kern-alert" in attrs(e)["class"])
    # allauth's own German says "Du hast dich abgemeldet."; the portal speaks with "Sie".
    assert "Sie haben sich abgemeldet." in text(alert)


def test_recovery_codes_page(client, applicant):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(applicant, generate_totp_secret())
    codes = RecoveryCodes.activate(applicant).get_unused_codes()
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_view_recovery_codes"))
    assert response.status_code == 200
    page = tree(response)
    assert_base_layout(page, "de")
    assert_csp_safe(page)
    field = find(page, "textarea", id="recovery_codes")
    assert "readonly" in attrs(field)
    assert codes[0] in text(field)
    assert find(page, "label", for_="recovery_codes") is not None
