"""What an applicant sees: the dashboard's cards and empty state, and the e-mails."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.applications.factories import PASSWORD, FundingApplicationFactory, UserFactory
from tests.mail_checks import german_and_english

from .conftest import switch_to_english
from .html import attrs, find, find_all, has_class, text, tree

pytestmark = pytest.mark.django_db


def cards(page):
    return [e for e in find_all(page, "li") if has_class(e, "kern-card")]


def test_dashboard_card_per_application_with_a_place_for_reports(client, applicant):
    FundingApplicationFactory(owner=applicant, kfw_number="4711000001", city="Görlitz",
                              approved_amount="12345.67", approved_charging_points=6)
    FundingApplicationFactory(owner=applicant, kfw_number="4711000002", withdrawn=True)
    FundingApplicationFactory(claimed=True, kfw_number="4711000003")  # someone else's

    page = tree(client.get(reverse("applications:dashboard")))

    shown = cards(page)
    assert len(shown) == 2
    first = text(shown[0])
    assert "4711000001" in first and "Görlitz" in first
    assert "Programm 441 – Unternehmen" in first
    assert "12.345,67 €" in first  # German number format
    assert "Bewilligt" in first
    assert "Zurückgezogen" in text(shown[1])
    for card in shown:
        regions = [e for e in find_all(card, "div") if has_class(e, "application-reports")]
        assert len(regions) == 1
    assert "4711000003" not in text(page)
    assert find(page, "a", href=reverse("applications:claim")) is not None


def test_dashboard_in_english_formats_the_amount_in_english(client, applicant):
    FundingApplicationFactory(owner=applicant, approved_amount="12345.67")
    switch_to_english(client)
    page = tree(client.get(reverse("applications:dashboard")))
    assert "EUR 12,345.67" in text(page)
    assert "Approved" in text(page)


def test_empty_dashboard_explains_the_next_step(client, applicant):
    page = tree(client.get(reverse("applications:dashboard")))
    assert cards(page) == []
    main = text(find(page, "main"))
    assert "Sie haben noch keinen Antrag hinzugefügt" in main
    assert "KfW-Antragsnummer" in main
    link = find(page, "a", href=reverse("applications:claim"))
    assert "Antrag hinzufügen" in text(link)


def test_detail_page_shows_the_kfw_data(client, applicant):
    application = FundingApplicationFactory(owner=applicant, approval_date="2026-03-31")
    page = tree(client.get(reverse("applications:detail", args=[application.pk])))
    main = text(find(page, "main"))
    assert application.applicant_name in main
    assert application.site_address in main
    assert "31. März 2026" in main
    assert find(page, "a", href=reverse("applications:dashboard")) is not None


def mail_parts(message):
    return german_and_english(message.body)


def test_claim_mail_is_german_then_english_with_the_link(client, applicant):
    application = FundingApplicationFactory(email="ladepark@example.org", applicant_name="Ladepark Süd & Co. KG")
    client.post(reverse("applications:claim"), {"kfw_number": application.kfw_number, "email": "ladepark@example.org"})

    message = mail.outbox[-1]
    assert message.subject.endswith(
        "Bitte bestätigen Sie Ihren Antrag im NOW-Portal / Please confirm your application in the NOW-Portal"
    )
    german, english = mail_parts(message)
    link = re.search(r"https?://testserver/\S+", message.body).group(0)
    assert link in german and link in english
    assert "Guten Tag," in german and "Mit freundlichen Grüßen" in german
    assert "Hello," in english and "Kind regards" in english
    assert "Ladepark Süd & Co. KG" in german  # plain text: nothing HTML-escaped
    assert "&amp;" not in message.body


def test_unmatched_claim_mail_explains_in_both_languages(client, applicant):
    client.post(reverse("applications:claim"), {"kfw_number": "4711999999", "email": "nobody@example.org"})
    message = mail.outbox[-1]
    german, english = mail_parts(message)
    assert "4711999999" in german and "4711999999" in english
    assert "Bitte prüfen Sie:" in german
    assert "Please check:" in english
    assert not re.search(r"https?://", message.body)


def test_sign_up_with_a_known_address_mails_how_to_sign_in_and_add_applications(client):
    UserFactory(email="bekannt@example.org")
    response = client.post(
        reverse("account_signup"),
        {"kfw_number": "4711000001", "email": "bekannt@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.to == ["bekannt@example.org"]
    assert "Sie haben bereits ein Konto im NOW-Portal" in message.subject
    assert "bereits ein Konto" in message.body
    assert "„Antrag hinzufügen“" in message.body
    assert "/konto/password/reset/" in message.body
    assert "Guten Tag," in message.body
