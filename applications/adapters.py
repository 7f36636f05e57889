"""allauth adapters: registration is only open as a claim of an imported application."""

from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.utils.translation import gettext


class PortalAccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth's mails greet "from <site name>"; without the sites framework that
        # would be the bare host name.
        request = globals()["context"].request
        domain = request.get_host() if request else urlsplit(settings.PORTAL_BASE_URL).netloc
        site = SimpleNamespace(name=gettext("NOW Portal"), domain=domain)
        super().send_mail(template_prefix, email, {"current_site": site, **context})

    def send_account_already_exists_mail(self, email: str) -> None:
        # allauth sends this mail for a sign-up it silently declines. A declined claim
        # goes the same way (so the screen looks the same), but the mail says why.
        kfw_number = getattr(context.request, "declined_claim_kfw_number", None)
        if kfw_number is not None:
            self.send_mail(
                "applications/email/claim_not_matched", email, {"kfw_number": kfw_number}
            )
            return
        super().send_account_already_exists_mail(email)


class PortalSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        # Single sign-on (Cognito) signs in existing accounts only: a new account
        # must come with a claim of an imported application.
        return False

    def list_providers(self, request):
        # Without a provider app installed (OIDC_ENABLED off) there is no provider,
        # whatever SocialApp rows exist: the sign-in page needs no query to learn that.
        from allauth.socialaccount.providers import registry

        if not registry.get_class_list():
            return []
        return super().list_providers(request)
