"""`manage.py seed_demo` gives the demo applicant reports in every status, idempotently,
through the real lifecycle and without sending e-mails."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from applications.demo import DEMO_APPLICANT_EMAIL
from applications.models import User
from reports import deadlines
from reports.models import Report, ReportStatus, ReportTransition

# Real commits: the e-mails are sent on commit, and must stay muted there too.
pytestmark = pytest.mark.django_db(transaction=True)


def snapshot():
    return sorted(
        Report.objects.values_list(
            "application__kfw_number", "type", "period", "status", "reference_number"
        )
    )


def test_seed_demo_shows_every_status_once_and_is_idempotent(client):
    call_command("seed_demo", stdout=io.StringIO())
    first = snapshot()
    transitions = ReportTransition.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == first
    assert ReportTransition.objects.count() == transitions
    assert mail.outbox == []

    applicant = User.objects.get(email=DEMO_APPLICANT_EMAIL)
    owed = [
        item
        for application in applicant.funding_applications.all()
        for item in deadlines.owed_reports(application)
    ]
    statuses = {item.status for item in owed}
    assert statuses == set(ReportStatus.values)
    assert any(item.is_overdue for item in owed)
    assert any(item.status == ReportStatus.NOT_STARTED and item.report is None for item in owed)
    returned = next(item.report for item in owed if item.status == ReportStatus.RETURNED)
    assert returned.caseworker_comment
    # Submitted reports got their reference numbers from the lifecycle.
    assert all(item.report.reference_number for item in owed
               if item.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED))

    client.force_login(applicant)
    html = client.get(reverse("applications:dashboard")).content.decode()
    assert returned.caseworker_comment in html
    for item in owed:
        assert str(item.status_label) in html
