"""The applicant's dashboard: one card per application with the reports it owes, read in
two queries and worked out once per page."""

import datetime

from django.utils import timezone

from now_portal.url_formats import url_format
from reports import dashboard as report_dashboard

from .models import FundingApplication

DETAIL_URL = url_format("applications:detail")


def cards(user, today: datetime.date | None = None) -> list[dict]:
    """Each of the user's applications with its detail link and its report rows."""
    today = today or timezone.localdate()
    applications = list(FundingApplication.objects.for_dashboard(user))
    reports = report_dashboard.reports_by_application([a.pk for a in applications])
    return [
        {
            "application": application,
            "detail_url": DETAIL_URL(application.pk),
            "reports": report_dashboard.report_rows(application, reports[application.pk], today),
        }
        for application in applications
    ]
