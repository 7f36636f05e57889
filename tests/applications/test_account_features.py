"""Account features every applicant has: password reset, MFA, optional single sign-on."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
PROJECT = Path(__file__).resolve().parents[2]


def test_password_reset_mails_a_link_to_a_known_address(client):
    UserFactory(email="vergesslich@example.org")
    response = client.post(reverse("account_reset_password"), {"email": "vergesslich@example.org"})
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["vergesslich@example.org"]
    assert "/konto/password/reset/key/" in mail.outbox[-1].body


def test_password_reset_for_an_unknown_address_says_how_to_register(client):
    """Nothing on the page tells whether the address has an account (enumeration); the
    mail to it says there is none, in the portal's words, and how to register."""
    response = client.post(reverse("account_reset_password"), {"email": "niemand@example.org"})
    assert response.status_code == 302
    body = mail.outbox[-1].body
    assert mail.outbox[-1].to == ["niemand@example.org"]
    assert "Ein Konto mit dieser Adresse gibt es nicht." in body
    assert "KfW-Antragsnummer" in body and "/konto/signup/" in body
    assert "Datenbank" not in body and "Account" not in body


def test_mfa_is_available_to_every_applicant(client):
    client.force_login(UserFactory())
    assert client.get(reverse("mfa_index")).status_code == 200


def test_login_is_rate_limited(client):
    UserFactory(email="ziel@example.org")
    for _ in range(6):
        response = client.post(reverse("account_login"), {"login": "ziel@example.org", "password": "falsch"})
    errors = " ".join(response.context["form"].non_field_errors())
    # allauth: five failed attempts per account lock further attempts for a while,
    # even with the right password.
    assert "zu viele" in errors.lower() or "too many" in errors.lower()
    response = client.post(reverse("account_login"), {"login": "ziel@example.org", "password": PASSWORD})
    assert response.status_code == 200 and not response.wsgi_request.user.is_authenticated


def oidc_apps(env_extra: dict) -> list:
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS']))"
    )
    env = {"DJANGO_SETTINGS_MODULE": "now_portal.settings", "PATH": "/usr/bin:/bin", **env_extra}
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=env,
                         capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


def test_openid_connect_is_off_without_its_settings_and_on_with_them():
    assert oidc_apps({}) == []
    apps = oidc_apps({
        "OIDC_CLIENT_ID": "portal", "OIDC_CLIENT_SECRET": "s3cr3t",
        "OIDC_SERVER_URL": "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_abc",
    })
    assert apps[0]["provider_id"] == "cognito"
    assert apps[0]["settings"]["server_url"].endswith("eu-central-1_abc")
