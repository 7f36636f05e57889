"""The caseworkers' group and what its members may do in the admin: one list, one place."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission

# "app_label.codename" of every permission a caseworker needs.
CASEWORKER_PERMISSIONS = [
    "applications.view_fundingapplication",
    "applications.change_fundingapplication",
    "applications.view_applicationclaim",
    # Reports: read everything, download the files; "change" = accept or return.
    "reports.view_report",
    "reports.change_report",
    # KfW import: see the imports and upload (with preview) a new one.
    "kfw_import.view_importrun",
    "kfw_import.add_importrun",
    "kfw_import.view_applicationchange",
]


def ensure_caseworker_group() -> Group:
    group, _created = Group.objects.get_or_create(name=settings.CASEWORKER_GROUP)
    wanted = []
    for dotted in CASEWORKER_PERMISSIONS:
        app_label, codename = dotted.split(".", 1)
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission is not None:  # its app may not be migrated yet
            wanted.append(permission)
    group.permissions.add(*wanted)
    return group


def create_caseworker(email: str, *, first_name: str = "", last_name: str = "",
                      superuser: bool = False):
    """A caseworker account (or an existing user made one) with a verified address and no
    usable password: the caseworker sets one through "forgot password", then sets up
    two-factor authentication, which the admin requires. Returns (user, created)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email
    from django.db import transaction

    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValueError(f"{email!r} is not an e-mail address.") from exc
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        created = user is None
        if created:
            user = User(email=email)
            user.set_unusable_password()
        user.first_name = first_name or user.first_name
        user.last_name = last_name or user.last_name
        user.is_staff = True
        user.is_active = True
        user.is_superuser = user.is_superuser or superuser
        user.save()
        user.groups.add(ensure_caseworker_group())
        EmailAddress.objects.filter(user=user).exclude(email__iexact=email).update(primary=False)
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    return user, created
