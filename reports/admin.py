"""The caseworkers' side of reports: list, filters, search and export; a read-only detail
page grouped like the wizard; accepting and returning through `reports.lifecycle`."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.forms.renderers import DjangoTemplates
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _

from . import emails, export, lifecycle
from .answers import answer_sections
from .models import (
    ChargingPoint,
    ChargingProcessUpload,
    ChargingSessionSummary,
    ReminderSent,
    Report,
    ReportFile,
    ReportStatus,
    ReportTransition,
    ReportType,
)

# Accepting and returning a report is what "change" means for a caseworker: the answers
# themselves are the applicant's and are never edited in the admin.
REVIEW_PERMISSION = "reports.change_report"


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")  # the admin writes "By deadline" ("Nach Frist"), not "By overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("overdue")), ("no", _("not overdue"))]

    def queryset(self, request, queryset):
        overdue = Report.objects.overdue().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=overdue)
        if self.value() == "no":
            return queryset.exclude(pk__in=overdue)
        return queryset


class ReviewForm(forms.Form):
    # Admin look, not the applicants' KERN markup.
    default_renderer = DjangoTemplates()

    comment = forms.CharField(
        label=_("Comment for the applicant"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=_("Optional. The applicant reads it in the e-mail and on the report page."),
    )


class ReturnForm(ReviewForm):
    comment = forms.CharField(
        label=_("What does the applicant need to change?"),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text=_("Required. Please write plainly and politely; the applicant reads it in "
                    "the e-mail and on the report page."),
        error_messages={
            "required": _("Please say what the applicant needs to change: a comment is required.")
        },
    )

    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if not comment:
            raise forms.ValidationError(self.fields["comment"].error_messages["required"])
        return comment


class ReadOnlyInline(admin.TabularInline):
    """A table on the report's page: shown to whoever may view the report, never edited."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("reports.view_report") or request.user.has_perm(
            REVIEW_PERMISSION
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class ChargingPointInline(ReadOnlyInline):
    model = ChargingPoint
    fields = ["label", "power_kw", "current_type", "connector", "commissioning_date", "evse_id"]


class SessionSummaryInline(ReadOnlyInline):
    model = ChargingSessionSummary
    fields = ["charging_point", "sessions", "energy_kwh", "hours"]
    verbose_name_plural = _("charging data per charging point")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("charging_point")


