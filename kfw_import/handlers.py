"""Entry point for the S3 trigger (Zappa event source `s3:ObjectCreated:*` on the KfW
bucket): every object of the event is read through boto3 and imported.

Imports stay inside the function: Lambda cold starts should not pay for boto3 and
openpyxl unless an import actually runs.
"""


class ImportFailedError(RuntimeError):
    """Raised after all records were handled when one import failed, so that Lambda
    retries the event; files that went in are no-ops on the retry (same SHA-256)."""


def on_kfw_upload(event, context):
    """`{"function": "kfw_import.handlers.on_kfw_upload", "event_source": {"arn":
    "arn:aws:s3:::<KfW bucket>", "events": ["s3:ObjectCreated:*"]}}`. Returns a summary
    per imported object."""
    import django
    from django.apps import apps

    if not apps.ready:  # Zappa normally has set Django up already
        django.setup()
    import logging
    import tempfile
    from urllib.parse import unquote_plus

    import boto3
    from django.conf import settings

    from .importer import import_workbook
    from .models import ImportSource, ImportStatus
    from .reader import max_bytes

    logger = logging.getLogger(__name__)
    client = boto3.client(
        "s3", endpoint_url=settings.AWS_S3_ENDPOINT_URL, region_name=settings.AWS_S3_REGION_NAME
    )
    summaries = []
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        # Keys arrive URL-encoded: "+" for a space, %C3%9C for "Ü".
        key = unquote_plus(record["s3"]["object"]["key"])
        body = client.get_object(Bucket=bucket, Key=key)["Body"]
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
            # One byte more than the limit is enough for the importer to refuse it.
            remaining = max_bytes() + 1
            for chunk in body.iter_chunks(1024 * 1024):
                spool.write(chunk[:remaining])
                remaining -= len(chunk)
                if remaining <= 0:
                    break
            body.close()
            spool.seek(0)
            run = import_workbook(spool, file_name=key, source=ImportSource.S3)
        summary = {"bucket": bucket, "key": key, **run.summary()}
        logger.info("KfW import from S3: %s", summary)
        summaries.append(summary)
    failed = [s for s in summaries if s["status"] == ImportStatus.FAILED]
    if failed:
        raise ImportFailedError(f"{len(failed)} KfW import(s) failed: {failed}")
    return {"imports": summaries}
