"""The reports an application owes: their answers, charging points, files and history.

Status changes go only through `reports.lifecycle`; due dates come only from
`reports.deadlines`.
"""

import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Prefetch, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import FundingApplication
from now_portal.prepared import PreparedQuery

# A charging point's power, in kW (programme rules).
MIN_POWER_KW = Decimal("3.7")
MAX_POWER_KW = Decimal("350")


class ReportType(models.TextChoices):
    COMMISSIONING = "commissioning", _("Commissioning report")
    OPERATION = "operation", _("Operation report")
    FINAL_PROOF = "final_proof", _("Final proof of use")


class ReportStatus(models.TextChoices):
    # A report that is owed but has no row yet is "not started" as well; a row in this
    # status exists only where something (a reminder, the admin) needed to refer to it.
    NOT_STARTED = "not_started", _("not started")
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned for changes")
    ACCEPTED = "accepted", _("accepted")


# Reports the applicant still has to act on: they can become overdue.
OPEN_STATUSES = (ReportStatus.NOT_STARTED, ReportStatus.DRAFT, ReportStatus.RETURNED)
# Period of the reports that occur once per application (all but operation reports).
ONE_OFF_PERIOD = 0


class ReportQuerySet(models.QuerySet):
    def owned_by(self, user):
        return self.filter(application__owner=user)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(due_date__lt=today, status__in=OPEN_STATUSES)

    def for_review(self):
        """What the caseworkers' list and export read of each report, in the same query."""
        return self.select_related("application", "application__owner")

    def with_first_commissioning_date(self):
        """Annotate each report with its earliest charging point commissioning date."""
        # A correlated subquery (served by the charging points' report index) rather than
        # Min() over a join: that needs a GROUP BY over every column read, which costs the
        # dashboard ~0.2 ms to build and run for a handful of rows. It names the outer
        # table, so it holds for querysets on Report itself (not as someone's subquery).
        points, reports = ChargingPoint._meta, Report._meta
        earliest = RawSQL(
            f"SELECT MIN(p.{points.get_field('commissioning_date').column})"
            f" FROM {points.db_table} p"
            f" WHERE p.{points.get_field('report').column} = {reports.db_table}.{reports.pk.column}",
            (),
            output_field=models.DateField(),
        )
        return self.annotate(first_commissioning_date=earliest)

    def for_dashboard(self):
        """The columns the applicant's dashboard reads of each report (see
        `dashboard_reports`), unordered."""
        return self.only(*DASHBOARD_REPORT_FIELDS).with_first_commissioning_date().order_by()


DASHBOARD_REPORT_FIELDS = (
    "application", "type", "period", "status", "due_date", "accepted_at", "caseworker_comment",
    "current_step",  # where "Continue" opens a draft (reports.resume)
)


def dashboard_reports_prefetch() -> Prefetch:
    """What `reports.deadlines` needs of every application's reports (the columns the
    dashboard reads, see `ReportQuerySet.for_dashboard`): one query for all of them, and
    the prefetched rows (with their first commissioning date) need no further queries.
    """
    return Prefetch(
        "reports",
        # Only the columns the dashboard shows: the answers and the wizard's draft
        # (which may be large) stay in the database.
        queryset=Report.objects.for_dashboard().order_by("type", "period"),
    )


def report_file_path(instance, filename: str) -> str:
    # A random stored name: the applicant's file name is kept only in `original_name`,
    # so it can neither collide nor be guessed, nor carry a path or script into storage.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"reports/{instance.report_id}/{uuid.uuid4().hex}{suffix}"


