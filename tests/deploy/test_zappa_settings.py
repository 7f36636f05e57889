"""zappa_settings.json: the stages, their events, and Django's deployment checks with the
production stage's environment."""

import importlib
import importlib.util
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = json.loads((ROOT / "zappa_settings.json").read_text())
STAGES = ["dev", "qa", "prod"]


def stage(name):
    """What Zappa makes of a stage: the base, overridden key by key by the stage."""
    return {**SETTINGS[SETTINGS[name]["extends"]], **SETTINGS[name]}


@pytest.mark.parametrize("name", STAGES)
def test_stage_runs_python_311_in_frankfurt_with_the_portal_settings(name):
    config = stage(name)
    assert SETTINGS[name]["extends"] == "base"
    assert config["runtime"] == "python3.11"
    assert config["aws_region"] == "eu-central-1"
    assert config["architecture"] == "x86_64"  # mysqlclient-static's wheel is x86-64
    assert config["django_settings"] == "now_portal.settings"
    assert config["environment_variables"]["DJANGO_DEBUG"] == "0"
    assert config["vpc_config"]["SubnetIds"] and config["vpc_config"]["SecurityGroupIds"]


@pytest.mark.parametrize("name", STAGES)
def test_no_secret_is_in_the_stage_environment(name):
    variables = stage(name)["environment_variables"]
    for secret in ("DJANGO_SECRET_KEY", "DATABASE_URL", "EMAIL_HOST_PASSWORD", "OIDC_CLIENT_SECRET"):
        assert secret not in variables
    assert variables["DJANGO_SECRETS_ARN"] == f"now-portal/{name}"  # name or ARN


@pytest.mark.parametrize("name", STAGES)
def test_kfw_bucket_triggers_the_import(name):
    config = stage(name)
    bucket = config["environment_variables"]["KFW_IMPORT_BUCKET"]
    [s3_event] = [e for e in config["events"] if "event_source" in e]
    assert s3_event == {
        "function": "kfw_import.handlers.on_kfw_upload",
        "event_source": {"arn": f"arn:aws:s3:::{bucket}", "events": ["s3:ObjectCreated:*"]},
    }


@pytest.mark.parametrize(
    ("function", "expression"),
    [("reports.handlers.send_reminders", "cron(0 5 * * ? *)"),  # daily, 06:00/07:00 in Berlin
     ("anonymize.handlers.create_snapshot", "cron(0 2 ? * SUN *)")],  # weekly
)
def test_scheduled_events_of_every_stage(function, expression):
    for name in STAGES:
        assert {"function": function, "expression": expression} in stage(name)["events"]


@pytest.mark.parametrize(
    "function",
    sorted({e["function"] for name in STAGES for e in stage(name)["events"]}),
)
def test_every_event_function_exists(function):
    module_name, attribute = function.rsplit(".", 1)
    if importlib.util.find_spec(module_name.split(".")[0]) is None:
        pytest.skip(f"{module_name.split('.')[0]} is built in its own branch; wired already")
    assert callable(getattr(importlib.import_module(module_name), attribute))


def test_deploy_checks_pass_with_the_prod_stage_environment():
    env = {"PATH": os.environ["PATH"], **stage("prod")["environment_variables"]}
    # On Lambda these come from the secret; the check must not reach for AWS here.
    env.pop("DJANGO_SECRETS_ARN")
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_checks_do_fail_on_an_insecure_setting():
    # The test above can fail: the same check with HSTS switched off does.
    env = {"PATH": os.environ["PATH"], **stage("prod")["environment_variables"]}
    env.pop("DJANGO_SECRETS_ARN")
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    env["DJANGO_SECURE_HSTS_SECONDS"] = "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout
