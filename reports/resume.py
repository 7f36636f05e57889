"""Where an applicant's draft report opens: the step of its wizard it was left on, linked
straight (the dashboard, the report's own address and starting a report lead there
without passing through another redirect: on a phone each one is a round trip)."""

from .commissioning import CommissioningWizard
from .final_proof import FinalProofWizard
from .operation import OperationWizard

WIZARDS = {wizard.report_type: wizard for wizard in (CommissioningWizard, OperationWizard, FinalProofWizard)}


def resume_url(report) -> str | None:
    """The step where the report's wizard resumes; None while a type has no wizard."""
    wizard = WIZARDS.get(report.type)
    return wizard.resume_url(report) if wizard else None
