from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.db.models.signals import post_migrate


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Funding applications")

    def ready(self):
        from allauth.account.signals import email_confirmed

        from . import signals

        email_confirmed.connect(signals.complete_claims_on_email_confirmed)
        # Without a sender: other apps' permissions exist only after their own migrations.
        post_migrate.connect(signals.update_caseworker_group)
