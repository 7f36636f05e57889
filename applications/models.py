"""Applicants (users) and the funding applications KfW approved for them."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from now_portal.prepared import PreparedQuery


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: an applicant or a caseworker. The e-mail is the login."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.email


class Program(models.TextChoices):
    MUNICIPALITIES = "439", _("439 – municipalities")
    RESIDENTIAL = "440", _("440 – residential buildings")
    COMPANIES = "441", _("441 – companies")


class KfwStatus(models.TextChoices):
    APPROVED = "approved", _("approved")
    WITHDRAWN = "withdrawn", _("withdrawn")


# What the dashboard's cards and `reports.deadlines` read of an application.
DASHBOARD_APPLICATION_FIELDS = (
    "kfw_number", "program", "kfw_status", "street", "house_number", "postal_code", "city",
    "approved_charging_points", "approved_amount", "approval_date",
)


class FundingApplicationQuerySet(models.QuerySet):
    def owned_by(self, user):
        return self.filter(owner=user)

    def for_dashboard(self, user):
        """The applicant's applications in the dashboard's order (their reports are read
        by `reports.dashboard`, in one more query for all of them)."""
        return self.owned_by(user).order_by("-approval_date", "kfw_number").only(
            *DASHBOARD_APPLICATION_FIELDS
        )

    def claimable(self):
        return self.filter(kfw_status=KfwStatus.APPROVED, owner__isnull=True)

    def with_email(self, email: str):
        return self.annotate(email_lower=Lower("email")).filter(
            email_lower=email.strip().lower()
        )


class FundingApplication(models.Model):
    """An application KfW approved, as delivered in its export (one row of it)."""

    kfw_number = models.CharField(_("KfW application number"), max_length=10, unique=True)
    program = models.CharField(_("programme"), max_length=3, choices=Program.choices)
    applicant_name = models.CharField(_("applicant"), max_length=200)
    contact_first_name = models.CharField(_("first name of the contact"), max_length=100, blank=True)
    contact_last_name = models.CharField(_("last name of the contact"), max_length=100)
    email = models.EmailField(_("e-mail address"), max_length=254, db_index=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    street = models.CharField(_("street"), max_length=200)
    house_number = models.CharField(_("house number"), max_length=20)
    postal_code = models.CharField(_("postal code"), max_length=5)
    city = models.CharField(_("city"), max_length=100)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    approved_charging_points = models.PositiveIntegerField(_("approved charging points"))
    approved_amount = models.DecimalField(_("approved amount (EUR)"), max_digits=12, decimal_places=2)
    approval_date = models.DateField(_("approval date"))
    kfw_status = models.CharField(
        _("KfW status"), max_length=10, choices=KfwStatus.choices, default=KfwStatus.APPROVED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="funding_applications",
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Provenance, written by the KfW import (kfw_import.importer): the import that created
    # the application, and the last import whose file held it, with its row there (empty
    # when that import rejected the number's rows as a conflict). The importer also finds
    # a number's earlier row in the same file by them, instead of remembering every row.
    created_by_import = models.ForeignKey(
        "kfw_import.ImportRun", verbose_name=_("created by import"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    # Written for every row of every import and only read with the application's own
    # row: no index (and no constraint) to maintain on the bulk writes.
    last_import = models.ForeignKey(
        "kfw_import.ImportRun", verbose_name=_("last import"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+", db_index=False, db_constraint=False,
    )
    last_import_row = models.PositiveIntegerField(_("row in the last import"), null=True,
                                                  blank=True)

    objects = FundingApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("funding application")
        verbose_name_plural = _("funding applications")
        ordering = ["-approval_date", "kfw_number"]

    def __str__(self):
        return f"{self.kfw_number} – {self.applicant_name}"

    @property
    def is_withdrawn(self) -> bool:
        return self.kfw_status == KfwStatus.WITHDRAWN

    @property
    def site_address(self) -> str:
        return f"{self.street} {self.house_number}, {self.postal_code} {self.city}"


class ApplicationClaim(models.Model):
    """A request to link an application to a user, completed once the e-mail is proven.

    The claim is recorded at sign-up (or from the dashboard) and completed only when the
    user has verified the address that KfW has on file for the application.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE,
        related_name="application_claims",
    )
    application = models.ForeignKey(
        FundingApplication, verbose_name=_("funding application"), on_delete=models.CASCADE,
        related_name="claims",
    )
    email = models.EmailField(_("e-mail address"))
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("application claim")
        verbose_name_plural = _("application claims")

    def __str__(self):
        return f"{self.user} → {self.application.kfw_number}"


# --- Reads of every request, compiled once (see now_portal.prepared) -------------------

_dashboard_applications = PreparedQuery(
    lambda owner_pk: FundingApplication.objects.for_dashboard(owner_pk), arguments=1
)


def dashboard_applications(user) -> list[FundingApplication]:
    """The user's applications as their dashboard shows them, in its order."""
    return _dashboard_applications(user.pk)
