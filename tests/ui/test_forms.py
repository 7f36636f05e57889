"""Forms render KERN markup and show errors the GOV.UK way: "Fehler:" in the title, a
summary that takes focus and links to each field, the inline message tied to the field,
and what the user typed kept."""

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from tests.applications.factories import PASSWORD, UserFactory

from .html import attrs, by_id, find, find_all, has_class, text, tree

pytestmark = pytest.mark.django_db


def summary_links(page) -> list[str]:
    summary = find(page, "div", data_error_summary=True)
    assert summary is not None, "no error summary"
    return [attrs(link)["href"] for link in find_all(summary, "a")]


def assert_field_in_error(page, field_id, hint=True):
    field = by_id(page, field_id)
    values = attrs(field)
    assert values["aria-invalid"] == "true"
    described_by = values["aria-describedby"].split()
    assert f"{field_id}_error" in described_by
    if hint:
        assert f"{field_id}_helptext" in described_by
    error = by_id(page, f"{field_id}_error")
    assert has_class(error, "kern-error")
    hidden_prefix = find(error, "span", class_="kern-sr-only")
    assert text(hidden_prefix) == "Fehler:"
    for described in described_by:
        assert by_id(page, described) is not None, f"aria-describedby points to missing #{described}"


def test_claim_form_with_errors(client):
    client.force_login(UserFactory())
    response = client.post(reverse("applications:claim"), {"kfw_number": "12ab", "email": ""})
    page = tree(response)

    assert text(find(page, "title")).startswith("Fehler: ")
    summary = find(page, "div", data_error_summary=True)
    values = attrs(summary)
    assert values["tabindex"] == "-1" and "autofocus" in values and values["role"] == "alert"
    assert "Es gibt ein Problem" in text(summary)
    assert summary_links(page) == ["#id_kfw_number", "#id_email"]
    assert_field_in_error(page, "id_kfw_number")
    assert_field_in_error(page, "id_email")
    # What the user typed stays in the field.
    assert attrs(by_id(page, "id_kfw_number"))["value"] == "12ab"
    # The summary comes first in the main content, before the heading.
    main = find(page, "main")
    first = next(child for child in main.children if hasattr(child, "name"))
    assert first is summary


def test_form_without_errors_has_no_summary_and_no_error_title(client):
    client.force_login(UserFactory())
    page = tree(client.get(reverse("applications:claim")))
    assert find(page, "div", data_error_summary=True) is None
    assert not text(find(page, "title")).startswith("Fehler")
    field = by_id(page, "id_kfw_number")
    assert "aria-invalid" not in attrs(field)
    assert attrs(field)["aria-describedby"] == "id_kfw_number_helptext"
    label = find(page, "label", for_="id_kfw_number")
    assert text(label) == "KfW-Antragsnummer"
    form = find(page, "form", class_="portal-form")
    assert "novalidate" in attrs(form)


def test_signup_keeps_what_was_typed_but_not_the_passwords(client):
    response = client.post(
        reverse("account_signup"),
        {"kfw_number": "47 1100 0001", "email": "not-an-address", "password1": "kurz", "password2": "kurz"},
    )
    page = tree(response)
    assert text(find(page, "title")).startswith("Fehler: ")
    assert "#id_email" in summary_links(page)
    assert attrs(by_id(page, "id_email"))["value"] == "not-an-address"
    assert_field_in_error(page, "id_email")
    # Browsers must never get a password back; the hint says to type it again.
    password = by_id(page, "id_password1")
    assert "value" not in attrs(password)
    hint = by_id(page, "id_password1_helptext")
    assert "noch einmal ein" in text(hint)
    assert "id_password1_helptext" in attrs(password)["aria-describedby"]


def test_login_error_for_the_whole_form_links_to_its_first_field(client):
    UserFactory(email="erika@example.org")
    response = client.post(reverse("account_login"), {"login": "erika@example.org", "password": "falsch"})
    page = tree(response)
    assert text(find(page, "title")).startswith("Fehler: ")
    assert summary_links(page) == ["#id_login"]
    assert by_id(page, "non-field-errors") is not None
    assert attrs(by_id(page, "id_login"))["value"] == "erika@example.org"


def test_login_has_labels_and_no_placeholders(client):
    page = tree(client.get(reverse("account_login")))
    for field_id in ("id_login", "id_password"):
        assert find(page, "label", for_=field_id) is not None
        assert "placeholder" not in attrs(by_id(page, field_id))


class EveryWidgetForm(forms.Form):
    name = forms.CharField(label="Name")
    email = forms.EmailField(label="E-mail")
    count = forms.IntegerField(label="Count")
    day = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))
    secret = forms.CharField(label="Secret", widget=forms.PasswordInput)
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False, help_text="Anything else")
    city = forms.ChoiceField(label="City", choices=[("", "–"), ("b", "Berlin")])
    kind = forms.ChoiceField(
        label="Kind", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect, help_text="Pick one"
    )
    extras = forms.MultipleChoiceField(
        label="Extras", choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple
    )
    agree = forms.BooleanField(label="I agree")
    document = forms.FileField(label="Document")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("The form as a whole is wrong.")


