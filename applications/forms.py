"""Forms of the applicant side: sign-in, sign-up with a claim, and claiming a further
application."""

from allauth.account.forms import LoginForm, SignupForm
from allauth.account.internal import flows
from allauth.core import context
from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import claims


def validate_kfw_number_format(value: str) -> None:
    if not claims.KFW_NUMBER_PATTERN.match(claims.normalise_kfw_number(value)):
        raise forms.ValidationError(
            _("Enter the KfW application number with its 10 digits, for example 4711000001.")
        )


class KfwNumberField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("KfW application number"))
        kwargs.setdefault(
            "help_text",
            _("10 digits, as printed on your KfW approval letter (Zusageschreiben)."),
        )
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("validators", [validate_kfw_number_format])
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        return claims.normalise_kfw_number(super().clean(value))


def read_help_texts_once(form: forms.Form) -> None:
    """Turns the form's lazy help texts into text, in the request's language, once.

    The KERN field markup reads a help text several times per page, and every read of a
    lazy one starts over: Django's password rules (password1) format each validator's
    text again, allauth's "Forgot your password?" link looks for a template that does
    not exist and reverses its address again.
    """
    for field in form.fields.values():
        if isinstance(field.help_text, Promise):
            field.help_text = str(field.help_text)


class PortalLoginForm(LoginForm):
    """allauth's sign-in form, its help texts read once (see read_help_texts_once)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        read_help_texts_once(self)


class ClaimSignupForm(SignupForm):
    """allauth's sign-up plus the KfW number: an account is created only for a claim."""

    kfw_number = KfwNumberField()

    field_order = ["kfw_number", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _(
            "The e-mail address you gave KfW in your application."
        )
        self.order_fields(self.field_order)
        read_help_texts_once(self)
        self.claimable_application = None

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.account_already_exists:
            self.claimable_application = claims.find_claimable_application(
                cleaned["kfw_number"], cleaned["email"]
            )
        return cleaned

    def try_save(self, request):
        if self.account_already_exists:
            return super().try_save(request)
        if self.claimable_application is None:
            # Same screen as a successful sign-up; the mail explains (see the adapter).
            context.request.declined_claim_kfw_number = self.cleaned_data["kfw_number"]
            return None, flows.signup.prevent_enumeration(
                request, email=self.cleaned_data["email"]
            )
        user = self.save(request)
        claims.record_claim(user, self.claimable_application, self.cleaned_data["email"])
        return user, None


class ClaimApplicationForm(forms.Form):
    """A signed-in applicant claims a further application."""

    kfw_number = KfwNumberField()
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The e-mail address you gave KfW in this application."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
