"""Demo data for local development and trying the portal by hand (`manage.py seed_demo`).

Deterministic and idempotent: running it again updates the same rows, never duplicates.
"""

import datetime
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import decrypt
from django.contrib.auth import get_user_model

from .caseworkers import ensure_caseworker_group
from .models import FundingApplication, KfwStatus, Program

DEMO_APPLICANT_EMAIL = "antragstellerin@demo.now-portal.example"
DEMO_CASEWORKER_EMAIL = "sachbearbeitung@demo.now-portal.example"
DEMO_PASSWORD = "Demo-Passwort-2026"
DEMO_APPLICATION_COUNT = 36
DEMO_CLAIMED_COUNT = 3

_CONTACTS = [
    ("Anna", "Schäfer"), ("Jürgen", "Müller"), ("Özlem", "Yılmaz"), ("Lena", "Weiß"),
    ("Thomas", "Becker"), ("Sabine", "Hoffmann"), ("Mehmet", "Demir"), ("Katrin", "Groß"),
    ("Peter", "Wagner"), ("Julia", "Köhler"), ("Stefan", "Braun"), ("Maria", "Krüger"),
]
_APPLICANTS = [
    "Stadtwerke {city}", "Gemeinde {city}", "Wohnungsbaugenossenschaft {city} eG",
    "Autohaus {name} GmbH", "{name} Logistik GmbH & Co. KG", "Hotel Zur Post {city}",
]
_SITES = [
    ("Hauptstraße", "01067", "Dresden"), ("Bahnhofstraße", "10115", "Berlin"),
    ("Marktplatz", "20095", "Hamburg"), ("Lindenallee", "04109", "Leipzig"),
    ("Schillerstraße", "80331", "München"), ("Am Ring", "50667", "Köln"),
    ("Kirchweg", "24103", "Kiel"), ("Gartenstraße", "99084", "Erfurt"),
    ("Mühlenweg", "06108", "Halle (Saale)"), ("Uferstraße", "18055", "Rostock"),
]


def demo_application_values(index: int) -> dict:
    first, last = _CONTACTS[index % len(_CONTACTS)]
    street, postal_code, city = _SITES[index % len(_SITES)]
    program = [Program.MUNICIPALITIES, Program.RESIDENTIAL, Program.COMPANIES][index % 3]
    points = 2 + index % 9
    return {
        "program": program,
        "applicant_name": _APPLICANTS[index % len(_APPLICANTS)].format(city=city, name=last),
        "contact_first_name": first,
        "contact_last_name": last,
        "email": f"kontakt{index:02d}@demo.now-portal.example",
        "phone": f"+49 30 {1000000 + index * 7919:07d}",
        "street": street,
        "house_number": str(1 + index * 3 % 120),
        "postal_code": postal_code,
        "city": city,
        "iban": "DE89370400440532013000",
        "approved_charging_points": points,
        "approved_amount": Decimal(points * 900 + index * 125) + Decimal("0.50"),
        "approval_date": datetime.date(2025, 1, 15) + datetime.timedelta(days=index * 11),
        "kfw_status": KfwStatus.WITHDRAWN if index % 17 == 16 else KfwStatus.APPROVED,
    }


def _user_with_verified_email(email: str, **fields):
    user, created = get_user_model().objects.get_or_create(email=email, defaults=fields)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def seed_caseworker():
    """The demo caseworker, with TOTP set up (the admin requires MFA); returns the secret."""
    caseworker = _user_with_verified_email(
        DEMO_CASEWORKER_EMAIL, first_name="Sam", last_name="Sachbearbeitung", is_staff=True
    )
    caseworker.groups.add(ensure_caseworker_group())
    authenticator = Authenticator.objects.filter(
        user=caseworker, type=Authenticator.Type.TOTP
    ).first()
    if authenticator is None:
        authenticator = TOTP.activate(caseworker, generate_totp_secret()).instance
    return caseworker, decrypt(authenticator.data["secret"])


def seed_applications():
    """The demo applications come in through the KfW importer, as real ones do (see
    kfw_import.demo); the first few are then claimed by the demo applicant."""
    from kfw_import.demo import seed_imports  # the import app builds on this one

    applicant = _user_with_verified_email(
        DEMO_APPLICANT_EMAIL, first_name="Anna", last_name="Schäfer"
    )
    values_by_number = {}
    for index in range(DEMO_APPLICATION_COUNT):
        values = demo_application_values(index)
        if index < DEMO_CLAIMED_COUNT:
            values["email"] = DEMO_APPLICANT_EMAIL
        values_by_number[demo_kfw_number(index)] = values
    seed_imports(values_by_number)
    FundingApplication.objects.filter(
        kfw_number__in=[demo_kfw_number(index) for index in range(DEMO_CLAIMED_COUNT)],
        owner__isnull=True,
    ).update(owner=applicant,
             claimed_at=datetime.datetime(2025, 6, 1, 9, 0, tzinfo=datetime.timezone.utc))
    applications = list(
        FundingApplication.objects.filter(kfw_number__in=values_by_number).order_by("kfw_number")
    )
    return applicant, applications


def demo_kfw_number(index: int) -> str:
    return f"47110{index + 1:05d}"
