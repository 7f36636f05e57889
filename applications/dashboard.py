"""The applicant's dashboard: one card per application with the reports it owes, read in
two queries (compiled once, see now_portal.prepared) and worked out once per page."""

import datetime

from django.utils import timezone

from now_portal.url_formats import url_format
from reports import dashboard as report_dashboard
from reports.models import dashboard_reports

from .models import dashboard_applications

DETAIL_URL = url_format("applications:detail")


def cards(user, today: datetime.date | None = None) -> list[dict]:
    """Each of the user's applications with its detail link and its reports' part."""
    today = today or timezone.localdate()
    applications = dashboard_applications(user)
    report_rows = report_dashboard.ReportRows(dashboard_reports(user), today)
    detail_url = DETAIL_URL.current()
    return [
        {
            "application": application,
            "detail_url": detail_url(application.pk),
            "reports_html": report_rows.html(application),
        }
        for application in applications
    ]
