"""The reports part of the applicant's dashboard: each owed report as its card shows it,
worked out in Python once per page (the template only puts the values in place)."""

import datetime
from collections import defaultdict

from django.template.defaultfilters import capfirst
from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_noop

from now_portal.url_formats import url_format

from . import deadlines
from .models import Report, ReportStatus

START_URL = url_format("reports:start")
DETAIL_URL = url_format("reports:detail")

# The status badge's colour beside KERN's plain badge.
BADGE_CLASSES = {
    ReportStatus.ACCEPTED: " kern-badge--success",
    ReportStatus.RETURNED: " kern-badge--warning",
    ReportStatus.SUBMITTED: " kern-badge--info",
}
# Each next action's link text (the report's title goes in) and its button's kind.
ACTIONS = {
    "start": (gettext_noop("Start %(title)s"), "primary"),
    "continue": (gettext_noop("Continue %(title)s"), "primary"),
    "revise": (gettext_noop("Revise %(title)s"), "primary"),
    "view": (gettext_noop("View %(title)s"), "secondary"),
}


def reports_by_application(application_ids) -> dict[int, list[Report]]:
    """The dashboard's report rows of these applications, by application, in one query."""
    by_application = defaultdict(list)
    for report in Report.objects.for_dashboard(application_ids):
        by_application[report.application_id].append(report)
    return by_application


def report_rows(application, reports: list[Report], today: datetime.date) -> list[dict]:
    """The card's rows: every report the application owes (`reports` are its rows, already
    loaded), in the order they fall due, with their texts and their next action's link."""
    rows = []
    for item in deadlines.owed_reports(application, today, reports=reports):
        report, status, action = item.report, item.status, item.next_action
        if action is None:
            url = ""
        elif action == "start":
            url = START_URL(application.pk, item.type, item.period)
        else:
            url = DETAIL_URL(report.pk)
        label, button = ACTIONS.get(action, ("", ""))
        rows.append({
            "title": item.title,
            "due_date": date_format(item.due_date, "DATE_FORMAT"),
            "is_overdue": item.is_overdue,
            "status_label": capfirst(item.status_label),
            "badge_class": BADGE_CLASSES.get(status, ""),
            # The caseworker's comment is shown while the report is back with the applicant.
            "comment": report.caseworker_comment if status == ReportStatus.RETURNED else "",
            "action_url": url,
            # As {% blocktranslate %} gives it: the translation as is, the title escaped.
            "action_label": mark_safe(gettext(label) % {"title": conditional_escape(item.title)})
            if label else "",
            "action_button": button,
        })
    return rows
