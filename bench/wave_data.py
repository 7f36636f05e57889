"""Data of the wave benchmark: claimable applications before, the outcome after."""

import datetime
from decimal import Decimal

from applications.models import FundingApplication, KfwStatus


def create_claimable_applications(count: int) -> list[dict]:
    FundingApplication.objects.filter(kfw_number__startswith="48").delete()
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
    return {"claimed_once": claimed_once, "missing_or_doubled": wrong}
