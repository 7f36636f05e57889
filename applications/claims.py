"""Claiming a funding application: the one place that decides who may own which application.

A claim names a KfW application number and an e-mail address. It can only ever complete
for an approved, unclaimed application whose KfW e-mail equals the address (ignoring case
and surrounding spaces), and only once the user has proven that they own the address.
Whatever the outcome, the person asking sees the same answer ("check your e-mail"); the
e-mail that is sent explains what happened. So neither numbers nor addresses can be probed.
"""

import re

from allauth.account.adapter import get_adapter
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .models import ApplicationClaim, FundingApplication

KFW_NUMBER_PATTERN = re.compile(r"^\d{10}$")
CLAIM_LINK_SALT = "applications.claim"
CLAIM_LINK_MAX_AGE = 3 * 24 * 60 * 60


def normalise_kfw_number(value: str) -> str:
    return re.sub(r"\s+", "", value or "")


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


def find_claimable_application(kfw_number: str, email: str) -> FundingApplication | None:
    """The approved, unclaimed application with this number and e-mail, if there is one."""
    return (
        FundingApplication.objects.claimable()
        .with_email(normalise_email(email))
        .filter(kfw_number=normalise_kfw_number(kfw_number))
        .first()
    )


def record_claim(user, application: FundingApplication, email: str) -> ApplicationClaim:
    return ApplicationClaim.objects.create(
        user=user, application=application, email=normalise_email(email)
    )


def complete_claim(claim: ApplicationClaim) -> bool:
    """Give the application to the claim's user, if nobody else got it first."""
    with transaction.atomic():
        now = timezone.now()
        taken = (
            FundingApplication.objects.claimable()
            .with_email(claim.email)
            .filter(pk=claim.application_id)
            .update(owner_id=claim.user_id, claimed_at=now)  # the id: no query for the user
        )
        if taken:
            ApplicationClaim.objects.filter(pk=claim.pk).update(completed_at=now)
    return bool(taken)


def complete_claims_for_verified_email(user, email: str) -> list[FundingApplication]:
    """Complete the user's open claims for an address the user has just verified."""
    claimed = []
    pending = ApplicationClaim.objects.filter(
        user=user, email=normalise_email(email), completed_at__isnull=True
    ).select_related("application")
    for claim in pending:
        if complete_claim(claim):
            claimed.append(claim.application)
    return claimed


def request_claim(request, user, kfw_number: str, email: str) -> None:
    """A signed-in user asks for a further application: e-mail a confirmation link.

    The link goes to the address given, so following it proves the address is theirs.
    Without a matching application the mail says so and no claim is recorded.
    """
    application = find_claimable_application(kfw_number, email)
    context = {"kfw_number": normalise_kfw_number(kfw_number), "user": user}
    if application is None:
        get_adapter().send_mail("applications/email/claim_not_matched", email, context)
        return
    claim = record_claim(user, application, email)
    token = signing.dumps(claim.pk, salt=CLAIM_LINK_SALT)
    context["confirm_url"] = request.build_absolute_uri(
        reverse("applications:confirm_claim", args=[token])
    )
    context["application"] = application
    get_adapter().send_mail("applications/email/claim_confirm", email, context)


def confirm_claim_link(user, token: str) -> FundingApplication | None:
    """Complete the claim behind a link from `request_claim`; None if it cannot be."""
    try:
        claim_pk = signing.loads(token, salt=CLAIM_LINK_SALT, max_age=CLAIM_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    claim = (
        ApplicationClaim.objects.filter(pk=claim_pk, user=user)
        .select_related("application")
        .first()
    )
    if claim is None:
        return None
    if claim.completed_at:
        return claim.application
    return claim.application if complete_claim(claim) else None
