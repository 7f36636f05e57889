"""The commissioning report (Inbetriebnahmemeldung) wizard: site, how the points are
entered, the points (cards or a list), electricity, costs; then check and submit."""

from django.utils.translation import gettext_lazy as _

from . import forms as report_forms
from .models import ReportFileKind, ReportType
from .wizard import RETURN_TO_CHECK, ReportWizardView, display_value


def points_entered_one_by_one(wizard) -> bool:
    return wizard.stored_value("erfassung", "method") != report_forms.PointsMethodForm.UPLOAD


def points_uploaded_as_list(wizard) -> bool:
    return not points_entered_one_by_one(wizard)


# The steps whose templates show the report's charging points.
POINTS_STEPS = ("ladepunkte", "ladepunkte-liste")


class CommissioningWizard(ReportWizardView):
    report_type = ReportType.COMMISSIONING
    url_name = "reports:commissioning_step"
    form_list = [
        ("standort", report_forms.SiteForm),
        ("erfassung", report_forms.PointsMethodForm),
        ("ladepunkte", report_forms.PointsForm),
        ("ladepunkte-liste", report_forms.PointListForm),
        ("strom", report_forms.ElectricityForm),
        ("kosten", report_forms.CostsForm),
    ]
    condition_dict = {
        "ladepunkte": points_entered_one_by_one,
        "ladepunkte-liste": points_uploaded_as_list,
    }
    step_titles = {
        "standort": _("Site"),
        "erfassung": _("How to enter the charging points"),
        "ladepunkte": _("Charging points"),
        "ladepunkte-liste": _("List of charging points"),
        "strom": _("Electricity"),
        "kosten": _("Costs"),
    }
    step_templates = {
        "ladepunkte": "reports/commissioning/points.html",
        "ladepunkte-liste": "reports/commissioning/point_list.html",
    }
    check_template_name = "reports/commissioning/check.html"

    def get_form_kwargs(self, step=None):
        kwargs = super().get_form_kwargs(step)
        if step == "strom":
            kwargs["existing_proof"] = self.report.files.filter(
                kind=ReportFileKind.RENEWABLE_PROOF
            ).last()
        return kwargs

    def get_form_initial(self, step):
        report = self.report
        if step == "standort":
            return {
                "street": report.site_street,
                "house_number": report.site_house_number,
                "postal_code": report.site_postal_code,
                "city": report.site_city,
                "operator_name": report.operator_name,
                "publicly_accessible": report.publicly_accessible,
            }
        if step == "kosten":
            return {
                name: getattr(report, name)
                for name in ("cost_hardware", "cost_installation", "cost_grid_connection", "cost_other")
            }
        return {}

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        if self.steps.current in POINTS_STEPS:
            # Only the points steps show them (building a queryset costs time of its own).
            context["charging_points"] = self.report.charging_points.all()
            context["approved_points"] = self.report.application.approved_charging_points
            context["point_query"] = f"?{RETURN_TO_CHECK}=1" if context["return_to_check"] else ""
        return context

    def summarise(self, step, form):
        if step in POINTS_STEPS:
            return []  # shown as cards by the template
        rows = super().summarise(step, form)
        if step == "strom":
            proof = form.existing_proof
            rows.append((_("Proof of renewable electricity"), proof.original_name if proof else ""))
        if step == "kosten":
            total = sum(form.cleaned_data.values())
            rows.append((_("Total"), display_value(form["cost_other"], total)))
        return rows

    def check_context(self):
        return {"charging_points": list(self.report.charging_points.all())}

    def save_answers(self, report, form_dict):
        site = form_dict["standort"].cleaned_data
        costs = form_dict["kosten"].cleaned_data
        report.site_street = site["street"]
        report.site_house_number = site["house_number"]
        report.site_postal_code = site["postal_code"]
        report.site_city = site["city"]
        report.operator_name = site["operator_name"]
        report.publicly_accessible = site["publicly_accessible"]
        report.renewable_electricity = form_dict["strom"].cleaned_data["renewable_electricity"]
        for name, value in costs.items():
            setattr(report, name, value)
        report.save(update_fields=[
            "site_street", "site_house_number", "site_postal_code", "site_city",
            "operator_name", "publicly_accessible", "renewable_electricity",
            *costs.keys(), "updated_at",
        ])
