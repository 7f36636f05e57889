"""The KfW import: reading, checking and writing the KfW export ("Zusagen" workbook)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KfwImportConfig(AppConfig):
    name = "kfw_import"
    verbose_name = _("KfW import")
