"""Factories for users and funding applications, with traits for the states that matter."""

import datetime
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model
from django.utils import timezone

from applications.caseworkers import ensure_caseworker_group
from applications.models import FundingApplication, KfwStatus, Program

PASSWORD = "Ein-sicheres-Passwort-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = "Erika"
    last_name = "Mustermann"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class CaseworkerFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def caseworker_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(ensure_caseworker_group())

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        """`totp=False` leaves the caseworker without MFA."""
        if create and extracted is not False:
            TOTP.activate(self, generate_totp_secret())


def has_mfa(user) -> bool:
    return Authenticator.objects.filter(user=user).exists()


class FundingApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingApplication

    kfw_number = factory.Sequence(lambda n: f"{4700000000 + n:010d}")
    program = Program.COMPANIES
    applicant_name = factory.Sequence(lambda n: f"Ladepark Nord {n} GmbH")
    contact_first_name = "Jürgen"
    contact_last_name = "Müller"
    email = factory.Sequence(lambda n: f"kontakt{n}@firma.example")
    phone = "+49 30 1234567"
    street = "Hauptstraße"
    house_number = "12a"
    postal_code = "01067"
    city = "Dresden"
    iban = "DE89370400440532013000"
    approved_charging_points = 4
    approved_amount = Decimal("12345.67")
    approval_date = datetime.date(2026, 3, 31)
    kfw_status = KfwStatus.APPROVED

    class Params:
        withdrawn = factory.Trait(kfw_status=KfwStatus.WITHDRAWN)
        claimed = factory.Trait(
            owner=factory.SubFactory(UserFactory),
            claimed_at=factory.LazyFunction(timezone.now),
        )
