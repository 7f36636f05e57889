"""The caseworkers' admin: sign-in through allauth (rate limits, MFA), and MFA required."""

from allauth.account.decorators import secure_admin_login
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    site_header = _("NOW Portal – casework")
    site_title = _("NOW Portal casework")
    index_title = _("Overview")

    def has_permission(self, request):
        return super().has_permission(request) and is_mfa_enabled(request.user)

    def login(self, request, extra_context=None):
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff and not is_mfa_enabled(user):
            messages.warning(
                request,
                _("Caseworkers must set up two-factor authentication before they can use "
                  "the administration. Please set it up now."),
            )
            return redirect(f"{reverse('mfa_index')}?{urlencode({'next': reverse('admin:index')})}")
        return secure_admin_login(super().login)(request, extra_context)
