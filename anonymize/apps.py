"""Anonymised snapshots of the whole database for NOW's analysts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnonymizeConfig(AppConfig):
    name = "anonymize"
    verbose_name = _("Anonymised snapshots")
