"""When an application's reports are due: the one place for the programme's deadlines.

- Commissioning report: due 6 months after the approval date.
- Operating duty: six years from the commissioning date, which is the earliest
  commissioning date of a charging point in the ACCEPTED commissioning report. One
  operation report is owed for every calendar year that holds at least one day of the
  duty (so usually seven: the partial first year, five full years, the partial last one;
  six when commissioning falls on 1 January). Each is due on 31 March of the next year
  and is listed from the first day of its year on.
- Final proof of use: due 6 months after the commissioning report was accepted.
"Six months after" a day that the target month lacks (31 August) is that month's last day.
"""

import calendar
import datetime
from dataclasses import dataclass
from functools import cached_property

from django.utils import timezone

from .models import ONE_OFF_PERIOD, OPEN_STATUSES, Report, ReportStatus, ReportType

COMMISSIONING_MONTHS = 6
FINAL_PROOF_MONTHS = 6
OPERATING_DUTY_YEARS = 6
# Operation reports for year Y are due on this day of year Y + 1.
OPERATION_DUE_MONTH, OPERATION_DUE_DAY = 3, 31


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the last day of that month if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: datetime.date, years: int) -> datetime.date:
    return add_months(day, 12 * years)


def commissioning_due_date(approval_date: datetime.date) -> datetime.date:
    return add_months(approval_date, COMMISSIONING_MONTHS)


def operation_due_date(year: int) -> datetime.date:
    return datetime.date(year + 1, OPERATION_DUE_MONTH, OPERATION_DUE_DAY)


def final_proof_due_date(commissioning_accepted_on: datetime.date) -> datetime.date:
    return add_months(commissioning_accepted_on, FINAL_PROOF_MONTHS)


def operating_duty_years(commissioning_date: datetime.date) -> list[int]:
    """The calendar years that hold at least one day of the six-year operating duty."""
    last_day = add_years(commissioning_date, OPERATING_DUTY_YEARS) - datetime.timedelta(days=1)
    return list(range(commissioning_date.year, last_day.year + 1))


@dataclass(frozen=True)
class OwedReport:
    """A report an application owes, started (`report` is its row) or not (`report` None).

    What it says of itself is worked out once (a dashboard card asks several times)."""

    application: object
    type: str
    period: int
    due_date: datetime.date
    report: Report | None
    today: datetime.date

    @cached_property
    def status(self) -> str:
        return self.report.status if self.report is not None else ReportStatus.NOT_STARTED

    @cached_property
    def status_label(self) -> str:
        return ReportStatus(self.status).label

    @cached_property
    def type_label(self) -> str:
        return ReportType(self.type).label

    @cached_property
    def title(self) -> str:
        if self.type == ReportType.OPERATION:
            return f"{self.type_label} {self.period}"
        return str(self.type_label)

    @cached_property
    def is_overdue(self) -> bool:
        return self.status in OPEN_STATUSES and self.due_date < self.today

    @cached_property
    def next_action(self) -> str | None:
        """"start", "continue", "revise" or "view"; None where nothing can be done."""
        if self.status == ReportStatus.NOT_STARTED:
            return None if self.application.is_withdrawn else "start"
        if self.application.is_withdrawn:
            return "view"
        if self.status == ReportStatus.DRAFT:
            return "continue"
        if self.status == ReportStatus.RETURNED:
            return "revise"
        return "view"


def _commissioning_report(reports: list[Report]) -> Report | None:
    return next((r for r in reports if r.type == ReportType.COMMISSIONING), None)


def commissioning_date(reports: list[Report]) -> datetime.date | None:
    """The start of the operating duty, or None while the commissioning report is not accepted."""
    report = _commissioning_report(reports)
    if report is None or report.status != ReportStatus.ACCEPTED:
        return None
    if hasattr(report, "first_commissioning_date"):  # annotated by the caller's query
        return report.first_commissioning_date
    return min((p.commissioning_date for p in report.charging_points.all()), default=None)


def commissioning_accepted_on(reports: list[Report]) -> datetime.date | None:
    report = _commissioning_report(reports)
    if report is None or report.status != ReportStatus.ACCEPTED or report.accepted_at is None:
        return None
    return timezone.localdate(report.accepted_at)


def owed_reports(
    application, today: datetime.date | None = None, reports: list[Report] | None = None
) -> list[OwedReport]:
    """Every report the application owes as of `today`: its existing rows plus the ones
    not started yet, in the order they fall due. The rows are `reports` where the caller
    has loaded them already, else `application.reports.all()` (with
    `dashboard_reports_prefetch` no query either). A withdrawn application owes nothing
    new: only its existing reports are listed."""
    today = today or timezone.localdate()
    reports = list(application.reports.all()) if reports is None else reports
    existing = {(r.type, r.period): r for r in reports}
    owed: dict[tuple[str, int], datetime.date] = {}

    owed[(ReportType.COMMISSIONING, ONE_OFF_PERIOD)] = commissioning_due_date(
        application.approval_date
    )
    start = commissioning_date(reports)
    if start is not None:
        for year in operating_duty_years(start):
            if year <= today.year:
                owed[(ReportType.OPERATION, year)] = operation_due_date(year)
    accepted_on = commissioning_accepted_on(reports)
    if accepted_on is not None:
        owed[(ReportType.FINAL_PROOF, ONE_OFF_PERIOD)] = final_proof_due_date(accepted_on)

    items = [
        OwedReport(application, r.type, r.period, r.due_date, r, today) for r in reports
    ]
    if not application.is_withdrawn:
        items += [
            OwedReport(application, type_, period, due, None, today)
            for (type_, period), due in owed.items()
            if (type_, period) not in existing
        ]
    return sorted(items, key=lambda item: (item.due_date, item.type, item.period))


def owed_report(application, report_type: str, period: int, today=None) -> OwedReport | None:
    """The owed report of this type and period, or None if the application does not owe it."""
    for item in owed_reports(application, today):
        if item.type == report_type and item.period == period:
            return item
    return None
