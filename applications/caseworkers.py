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
