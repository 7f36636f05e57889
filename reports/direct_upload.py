"""Large uploads straight from the browser to S3, without passing through the Lambda.

API Gateway and Lambda take at most 6 MB per request, but a year of charging-process
data may be 60 MB. With S3 storage, the step's file form therefore posts to S3 itself
(a presigned POST: S3 checks the size, the key prefix and the expiry), and S3 sends the
browser back to the portal with the key of the stored object. The view there
checks the signed token and hands the object to the same import as a normal upload.
It works without JavaScript: a plain form, and S3's `success_action_redirect`.
"""

import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

from .uploads import UPLOAD_RULES

INCOMING = "incoming"
# How long the upload form stays usable: long enough to find the file and send 60 MB.
FORM_LIFETIME_SECONDS = 60 * 60
_SALT = "reports.direct_upload"


@dataclass(frozen=True)
class UploadForm:
    url: str
    fields: dict
    # What the page checks before the file leaves the browser (S3 itself would answer a
    # file that is too large, or none, with an error page of its own).
    accept: str
    max_bytes: int
    too_large_message: str
    nothing_chosen_message: str


def enabled() -> bool:
    return bool(settings.DIRECT_UPLOADS)


def upload_form(request, report, kind: str, return_to: str) -> UploadForm:
    """The fields of a form that sends one file of `kind` for `report` to S3, after which
    S3 sends the browser to the path `return_to` (with the signed token and the key)."""
    import boto3  # only where uploads go to S3: off the request path of every other page

    prefix = f"{INCOMING}/{report.pk}/{uuid.uuid4().hex}/"
    token = signing.dumps({"report": report.pk, "user": request.user.pk, "prefix": prefix},
                          salt=_SALT)
    joiner = "&" if "?" in return_to else "?"
    back = f"{request.build_absolute_uri(return_to)}{joiner}token={token}"
    client = boto3.client("s3", region_name=settings.AWS_S3_REGION_NAME,
                          endpoint_url=settings.AWS_S3_ENDPOINT_URL)
    fields = {"success_action_redirect": back, "x-amz-server-side-encryption": "AES256"}
    post = client.generate_presigned_post(
        Bucket=settings.MEDIA_BUCKET,
        Key=prefix + "${filename}",
        Fields=fields,
        Conditions=[
            ["starts-with", "$key", prefix],
            ["content-length-range", 1, UPLOAD_RULES[kind].max_bytes],
            {"success_action_redirect": back},
            {"x-amz-server-side-encryption": "AES256"},
        ],
        ExpiresIn=FORM_LIFETIME_SECONDS,
    )
    rule = UPLOAD_RULES[kind]
    # The address the Content-Security-Policy allows forms to post to (settings).
    return UploadForm(
        url=settings.DIRECT_UPLOAD_URL,
        fields=post["fields"],
        accept=rule.accept,
        max_bytes=rule.max_bytes,
        too_large_message=_("The file is larger than %(max)s. Please choose a smaller file.")
        % {"max": rule.max_size},
        nothing_chosen_message=_("Choose a file first."),
    )


def received_file(report, user, token: str, key: str) -> File:
    """The object S3 stored for a form of `upload_form`; ValidationError
    when the token is not this user's for this report, has expired, or the object is gone."""
    try:
        signed = signing.loads(token, salt=_SALT, max_age=FORM_LIFETIME_SECONDS + 15 * 60)
    except signing.BadSignature:
        raise ValidationError(_("The upload link has expired. Please choose the file again."),
                              code="expired") from None
    if signed["report"] != report.pk or signed["user"] != user.pk or not key.startswith(signed["prefix"]):
        raise ValidationError(_("The upload does not belong to this report."), code="foreign")
    if "/" in key[len(signed["prefix"]):] or not default_storage.exists(key):
        raise ValidationError(
            _("The uploaded file was not found (it may have been used already). Please "
              "choose the file again."), code="missing")
    stored = default_storage.open(key, "rb")
    # The object's data as a local (spooled) file, as an upload through Django would be.
    upload = File(stored.file, name=PurePosixPath(key).name)
    upload.size = stored.size
    return upload


def discard(key: str) -> None:
    """The incoming object has served its purpose (kept or refused): remove it."""
    default_storage.delete(key)
