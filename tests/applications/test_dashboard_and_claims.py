"""The dashboard, claiming further applications, and what one applicant may see."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from applications.models import ApplicationClaim

from .factories import FundingApplicationFactory, UserFactory
from .pages import screen

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(client):
    user = UserFactory(email="erika@example.org")
    client.force_login(user)
    return user


def test_dashboard_lists_only_the_applicants_own_applications(client, applicant):
    own = FundingApplicationFactory(owner=applicant, city="Görlitz")
    other = FundingApplicationFactory(claimed=True, city="Zwickau")

    response = client.get(reverse("applications:dashboard"))

    html = response.content.decode()
    assert response.status_code == 200
    assert own.kfw_number in html and "Görlitz" in html
    assert other.kfw_number not in html


def test_dashboard_requires_sign_in(client):
    response = client.get(reverse("applications:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_empty_dashboard_tells_what_to_do_next(client, applicant):
    response = client.get(reverse("applications:dashboard"))
    assert reverse("applications:claim") in response.content.decode()


def test_another_applicants_application_is_404(client, applicant):
    mine = FundingApplicationFactory(owner=applicant)
    theirs = FundingApplicationFactory(claimed=True)

    assert client.get(reverse("applications:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("applications:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("applications:detail", args=[999999])).status_code == 404


def confirm_link(message) -> str:
    match = re.search(r"https?://testserver(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_signed_in_applicant_claims_a_second_application_by_email_link(client, applicant):
    FundingApplicationFactory(owner=applicant)
    second = FundingApplicationFactory(email="Einkauf@Firma.example")

    response = client.post(
        reverse("applications:claim"),
        {"kfw_number": second.kfw_number, "email": "einkauf@firma.example "},
    )
    assert response.status_code == 200
    second.refresh_from_db()
    assert second.owner is None  # only once the link is followed

    link = confirm_link(mail.outbox[-1])
    assert mail.outbox[-1].to == ["einkauf@firma.example"]
    assert client.get(link).status_code == 200  # a page with a button: GET changes nothing
    second.refresh_from_db()
    assert second.owner is None

    response = client.post(link)
    assert response.status_code == 200
    second.refresh_from_db()
    assert second.owner == applicant
    dashboard = client.get(reverse("applications:dashboard")).content.decode()
    assert second.kfw_number in dashboard


@pytest.mark.parametrize("case", ["unknown", "wrong_email", "withdrawn", "claimed"])
def test_failed_dashboard_claim_looks_the_same_and_claims_nothing(client, applicant, case):
    matching = FundingApplicationFactory(email="match@example.org")
    reference = client.post(
        reverse("applications:claim"), {"kfw_number": matching.kfw_number, "email": "x@example.org"}
    )
    number = {
        "unknown": lambda: "4790000001",
        "wrong_email": lambda: FundingApplicationFactory(email="a@example.org").kfw_number,
        "withdrawn": lambda: FundingApplicationFactory(withdrawn=True, email="x@example.org").kfw_number,
        "claimed": lambda: FundingApplicationFactory(claimed=True, email="x@example.org").kfw_number,
    }[case]()
    mail.outbox.clear()

    response = client.post(reverse("applications:claim"), {"kfw_number": number, "email": "x@example.org"})

    assert response.status_code == reference.status_code == 200
    assert screen(response).replace("x@example.org", "") == screen(reference).replace("x@example.org", "")
    assert not ApplicationClaim.objects.filter(user=applicant).exists()
    assert len(mail.outbox) == 1 and number in mail.outbox[0].body


def test_claim_link_of_another_user_does_nothing(client, applicant):
    application = FundingApplicationFactory(email="target@example.org")
    intruder = UserFactory()
    client.post(
        reverse("applications:claim"),
        {"kfw_number": application.kfw_number, "email": "target@example.org"},
    )
    link = confirm_link(mail.outbox[-1])

    client.force_login(intruder)
    response = client.post(link)

    assert response.status_code == 400
    application.refresh_from_db()
    assert application.owner is None


def test_tampered_claim_link_is_rejected(client, applicant):
    response = client.post(reverse("applications:confirm_claim", args=["not-a-token"]))
    assert response.status_code == 400


def test_claim_requests_are_rate_limited(client, applicant):
    application = FundingApplicationFactory(email="spam@example.org")
    for _ in range(8):
        response = client.post(
            reverse("applications:claim"),
            {"kfw_number": application.kfw_number, "email": "spam@example.org"},
        )
        assert response.status_code == 200
    assert len(mail.outbox) == 5  # "5/h/user": the rest are answered but not sent