class Report(models.Model):
    """One report of one application: a commissioning report, one year's operation
    report, or the final proof of use. Typed columns hold the answers (empty until
    given); `wizard_state` holds the wizard's draft of not yet finished steps."""

    application = models.ForeignKey(
        FundingApplication,
        verbose_name=_("funding application"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    type = models.CharField(_("type"), max_length=20, choices=ReportType.choices)
    # The calendar year for operation reports; ONE_OFF_PERIOD for the others.
    period = models.PositiveSmallIntegerField(_("period"), default=ONE_OFF_PERIOD)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    reference_number = models.CharField(
        _("reference number"), max_length=20, unique=True, null=True, blank=True
    )
    # The caseworker's comment when the report was last returned, shown to the applicant
    # (the full history is in the transitions).
    caseworker_comment = models.TextField(_("comment of the caseworker"), blank=True)

    # Wizard: where to resume, and the raw data of the steps (see reports.wizard).
    current_step = models.CharField(_("current step"), max_length=50, blank=True)
    wizard_state = models.JSONField(_("wizard draft"), default=dict, blank=True)

    # Commissioning report: the site.
    site_street = models.CharField(_("street"), max_length=200, blank=True)
    site_house_number = models.CharField(_("house number"), max_length=20, blank=True)
    site_postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    site_city = models.CharField(_("city"), max_length=100, blank=True)
    operator_name = models.CharField(_("operator"), max_length=200, blank=True)
    publicly_accessible = models.BooleanField(_("publicly accessible"), null=True, blank=True)
    # Commissioning and operation report: electricity.
    renewable_electricity = models.BooleanField(
        _("electricity entirely from renewable sources"), null=True, blank=True
    )
    # Operation report.
    availability_and_faults = models.TextField(_("availability and faults"), blank=True)
    # Commissioning report (planned/incurred) and final proof (actual): costs in EUR.
    cost_hardware = models.DecimalField(
        _("hardware costs (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    cost_installation = models.DecimalField(
        _("installation costs (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    cost_grid_connection = models.DecimalField(
        _("grid connection costs (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    cost_other = models.DecimalField(
        _("other costs (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Final proof of use.
    other_public_funding_received = models.BooleanField(
        _("other public funding received"), null=True, blank=True
    )
    other_public_funding_amount = models.DecimalField(
        _("other public funding (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    other_public_funding_source = models.CharField(
        _("source of other public funding"), max_length=200, blank=True
    )
    factual_report = models.TextField(_("factual report"), blank=True)
    declaration_confirmed = models.BooleanField(_("declaration confirmed"), default=False)

    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["application", "type", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "type", "period"], name="one_report_per_type_and_period"
            ),
            models.CheckConstraint(
                condition=Q(type=ReportType.OPERATION, period__gte=2000)
                | (~Q(type=ReportType.OPERATION) & Q(period=ONE_OFF_PERIOD)),
                name="period_only_for_operation_reports",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self):
        return f"{self.application.kfw_number} – {self.title}"

    @property
    def title(self) -> str:
        if self.type == ReportType.OPERATION:
            return f"{self.get_type_display()} {self.period}"
        return str(self.get_type_display())

    @property
    def is_editable(self) -> bool:
        """Only drafts change; submitted, returned and accepted reports are read-only."""
        return self.status == ReportStatus.DRAFT

    @property
    def accepts_changes(self) -> bool:
        """A draft of an application that still stands (a withdrawn one takes no reports)."""
        return self.is_editable and not self.application.is_withdrawn

    @property
    def total_cost(self):
        costs = [self.cost_hardware, self.cost_installation, self.cost_grid_connection, self.cost_other]
        given = [cost for cost in costs if cost is not None]
        return sum(given) if given else None

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status in OPEN_STATUSES and self.due_date < today


class CurrentType(models.TextChoices):
    AC = "AC", _("AC (alternating current)")
    DC = "DC", _("DC (direct current)")


class Connector(models.TextChoices):
    TYPE_2 = "type2", _("Type 2")
    CCS = "ccs", _("CCS")
    CHADEMO = "chademo", _("CHAdeMO")
    DOMESTIC = "domestic", _("Domestic socket")


class ChargingPoint(models.Model):
    """One charging point as declared in a commissioning report."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="charging_points"
    )
    label = models.CharField(_("name"), max_length=100)
    power_kw = models.DecimalField(
        _("power (kW)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(MIN_POWER_KW), MaxValueValidator(MAX_POWER_KW)],
    )
    current_type = models.CharField(_("current type"), max_length=2, choices=CurrentType.choices)
    connector = models.CharField(_("connector"), max_length=10, choices=Connector.choices)
    commissioning_date = models.DateField(_("commissioning date"))
    evse_id = models.CharField(_("EVSE ID"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("charging point")
        verbose_name_plural = _("charging points")
        ordering = ["report", "id"]

    def __str__(self):
        return self.label


class ReportFileKind(models.TextChoices):
    RENEWABLE_PROOF = "renewable_proof", _("proof of renewable electricity")
    INVOICE = "invoice", _("invoice")
    CHARGING_DATA = "charging_data", _("charging-process data")
    POINT_LIST = "point_list", _("list of charging points")


class ReportFile(models.Model):
    """A file an applicant uploaded for a report, stored under a random name."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="files"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReportFileKind.choices)
    file = models.FileField(_("file"), upload_to=report_file_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        ordering = ["report", "kind", "id"]

    def __str__(self):
        return self.original_name


class ChargingProcessUpload(models.Model):
    """One upload of charging-process data for an operation report, and its outcome."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="charging_uploads"
    )
    file = models.OneToOneField(
        ReportFile, verbose_name=_("file"), on_delete=models.CASCADE, related_name="charging_upload"
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    # The first errors, each {"row": n, "message": "..."}; enough to fix the file.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("charging-process upload")
        verbose_name_plural = _("charging-process uploads")
        ordering = ["report", "-created_at"]

    def __str__(self):
        return f"{self.report} – {self.file.original_name}"

    @property
    def is_valid(self) -> bool:
        return self.error_count == 0 and self.row_count > 0


class ChargingSessionSummary(models.Model):
    """An operation report's charging-process data summed up for one charging point."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="session_summaries"
    )
    charging_point = models.ForeignKey(
        ChargingPoint,
        verbose_name=_("charging point"),
        on_delete=models.CASCADE,
        related_name="session_summaries",
    )
    sessions = models.PositiveIntegerField(_("charging sessions"))
    energy_kwh = models.DecimalField(_("energy (kWh)"), max_digits=14, decimal_places=3)
    hours = models.DecimalField(_("charging hours"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("charging session summary")
        verbose_name_plural = _("charging session summaries")
        ordering = ["report", "charging_point"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "charging_point"], name="one_summary_per_point_and_report"
            )
        ]

    def __str__(self):
        return f"{self.report} – {self.charging_point}"


class ReportTransition(models.Model):
    """One status change of a report: who, when, from what to what, and why."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(_("from"), max_length=20, choices=ReportStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ReportStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["report", "at", "id"]

    def __str__(self):
        # Without the report: the admin prints this above each row of a report's history,
        # where naming the report would cost two queries a row and say nothing new.
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class ReminderOccasion(models.TextChoices):
    DUE_SOON = "due_soon", _("due in 14 days")
    OVERDUE = "overdue", _("overdue")


class ReminderSent(models.Model):
    """A reminder e-mail for one report and occasion. The row is written BEFORE the mail
    goes out; its unique constraint is what keeps two runs from reminding twice."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="reminders"
    )
    occasion = models.CharField(_("occasion"), max_length=20, choices=ReminderOccasion.choices)
    recipient = models.EmailField(_("recipient"), max_length=254)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["report", "sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "occasion"], name="one_reminder_per_report_and_occasion"
            )
        ]

    def __str__(self):
        return f"{self.get_occasion_display()} ({self.recipient})"


# --- Reads of every request, compiled once (see now_portal.prepared) -------------------

_owned_report_with_application = PreparedQuery(
    lambda pk, owner_pk: Report.objects.owned_by(owner_pk).filter(pk=pk)
    .select_related("application"),
    arguments=2,
)


def owned_report_with_application(pk: int, user) -> "Report | None":
    """The user's report `pk` with its application, or None if it is not theirs: what
    the wizards read for every step."""
    found = _owned_report_with_application(pk, user.pk)
    return found[0] if found else None


_dashboard_reports = PreparedQuery(
    lambda owner_pk: Report.objects.owned_by(owner_pk).for_dashboard(),
    arguments=1,
)


def dashboard_reports(user) -> list["Report"]:
    """All reports of the user's applications as the dashboard reads them, in one query,
    unordered (`reports.deadlines` sorts each card's by due date anyway)."""
    return _dashboard_reports(user.pk)
