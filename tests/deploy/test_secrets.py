"""Secrets at start-up (now_portal/secrets.py) against moto's Secrets Manager and SSM."""

import json
import subprocess
import sys

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from moto import mock_aws

from now_portal.secrets import load_secrets


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield


def secret(value) -> str:
    client = boto3.client("secretsmanager", region_name="eu-central-1")
    text = value if isinstance(value, str) else json.dumps(value)
    return client.create_secret(Name="now-portal/test", SecretString=text)["ARN"]


def test_nothing_happens_without_a_store_named():
    environ = {"DJANGO_DEBUG": "0"}
    assert load_secrets(environ) == []
    assert environ == {"DJANGO_DEBUG": "0"}


def test_secrets_manager_json_fills_the_environment(aws):
    arn = secret({"DJANGO_SECRET_KEY": "k" * 50, "EMAIL_HOST_PASSWORD": "smtp", "EMAIL_PORT": 587})
    environ = {"DJANGO_SECRETS_ARN": arn}
    assert sorted(load_secrets(environ)) == ["DJANGO_SECRET_KEY", "EMAIL_HOST_PASSWORD", "EMAIL_PORT"]
    assert environ["DJANGO_SECRET_KEY"] == "k" * 50
    assert environ["EMAIL_PORT"] == "587"


def test_variable_already_set_wins_over_the_store(aws):
    arn = secret({"DJANGO_SECRET_KEY": "from-store", "DATABASE_URL": "mysql://a:b@c/d"})
    environ = {"DJANGO_SECRETS_ARN": arn, "DATABASE_URL": "mysql://override@host/db"}
    assert load_secrets(environ) == ["DJANGO_SECRET_KEY"]
    assert environ["DATABASE_URL"] == "mysql://override@host/db"


def test_rds_managed_secret_becomes_database_url(aws):
    arn = secret({"username": "portal", "password": "p@ss/w:rd", "host": "aurora.cluster.example",
                  "port": 3306, "dbname": "now_portal", "engine": "mysql",
                  "DJANGO_SECRET_KEY": "s" * 50})
    environ = {"DJANGO_SECRETS_ARN": arn}
    load_secrets(environ)
    assert environ["DATABASE_URL"] == (
        "mysql://portal:p%40ss%2Fw%3Ard@aurora.cluster.example:3306/now_portal"
    )
    import dj_database_url

    parsed = dj_database_url.parse(environ["DATABASE_URL"])
    assert (parsed["USER"], parsed["PASSWORD"], parsed["HOST"]) == (
        "portal", "p@ss/w:rd", "aurora.cluster.example")


def test_ssm_parameters_below_the_path(aws):
    client = boto3.client("ssm", region_name="eu-central-1")
    client.put_parameter(Name="/now-portal/qa/DJANGO_SECRET_KEY", Value="q" * 50, Type="SecureString")
    client.put_parameter(Name="/now-portal/qa/OIDC_CLIENT_SECRET", Value="oidc", Type="SecureString")
    client.put_parameter(Name="/now-portal/prod/DJANGO_SECRET_KEY", Value="other", Type="SecureString")
    environ = {"DJANGO_SSM_PATH": "/now-portal/qa"}
    assert sorted(load_secrets(environ)) == ["DJANGO_SECRET_KEY", "OIDC_CLIENT_SECRET"]
    assert environ["DJANGO_SECRET_KEY"] == "q" * 50


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        ("not json", "is not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ({"django_secret_key": "x"}, "is not an environment variable name"),
        ({"DATABASE": {"HOST": "x"}}, "must be text or a number"),
    ],
)
def test_bad_secret_is_refused_with_a_clear_message(aws, stored, message):
    arn = secret(stored)
    with pytest.raises(ImproperlyConfigured, match=message):
        load_secrets({"DJANGO_SECRETS_ARN": arn})


def test_settings_load_secrets_before_reading_them_and_boto3_stays_unimported_otherwise():
    # A fresh interpreter: settings without a store do not import boto3 at all.
    code = (
        "import sys, django; django.setup();"
        "from django.conf import settings; settings.SECRET_KEY;"
        "print('boto3' in sys.modules)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "now_portal.settings", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


# --- Through the AWS Parameters and Secrets Lambda Extension ---------------------------


@pytest.fixture
def extension():
    from deploy.local_lambda import SecretsExtension

    with SecretsExtension({}) as stand_in:
        yield stand_in.secrets, dict(stand_in.environ), stand_in.requests


def test_extension_gives_the_secret_without_boto3(extension, monkeypatch):
    secrets, environ, seen = extension
    secrets["now-portal/prod"] = json.dumps({"DJANGO_SECRET_KEY": "e" * 50, "username": "portal",
                                             "password": "pw", "host": "aurora.example"})
    monkeypatch.setitem(sys.modules, "boto3", None)  # importing it would fail

    environ["DJANGO_SECRETS_ARN"] = "now-portal/prod"
    assert sorted(load_secrets(environ)) == ["DATABASE_URL", "DJANGO_SECRET_KEY"]
    assert environ["DATABASE_URL"] == "mysql://portal:pw@aurora.example:3306/now_portal"
    assert seen == [("/secretsmanager/get", "now-portal/prod", "local-session-token")]


def test_extension_that_refuses_or_is_missing_says_so(extension):
    secrets, environ, _seen = extension
    with pytest.raises(ImproperlyConfigured, match="ResourceNotFoundException"):
        load_secrets({**environ, "DJANGO_SECRETS_ARN": "unknown"})
    closed = {**environ, "DJANGO_SECRETS_ARN": "x", "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": "1"}
    with pytest.raises(ImproperlyConfigured, match="Is its layer added to the function"):
        load_secrets(closed)
