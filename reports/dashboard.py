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


class ReportRows:
    """The report rows of a page's cards: the reports of all its applications read in one
    query, and what every row says worked out once per page (titles, labels, links)."""

    def __init__(self, application_ids, today: datetime.date):
        self.today = today
        self.reports = defaultdict(list)
        for report in Report.objects.for_dashboard(application_ids):
            self.reports[report.application_id].append(report)
        self.start_url, self.detail_url = START_URL.current(), DETAIL_URL.current()
        self._texts = {}  # translated texts of this page, by what they are of

    def _text(self, key, make):
        try:
            return self._texts[key]
        except KeyError:
            text = self._texts[key] = make()
            return text

    def for_application(self, application) -> list[dict]:
        """The card's rows: every report the application owes, in the order they fall due,
        with their texts and their next action's link."""
        rows = []
        reports = self.reports.get(application.pk, [])
        for item in deadlines.owed_reports(application, self.today, reports=reports):
            report, status, action = item.report, item.status, item.next_action
            title = self._text(("title", item.type, item.period), lambda: item.title)
            if action is None:
                url = ""
            elif action == "start":
                url = self.start_url(application.pk, item.type, item.period)
            else:
                url = self.detail_url(report.pk)
            label, button = ACTIONS.get(action, ("", ""))
            rows.append({
                "title": title,
                "due_date": date_format(item.due_date, "DATE_FORMAT"),
                "is_overdue": item.is_overdue,
                "status_label": self._text(("status", status), lambda: capfirst(item.status_label)),
                "badge_class": BADGE_CLASSES.get(status, ""),
                # The caseworker's comment, while the report is back with the applicant.
                "comment": report.caseworker_comment if status == ReportStatus.RETURNED else "",
                "action_url": url,
                # As {% blocktranslate %} gives it: the translation as is, the title escaped.
                "action_label": self._text(("action", action, title), lambda: mark_safe(
                    gettext(label) % {"title": conditional_escape(title)}
                )) if label else "",
                "action_button": button,
            })
        return rows
