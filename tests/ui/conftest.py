import pytest
from django.urls import reverse

from tests.applications.factories import FundingApplicationFactory, UserFactory


@pytest.fixture
def applicant(client):
    user = UserFactory(email="anna@example.org")
    client.force_login(user)
    return user


@pytest.fixture
def application(applicant):
    return FundingApplicationFactory(
        owner=applicant, email=applicant.email, city="Görlitz", approved_amount="12345.67"
    )


def switch_to_english(client, next_url="/"):
    response = client.post(reverse("set_language"), {"language": "en", "next": next_url})
    assert response.status_code == 302
