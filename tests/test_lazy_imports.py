"""WebAuthn's libraries load when a passkey is used, not with every cold start
(now_portal/lazy_imports.py)."""

import json
import subprocess
import sys

import pytest
from django.urls import reverse


def test_url_configuration_and_mfa_views_do_not_import_fido2_until_used():
    code = (
        "import sys, django; django.setup();"
        "from django.urls import reverse; reverse('account_login');"
        "import allauth.mfa.webauthn.views, allauth.mfa.stages;"
        "before = 'fido2' in sys.modules;"
        "from allauth.mfa.webauthn.internal import auth; auth.begin_authentication;"
        "print(before, 'fido2' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={"DJANGO_SETTINGS_MODULE": "now_portal.settings", "PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.split() == ["False", "True"]


@pytest.mark.django_db
def test_passkey_sign_in_still_gets_its_webauthn_challenge(client):
    response = client.get(reverse("mfa_login_webauthn"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    options = json.loads(response.content)
    assert options["request_options"]["publicKey"]["challenge"]
