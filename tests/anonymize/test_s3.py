"""Snapshots to S3 (moto's server on loopback): a streamed multipart upload with
server-side encryption, completed only when the leak check passed."""

import gzip

import pytest

from anonymize.handlers import create_snapshot
from anonymize.leaks import LeakFound
from anonymize.policy import KEEP, POLICY
from anonymize.sinks import MIN_PART_BYTES, S3Sink
from anonymize.snapshot import take_snapshot

from .conftest import SHARED_EMAIL

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def snapshot_s3(settings, s3_endpoint, s3_bucket):
    settings.AWS_S3_ENDPOINT_URL = s3_endpoint
    settings.SNAPSHOT_BUCKET = s3_bucket
    return s3_bucket


class RecordingClient:
    """The real boto3 client, with the calls the sink makes written down."""

    def __init__(self, client):
        self.client, self.calls = client, []

    def __getattr__(self, name):
        method = getattr(self.client, name)

        def call(**kwargs):
            self.calls.append((name, {k: v for k, v in kwargs.items() if k != "Body"},
                               len(kwargs.get("Body", b""))))
            return method(**kwargs)

        return call


def test_the_sink_uploads_parts_of_at_least_5_mb_with_encryption(s3_client, s3_bucket):
    recording = RecordingClient(s3_client)
    sink = S3Sink(recording, s3_bucket, "big.sql", compress=False, part_bytes=1)
    chunk = b"x" * (1024 * 1024)
    for _ in range(12):  # 12 MB: two full parts and a small last one
        sink.write(chunk)
        assert len(sink._buffer) < MIN_PART_BYTES + len(chunk), "at most one part in memory"
    sink.commit()
    names = [name for name, _kwargs, _size in recording.calls]
    assert names == ["create_multipart_upload", "upload_part", "upload_part", "upload_part",
                     "complete_multipart_upload"]
    assert recording.calls[0][1]["ServerSideEncryption"] == "AES256"
    sizes = [size for name, _kwargs, size in recording.calls if name == "upload_part"]
    assert sizes[:-1] == [MIN_PART_BYTES, MIN_PART_BYTES] and sizes[-1] == 2 * 1024 * 1024
    head = s3_client.head_object(Bucket=s3_bucket, Key="big.sql")
    assert head["ContentLength"] == 12 * 1024 * 1024
    assert head["ServerSideEncryption"] == "AES256"


def test_snapshot_to_s3_is_encrypted_and_complete(seeded, snapshot_s3, s3_client):
    summary = take_snapshot(f"s3://{snapshot_s3}/snapshots/today.sql.gz", compress=True)
    head = s3_client.head_object(Bucket=snapshot_s3, Key="snapshots/today.sql.gz")
    assert head["ServerSideEncryption"] == "AES256"
    body = s3_client.get_object(Bucket=snapshot_s3, Key="snapshots/today.sql.gz")["Body"].read()
    assert len(body) == summary.bytes_written
    dump = gzip.decompress(body).decode()
    assert len(dump.encode()) == summary.bytes
    assert "INSERT INTO `applications_fundingapplication`" in dump
    assert SHARED_EMAIL.lower() not in dump.lower()


def test_a_leak_aborts_the_upload_and_leaves_no_object(seeded, snapshot_s3, s3_client):
    leaking = {table: dict(rules) if isinstance(rules, dict) else rules
               for table, rules in POLICY.items()}
    leaking["account_emailaddress"]["email"] = KEEP
    with pytest.raises(LeakFound, match="account_emailaddress"):
        take_snapshot(f"s3://{snapshot_s3}/leak.sql", policy=leaking)
    assert s3_client.list_objects_v2(Bucket=snapshot_s3).get("KeyCount") == 0
    uploads = s3_client.list_multipart_uploads(Bucket=snapshot_s3).get("Uploads", [])
    assert uploads == [], "the multipart upload was aborted"


def test_the_handler_writes_to_the_snapshot_bucket_and_returns_the_summary(
        seeded, snapshot_s3, s3_client):
    result = create_snapshot({}, None)
    key = result["destination"].removeprefix(f"s3://{snapshot_s3}/")
    assert key.startswith("snapshots/now-portal-") and key.endswith(".sql.gz")
    s3_client.head_object(Bucket=snapshot_s3, Key=key)
    assert result["rows"] > 0 and result["tables"] > 20 and result["bytes"] > 0
    assert result["duration_seconds"] >= 0
    assert result["rows_per_table"]["django_session"] == 0
    assert result["k_anonymity"]["smallest_group"] == 1


def test_the_handler_takes_a_destination_from_the_event(seeded, snapshot_s3, s3_client):
    result = create_snapshot({"destination": f"s3://{snapshot_s3}/one-off.sql", "gzip": False},
                             None)
    body = s3_client.get_object(Bucket=snapshot_s3, Key="one-off.sql")["Body"].read()
    assert body.startswith(b"-- NOW Portal")
    assert result["bytes"] == result["bytes_written"] == len(body)


def test_the_handler_without_bucket_or_destination_says_so(db, settings):
    settings.SNAPSHOT_BUCKET = ""
    with pytest.raises(ValueError, match="SNAPSHOT_BUCKET"):
        create_snapshot({}, None)


def test_s3_refusing_the_upload_is_said_before_anything_is_read(
    seeded, settings, s3_endpoint, monkeypatch
):
    """A bucket that does not exist (or no credentials, or no right): the command names
    the destination and S3's answer, no traceback, and reads no data first."""
    from django.core.management import CommandError, call_command

    def never(*args, **kwargs):
        raise AssertionError("data read for a destination that cannot take it")

    monkeypatch.setattr("anonymize.snapshot.collect_needles", never)
    settings.AWS_S3_ENDPOINT_URL = s3_endpoint
    with pytest.raises(CommandError, match="S3 nimmt den Snapshot unter s3://gibt-es-nicht/x.sql nicht an"):
        call_command("anonymized_snapshot", "--output", "s3://gibt-es-nicht/x.sql")
    with pytest.raises(CommandError, match="hat nicht die Form s3://bucket/key"):
        call_command("anonymized_snapshot", "--output", "s3://nur-ein-bucket")

