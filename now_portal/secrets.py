"""Secrets at start-up: before the settings read the environment, fill it from AWS Secrets
Manager (`DJANGO_SECRETS_ARN`: ARN or name of one secret holding a JSON object) and/or SSM Parameter
Store (`DJANGO_SSM_PATH`, one parameter per variable below that path). Neither set: nothing
happens, and boto3 is not even imported (it costs cold-start time).

On Lambda the secret is read through the AWS Parameters and Secrets Lambda Extension when
`DJANGO_SECRETS_EXTENSION=1` (its layer added to the function, docs/deploy.md): one HTTP
request to the extension on localhost, which caches the secret, instead of importing boto3
and calling Secrets Manager, which is about a third of a cold start's own cost.

A variable already set in the environment wins over the store, so an operator can
override one value for a stage without touching the secret. An RDS-managed secret
(`username`, `password`, `host`, `port`, `dbname`) yields DATABASE_URL.
"""

import json
import os
import re
from urllib.parse import quote

from django.core.exceptions import ImproperlyConfigured

NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
RDS_KEYS = {"username", "password", "host"}


def _region(environ) -> str:
    # Lambda sets AWS_REGION; elsewhere the portal's own region setting.
    return environ.get("AWS_REGION") or environ.get("AWS_S3_REGION_NAME") or "eu-central-1"


def database_url_from_rds(secret: dict) -> str:
    user = quote(str(secret["username"]), safe="")
    password = quote(str(secret["password"]), safe="")
    port = secret.get("port") or 3306
    name = secret.get("dbname") or "now_portal"
    return f"mysql://{user}:{password}@{secret['host']}:{port}/{name}"


def _checked(values: dict, source: str) -> dict:
    checked = {}
    for key, value in values.items():
        if not NAME.match(key):
            raise ImproperlyConfigured(
                f"{source}: {key!r} is not an environment variable name (upper case, digits, _)."
            )
        if isinstance(value, (dict, list)) or value is None:
            raise ImproperlyConfigured(f"{source}: the value of {key} must be text or a number.")
        checked[key] = str(value)
    return checked


def _secret_value(secret_id: str, environ) -> dict:
    """Secrets Manager's GetSecretValue answer, through the extension or the SDK."""
    if environ.get("DJANGO_SECRETS_EXTENSION", "").strip().lower() in {"1", "true", "yes", "on"}:
        return _secret_value_from_extension(secret_id, environ)
    import boto3

    client = boto3.client("secretsmanager", region_name=_region(environ))
    return client.get_secret_value(SecretId=secret_id)


def _secret_value_from_extension(secret_id: str, environ) -> dict:
    import urllib.error
    import urllib.request

    port = environ.get("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "").strip() or "2773"
    request = urllib.request.Request(
        f"http://localhost:{port}/secretsmanager/get?secretId={quote(secret_id, safe='')}",
        # The extension only answers requests of the function itself.
        headers={"X-Aws-Parameters-Secrets-Token": environ.get("AWS_SESSION_TOKEN", "")},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)
    except (OSError, ValueError) as exc:  # URLError and HTTPError are OSErrors
        raise ImproperlyConfigured(
            f"Secret {secret_id}: the AWS Parameters and Secrets extension on port {port} did "
            f"not give it ({exc}). Is its layer added to the function, and may the function "
            "read the secret?"
        ) from exc


def from_secrets_manager(secret_id: str, environ) -> dict:
    try:
        text = _secret_value(secret_id, environ)["SecretString"]
    except KeyError as exc:
        raise ImproperlyConfigured(f"Secret {secret_id} holds binary data, not JSON text.") from exc
    try:
        secret = json.loads(text)
    except ValueError as exc:
        raise ImproperlyConfigured(f"Secret {secret_id} is not valid JSON: {exc}") from exc
    if not isinstance(secret, dict):
        raise ImproperlyConfigured(f"Secret {secret_id} must be a JSON object of variables.")
    values = {}
    if RDS_KEYS <= secret.keys():
        rds = {key: secret.pop(key) for key in list(secret) if key.islower()}
        values["DATABASE_URL"] = database_url_from_rds(rds)
    values.update(_checked(secret, f"Secret {secret_id}"))
    return values


def from_ssm(path: str, environ) -> dict:
    import boto3

    client = boto3.client("ssm", region_name=_region(environ))
    prefix = path.rstrip("/") + "/"
    values = {}
    for page in client.get_paginator("get_parameters_by_path").paginate(
        Path=prefix, WithDecryption=True, Recursive=False
    ):
        for parameter in page["Parameters"]:
            values[parameter["Name"][len(prefix):]] = parameter["Value"]
    return _checked(values, f"SSM path {prefix}")


def load_secrets(environ=None) -> list[str]:
    """Fill `environ` (os.environ) from the stores named in it; returns the names set."""
    environ = os.environ if environ is None else environ
    secret_id = environ.get("DJANGO_SECRETS_ARN", "").strip()
    ssm_path = environ.get("DJANGO_SSM_PATH", "").strip()
    values = {}
    if ssm_path:
        values.update(from_ssm(ssm_path, environ))
    if secret_id:
        values.update(from_secrets_manager(secret_id, environ))
    set_now = []
    for key, value in values.items():
        if not environ.get(key, "").strip():
            environ[key] = value
            set_now.append(key)
    return set_now
