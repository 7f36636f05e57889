"""The demo reports: every status on the demo applicant's dashboard, and idempotent."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from applications import demo
from reports.models import Report, ReportStatus

pytestmark = pytest.mark.django_db


def test_demo_reports_cover_every_status_once(client):
    call_command("seed_demo_reports")
    call_command("seed_demo_reports")

    statuses = set(Report.objects.values_list("status", flat=True))
    assert statuses == {ReportStatus.ACCEPTED, ReportStatus.SUBMITTED, ReportStatus.DRAFT,
                        ReportStatus.RETURNED}
    assert Report.objects.count() == 4

    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(email=demo.DEMO_APPLICANT_EMAIL))
    html = client.get(reverse("applications:dashboard")).content.decode()
    for label in ("angenommen", "eingereicht", "Entwurf", "zur Überarbeitung zurückgegeben",
                  "nicht begonnen", "Überfällig"):
        assert label in html, label
