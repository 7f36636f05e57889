"""Caseworkers reach the admin only with MFA; applicants never."""

import pytest
from django.urls import reverse

from applications.models import FundingApplication

from .factories import CaseworkerFactory, FundingApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_caseworker_without_mfa_is_sent_to_set_it_up(client):
    client.force_login(CaseworkerFactory(totp=False))

    response = client.get(reverse("admin:index"), follow=True)

    urls = [url for url, _ in response.redirect_chain]
    assert any(url.startswith(reverse("mfa_index")) for url in urls)
    assert client.get(reverse("admin:applications_fundingapplication_changelist")).status_code == 302


def test_caseworker_with_mfa_searches_applications(client):
    client.force_login(CaseworkerFactory())
    FundingApplicationFactory(applicant_name="Stadtwerke Görlitz", city="Görlitz")
    FundingApplicationFactory(applicant_name="Autohaus Meier", city="Köln")

    response = client.get(
        reverse("admin:applications_fundingapplication_changelist"), {"q": "Görlitz"}
    )

    assert response.status_code == 200
    assert "Stadtwerke Görlitz" in response.content.decode()
    assert "Autohaus Meier" not in response.content.decode()
    amount = FundingApplication.objects.get(city="Görlitz").approved_amount
    written = f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    assert f"{written}\xa0€" in response.content.decode() or f"{written} €" in response.content.decode()


def test_caseworker_filters_by_programme_and_status(client):
    client.force_login(CaseworkerFactory())
    FundingApplicationFactory(program="439", applicant_name="Gemeinde A")
    FundingApplicationFactory(program="441", applicant_name="Firma B", withdrawn=True)

    url = reverse("admin:applications_fundingapplication_changelist")
    html = client.get(url, {"program__exact": "439"}).content.decode()
    assert "Gemeinde A" in html and "Firma B" not in html
    html = client.get(url, {"kfw_status__exact": "withdrawn"}).content.decode()
    assert "Firma B" in html and "Gemeinde A" not in html


def test_applicant_is_kept_out_of_the_admin(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert client.get(response["Location"]).status_code == 403


def test_anonymous_admin_login_goes_through_allauth(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_caseworker_finds_an_applicant_to_make_owner_but_no_staff_and_no_user_admin(client):
    """The owner field's search box: caseworkers may not open the user admin, but they
    may search applicants' accounts for the one field they may change; staff accounts
    are never offered."""
    caseworker = CaseworkerFactory(email="sachbearbeitung@now-gmbh.example")
    client.force_login(caseworker)
    application = FundingApplicationFactory()
    UserFactory(email="neue.inhaberin@example.org")
    CaseworkerFactory(email="neue.kollegin@now-gmbh.example")
    search = reverse("admin:autocomplete")
    params = {"app_label": "applications", "model_name": "fundingapplication",
              "field_name": "owner"}

    found = client.get(search, {**params, "term": "neue"})
    assert found.status_code == 200
    assert [r["text"] for r in found.json()["results"]] == ["neue.inhaberin@example.org"]
    page = client.get(reverse("admin:applications_fundingapplication_change", args=[application.pk]))
    assert search in page.content.decode()  # the change form uses it
    assert client.get(reverse("admin:applications_user_changelist")).status_code == 403

    client.force_login(UserFactory())  # an applicant: no admin at all
    assert client.get(search, {**params, "term": "neue"}).status_code != 200


def test_the_claims_list_speaks_german(client):
    from applications.models import ApplicationClaim

    applicant = UserFactory()
    ApplicationClaim.objects.create(user=applicant, application=FundingApplicationFactory(),
                                    email=applicant.email)
    client.force_login(CaseworkerFactory())
    page = client.get(reverse("admin:applications_applicationclaim_changelist")).content.decode()
    for header in ("Konto", "Förderantrag", "Angefordert am", "Bestätigt am"):
        assert header in page
    assert "Created at" not in page and "Completed at" not in page