class ChargingUploadInline(ReadOnlyInline):
    model = ChargingProcessUpload
    fields = ["file", "row_count", "error_count", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("file")


class ReportFileInline(ReadOnlyInline):
    model = ReportFile
    fields = ["kind", "download", "content_type", "file_size", "uploaded_at", "uploaded_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    @admin.display(description=_("file"))
    def download(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("reports:file_download", args=[obj.pk]), obj.original_name
        )

    @admin.display(description=_("size"))
    def file_size(self, obj):
        return filesizeformat(obj.size)


class TransitionInline(ReadOnlyInline):
    model = ReportTransition
    fields = ["at", "from_status", "to_status", "by", "comment"]
    verbose_name_plural = _("history of status changes")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class ReminderInline(ReadOnlyInline):
    model = ReminderSent
    fields = ["occasion", "recipient", "sent_at"]


INLINES_BY_TYPE = {
    ReportType.COMMISSIONING: [ChargingPointInline, ReportFileInline],
    ReportType.OPERATION: [SessionSummaryInline, ChargingUploadInline, ReportFileInline],
    ReportType.FINAL_PROOF: [ReportFileInline],
}


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = [
        "report_title",
        "kfw_number",
        "applicant",
        "status",
        "due_date",
        "overdue",
        "reference_number",
        "submitted_at",
    ]
    list_filter = ["type", "status", "application__program", OverdueFilter]
    search_fields = [
        "application__kfw_number",
        "reference_number",
        "application__applicant_name",
        "application__email",
        "application__owner__email",
    ]
    search_help_text = _("KfW application number, reference number, applicant's name or e-mail")
    list_select_related = ["application", "application__owner"]
    ordering = ["due_date", "application__kfw_number", "type", "period"]
    list_per_page = 50
    change_form_template = "reports/admin/report_change_form.html"
    change_list_template = "reports/admin/report_change_list.html"
    fieldsets = [
        (None, {"fields": [
            "application_link", "applicant", "applicant_email", "programme",
            "approved", "report_title", "status", "due_date", "overdue",
            "reference_number", "submitted_at", "accepted_at", "caseworker_comment",
        ]}),
    ]
    readonly_fields = [
        "application_link", "applicant", "applicant_email", "programme", "approved",
        "report_title", "status", "due_date", "overdue", "reference_number", "submitted_at",
        "accepted_at", "caseworker_comment",
    ]

    # --- Who may do what ------------------------------------------------------------

    def has_add_permission(self, request):
        return False  # reports are the applicants' to start

    def has_change_permission(self, request, obj=None):
        return False  # answers are read-only here; see has_review_permission

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm(REVIEW_PERMISSION)

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        return [*INLINES_BY_TYPE[obj.type], TransitionInline, ReminderInline]

    def get_queryset(self, request):
        return super().get_queryset(request).for_review()

    # --- Columns and read-only fields --------------------------------------------------

    @admin.display(description=_("report"), ordering="type")
    def report_title(self, obj):
        return obj.title

    @admin.display(description=_("KfW application number"), ordering="application__kfw_number")
    def kfw_number(self, obj):
        return obj.application.kfw_number

    @admin.display(description=_("applicant"), ordering="application__applicant_name")
    def applicant(self, obj):
        return obj.application.applicant_name

    @admin.display(description=_("e-mail of the account"))
    def applicant_email(self, obj):
        owner = obj.application.owner
        return owner.email if owner else "–"

    @admin.display(description=_("programme"))
    def programme(self, obj):
        return obj.application.get_program_display()

    @admin.display(description=_("approved"))
    def approved(self, obj):
        application = obj.application
        return format_html(
            "{} € · {}",
            formats.number_format(application.approved_amount, 2, use_l10n=True, force_grouping=True),
            gettext("%(count)s charging points") % {"count": application.approved_charging_points},
        )

    @admin.display(description=_("funding application"))
    def application_link(self, obj):
        url = reverse("admin:applications_fundingapplication_change", args=[obj.application_id])
        return format_html('<a href="{}">{}</a>', url, obj.application)

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue()

    # --- Detail page and the review views ----------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "answer_sections": answer_sections(report) if report else [],
            "can_review": bool(
                report and report.status == ReportStatus.SUBMITTED
                and self.has_review_permission(request)
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path("export/", view(self.export_view), name="%s_%s_export" % info),
            path("<path:object_id>/accept/", view(self.accept_view), name="%s_%s_accept" % info),
            path("<path:object_id>/return/", view(self.return_view), name="%s_%s_return" % info),
            *super().get_urls(),
        ]

    def accept_view(self, request, object_id):
        return self._review_view(request, object_id, ReviewForm, lifecycle.accept,
                                 _("Accept report"),
                                 _("The report “%(report)s” has been accepted."))

    def return_view(self, request, object_id):
        return self._review_view(request, object_id, ReturnForm, lifecycle.return_for_changes,
                                 _("Return report with a comment"),
                                 _("The report “%(report)s” has been returned to the applicant "
                                   "with your comment."))

    def _review_view(self, request, object_id, form_class, transition, title, done_message):
        report = self.get_object(request, unquote(object_id))
        if report is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_review_permission(request):
            raise PermissionDenied
        change_url = reverse("admin:reports_report_change", args=[report.pk])
        if report.status != ReportStatus.SUBMITTED:
            messages.error(request, gettext(
                "Only a submitted report can be accepted or returned. This report is "
                "“%(status)s”; nothing has been changed."
            ) % {"status": report.get_status_display()})
            return redirect(change_url)
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                transition(report, request.user, form.cleaned_data["comment"])
            except lifecycle.TransitionNotAllowed as exc:
                messages.error(request, str(exc))
            else:
                self.log_change(request, report, str(title))
                messages.success(request, done_message % {"report": report})
                self._say_who_is_told(request, report)
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": str(report),
            "opts": self.opts,
            "original": report,
            "form": form,
            "change_url": change_url,
            "is_return": form_class is ReturnForm,
        }
        return TemplateResponse(
            request, "reports/admin/review.html", context, status=400 if form.errors else 200
        )

    def _say_who_is_told(self, request, report):
        """Whether the applicant gets the decision by e-mail: only an application with an
        account has someone to tell (a mail the server refuses is logged for operators)."""
        recipient = emails.applicant_email(report)
        if recipient:
            messages.info(request, gettext("An e-mail tells the applicant (%(email)s).") % {
                "email": recipient})
        else:
            messages.warning(request, gettext(
                "No e-mail was sent: no account is linked to the application %(number)s yet."
            ) % {"number": report.application.kfw_number})

    def export_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            messages.error(request, gettext("The filter could not be applied; please choose it again."))
            return redirect("admin:reports_report_changelist")
        return export.report_list_response(changelist.queryset)
