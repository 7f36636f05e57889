"""What may be uploaded to a report: types (recognised by content, never by name), size
limits, and storing an accepted file under a random name. Used by every wizard."""

import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import ReportFile, ReportFileKind

MB = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    name: str  # shown to users: "PDF"
    content_type: str
    extension: str


PDF = FileType("PDF", "application/pdf", ".pdf")
JPEG = FileType("JPG", "image/jpeg", ".jpg")
PNG = FileType("PNG", "image/png", ".png")
XLSX = FileType(
    "Excel (.xlsx)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
)
CSV = FileType("CSV", "text/csv", ".csv")


@dataclass(frozen=True)
class UploadRule:
    types: tuple[FileType, ...]
    max_bytes: int

    @property
    def type_names(self) -> str:
        names = [t.name for t in self.types]
        if len(names) == 1:
            return names[0]
        return _("%(first)s or %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}

    @property
    def max_size(self) -> str:
        return f"{self.max_bytes // MB} MB"

    @property
    def accept(self) -> str:
        """For the file input's `accept` attribute (a hint to the browser only)."""
        return ",".join(sorted({t.extension for t in self.types} | {t.content_type for t in self.types}))


# The one list of what each kind of report file may be.
UPLOAD_RULES = {
    ReportFileKind.RENEWABLE_PROOF: UploadRule((PDF, JPEG, PNG), 10 * MB),
    ReportFileKind.INVOICE: UploadRule((PDF,), 10 * MB),
    ReportFileKind.POINT_LIST: UploadRule((XLSX,), 5 * MB),
    # Several hundred thousand rows of charging processes.
    ReportFileKind.CHARGING_DATA: UploadRule((CSV, XLSX), 60 * MB),
}


def _is_xlsx(head: bytes, upload) -> bool:
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


def _is_csv(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            # The head may end inside a multi-byte character: ignore the last 3 bytes.
            head[:-3].decode(encoding) if len(head) > 3 else head.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def detect_type(upload) -> FileType | None:
    """The file's type from its first bytes (and, for .xlsx, its zip directory)."""
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if _is_xlsx(head, upload):
        return XLSX
    if head and _is_csv(head):
        return CSV
    return None


def validate_upload(upload, kind: str) -> FileType:
    """Raise a ValidationError that says what is wrong, or return the detected type."""
    rule = UPLOAD_RULES[kind]
    if upload.size == 0:
        raise ValidationError(_("The file “%(name)s” is empty."), code="empty",
                              params={"name": upload.name})
    if upload.size > rule.max_bytes:
        raise ValidationError(
            _("The file “%(name)s” is larger than %(max)s. Please choose a smaller file."),
            code="too_large",
            params={"name": upload.name, "max": rule.max_size},
        )
    detected = detect_type(upload)
    if detected not in rule.types:
        raise ValidationError(
            _("The file “%(name)s” is not in an allowed format. Allowed: %(types)s."),
            code="wrong_type",
            params={"name": upload.name, "types": rule.type_names},
        )
    return detected


def store_report_file(report, upload, kind: str, user, replace: bool = False) -> ReportFile:
    """Save a validated upload with the report, under a random name. `replace` removes the
    report's earlier files of this kind (for kinds that hold one file)."""
    detected = validate_upload(upload, kind)
    original_name = PurePath(upload.name.replace("\\", "/")).name[:255] or "upload"
    if replace:
        for old in report.files.filter(kind=kind):
            delete_report_file(old)
    upload.seek(0)
    report_file = ReportFile(
        report=report,
        kind=kind,
        original_name=original_name,
        content_type=detected.content_type,
        size=upload.size,
        uploaded_by=user,
    )
    # The stored name gets the extension of what the file IS, not what it was called.
    report_file.file.save(f"upload{detected.extension}", upload, save=False)
    report_file.save()
    return report_file


def delete_report_file(report_file: ReportFile) -> None:
    report_file.file.delete(save=False)
    report_file.delete()


class ReportFileInput(forms.ClearableFileInput):
    clear_checkbox_label = _("Remove this file")


class ReportUploadField(forms.FileField):
    """A file field checked against UPLOAD_RULES[kind] by content and size."""

    # The button of the form that sends the file on its own (straight to S3).
    send_label = _("Upload the file")

    def __init__(self, *, kind: str, single: bool = True, keep_alone: bool = True,
                 direct: bool = True, **kwargs):
        self.kind = kind
        # With S3, whether the file goes straight to the bucket in a form of its own
        # (reports/direct_upload.py): a request through API Gateway and Lambda carries at
        # most about 4 MB of file. False only for small files that mean something only
        # together with the step's form (a list of points, its row errors shown there).
        self.direct = direct
        # One file of this kind per report (a new upload replaces it), or several.
        self.single = single
        # Whether an acceptable upload is kept even when the rest of the step is not
        # (False for files that only mean something with the step, e.g. a list to import).
        self.keep_alone = keep_alone
        rule = UPLOAD_RULES[kind]
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": rule.accept}))
        kwargs.setdefault(
            "help_text",
            _("%(types)s, at most %(max)s.")
            % {"types": rule.type_names, "max": rule.max_size},
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and hasattr(upload, "size"):
            validate_upload(upload, self.kind)
        return upload

    def keep(self, report, upload, user):
        """Keep an accepted upload with the report (the wizard calls this once the step
        is valid, or on "back"/"save" for an upload acceptable on its own)."""
        return store_report_file(report, upload, self.kind, user, replace=self.single)

    def receive(self, report, upload, user):
        """A file of this field that arrived on its own, not with the step's form (sent
        straight to S3, reports/direct_upload.py): checked and kept the same way.
        Raises ValidationError with the reason when it is refused."""
        self.clean(upload)
        return self.keep(report, upload, user)
