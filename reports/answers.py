"""A submitted report's answers as titled sections of (label, value) rows, for the
read-only report page, the receipt and the caseworkers' admin alike."""

from dataclasses import dataclass

from django.template.defaultfilters import yesno
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .models import Report, ReportType


@dataclass
class Section:
    title: str
    rows: list  # (label, value)


def _value(value):
    if value is None or value == "":
        return _("not given")
    if isinstance(value, bool):
        return yesno(value, str(_("yes,no")))
    return value


def _euro(value):
    if value is None:
        return _("not given")
    return f"{formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)} €"


def _field_rows(report: Report, names) -> list:
    rows = []
    for name in names:
        field = Report._meta.get_field(name)
        value = getattr(report, name)
        rows.append((field.verbose_name, _euro(value) if name.startswith("cost_") or
                     name.endswith("_amount") else _value(value)))
    return rows


COSTS = ["cost_hardware", "cost_installation", "cost_grid_connection", "cost_other"]


def answer_sections(report: Report) -> list[Section]:
    if report.type == ReportType.COMMISSIONING:
        costs = _field_rows(report, COSTS) + [(_("Total"), _euro(report.total_cost))]
        return [
            Section(_("Site"), _field_rows(report, [
                "site_street", "site_house_number", "site_postal_code", "site_city",
                "operator_name", "publicly_accessible",
            ])),
            Section(_("Electricity"), _field_rows(report, ["renewable_electricity"])),
            Section(_("Costs"), costs),
        ]
    if report.type == ReportType.OPERATION:
        return [Section(_("Operation"), _field_rows(report, [
            "availability_and_faults", "renewable_electricity",
        ]))]
    costs = _field_rows(report, COSTS) + [(_("Total"), _euro(report.total_cost))]
    return [
        Section(_("Actual costs"), costs),
        Section(_("Other public funding"), _field_rows(report, [
            "other_public_funding_received", "other_public_funding_amount",
            "other_public_funding_source",
        ])),
        Section(_("Factual report"), _field_rows(report, ["factual_report", "declaration_confirmed"])),
    ]