def test_every_widget_renders_kern_markup_with_its_error():
    form = EveryWidgetForm(
        data={"name": "Typed", "count": "zwölf", "day": "gestern", "secret": "geheim"},
        files={"document": SimpleUploadedFile("rechnung.pdf", b"%PDF-1.4")},
    )
    page = tree(str(form))

    for field_id in ("id_name", "id_email", "id_count", "id_day", "id_secret", "id_notes", "id_document"):
        assert has_class(by_id(page, field_id), "kern-form-input__input"), field_id
        assert find(page, "label", for_=field_id) is not None, field_id
    assert attrs(by_id(page, "id_name"))["value"] == "Typed"
    assert attrs(by_id(page, "id_count"))["value"] == "zwölf"
    assert "value" not in attrs(by_id(page, "id_secret"))
    assert by_id(page, "id_notes").name == "textarea"
    assert "optional" in text(find(page, "label", for_="id_notes"))
    for field_id in ("id_email", "id_count", "id_day"):
        assert_field_in_error(page, field_id, hint=False)
    # The password and the file were fine but cannot be sent back: the hint asks again.
    assert "id_secret_helptext" in attrs(by_id(page, "id_secret"))["aria-describedby"]
    assert "noch einmal ein" in text(by_id(page, "id_secret_helptext"))
    assert "noch einmal aus" in text(by_id(page, "id_document_helptext"))
    assert "id_document_helptext" in attrs(by_id(page, "id_document"))["aria-describedby"]

    city = by_id(page, "id_city")
    assert city.name == "select" and has_class(city, "kern-form-input__select--error")
    assert any(has_class(e, "kern-form-input__select-wrapper") for e in find_all(page, "div"))

    # Groups of choices: a fieldset with a legend, described by hint and error.
    fieldsets = list(find_all(page, "fieldset"))
    assert [text(find(f, "legend")) for f in fieldsets] == ["Kind", "Extras"]
    assert attrs(fieldsets[0])["aria-describedby"] == "id_kind_helptext id_kind_error"
    assert has_class(fieldsets[0], "kern-fieldset--error")
    assert has_class(by_id(page, "id_kind_0"), "kern-form-check__radio")
    assert has_class(by_id(page, "id_extras_1"), "kern-form-check__checkbox")
    assert find(page, "label", for_="id_kind_1") is not None

    agree = by_id(page, "id_agree")
    assert has_class(agree, "kern-form-check__checkbox--error")
    assert_field_in_error(page, "id_agree", hint=False)

    assert attrs(by_id(page, "id_token"))["type"] == "hidden"
    assert "The form as a whole is wrong." in text(by_id(page, "non-field-errors"))


def test_error_summary_links_groups_to_their_first_option():
    form = EveryWidgetForm(data={})
    form.is_valid()
    # Nothing was typed into the password or file field, so there is nothing to re-enter.
    rendered = tree(str(form))
    assert by_id(rendered, "id_secret_helptext") is None and by_id(rendered, "id_document_helptext") is None
    page = tree(render_to_string("kern/error_summary.html", {"form": form}))
    links = summary_links(page)
    assert links[0] == "#id_name"  # the error of the whole form: to the first field
    assert "#id_kind_0" in links and "#id_extras_0" in links and "#id_city" in links
    assert "#id_token" not in links
    assert "Kind: " in text(page)


def render_page(context):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    template = engines["django"].from_string(
        '{% extends "base.html" %}{% block title %}Seite{% endblock %}{% block content %}<h1>Seite</h1>{% endblock %}'
    )
    return tree(template.render(context, request))


class SmallForm(forms.Form):
    name = forms.CharField(label="Name")


def test_title_prefix_for_a_wizard_form_a_formset_and_the_page_flag():
    with_errors = SmallForm(data={})
    formset = forms.formset_factory(SmallForm, extra=0, min_num=2)(
        data={"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0", "form-0-name": "x", "form-1-name": ""}
    )
    formset_without_errors = forms.formset_factory(SmallForm, extra=1)()

    for context in ({"wizard": {"form": with_errors}}, {"form": formset}, {"page_has_errors": True}):
        assert text(find(render_page(context), "title")) == "Fehler: Seite – NOW-Portal", context
    for context in ({"form": formset_without_errors}, {"form": SmallForm()}, {}):
        assert text(find(render_page(context), "title")) == "Seite – NOW-Portal", context

    assert summary_links(render_page({"wizard": {"form": with_errors}})) == ["#id_name"]
    assert summary_links(render_page({"form": formset})) == ["#id_form-1-name"]


def test_error_summary_script_is_served_deferred():
    page = render_page({})
    script = find(page, "script")
    assert "defer" in attrs(script)
    assert attrs(script)["src"].endswith("js/error-summary.js")
    assert finders.find("js/error-summary.js")
    assert finders.find("css/portal.css")
    assert finders.find("kern/kern.min.css")
