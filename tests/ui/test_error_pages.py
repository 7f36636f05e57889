"""The portal's error pages: a wrong address, a page not theirs, a refused form, too many
attempts and a fault on our side each answer in the portal's layout and plain words, in
German and English, with a way on, never Django's or allauth's technical pages."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path, reverse

from reports.models import Report
from tests.applications.factories import PASSWORD, FundingApplicationFactory, UserFactory

from .conftest import switch_to_english
from .html import find, text, tree
from .test_pages import assert_base_layout, assert_csp_safe

pytestmark = pytest.mark.django_db


def refused(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("a fault on our side")


# This module is the URLconf of the tests that need a view that fails: the portal's own
# URLs (and handler429) with two more.
urlpatterns = [
    path("test-refused/", refused),
    path("test-broken/", broken),
    path("", include("now_portal.urls")),
]
handler429 = "now_portal.error_views.too_many_requests"


def assert_error_page(response, status, heading, language="de"):
    assert response.status_code == status
    page = tree(response)
    assert text(find(page, "h1")) == heading
    assert text(find(page, "title")).startswith(heading + " – NOW-Portal")
    assert_base_layout(page, language)
    assert_csp_safe(page)
    main = find(page, "main", id="main")
    assert find(main, "a", href=reverse("applications:dashboard")) is not None  # a way on
    return page


def test_an_address_that_does_not_exist(client):
    response = client.get("/gibt-es-nicht/")
    assert_error_page(response, 404, "Seite nicht gefunden")
    assert "prüfen Sie bitte, ob sie stimmt" in response.content.decode()


def test_in_english_after_the_language_switch(client):
    switch_to_english(client)
    assert_error_page(client.get("/gibt-es-nicht/"), 404, "Page not found", "en")


def test_another_applicants_report_is_not_found_and_says_so(client):
    owner = UserFactory()
    application = FundingApplicationFactory(owner=owner)
    client.force_login(owner)
    client.post(reverse("reports:start", args=[application.pk, "commissioning", 0]))
    report = Report.objects.get(application=application)

    other = UserFactory()
    client.force_login(other)
    for url in (reverse("reports:detail", args=[report.pk]),
                reverse("reports:commissioning", args=[report.pk])):
        page = assert_error_page(client.get(url), 404, "Seite nicht gefunden")
        assert application.kfw_number not in text(page)


def test_a_form_sent_without_a_valid_token(client):
    """A page left open too long, or a sign-out in another window: Django's CSRF check
    refuses the form; the applicant reads what to do, and nothing happens."""
    user = UserFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("account_login"))
    response = browser.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert_error_page(response, 403, "Bitte senden Sie das Formular noch einmal")
    assert "Cookies" in response.content.decode()
    assert "_auth_user_id" not in browser.session


def test_too_many_sign_in_attempts(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    user = UserFactory()
    for _ in range(2):
        client.post(reverse("account_login"), {"login": user.email, "password": "falsch-falsch"})
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    page = assert_error_page(response, 429, "Zu viele Versuche")
    assert "warten Sie einige Minuten" in text(page)
    assert "_auth_user_id" not in client.session  # not signed in, even with the right password


def test_a_page_not_theirs(client, settings):
    settings.ROOT_URLCONF = __name__
    client.force_login(UserFactory())
    assert_error_page(client.get("/test-refused/"), 403, "Kein Zugriff auf diese Seite")


def test_a_fault_on_our_side(client, settings):
    """Django renders 500.html without a request: the layout must not need one."""
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    response = client.get("/test-broken/")
    page = assert_error_page(response, 500, "Entschuldigung, bei uns ist ein Fehler aufgetreten")
    assert "RuntimeError" not in response.content.decode()
    assert "bleibt erhalten" in text(page)
