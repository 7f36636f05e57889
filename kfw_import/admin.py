"""The caseworkers' door to the KfW import: the imports done (read-only, with their
rejected rows), uploading a workbook with a preview (a dry run) before it is imported,
and the changes imports made to applications (a list, and an inline on each page)."""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.forms.renderers import DjangoTemplates
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_lazy as _, pgettext_lazy

from . import importer
from .models import ApplicationChange, ImportRun, ImportSource, ImportStatus

SHA256 = re.compile(r"[0-9a-f]{64}")


class UploadForm(forms.Form):
    default_renderer = DjangoTemplates()  # the admin's look, not the applicants' KERN

    workbook = forms.FileField(
        label=_("KfW export (.xlsx)"),
        help_text=_("The workbook as KfW delivers it. Nothing is changed before you confirm."),
        widget=forms.ClearableFileInput(attrs={
            "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        }),
    )


class ConfirmForm(forms.Form):
    """The previewed file, kept in storage under its hash between preview and confirm."""

    default_renderer = DjangoTemplates()
    sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    file_name = forms.CharField(widget=forms.HiddenInput, max_length=255)

    def clean_sha256(self):
        value = self.cleaned_data["sha256"]
        if not SHA256.fullmatch(value):
            raise forms.ValidationError(_("The upload is no longer known. Please upload it again."))
        return value


def rejected_rows_table(rows):
    if not rows:
        return "–"
    body = format_html_join(
        "\n", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
        ((row["row"], row["column"], row["reason"]) for row in rows),
    )
    return format_html(
        '<table class="kfw-rejected"><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
        '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
        gettext("Row"), gettext("Column"), gettext("Reason"), body,
    )


class StartFilter(admin.DateFieldListFilter):
    """The start date of imports, headed "Nach Beginn" (not "Nach begonnen am")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = pgettext_lazy("kfw import", "start")


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "file_name", "source", "status", "rows_read", "created",
                    "updated", "unchanged", "withdrawn", "rejected", "user"]
    # A date filter, not date_hierarchy: the hierarchy truncates datetimes in SQL with
    # CONVERT_TZ, which returns NULL on a MySQL/MariaDB without time zone tables.
    list_filter = ["status", "source", ("started_at", StartFilter)]
    search_fields = ["file_name", "sha256"]
    list_select_related = ["user"]
    fields = ["file_name", "source", "user", "started_at", "duration_display", "status", "message",
              "rows_read", "created", "updated", "unchanged", "withdrawn", "rejected",
              "rejected_rows_display", "warnings_display", "already_imported_by", "sha256",
              "archive_name", "changes_link"]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("duration"))
    def duration_display(self, run):
        if run.duration is None:
            return "–"
        return gettext("%(seconds)s s") % {
            "seconds": formats.number_format(run.duration.total_seconds(), 2)}

    @admin.display(description=_("rejected rows"))
    def rejected_rows_display(self, run):
        return rejected_rows_table(run.rejected_rows)

    @admin.display(description=_("warnings"))
    def warnings_display(self, run):
        if not run.warnings:
            return "–"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>",
                                                           ((w,) for w in run.warnings)))

    @admin.display(description=_("changes"))
    def changes_link(self, run):
        count = run.changes.count()
        if not count:
            return "–"
        url = reverse("admin:kfw_import_applicationchange_changelist") + f"?run__id__exact={run.pk}"
        return format_html('<a href="{}">{}</a>', url, gettext(
            "%(count)d changed values: which applications, and from what to what"
        ) % {"count": count})

    # --- uploading: the add view is the upload with its preview ----------------------

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view),
                 name="kfw_import_importrun_upload"),
        ] + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:kfw_import_importrun_upload")

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST" and ("confirm" in request.POST or "cancel" in request.POST):
            return self._decide(request)
        form = UploadForm(request.POST or None, request.FILES or None)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": gettext("Upload a KfW export"), "form": form}
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["workbook"]
            preview = importer.import_workbook(
                upload, file_name=upload.name, source=ImportSource.ADMIN, user=request.user,
                dry_run=True,
            )
            context["preview"] = preview
            context["title"] = gettext("Preview of the import")
            if preview.status in (ImportStatus.IMPORTED, ImportStatus.IMPORTED_WITH_REJECTIONS):
                importer.keep_file(upload, preview.sha256)
                context["confirm_form"] = ConfirmForm(
                    initial={"sha256": preview.sha256, "file_name": upload.name[:255]}
                )
        return TemplateResponse(request, "admin/kfw_import/importrun/upload.html", context)

    def _decide(self, request):
        form = ConfirmForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("The upload is no longer known. Please upload it again."))
            return redirect("admin:kfw_import_importrun_upload")
        sha256 = form.cleaned_data["sha256"]
        if "cancel" in request.POST:
            importer.discard_kept_file(sha256)
            messages.info(request, gettext("The import was cancelled. Nothing was changed."))
            return redirect("admin:kfw_import_importrun_changelist")
        try:
            kept = importer.open_kept_file(sha256)
        except FileNotFoundError:
            messages.error(request, gettext("The upload is no longer known. Please upload it again."))
            return redirect("admin:kfw_import_importrun_upload")
        with kept:
            run = importer.import_workbook(
                kept, file_name=form.cleaned_data["file_name"], source=ImportSource.ADMIN,
                user=request.user,
            )
        level = messages.SUCCESS if run.status == ImportStatus.IMPORTED else messages.WARNING
        messages.add_message(request, level, gettext(
            "%(status)s: %(created)d created, %(updated)d updated, %(withdrawn)d withdrawn, "
            "%(rejected)d rejected rows."
        ) % {"status": run.get_status_display(), "created": run.created, "updated": run.updated,
             "withdrawn": run.withdrawn, "rejected": run.rejected})
        return redirect(reverse("admin:kfw_import_importrun_change", args=[run.pk]))


class ApplicationChangeColumns:
    """Columns of a change by an import, on an application's page and in the list."""

    @admin.display(description=_("import"))
    def run_link(self, change):
        return format_html('<a href="{}">{}</a>',
                           reverse("admin:kfw_import_importrun_change", args=[change.run_id]),
                           str(change.run))

    @admin.display(description=_("field"))
    def field_display(self, change):
        return change.field_label


class ApplicationChangeInline(ApplicationChangeColumns, admin.TabularInline):
    """On a funding application's page: what imports changed, newest first."""

    model = ApplicationChange
    extra = 0
    can_delete = False
    show_change_link = False
    fields = ["run_link", "field_display", "old_value", "new_value"]
    readonly_fields = fields
    verbose_name_plural = _("changes by KfW imports")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("run")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False



@admin.register(ApplicationChange)
class ApplicationChangeAdmin(ApplicationChangeColumns, admin.ModelAdmin):
    """What imports changed, all applications together (an import's page links to its
    own); read-only, as the import's record."""

    list_display = ["application_link", "field_display", "old_value", "new_value", "run_link"]
    list_select_related = ["application", "run"]
    search_fields = ["application__kfw_number", "application__applicant_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("funding application"), ordering="application__kfw_number")
    def application_link(self, change):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:applications_fundingapplication_change", args=[change.application_id]),
            change.application.kfw_number,
        )

