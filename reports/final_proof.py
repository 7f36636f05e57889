"""The final proof of use (Verwendungsnachweis) wizard: actual costs against the approved
amount, other public funding (details only if there was any), invoices, a short factual
report and the declaration; then check and submit.

Costs above the approved amount: applicants must report what they actually spent, so a
higher total is not refused, but it is never accepted silently either. The step asks
them to confirm the figures explicitly, saying that the grant is not increased (the
approved amount is the maximum the programme pays); the check page shows the excess.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _, ngettext
from django.views.decorators.http import require_POST

from . import uploads
from .fields import EuroField, YesNoField
from .forms import ReportStepForm
from .models import Report, ReportFileKind, ReportType
from .wizard import RETURN_TO_CHECK, ReportWizardView, display_value

COST_FIELDS = ("cost_hardware", "cost_installation", "cost_grid_connection", "cost_other")
MAX_INVOICES = 50
MAX_FACTUAL_REPORT_LENGTH = 4000


def euro(amount: Decimal) -> str:
    return formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True) + " €"


def cost_excess(report, total) -> Decimal | None:
    """By how much `total` exceeds the application's approved amount, or None."""
    if total is None or total <= report.application.approved_amount:
        return None
    return total - report.application.approved_amount


class ActualCostsForm(ReportStepForm):
    cost_hardware = EuroField(label=_("Hardware (charging stations)"))
    cost_installation = EuroField(label=_("Installation"))
    cost_grid_connection = EuroField(label=_("Grid connection"))
    cost_other = EuroField(label=_("Other costs"))
    confirm_above_approved = forms.BooleanField(
        label=_("My figures are correct. I understand that the grant is not increased."),
        help_text=_("Only needed if the total is above the approved amount."),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if any(name not in cleaned for name in COST_FIELDS):
            return cleaned
        total = sum(cleaned[name] for name in COST_FIELDS)
        if total == 0:
            raise ValidationError(
                _("Enter the costs you actually incurred: the total cannot be 0 €."), code="zero"
            )
        excess = cost_excess(self.report, total)
        if excess is not None and not cleaned.get("confirm_above_approved"):
            self.add_error("confirm_above_approved", ValidationError(
                _("The total of %(total)s is %(excess)s above the approved amount of "
                  "%(approved)s. The grant will not be increased. Please check your figures, "
                  "or confirm that they are correct."),
                code="above_approved",
                params={"total": euro(total), "excess": euro(excess),
                        "approved": euro(self.report.application.approved_amount)},
            ))
        if excess is None:
            cleaned["confirm_above_approved"] = False  # nothing to confirm
        return cleaned


class OtherFundingForm(ReportStepForm):
    other_public_funding_received = YesNoField(
        label=_("Did you receive other public funding for these charging points?"),
        help_text=_("For example from your federal state, your municipality or the EU."),
    )


class FundingDetailsForm(ReportStepForm):
    other_public_funding_amount = EuroField(
        label=_("Amount of the other funding"), min_value=Decimal("0.01"),
        error_messages={"min_value": _("Enter the amount you received: more than 0 €.")},
    )
    other_public_funding_source = forms.CharField(
        label=_("Who provided it?"), max_length=200,
        help_text=_("The funding body and programme, for example “Land NRW, progres.nrw”."),
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class InvoicesField(uploads.ReportUploadField):
    """One or more invoices (PDF) at a time; each is checked by content and size."""

    def __init__(self, **kwargs):
        rule = uploads.UPLOAD_RULES[ReportFileKind.INVOICE]
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": rule.accept}))
        super().__init__(kind=ReportFileKind.INVOICE, single=False, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        cleaned = [super(InvoicesField, self).clean(upload, initial) for upload in files]
        return [upload for upload in cleaned if upload]

    send_label = _("Upload the invoice")

    def keep(self, report, upload, user):
        return [uploads.store_report_file(report, one, self.kind, user) for one in upload]

    def receive(self, report, upload, user):
        check_invoice_count(report.files.filter(kind=ReportFileKind.INVOICE).count(), adding=1)
        return super().receive(report, [upload], user)


def check_invoice_count(existing: int, adding: int) -> None:
    if existing + adding > MAX_INVOICES:
        raise ValidationError(
            _("You can upload at most %(max)d invoices. Please combine several invoices "
              "into one PDF."), code="too_many", params={"max": MAX_INVOICES},
        )


class InvoicesForm(ReportStepForm):
    invoices = InvoicesField(
        label=_("Add invoices (PDF)"), required=False,
        help_text=_("You can choose several files at once. PDF, at most %(max)s each.")
        % {"max": uploads.UPLOAD_RULES[ReportFileKind.INVOICE].max_size},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = list(self.report.files.filter(kind=ReportFileKind.INVOICE))
        # Not "optional" while there is none: the step needs one (see clean).
        self.fields["invoices"].required_in_step = not self.existing

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        new = cleaned.get("invoices") or []
        adding = "wizard_stay" in self.data
        if adding and not new:
            self.add_error("invoices", ValidationError(
                _("Choose one or more PDF files to upload."), code="nothing_chosen"
            ))
        elif not new and not self.existing:
            self.add_error("invoices", ValidationError(
                _("Upload at least one invoice."), code="required"
            ))
        else:
            try:
                check_invoice_count(len(self.existing), len(new))
            except ValidationError as error:
                self.add_error("invoices", error)
        return cleaned


class FactualReportForm(ReportStepForm):
    factual_report = forms.CharField(
        label=_("Short factual report"),
        help_text=_("In a few sentences: what was built, whether it works as planned, and "
                    "any changes compared with the application. At most %(max)d characters.")
        % {"max": MAX_FACTUAL_REPORT_LENGTH},
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=MAX_FACTUAL_REPORT_LENGTH,
    )


class DeclarationForm(ReportStepForm):
    declaration_confirmed = forms.BooleanField(
        label=_("I declare that the information in this proof of use is true and complete. "
                "I know that false information may lead to the grant being reclaimed and "
                "may be punishable as subsidy fraud (section 264 of the German Criminal Code)."),
        error_messages={"required": _(
            "Please confirm that the information is true and complete to continue."
        )},
    )


def other_funding_received(wizard) -> bool:
    return wizard.stored_value("foerderung", "other_public_funding_received") == "yes"


class FinalProofWizard(ReportWizardView):
    report_type = ReportType.FINAL_PROOF
    url_name = "reports:final_proof_step"
    form_list = [
        ("kosten", ActualCostsForm),
        ("foerderung", OtherFundingForm),
        ("foerderung-details", FundingDetailsForm),
        ("rechnungen", InvoicesForm),
        ("sachbericht", FactualReportForm),
        ("erklaerung", DeclarationForm),
    ]
    condition_dict = {"foerderung-details": other_funding_received}
    step_titles = {
        "kosten": _("Actual costs"),
        "foerderung": _("Other public funding"),
        "foerderung-details": _("Details of the other funding"),
        "rechnungen": _("Invoices"),
        "sachbericht": _("Factual report"),
        "erklaerung": _("Declaration"),
    }
    step_templates = {
        "kosten": "reports/final_proof/costs.html",
        "rechnungen": "reports/final_proof/invoices.html",
    }

    def get_form_initial(self, step):
        report = self.report
        if step == "kosten":
            return {name: getattr(report, name) for name in COST_FIELDS}
        if step == "foerderung":
            return {"other_public_funding_received": report.other_public_funding_received}
        if step == "foerderung-details":
            return {"other_public_funding_amount": report.other_public_funding_amount,
                    "other_public_funding_source": report.other_public_funding_source}
        if step == "sachbericht":
            return {"factual_report": report.factual_report}
        return {}

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        context["approved_amount"] = self.report.application.approved_amount
        if self.steps.current == "rechnungen":
            context["invoices"] = form.existing
        return context

    def summarise(self, step, form):
        if step == "kosten":
            rows = [
                (form[name].label, display_value(form[name], form.cleaned_data[name]))
                for name in COST_FIELDS
            ]
            total = sum(form.cleaned_data[name] for name in COST_FIELDS)
            rows.append((_("Total"), euro(total)))
            rows.append((_("Approved amount"), euro(self.report.application.approved_amount)))
            excess = cost_excess(self.report, total)
            if excess is not None:
                rows.append((_("Above the approved amount (confirmed by you)"), euro(excess)))
            return rows
        if step == "rechnungen":
            names = [invoice.original_name for invoice in form.existing]
            return [(ngettext("%(count)d invoice", "%(count)d invoices", len(names))
                     % {"count": len(names)}, ", ".join(names))]
        return super().summarise(step, form)

    def save_answers(self, report, form_dict):
        costs = form_dict["kosten"].cleaned_data
        for name in COST_FIELDS:
            setattr(report, name, costs[name])
        received = form_dict["foerderung"].cleaned_data["other_public_funding_received"]
        report.other_public_funding_received = received
        details = form_dict.get("foerderung-details")
        if received and details is not None:
            report.other_public_funding_amount = details.cleaned_data["other_public_funding_amount"]
            report.other_public_funding_source = details.cleaned_data["other_public_funding_source"]
        else:
            report.other_public_funding_amount, report.other_public_funding_source = None, ""
        report.factual_report = form_dict["sachbericht"].cleaned_data["factual_report"]
        report.declaration_confirmed = form_dict["erklaerung"].cleaned_data["declaration_confirmed"]
        report.save(update_fields=[
            *COST_FIELDS, "other_public_funding_received", "other_public_funding_amount",
            "other_public_funding_source", "factual_report", "declaration_confirmed", "updated_at",
        ])


@login_required
@require_POST
def invoice_remove(request, pk, file_pk):
    """Remove one invoice of a draft final proof (a button on the invoices step)."""
    report = get_object_or_404(
        Report.objects.owned_by(request.user).select_related("application"),
        pk=pk, type=ReportType.FINAL_PROOF,
    )
    if not report.accepts_changes:  # submitted, or the application withdrawn: read-only
        raise Http404
    invoice = get_object_or_404(report.files, pk=file_pk, kind=ReportFileKind.INVOICE)
    name = invoice.original_name
    uploads.delete_report_file(invoice)
    messages.success(request, _("The invoice “%(name)s” has been removed.") % {"name": name})
    url = reverse("reports:final_proof_step", args=[report.pk, "rechnungen"])
    if RETURN_TO_CHECK in request.POST:
        url += f"?{RETURN_TO_CHECK}=1"
    return redirect(url)
