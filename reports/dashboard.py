"""The reports part of the applicant's dashboard: each owed report as its card shows it,
worked out in Python once per page, and written as reports/dashboard_reports.html writes it.

That template stays the markup's reference: `ReportRows.html` gives its bytes without a
template render per card (an include, a context and a dozen lookups per row), and
tests/reports/test_dashboard.py compares the two for every kind of row.
"""

import datetime
from collections import defaultdict

from django.template.defaultfilters import capfirst, linebreaksbr
from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop

from now_portal.url_formats import url_format

from . import deadlines
from .models import ReportStatus
from .resume import resume_url

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
    """The report rows of a page's cards: the reports of all its applications (read in
    one query, `reports.models.dashboard_reports`), and what every row says worked out
    once per page (titles, labels, links)."""

    def __init__(self, reports, today: datetime.date):
        self.today = today
        self.reports = defaultdict(list)
        for report in reports:
            self.reports[report.application_id].append(report)
        self.start_url, self.detail_url = START_URL.current(), DETAIL_URL.current()
        self.date_format = get_format("DATE_FORMAT")  # |date:"DATE_FORMAT" in this language
        self._texts = {}  # translated texts of this page, by what they are of

    def _text(self, key, make):
        try:
            return self._texts[key]
        except KeyError:
            text = self._texts[key] = make()
            return text

    def html(self, application) -> SafeString:
        """The application's reports as reports/dashboard_reports.html renders them."""
        return self.rows_html(application.pk, self.for_application(application))

    def rows_html(self, application_pk, rows) -> SafeString:
        text = self._escaped_text
        heading_id = f"application-{application_pk}-reports"
        parts = [f'\n<h3 class="kern-heading-small" id="{heading_id}">{text(gettext_noop("Reports"))}</h3>\n']
        if not rows:
            nothing_due = text(gettext_noop("No reports are due for this application."))
            parts.append(f'\n<p class="kern-body">{nothing_due}</p>\n')
        else:
            due_on, status_heading = text(gettext_noop("Due on")), text(gettext_noop("Status"))
            parts.append(f'\n<ul class="portal-cards reports-list" aria-labelledby="{heading_id}">\n  ')
            for row in rows:
                overdue = row["is_overdue"]
                parts.append(
                    f'\n  <li class="reports-list__item{" reports-list__item--overdue" if overdue else ""}">\n'
                    f'    <h4 class="kern-title">{conditional_escape(row["title"])}</h4>\n'
                    '    <dl class="kern-description-list">\n'
                    '      <div class="kern-description-list-item"><dt class="kern-description-list-item__key">'
                    f'{due_on}</dt><dd class="kern-description-list-item__value">{conditional_escape(row["due_date"])}'
                    + (f' <span class="kern-badge kern-badge--danger"><span class="kern-label">{text(gettext_noop("Overdue"))}'
                       "</span></span>" if overdue else "")
                    + "</dd></div>\n"
                    '      <div class="kern-description-list-item"><dt class="kern-description-list-item__key">'
                    f'{status_heading}</dt><dd class="kern-description-list-item__value">'
                    f'<span class="kern-badge{row["badge_class"]}"><span class="kern-label">'
                    f'{conditional_escape(row["status_label"])}</span></span></dd></div>\n'
                    "    </dl>\n    "
                )
                if row["comment"]:
                    parts.append(
                        '\n    <div class="kern-alert kern-alert--warning reports-list__comment">\n'
                        '      <div class="kern-alert__body"><p class="kern-body"><strong>'
                        f'{text(gettext_noop("The caseworker has returned your report for changes:"))}</strong></p>\n'
                        f'      <p class="kern-body">{linebreaksbr(row["comment"], autoescape=True)}</p></div>\n'
                        "    </div>\n    "
                    )
                parts.append("\n    ")
                if row["action_url"]:
                    parts.append(
                        f'\n      <a class="kern-btn kern-btn--{row["action_button"]}" '
                        f'href="{conditional_escape(row["action_url"])}"><span class="kern-label">'
                        f'{conditional_escape(row["action_label"])}</span></a>\n    '
                    )
                parts.append("\n  </li>\n  ")
            parts.append("\n</ul>\n")
        parts.append("\n")
        return SafeString("".join(parts))

    def _escaped_text(self, message):
        """A text of the template ({% translate %}: translated, then escaped), once per page."""
        return self._text(("text", message), lambda: conditional_escape(gettext(message)))

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
            elif action == "continue":
                url = resume_url(report) or self.detail_url(report.pk)
            else:
                url = self.detail_url(report.pk)
            label, button = ACTIONS.get(action, ("", ""))
            rows.append({
                "title": title,
                "due_date": dateformat.format(item.due_date, self.date_format),
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
