"""seed_demo brings the demo applications in through the importer, once, inviting nobody."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

from applications.models import FundingApplication, KfwStatus
from kfw_import.demo import FIRST_FILE, SECOND_FILE
from kfw_import.models import ApplicationChange, ImportRun, ImportStatus


@pytest.mark.django_db(transaction=True)
def test_demo_applications_come_through_two_imports_once_and_nobody_is_invited():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    first, second = ImportRun.objects.order_by("id")
    assert (first.file_name, first.status, first.created, first.rejected) == (
        FIRST_FILE, ImportStatus.IMPORTED_WITH_REJECTIONS, 36, 1)
    assert first.rejected_rows[0]["column"] == "PLZ"
    assert (second.file_name, second.updated, second.withdrawn) == (SECOND_FILE, 2, 1)
    assert ApplicationChange.objects.filter(run=second).count() == 4
    assert FundingApplication.objects.count() == 36
    assert FundingApplication.objects.filter(owner__isnull=False).count() == 3
    assert FundingApplication.objects.get(kfw_number="4711000007").kfw_status == KfwStatus.WITHDRAWN
    assert mail.outbox == []
