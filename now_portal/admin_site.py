"""The caseworkers' admin: sign-in through allauth (rate limits, MFA), and MFA required."""

from allauth.account.decorators import secure_admin_login
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin, messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _


class ApplicantSearchView(AutocompleteJsonView):
    """The admin's search box for a related object, which needs view permission on the
    related model's admin. Caseworkers may not see the user admin, yet they reassign an
    application's owner: for that one field, whoever may change applications may search
    the accounts of applicants (never staff accounts)."""

    def _for_application_owner(self) -> bool:
        from applications.models import FundingApplication

        return (self.source_field.model, self.source_field.name) == (FundingApplication, "owner")

    def has_perm(self, request, obj=None):
        if self._for_application_owner():
            return request.user.has_perm("applications.change_fundingapplication")
        return super().has_perm(request, obj)

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.filter(is_staff=False) if self._for_application_owner() else queryset


class PortalAdminSite(admin.AdminSite):
    site_header = _("NOW Portal – casework")
    site_title = _("NOW Portal casework")
    index_title = _("Overview")

    def has_permission(self, request):
        return super().has_permission(request) and is_mfa_enabled(request.user)

    def autocomplete_view(self, request):
        return ApplicantSearchView.as_view(admin_site=self)(request)

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
