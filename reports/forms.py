"""The commissioning report's questions, one form per wizard step, and the charging point card."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from now_portal.forms import name_missing_answers

from . import points
from .fields import EuroField, FlexibleDecimalField, YesNoField
from .models import MAX_POWER_KW, MIN_POWER_KW, ChargingPoint, ReportFileKind
from .uploads import ReportUploadField


class ReportStepForm(forms.Form):
    """A wizard step's form; it knows its report (for rules that depend on it)."""

    def __init__(self, *args, report=None, **kwargs):
        self.report = report
        super().__init__(*args, **kwargs)
        name_missing_answers(self)


class SiteForm(ReportStepForm):
    street = forms.CharField(label=_("Street"), max_length=200)
    house_number = forms.CharField(label=_("House number"), max_length=20)
    postal_code = forms.RegexField(
        label=_("Postal code"), regex=r"^\d{5}$", max_length=5,
        error_messages={"invalid": _("Enter the postal code as five digits, for example 01067.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    city = forms.CharField(label=_("City"), max_length=100)
    operator_name = forms.CharField(
        label=_("Operator of the charging points"), max_length=200,
        help_text=_("The person or company that runs the charging points."),
    )
    publicly_accessible = YesNoField(label=_("Is the site publicly accessible?"))


class PointsMethodForm(ReportStepForm):
    FORM, UPLOAD = "form", "upload"
    method = forms.ChoiceField(
        label=_("How would you like to enter the charging points?"),
        choices=[
            (FORM, _("One by one in a form")),
            (UPLOAD, _("Upload a list (Excel file) – for many charging points")),
        ],
        widget=forms.RadioSelect,
    )


class PointsForm(ReportStepForm):
    """The cards page: no fields, but the points entered must be complete and allowed."""

    def clean(self):
        validate_points_of(self.report)
        return super().clean()


def validate_points_of(report) -> None:
    entered = list(report.charging_points.all())  # one query, for the count and the dates
    if not entered:
        raise ValidationError(_("Add at least one charging point."), code="no_points")
    points.validate_point_count(report, len(entered))
    approval_date = report.application.approval_date
    for point in entered:
        try:
            points.validate_commissioning_date(point.commissioning_date, approval_date)
        except ValidationError as exc:
            raise ValidationError(
                _("Charging point “%(label)s”: %(reason)s")
                % {"label": point.label, "reason": exc.messages[0]}
            ) from exc


class PointListForm(ReportStepForm):
    """Upload the points as a list; without a new file, the points entered so far count."""

    point_list = ReportUploadField(
        kind=ReportFileKind.POINT_LIST, label=_("List of charging points (Excel file)"),
        required=False, keep_alone=False, direct=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_errors = []
        self.new_points = None

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("point_list")
        if upload:
            new_points, self.row_errors = points.parse_point_list(
                self.report, upload, ChargingPointForm
            ) if not self.errors else ([], [])
            if self.row_errors:
                self.add_error("point_list", ValidationError(
                    _("The list has errors in %(count)d rows (see below). Nothing has been "
                      "saved. Please correct the list and upload it again.")
                    % {"count": len(self.row_errors)},
                    code="row_errors",
                ))
            else:
                self.new_points = new_points
        elif not self.errors:
            validate_points_of(self.report)
        return cleaned

    def commit(self, report, user):
        if self.new_points is not None:
            points.replace_points(report, self.new_points)


class ElectricityForm(ReportStepForm):
    renewable_electricity = forms.BooleanField(
        label=_("The charging points are supplied with electricity from 100 percent renewable sources"),
        error_messages={"required": _(
            "The programme requires electricity from 100 percent renewable sources. "
            "Please confirm this to continue."
        )},
    )
    renewable_proof = ReportUploadField(
        kind=ReportFileKind.RENEWABLE_PROOF,
        label=_("Proof of renewable electricity"),
        error_messages={"required": _(
            "Upload the proof of renewable electricity, for example your electricity contract."
        )},
    )

    def __init__(self, *args, existing_proof=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing_proof = existing_proof
        if existing_proof is not None:
            # The stored file is the field's value until another one is chosen.
            self.fields["renewable_proof"].initial = existing_proof.file
            self.fields["renewable_proof"].help_text = _(
                "You have uploaded “%(name)s”. Choose a file only to replace it."
            ) % {"name": existing_proof.original_name}


class CostsForm(ReportStepForm):
    cost_hardware = EuroField(label=_("Hardware (charging stations)"))
    cost_installation = EuroField(label=_("Installation"))
    cost_grid_connection = EuroField(label=_("Grid connection"))
    cost_other = EuroField(label=_("Other costs"))


class ChargingPointForm(forms.ModelForm):
    """One charging point card (also each row of the uploaded list)."""

    power_kw = FlexibleDecimalField(
        label=_("Power in kW"), max_digits=6, decimal_places=2,
        min_value=MIN_POWER_KW, max_value=MAX_POWER_KW,
        help_text=_("Between 3.7 and 350 kW, for example 22 or 3,7."),
        error_messages={
            "min_value": _("The power must be at least 3.7 kW."),
            "max_value": _("The power can be at most 350 kW."),
        },
    )
    commissioning_date = forms.DateField(
        label=_("Commissioning date"),
        help_text=_("For example 15.06.2026"),
        # The same spellings in every language (and ISO, as spreadsheets write dates).
        input_formats=["%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d.%m.%Y"),
    )

    class Meta:
        model = ChargingPoint
        fields = ["label", "power_kw", "current_type", "connector", "commissioning_date", "evse_id"]
        labels = {
            "label": _("Name of the charging point"),
            "current_type": _("Current type"),
            "connector": _("Connector"),
            "evse_id": _("EVSE ID"),
        }
        help_texts = {
            "label": _("So that you can tell the points apart, for example “Parking space 3”."),
            "evse_id": _("For example DE*ABC*E12345."),
        }
        widgets = {"current_type": forms.RadioSelect, "connector": forms.RadioSelect}

    def __init__(self, *args, report, counting_existing=True, **kwargs):
        self.report = report
        self.counting_existing = counting_existing
        super().__init__(*args, **kwargs)
        name_missing_answers(self)
        if self.instance.report_id is None:
            self.instance.report = report
        self.fields["current_type"].choices = self.fields["current_type"].choices[1:]
        self.fields["connector"].choices = self.fields["connector"].choices[1:]

    def clean_commissioning_date(self):
        value = self.cleaned_data["commissioning_date"]
        points.validate_commissioning_date(value, self.report.application.approval_date)
        return value

    def clean_evse_id(self):
        value = points.normalise_evse_id(self.cleaned_data.get("evse_id", ""))
        points.validate_evse_id(value)
        if value and self.counting_existing:
            others = self.report.charging_points.filter(evse_id=value)
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                raise ValidationError(
                    _("Another charging point of this report already has this EVSE ID."),
                    code="duplicate_evse_id",
                )
        return value

    def clean(self):
        cleaned = super().clean()
        if self.counting_existing and self.instance.pk is None:
            try:
                points.validate_point_count(self.report, self.report.charging_points.count() + 1)
            except ValidationError as exc:
                raise ValidationError(exc.messages[0], code="too_many_points") from exc
        return cleaned


class PointDeleteForm(forms.Form):
    """Removing a card asks once, on its own page (no JavaScript)."""
