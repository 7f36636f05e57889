from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "now_portal.admin_site.PortalAdminSite"

    def ready(self):
        # First app in INSTALLED_APPS: runs before the admin's autodiscovery and before
        # the URL configuration import allauth's MFA views.
        from now_portal import lazy_imports

        lazy_imports.install()
        super().ready()
