"""Where the dump goes: a local file or an S3 object, gzip-compressed on request.

Both stream: a file is written under a temporary name and renamed only when the dump
passed the leak check; S3 gets a multipart upload with server-side encryption that is
completed only then (aborted otherwise), so a failed or leaking dump is never visible.
Memory holds at most one part (SNAPSHOT_S3_PART_BYTES, at least 5 MB: S3's minimum).
"""

import os
import stat
import zlib
from pathlib import Path

from django.utils.translation import gettext as _

MIN_PART_BYTES = 5 * 1024 * 1024


class DestinationError(ValueError):
    pass


class Sink:
    def __init__(self, compress: bool):
        self._compressor = zlib.compressobj(6, zlib.DEFLATED, 31) if compress else None
        self.bytes_out = 0

    def write(self, data: bytes):
        if self._compressor is not None:
            data = self._compressor.compress(data)
            if not data:
                return
        self.bytes_out += len(data)
        self._put(data)

    def commit(self):
        if self._compressor is not None:
            tail = self._compressor.flush()
            self.bytes_out += len(tail)
            self._put(tail)
        self._finish()

    def _put(self, data: bytes):
        raise NotImplementedError

    def _finish(self):
        raise NotImplementedError

    def abort(self):
        raise NotImplementedError


def check_file_destination(path: Path) -> None:
    """The dump replaces a regular file at `path` once it is complete, so `path` must be
    a new name or a regular file (never a folder or a device) in an existing folder."""
    if not str(path) or path.name in ("", ".", ".."):
        raise DestinationError(_("Name a file (or s3://bucket/key) for the snapshot."))
    if not path.parent.is_dir():
        raise DestinationError(_("The folder %(folder)s does not exist.") % {
            "folder": path.parent})
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        raise DestinationError(_("%(path)s is a folder: name a file in it.") % {"path": path})
    if not stat.S_ISREG(mode):
        raise DestinationError(_(
            "%(path)s is not a regular file (a device or a pipe, for example): the snapshot "
            "only replaces files."
        ) % {"path": path})


class FileSink(Sink):
    def __init__(self, path: Path, compress: bool):
        super().__init__(compress)
        self.path = Path(path)
        check_file_destination(self.path)
        self.partial = self.path.with_name(self.path.name + ".partial")
        # Owner-only: the dump is anonymised, but still not for everyone on the machine.
        try:
            fd = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError as error:
            raise DestinationError(_("Cannot write to the folder %(folder)s: %(reason)s.") % {
                "folder": self.path.parent, "reason": error.strerror}) from error
        self._file = os.fdopen(fd, "wb", buffering=1024 * 1024)
        self.destination = str(self.path)

    def _put(self, data):
        self._file.write(data)

    def _finish(self):
        self._file.close()
        os.replace(self.partial, self.path)

    def abort(self):
        self._file.close()
        self.partial.unlink(missing_ok=True)


class S3Sink(Sink):
    def __init__(self, client, bucket: str, key: str, compress: bool, part_bytes: int,
                 server_side_encryption: str = "AES256", kms_key_id: str = ""):
        super().__init__(compress)
        self.client, self.bucket, self.key = client, bucket, key
        self.part_bytes = max(part_bytes, MIN_PART_BYTES)
        self.destination = f"s3://{bucket}/{key}"
        extra = {"ServerSideEncryption": server_side_encryption}
        if kms_key_id:
            extra["SSEKMSKeyId"] = kms_key_id
        self.upload_id = client.create_multipart_upload(
            Bucket=bucket, Key=key,
            ContentType="application/gzip" if compress else "application/sql", **extra,
        )["UploadId"]
        self.parts = []
        self._buffer = bytearray()

    def _put(self, data):
        self._buffer += data
        if len(self._buffer) >= self.part_bytes:
            self._upload(bytes(self._buffer))
            self._buffer.clear()

    def _upload(self, body: bytes):
        number = len(self.parts) + 1
        response = self.client.upload_part(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number,
            Body=body,
        )
        self.parts.append({"PartNumber": number, "ETag": response["ETag"]})

    def _finish(self):
        if self._buffer or not self.parts:  # the last part may be small (or the only one)
            self._upload(bytes(self._buffer))
            self._buffer.clear()
        self.client.complete_multipart_upload(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id,
            MultipartUpload={"Parts": self.parts},
        )

    def abort(self):
        self._buffer.clear()
        self.client.abort_multipart_upload(Bucket=self.bucket, Key=self.key,
                                           UploadId=self.upload_id)


def parse_s3(destination: str) -> tuple[str, str]:
    rest = destination[len("s3://"):]
    bucket, __, key = rest.partition("/")
    if not bucket or not key or key.endswith("/"):
        raise DestinationError(_("%(destination)s is not s3://bucket/key.") % {
            "destination": destination})
    return bucket, key


def open_sink(destination: str, compress: bool) -> Sink:
    from django.conf import settings

    if destination.startswith("s3://"):
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError

        bucket, key = parse_s3(destination)
        client = boto3.client("s3", endpoint_url=settings.AWS_S3_ENDPOINT_URL,
                              region_name=settings.AWS_S3_REGION_NAME)
        try:
            return S3Sink(client, bucket, key, compress, settings.SNAPSHOT_S3_PART_BYTES,
                          settings.SNAPSHOT_S3_SSE, settings.SNAPSHOT_S3_KMS_KEY_ID)
        except (BotoCoreError, ClientError) as error:  # no credentials, no bucket, no right
            raise DestinationError(_("S3 does not accept the snapshot at %(destination)s: "
                                     "%(reason)s") % {"destination": destination,
                                                      "reason": error}) from error
    return FileSink(Path(destination), compress)
