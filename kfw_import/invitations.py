"""The invitation to register, sent once to the contact of every application an import
created: German first, the English version below it."""

import contextlib
import contextvars
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from applications.models import FundingApplication, KfwStatus

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "[NOW-Portal] "
LANGUAGES = ("de", "en")
ENGLISH_DIVIDER = "\n\n" + "-" * 70 + "\nEnglish version\n" + "-" * 70 + "\n\n"
CHUNK = 500

# Demo data goes through the real importer; nobody should be invited by it.
_muted = contextvars.ContextVar("kfw_invitations_muted", default=False)


@contextlib.contextmanager
def muted():
    """Imports inside this block send no invitations (decided when the import runs, so
    also when the surrounding transaction commits later)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def are_muted() -> bool:
    return _muted.get()


def invitation_message(application, signup_url: str, connection=None) -> EmailMessage:
    context = {"application": application, "signup_url": signup_url}
    subjects, bodies = [], []
    for language in LANGUAGES:
        with translation.override(language):
            subjects.append(" ".join(
                render_to_string("kfw_import/email/invitation_subject.txt", context).split()
            ))
            bodies.append(render_to_string("kfw_import/email/invitation_body.txt", context).strip())
    return EmailMessage(
        SUBJECT_PREFIX + " / ".join(subjects),
        ENGLISH_DIVIDER.join(bodies) + "\n",
        settings.DEFAULT_FROM_EMAIL,
        [application.email],
        connection=connection,
    )


def send_invitations(run_id: int) -> int:
    """Called after the import committed: invites the contact of every approved application
    that import created, read from the database in chunks. A failed send is logged; the
    import stands."""
    created = FundingApplication.objects.filter(
        created_by_import_id=run_id, kfw_status=KfwStatus.APPROVED
    ).order_by("pk")
    signup_url = settings.PORTAL_BASE_URL + reverse("account_signup")
    sent = 0
    last = 0
    connection = get_connection()
    try:
        while applications := list(created.filter(pk__gt=last)[:CHUNK]):
            last = applications[-1].pk
            messages = [invitation_message(a, signup_url, connection) for a in applications]
            try:
                sent += connection.send_messages(messages) or 0
            except Exception:
                logger.exception("Invitations for %d applications could not be sent", len(messages))
    finally:
        connection.close()
    return sent
