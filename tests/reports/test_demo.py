"""The demo reports: every status on the demo applicant's dashboard, idempotent, through
the real lifecycle and without sending e-mails."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from applications import demo
from reports import deadlines
from reports.demo import RETURN_COMMENT
from reports.models import Report, ReportStatus, ReportTransition


@pytest.mark.django_db
def test_demo_reports_cover_every_status_once(client):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    statuses = set(Report.objects.values_list("status", flat=True))
    assert statuses == {ReportStatus.ACCEPTED, ReportStatus.SUBMITTED, ReportStatus.DRAFT,
                        ReportStatus.RETURNED}
    assert Report.objects.count() == 4

    client.force_login(get_user_model().objects.get(email=demo.DEMO_APPLICANT_EMAIL))
    html = client.get(reverse("applications:dashboard")).content.decode()
    for label in ("Angenommen", "Eingereicht", "Entwurf", "Zur Überarbeitung zurückgegeben",
                  "Nicht begonnen", "Überfällig"):
        assert label in html, label


def snapshot():
    return sorted(
        Report.objects.values_list(
            "application__kfw_number", "type", "period", "status", "reference_number"
        )
    )


# Real commits: the lifecycle's e-mails go out on commit, and must stay muted there too.
@pytest.mark.django_db(transaction=True)
def test_seed_demo_shows_every_status_idempotently_and_mails_nobody(client):
    call_command("seed_demo", stdout=io.StringIO())
    first = snapshot()
    transitions = ReportTransition.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == first
    assert ReportTransition.objects.count() == transitions
    assert mail.outbox == []

    applicant = get_user_model().objects.get(email=demo.DEMO_APPLICANT_EMAIL)
    owed = [
        item
        for application in applicant.funding_applications.all()
        for item in deadlines.owed_reports(application)
    ]
    assert {item.status for item in owed} == set(ReportStatus.values)
    assert any(item.is_overdue for item in owed)
    returned = next(item.report for item in owed if item.status == ReportStatus.RETURNED)
    assert returned.caseworker_comment == RETURN_COMMENT
    assert all(item.report.reference_number for item in owed
               if item.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED))

    client.force_login(applicant)
    html = client.get(reverse("applications:dashboard")).content.decode()
    assert RETURN_COMMENT in html  # the caseworker's comment, on the dashboard
