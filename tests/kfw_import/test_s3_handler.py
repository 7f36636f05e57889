"""The S3 trigger end to end: moto's S3 server on loopback, real boto3 HTTP calls, the
event as AWS sends it (URL-encoded key)."""

from urllib.parse import quote_plus

import pytest

from applications.models import FundingApplication
from kfw_import.handlers import ImportFailedError, on_kfw_upload
from kfw_import.models import ApplicationChange, ImportRun, ImportSource, ImportStatus
from kfw_import.workbooks import valid_row

from .conftest import workbook_bytes

pytestmark = pytest.mark.django_db

KEY = "eingang/ZusagenÜbersicht 2026.xlsx"


@pytest.fixture
def s3_settings(settings, s3_endpoint):
    settings.AWS_S3_ENDPOINT_URL = s3_endpoint
    settings.AWS_S3_REGION_NAME = "eu-central-1"
    return settings


def s3_event(bucket: str, key: str, size: int) -> dict:
    """An `ObjectCreated:Put` notification as S3 delivers it to Lambda."""
    return {"Records": [{
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "eu-central-1",
        "eventTime": "2026-11-25T09:00:00.000Z",
        "eventName": "ObjectCreated:Put",
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "kfw-import",
            "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
            # S3 encodes keys like HTML forms: "+" for a space, %C3%9C for "Ü".
            "object": {"key": quote_plus(KEY if key is None else key, safe="/"), "size": size,
                       "eTag": "0123456789abcdef", "sequencer": "0055AED6DCD90281E5"},
        },
    }]}


def upload(s3_client, bucket, rows, key=KEY):
    body = workbook_bytes(rows).getvalue()
    s3_client.put_object(Bucket=bucket, Key=key, Body=body)
    return s3_event(bucket, key, len(body))


def test_event_key_is_url_encoded_as_aws_sends_it(s3_bucket):
    event = s3_event(s3_bucket, KEY, 1)
    assert event["Records"][0]["s3"]["object"]["key"] == "eingang/Zusagen%C3%9Cbersicht+2026.xlsx"


def test_upload_to_s3_is_imported_and_redelivery_changes_nothing(s3_settings, s3_client, s3_bucket):
    event = upload(s3_client, s3_bucket, [valid_row(1), valid_row(2), valid_row(3, PLZ="x")])

    result = on_kfw_upload(event, None)

    [summary] = result["imports"]
    assert summary["key"] == KEY
    assert (summary["status"], summary["created"], summary["rejected"]) == (
        ImportStatus.IMPORTED_WITH_REJECTIONS, 2, 1)
    run = ImportRun.objects.get(pk=summary["run"])
    assert (run.source, run.file_name) == (ImportSource.S3, KEY)
    assert run.rejected_rows[0]["row"] == 4
    assert sorted(FundingApplication.objects.values_list("kfw_number", flat=True)) == [
        "4400000001", "4400000002"]
    before = list(FundingApplication.objects.order_by("pk").values())

    again = on_kfw_upload(event, None)  # Lambda retries an asynchronous event

    assert again["imports"][0]["status"] == ImportStatus.ALREADY_IMPORTED
    assert list(FundingApplication.objects.order_by("pk").values()) == before
    assert not ApplicationChange.objects.exists()
    assert ImportRun.objects.get(pk=again["imports"][0]["run"]).already_imported_by == run


def test_changed_export_updates_through_s3(s3_settings, s3_client, s3_bucket):
    on_kfw_upload(upload(s3_client, s3_bucket, [valid_row(1)]), None)

    result = on_kfw_upload(upload(s3_client, s3_bucket, [valid_row(1, Status="storniert")],
                                  key="eingang/Stornos +März.xlsx"), None)

    assert result["imports"][0]["withdrawn"] == 1
    assert result["imports"][0]["key"] == "eingang/Stornos +März.xlsx"
    assert FundingApplication.objects.get().is_withdrawn


def test_object_that_is_not_a_workbook_is_recorded_as_rejected(s3_settings, s3_client, s3_bucket):
    s3_client.put_object(Bucket=s3_bucket, Key="export.csv", Body=b"Antragsnummer;PLZ\n")

    result = on_kfw_upload(s3_event(s3_bucket, "export.csv", 18), None)

    assert result["imports"][0]["status"] == ImportStatus.REJECTED
    assert not FundingApplication.objects.exists()


def test_oversize_object_is_refused_without_reading_all_of_it(s3_settings, s3_client, s3_bucket):
    s3_settings.KFW_IMPORT_MAX_BYTES = 2000
    event = upload(s3_client, s3_bucket, [valid_row(n) for n in range(50)])

    result = on_kfw_upload(event, None)

    assert result["imports"][0]["status"] == ImportStatus.REJECTED
    assert not FundingApplication.objects.exists()


def test_failed_import_raises_so_that_lambda_retries(s3_settings, s3_client, s3_bucket, monkeypatch):
    from kfw_import import importer

    event = upload(s3_client, s3_bucket, [valid_row(1)])
    monkeypatch.setattr(importer.Upsert, "flush", lambda self: 1 / 0)

    with pytest.raises(ImportFailedError):
        on_kfw_upload(event, None)
    assert ImportRun.objects.get().status == ImportStatus.FAILED
    monkeypatch.undo()

    assert on_kfw_upload(event, None)["imports"][0]["created"] == 1  # the retry goes in


def test_handler_module_imports_neither_boto3_nor_openpyxl():
    import subprocess
    import sys

    code = ("import sys; import kfw_import.handlers; "
            "print(any(m.split('.')[0] in ('boto3', 'openpyxl') for m in sys.modules))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "False"


def test_invitations_go_out_once_and_not_again_on_redelivery(
    s3_settings, s3_client, s3_bucket, django_capture_on_commit_callbacks
):
    from django.core import mail

    event = upload(s3_client, s3_bucket, [valid_row(1), valid_row(2, Status="storniert")])

    with django_capture_on_commit_callbacks(execute=True):
        on_kfw_upload(event, None)
    with django_capture_on_commit_callbacks(execute=True):
        on_kfw_upload(event, None)  # the retry

    assert [message.to for message in mail.outbox] == [[valid_row(1)["E-Mail"]]]


def test_original_is_archived_in_s3_under_its_hash(s3_settings, s3_storage, s3_client, s3_bucket):
    event = upload(s3_client, s3_bucket, [valid_row(1)], key="eingang/Zusagen 1+1 Größe.xlsx")
    uploaded = s3_client.get_object(Bucket=s3_bucket, Key="eingang/Zusagen 1+1 Größe.xlsx")["Body"].read()

    [summary] = on_kfw_upload(event, None)["imports"]

    assert summary["key"] == "eingang/Zusagen 1+1 Größe.xlsx" and summary["created"] == 1
    archived = s3_client.get_object(Bucket=s3_storage, Key=f"kfw-imports/{summary['sha256']}.xlsx")
    assert archived["Body"].read() == uploaded
    assert ImportRun.objects.get().archive_name == f"kfw-imports/{summary['sha256']}.xlsx"
