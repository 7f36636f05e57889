"""The command an operator runs for the first caseworker after a deployment."""

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import CommandError, call_command

from applications.models import User

pytestmark = pytest.mark.django_db


def test_creates_a_caseworker_without_a_usable_password():
    call_command("create_caseworker", "Anna.Berg@NOW-GmbH.example", "--first-name", "Anna")
    user = User.objects.get(email="anna.berg@now-gmbh.example")
    assert user.is_staff and not user.is_superuser and user.first_name == "Anna"
    assert not user.has_usable_password()
    assert user.groups.filter(name=settings.CASEWORKER_GROUP).exists()
    assert user.has_perm("reports.change_report")
    address = EmailAddress.objects.get(user=user)
    assert address.verified and address.primary


def test_repeating_changes_nothing_and_superuser_is_added_on_request(capsys):
    call_command("create_caseworker", "lead@now-gmbh.example")
    call_command("create_caseworker", "lead@now-gmbh.example", "--superuser")
    assert User.objects.filter(email="lead@now-gmbh.example").count() == 1
    assert EmailAddress.objects.filter(email="lead@now-gmbh.example").count() == 1
    assert User.objects.get(email="lead@now-gmbh.example").is_superuser
    assert "updated" in capsys.readouterr().out


def test_existing_applicant_keeps_password_and_becomes_caseworker():
    user = User.objects.create_user(email="ben@now-gmbh.example", password="Ein-gutes-Passwort-1")
    call_command("create_caseworker", "ben@now-gmbh.example")
    user.refresh_from_db()
    assert user.is_staff and user.check_password("Ein-gutes-Passwort-1")


def test_not_an_email_address_is_refused():
    with pytest.raises(CommandError, match="is not an e-mail address"):
        call_command("create_caseworker", "anna.berg")
    assert not User.objects.exists()
