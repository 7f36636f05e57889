"""Registration is a claim of an imported application, proven by the e-mail code."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from applications.models import ApplicationClaim, FundingApplication, User

from .factories import PASSWORD, FundingApplicationFactory, UserFactory
from .pages import screen

pytestmark = pytest.mark.django_db


def sign_up(client, kfw_number, email):
    return client.post(
        reverse("account_signup"),
        {"kfw_number": kfw_number, "email": email, "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )


def code_from_mail(message) -> str:
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE)
    assert match, message.body
    return match.group(1)


def test_claim_succeeds_only_after_the_email_code_is_confirmed(client):
    application = FundingApplicationFactory(email="Jana.Kraft@Example.org")

    response = sign_up(client, f" {application.kfw_number} ", "  jana.kraft@example.ORG ")

    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    user = User.objects.get(email="jana.kraft@example.org")
    assert ApplicationClaim.objects.filter(user=user, application=application).exists()
    application.refresh_from_db()
    assert application.owner is None  # not before the address is proven

    code = code_from_mail(mail.outbox[-1])
    # In the portal's words and name, not allauth's "… Benutzer x hat … bei testserver".
    body = mail.outbox[-1].body
    assert "Sie registrieren sich mit dieser E-Mail-Adresse im NOW-Portal." in body
    assert "testserver" not in body and "Benutzer" not in body
    response = client.post(reverse("account_email_verification_sent"), {"code": code}, follow=True)

    application.refresh_from_db()
    assert application.owner == user
    assert application.claimed_at is not None
    assert response.redirect_chain[-1][0] == reverse("applications:dashboard")
    assert application.kfw_number in response.content.decode()


@pytest.mark.parametrize(
    "case",
    ["unknown_number", "wrong_email", "withdrawn", "already_claimed"],
)
def test_failed_claim_looks_the_same_and_claims_nothing(client, case):
    matching = FundingApplicationFactory(email="ok@example.org")
    reference = sign_up(client, matching.kfw_number, "ok@example.org")
    client.logout()
    client.cookies.clear()
    mail.outbox.clear()

    target = {
        "unknown_number": lambda: ("4799999999", "someone@example.org"),
        "wrong_email": lambda: (FundingApplicationFactory(email="a@example.org").kfw_number, "someone@example.org"),
        "withdrawn": lambda: (FundingApplicationFactory(withdrawn=True, email="someone@example.org").kfw_number, "someone@example.org"),
        "already_claimed": lambda: (FundingApplicationFactory(claimed=True, email="someone@example.org").kfw_number, "someone@example.org"),
    }[case]
    kfw_number, email = target()
    owners_before = dict(FundingApplication.objects.values_list("kfw_number", "owner_id"))

    response = sign_up(client, kfw_number, email)

    assert response.status_code == reference.status_code == 200
    assert [url for url, _ in response.redirect_chain] == [url for url, _ in reference.redirect_chain]
    assert screen(response).replace(email, "") == screen(reference).replace("ok@example.org", "")
    assert not User.objects.filter(email=email).exists()
    assert not ApplicationClaim.objects.filter(email=email).exists()
    assert dict(FundingApplication.objects.values_list("kfw_number", "owner_id")) == owners_before
    # The mail tells the person what happened.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [email]
    assert kfw_number in mail.outbox[0].body
    # No code it could contain lets anyone in.
    client.post(reverse("account_email_verification_sent"), {"code": "ABCDEF"})
    assert not User.objects.filter(email=email).exists()


def test_signup_with_an_existing_account_sends_the_existing_account_mail(client):
    user = UserFactory(email="bekannt@example.org")
    application = FundingApplicationFactory(email="bekannt@example.org")

    response = sign_up(client, application.kfw_number, "bekannt@example.org")

    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    assert User.objects.filter(email="bekannt@example.org").count() == 1
    application.refresh_from_db()
    assert application.owner is None
    assert mail.outbox[-1].to == ["bekannt@example.org"]
    assert user.pk  # the account is untouched


def test_kfw_number_in_the_wrong_format_is_a_form_error(client):
    response = client.post(
        reverse("account_signup"),
        {"kfw_number": "12-34", "email": "x@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["kfw_number"]
    assert not User.objects.filter(email="x@example.org").exists()


def test_two_people_racing_for_one_application_only_the_first_verified_gets_it(client):
    from applications import claims

    application = FundingApplicationFactory(email="shared@example.org")
    first, second = UserFactory(), UserFactory()
    claim_one = claims.record_claim(first, application, "shared@example.org")
    claim_two = claims.record_claim(second, application, "shared@example.org")

    assert claims.complete_claim(claim_one) is True
    assert claims.complete_claim(claim_two) is False
    application.refresh_from_db()
    assert application.owner == first
