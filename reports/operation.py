"""The operation report (Betriebsbericht) wizard, one per calendar year: the year's
charging-process data (an upload, checked row by row and summed up per charging point),
availability and faults, renewable supply kept up; then check and submit."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _, ngettext

from . import charging_data, uploads
from .forms import ReportStepForm
from .models import ReportFileKind, ReportType
from .wizard import ReportWizardView

MAX_AVAILABILITY_LENGTH = 5000


class ChargingDataField(uploads.ReportUploadField):
    """The file is checked and recorded by the step's form (`ChargingDataForm.clean`),
    never kept on its own: on "back" or "save and continue later" it is not imported."""

    send_label = _("Upload and check the file")

    def __init__(self, **kwargs):
        super().__init__(kind=ReportFileKind.CHARGING_DATA, single=False, keep_alone=False,
                         **kwargs)

    def receive(self, report, upload, user):
        """Sent on its own (straight to S3): imported at once; rows with errors are kept
        with the upload record and shown on the step."""
        return charging_data.import_charging_data(report, upload, user)


class ChargingDataForm(ReportStepForm):
    """The year's charging sessions. A new file is checked and recorded when the step is
    validated; without one, the data uploaded before counts."""

    charging_data = ChargingDataField(
        label=_("Charging-process data (CSV or Excel file)"), required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.current = charging_data.current_upload(self.report)
        # Not "optional" until there is data: the step needs a file then (see clean).
        self.fields["charging_data"].required_in_step = self.current is None
        self.failed = None  # the upload record of a file with row errors sent now

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        upload = cleaned.get("charging_data")
        if upload:
            try:
                record, result = charging_data.import_charging_data(self.report, upload, self.user)
            except ValidationError as exc:
                self.add_error("charging_data", exc)
                return cleaned
            # Recorded already: the wizard must not keep the file a second time.
            cleaned["charging_data"] = None
            if result.is_valid:
                self.current = record
            else:
                self.failed = record
                self.add_error("charging_data", rows_with_errors_message(record))
        elif self.current is None:
            self.add_error("charging_data", ValidationError(
                _("Upload the charging-process data of %(year)d.") % {"year": self.report.period},
                code="required",
            ))
        return cleaned


def rows_with_errors_message(record) -> str:
    if record.row_count == 0:
        return str(_("The file contains no charging sessions below the header row. Nothing "
                     "has been changed."))
    return ngettext(
        "%(count)d row of the file has errors (see the table below). Nothing has been "
        "changed: please correct the file and upload it again.",
        "%(count)d rows of the file have errors (see the table below). Nothing has been "
        "changed: please correct the file and upload it again.",
        record.error_count,
    ) % {"count": record.error_count}


class AvailabilityForm(ReportStepForm):
    availability_and_faults = forms.CharField(
        label=_("Availability and faults"),
        help_text=_("For example: times when charging points could not be used, faults and "
                    "how they were fixed, vandalism. At most %(max)d characters.")
        % {"max": MAX_AVAILABILITY_LENGTH},
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_AVAILABILITY_LENGTH,
        required=False,
    )


class RenewableSupplyForm(ReportStepForm):
    renewable_electricity = forms.BooleanField(
        label=_("Throughout the year, the charging points were supplied with electricity "
                "from 100 percent renewable sources."),
        error_messages={"required": _(
            "The programme requires electricity from 100 percent renewable sources for the "
            "whole operating period. Please confirm this to continue. If this was not the "
            "case, please contact NOW GmbH."
        )},
    )


class OperationWizard(ReportWizardView):
    report_type = ReportType.OPERATION
    url_name = "reports:operation_step"
    form_list = [
        ("ladevorgaenge", ChargingDataForm),
        ("verfuegbarkeit", AvailabilityForm),
        ("strom", RenewableSupplyForm),
    ]
    step_titles = {
        "ladevorgaenge": _("Charging sessions"),
        "verfuegbarkeit": _("Availability and faults"),
        "strom": _("Electricity from renewable sources"),
    }
    step_templates = {"ladevorgaenge": "reports/operation/charging_data.html"}
    check_template_name = "reports/operation/check.html"

    def get_form_kwargs(self, step=None):
        kwargs = super().get_form_kwargs(step)
        if step == "ladevorgaenge":
            kwargs["user"] = self.request.user
        return kwargs

    def get_form_initial(self, step):
        if step == "verfuegbarkeit":
            return {"availability_and_faults": self.report.availability_and_faults}
        if step == "strom" and self.report.renewable_electricity:
            return {"renewable_electricity": True}
        return {}

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        if self.steps.current == "ladevorgaenge":
            latest = self.report.charging_uploads.select_related("file").order_by(
                "-created_at", "-id"
            ).first()
            context.update(
                current_upload=form.current,
                # A file with errors sent now, or the last one sent (e.g. on "back").
                failed_upload=form.failed or (latest if latest and not latest.is_valid else None),
                summaries=list(charging_data.summaries(self.report)) if form.current else [],
                rule=uploads.UPLOAD_RULES[ReportFileKind.CHARGING_DATA],
                max_kept_errors=charging_data.MAX_KEPT_ERRORS,
            )
        return context

    def summarise(self, step, form):
        if step == "ladevorgaenge":
            current = form.current
            return [
                (_("File"), current.file.original_name),
                (_("Charging sessions"), current.row_count),
            ]
        return super().summarise(step, form)

    def check_context(self):
        return {"summaries": list(charging_data.summaries(self.report))}

    def save_answers(self, report, form_dict):
        report.availability_and_faults = form_dict["verfuegbarkeit"].cleaned_data[
            "availability_and_faults"
        ]
        report.renewable_electricity = form_dict["strom"].cleaned_data["renewable_electricity"]
        report.save(update_fields=["availability_and_faults", "renewable_electricity", "updated_at"])
        charging_data.drop_failed_uploads(report)
