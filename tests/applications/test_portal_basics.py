"""Language switch, production settings and the demo command."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from applications.models import FundingApplication, User

from .factories import UserFactory

pytestmark = pytest.mark.django_db
PROJECT = Path(__file__).resolve().parents[2]


def test_german_by_default_and_english_after_the_switch(client):
    client.force_login(UserFactory())

    german = client.get(reverse("applications:dashboard"))
    assert '<html lang="de"' in german.content.decode()

    client.post(reverse("set_language"), {"language": "en", "next": reverse("applications:dashboard")})
    english = client.get(reverse("applications:dashboard"))
    assert '<html lang="en"' in english.content.decode()


def production_environment() -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="now-portal.example",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://now-portal.example",
    )
    return env


def test_deploy_check_passes_with_production_values():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT, env=production_environment(), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = production_environment()
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_security_headers_are_sent(client):
    response = client.get(reverse("account_login"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_seed_demo_twice_creates_nothing_new():
    call_command("seed_demo")
    counts = (User.objects.count(), FundingApplication.objects.count())
    owners = sorted(FundingApplication.objects.values_list("kfw_number", "owner_id"))

    call_command("seed_demo")

    assert (User.objects.count(), FundingApplication.objects.count()) == counts
    assert sorted(FundingApplication.objects.values_list("kfw_number", "owner_id")) == owners
    assert counts[1] >= 24
    assert FundingApplication.objects.filter(owner__isnull=False).exists()


def test_browser_language_does_not_override_german(client):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="de"' in response.content.decode()
