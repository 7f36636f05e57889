"""Data of the wave benchmark: claimable applications before, the outcome after."""

import datetime
from decimal import Decimal

from django.db.models import Count

from applications.models import FundingApplication, KfwStatus
from reports.models import Report, ReportStatus


def create_claimable_applications(count: int) -> list[dict]:
    applications = [
        FundingApplication(
            kfw_number=f"48{index:08d}", program="441", applicant_name=f"Wellenfirma {index} GmbH",
            contact_first_name="Wanda", contact_last_name=f"Welle {index}",
            email=f"welle{index}@example.org", street="Brandungsweg", house_number=str(index),
            postal_code="18055", city="Rostock", approved_charging_points=4,
            approved_amount=Decimal("8000.00"), approval_date=datetime.date(2026, 5, 1),
            kfw_status=KfwStatus.APPROVED,
        )
        for index in range(1, count + 1)
    ]
    FundingApplication.objects.bulk_create(applications, batch_size=1000)
    return [{"kfw_number": a.kfw_number, "email": a.email} for a in applications]


def claimed_counts(kfw_numbers: list[str]) -> dict:
    owned = dict(
        FundingApplication.objects.filter(kfw_number__in=kfw_numbers).values_list("kfw_number", "owner__email")
    )
    claimed_once = sum(1 for number in kfw_numbers if owned.get(number))
    expected = {number: f"welle{int(number[2:])}@example.org" for number in kfw_numbers}
    wrong = sum(1 for number in kfw_numbers if owned.get(number) != expected[number])
    submitted = dict(
        Report.objects.filter(application__kfw_number__in=kfw_numbers, status=ReportStatus.SUBMITTED)
        .values_list("application__kfw_number").annotate(n=Count("id"))
    )
    reports_once = sum(1 for number in kfw_numbers if submitted.get(number) == 1)
    return {"claimed_once": claimed_once, "missing_or_doubled": wrong,
            "reports_once": reports_once,
            "reports_missing_or_doubled": len(kfw_numbers) - reports_once}
