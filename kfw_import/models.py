"""What every import attempt did (ImportRun) and what it changed (ApplicationChange)."""

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from applications.models import FundingApplication


class ImportSource(models.TextChoices):
    COMMAND = "command", _("command line")
    S3 = "s3", _("S3 upload")
    ADMIN = "admin", _("administration")


class ImportStatus(models.TextChoices):
    IMPORTED = "imported", _("imported")
    IMPORTED_WITH_REJECTIONS = "imported_with_rejections", _("imported with rejected rows")
    REJECTED = "rejected", _("rejected")
    FAILED = "failed", _("failed")
    ALREADY_IMPORTED = "already_imported", _("already imported (nothing changed)")


# A file that went in: importing the same file (same SHA-256) again is a no-op.
SUCCESSFUL = [ImportStatus.IMPORTED, ImportStatus.IMPORTED_WITH_REJECTIONS]


class ImportRun(models.Model):
    """One attempt to import a KfW export, from any door, whatever its outcome."""

    source = models.CharField(_("source"), max_length=10, choices=ImportSource.choices)
    file_name = models.CharField(_("file name"), max_length=1024)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    started_at = models.DateTimeField(_("started at"))
    duration = models.DurationField(_("duration"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=30, choices=ImportStatus.choices)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    # With a context: allauth's and the applications' "created"/"withdrawn" (Erstellt,
    # Zurückgezogen) would win over the import's own words (angelegt, storniert).
    created = models.PositiveIntegerField(pgettext_lazy("kfw import", "created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    withdrawn = models.PositiveIntegerField(pgettext_lazy("kfw import", "withdrawn"), default=0)
    rejected = models.PositiveIntegerField(_("rejected rows"), default=0)
    message = models.TextField(_("message"), blank=True)
    # [{"row": 31, "column": "PLZ", "reason": "..."}], one entry per problem.
    rejected_rows = models.JSONField(_("rejected rows"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    already_imported_by = models.ForeignKey(
        "self", verbose_name=_("already imported by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    archive_name = models.CharField(_("archived file"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("KfW import")
        verbose_name_plural = _("KfW imports")
        ordering = ["-started_at", "-id"]

    def __str__(self):
        started = formats.date_format(timezone.localtime(self.started_at), "SHORT_DATETIME_FORMAT")
        return f"{self.file_name} ({started})"

    @property
    def is_successful(self) -> bool:
        return self.status in SUCCESSFUL

    def summary(self) -> dict:
        """For the S3 handler's return value and logs."""
        return {
            "run": self.pk,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "status": self.status,
            "rows_read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "withdrawn": self.withdrawn,
            "rejected": self.rejected,
            "message": self.message,
        }


class ApplicationChange(models.Model):
    """One field of an application that an import changed: old and new value as text."""

    application = models.ForeignKey(
        FundingApplication, verbose_name=_("funding application"), on_delete=models.CASCADE,
        related_name="import_changes",
    )
    run = models.ForeignKey(
        ImportRun, verbose_name=_("import"), on_delete=models.CASCADE, related_name="changes"
    )
    field = models.CharField(_("field"), max_length=50)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)

    class Meta:
        verbose_name = _("change by an import")
        verbose_name_plural = _("changes by imports")
        ordering = ["-run__started_at", "-id"]

    def __str__(self):
        return self.field_label

    @property
    def field_label(self) -> str:
        try:
            return str(FundingApplication._meta.get_field(self.field).verbose_name)
        except Exception:
            return self.field
