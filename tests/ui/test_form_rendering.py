"""The widgets and the KERN field layout rendered in Python (now_portal/widget_html.py,
now_portal/field_html.py) give exactly the bytes of their templates (Django's widget
templates, templates/kern/field.html): widget by widget and field by field with awkward
values, and whole pages with forms (every wizard step, unbound and with errors; the
applicant's and the caseworker's other forms)."""

import re
from pathlib import Path

import django
import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import ChoiceWidget
from django.template import engines
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from now_portal import field_html, widget_html
from now_portal.forms import KernFormRenderer
from reports import lifecycle
from reports.commissioning import CommissioningWizard
from reports.final_proof import FinalProofWizard
from reports.models import ONE_OFF_PERIOD, ReportType
from reports.operation import OperationWizard
from tests.applications.factories import CaseworkerFactory, FundingApplicationFactory, UserFactory
from tests.reports.factories import ReportFactory


class TemplatesOnly(KernFormRenderer):
    """The portal's renderer as it was: every widget and field through its template."""

    def render(self, template_name, context, request=None):
        return TemplatesSetting.render(self, template_name, context, request)


python_renderer, templates_renderer = KernFormRenderer(), TemplatesOnly()


def test_the_templates_written_in_python_are_djangos_own():
    """A project or app template overriding one of them would be ignored: fail instead."""
    django_widgets = Path(django.__file__).parent / "forms" / "templates"
    engine = engines["django"].engine
    for name in widget_html.TEMPLATES:
        origin = Path(engine.get_template(name).origin.name)
        assert django_widgets in origin.parents, f"{name} comes from {origin}"


GROUPED = [("Nord", [("n1", "Kiel"), ("n2", "Rostock <Hafen>")]), ("s", "Süd & West")]
AWKWARD = 'a "quoted" <tag> & \'apostrophe\''

WIDGETS = [
    (forms.TextInput(), None),
    (forms.TextInput(), ""),
    (forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 5, "required": True,
                            "disabled": False, "placeholder": False}), "01067"),
    (forms.TextInput(attrs={"data-x": AWKWARD, "class": "a b"}), AWKWARD),
    (forms.TextInput(), mark_safe("<b>safe</b>")),
    (forms.TextInput(attrs={"title": gettext_lazy("Yes")}), 0),
    (forms.NumberInput(), 1234567),
    (forms.EmailInput(attrs={"autocomplete": "email"}), "anna@example.org"),
    (forms.PasswordInput(), "secret"),
    (forms.PasswordInput(render_value=True), "secret"),
    (forms.HiddenInput(), "64 chars"),
    (forms.DateInput(format="%d.%m.%Y"), "2026-12-04"),
    (forms.FileInput(attrs={"accept": ".pdf,application/pdf"}), None),
    (forms.ClearableFileInput(), None),
    (forms.URLInput(), "https://example.org/?a=1&b=2"),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(), False),
    (forms.Textarea(attrs={"rows": 10}), ""),
    (forms.Textarea(), f"line 1\nline 2 {AWKWARD}"),
    (forms.Select(choices=[("", "---"), ("a", "A"), ("b", AWKWARD)]), "b"),
    (forms.Select(choices=GROUPED), "n2"),
    (forms.SelectMultiple(choices=[("a", "A"), ("b", "B")]), ["a", "b"]),
    (forms.NullBooleanSelect(), True),
    (forms.RadioSelect(choices=[("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]), None),
    (forms.RadioSelect(choices=[("yes", "Ja"), ("no", "Nein")], attrs={"id": "id_q", "class": "c"}),
     "no"),
    (forms.RadioSelect(choices=GROUPED, attrs={"id": "id_g"}), "n1"),
    (forms.CheckboxSelectMultiple(choices=[(1, "Eins"), (2, AWKWARD)], attrs={"id": "id_m"}), [2]),
    (forms.SplitDateTimeWidget(), None),
]


def widget_name(value):
    return type(value).__name__ if isinstance(value, forms.Widget) else None


@pytest.mark.parametrize("widget, value", WIDGETS, ids=widget_name)
def test_widget_renders_the_same_bytes(widget, value):
    attrs = {"id": "id_field", "aria-describedby": "id_field_helptext", "aria-invalid": True}
    assert widget.render("field", value, attrs, renderer=python_renderer) == widget.render(
        "field", value, attrs, renderer=templates_renderer
    )


@pytest.mark.parametrize("widget, value", [w for w in WIDGETS if isinstance(w[0], ChoiceWidget)])
def test_choice_options_render_the_same_bytes(widget, value):
    class ChoicesForm(forms.Form):
        field = forms.Field(widget=widget, required=False)

    def tags(renderer):
        form = ChoicesForm({"field": value}, renderer=renderer)
        return [option.tag() for option in form["field"].subwidgets]

    assert tags(python_renderer) == tags(templates_renderer)


# --- whole pages ----------------------------------------------------------------------

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def page_html(response) -> str:
    assert response.status_code in (200, 400), response.status_code
    return CSRF.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())


def both_ways(monkeypatch, fetch):
    """The page rendered with the widgets and fields in Python, and with every widget's
    and field's template; and how many widgets and fields were rendered in Python."""
    in_python = []

    def counted(render):
        def render_counted(template_name, context):
            html = render(template_name, context)
            in_python.append(html is not None)
            return html

        return render_counted

    with monkeypatch.context() as patched:
        for module in (widget_html, field_html):
            patched.setattr(module, "render", counted(module.render))
        with_python = page_html(fetch())
    with monkeypatch.context() as patched:
        for module in (widget_html, field_html):
            patched.setattr(module, "render", lambda template_name, context: None)
        with_templates = page_html(fetch())
    return with_python, with_templates, sum(in_python)


WIZARDS = [
    (CommissioningWizard, ReportType.COMMISSIONING, ONE_OFF_PERIOD),
    (OperationWizard, ReportType.OPERATION, 2027),
    (FinalProofWizard, ReportType.FINAL_PROOF, ONE_OFF_PERIOD),
]


@pytest.mark.django_db
@pytest.mark.parametrize("wizard, report_type, period", WIZARDS,
                         ids=lambda value: getattr(value, "__name__", None))
def test_every_wizard_step_is_the_same_page(client, monkeypatch, wizard, report_type, period):
    applicant = UserFactory()
    client.force_login(applicant)
    application = FundingApplicationFactory(owner=applicant, approved_charging_points=3)
    report = ReportFactory(application=application, type=report_type, period=period)
    compared = 0
    for step, form_class in wizard.form_list:
        url = reverse(wizard.url_name, args=[report.pk, step])
        for fetch in (lambda: client.get(url),
                      lambda: client.post(url, {"wizard_next": "1"})):  # every error shown
            response = fetch()
            if response.status_code == 302:
                continue  # a step switched off by an answer
            with_python, with_templates, in_python = both_ways(monkeypatch, fetch)
            assert with_python == with_templates, f"{wizard.__name__} step {step}"
            assert in_python or not form_class.base_fields, f"{wizard.__name__} step {step}"
            compared += 1
    assert compared >= len(wizard.form_list)


@pytest.mark.django_db
def test_other_forms_are_the_same_pages(client, monkeypatch):
    applicant = UserFactory()
    application = FundingApplicationFactory(owner=applicant)
    report = lifecycle.start(application, ReportType.COMMISSIONING, 0, applicant)
    # Signed out: sign-in and registration (allauth's forms through the KERN renderer).
    for url in (reverse("account_login"), reverse("account_signup")):
        for fetch in (lambda: client.get(url), lambda: client.post(url, {"email": "x"})):
            with_python, with_templates, in_python = both_ways(monkeypatch, fetch)
            assert with_python == with_templates, url
            assert in_python, url
    client.force_login(applicant)
    point_add = reverse("reports:point_add", args=[report.pk])
    claim = reverse("applications:claim")
    for url, data in ((point_add, {"power_kw": "abc", "commissioning_date": "31.02.2026"}),
                      (claim, {"kfw_number": "12ab", "email": AWKWARD})):
        for fetch in (lambda: client.get(url), lambda: client.post(url, data)):
            with_python, with_templates, in_python = both_ways(monkeypatch, fetch)
            assert with_python == with_templates, url
            assert in_python, url
    # The caseworker's review forms in the admin.
    client.force_login(CaseworkerFactory())
    lifecycle.submit(report, applicant)
    review = reverse("admin:reports_report_change", args=[report.pk])
    with_python, with_templates, in_python = both_ways(monkeypatch, lambda: client.get(review))
    assert with_python == with_templates
    assert in_python


# --- the form template --------------------------------------------------------------


class EveryKind(forms.Form):
    text = forms.CharField(help_text="A <em>hint</em>")
    optional = forms.CharField(required=False)
    radio = forms.ChoiceField(choices=[("a", "A"), ("b", AWKWARD)], widget=forms.RadioSelect)
    select = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    check = forms.BooleanField(help_text="Tick it")
    when = forms.SplitDateTimeField(required=False)
    password = forms.CharField(widget=forms.PasswordInput)
    upload = forms.FileField(required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    own = forms.CharField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A field with a template of its own keeps it inside the form.
        self.fields["own"].template_name = "kern/field_errors.html"


@pytest.mark.parametrize("data", [None, {"radio": "x", "password": "p", "when_0": "nie"}],
                         ids=["unbound", "errors"])
def test_the_form_template_renders_each_field_as_the_field_template_does(data):
    """kern/form.html includes kern/field.html for the whole form (one template lookup, one
    context) rather than calling the renderer per field: the same bytes as
    `{{ field.as_field_group }}` for every kind of field, with and without errors."""
    form = EveryKind(data, renderer=python_renderer)
    html = str(form)
    # What the form template did before: the renderer called field by field.
    fields = engines["django"].from_string(
        "{% for field, errors in fields %}{{ field.as_field_group }}\n{% endfor %}"
    ).render(form.get_context())
    assert f'<div class="portal-form-fields">\n{fields}\n</div>' in html
    assert 'id="id_own"' not in html  # its own template shows only its errors
    if data:
        assert '<p class="kern-error" id="id_own_error">' in html


# --- the field layout in Python -----------------------------------------------------


class FieldKinds(forms.Form):
    """Every kind of field the layout knows, with and without label, hint and requirement."""

    text = forms.CharField(label=AWKWARD, help_text="A <em>hint</em>", max_length=5)
    optional = forms.CharField(required=False)
    unlabelled = forms.CharField(label="")
    radio = forms.ChoiceField(choices=[("a", "A"), ("b", AWKWARD)], widget=forms.RadioSelect,
                              help_text="Choose")
    radio_optional = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect,
                                       required=False, label="")
    several = forms.MultipleChoiceField(choices=[(1, "Eins"), (2, "Zwei")],
                                        widget=forms.CheckboxSelectMultiple)
    select = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], required=False)
    multiple = forms.MultipleChoiceField(choices=[("a", "A")], required=False)
    check = forms.BooleanField(help_text="Tick it")
    check_plain = forms.BooleanField(required=False, label=AWKWARD)
    when = forms.SplitDateTimeField(required=False, help_text="Day and hour")
    password = forms.CharField(widget=forms.PasswordInput)
    password_kept = forms.CharField(widget=forms.PasswordInput(render_value=True))
    upload = forms.FileField(help_text="PDF")
    upload_optional = forms.FileField(required=False)
    amount = forms.DecimalField(required=False, localize=True)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_text(self):
        raise forms.ValidationError(["First <problem>", "second & last"])


FIELD_DATA = [
    None,
    {},
    {"text": "abcdefg", "radio": "x", "several": ["3"], "password": "p", "password_kept": "k",
     "when_0": "nie", "amount": "1.234,5", "hidden": AWKWARD},
]


@pytest.mark.parametrize("data", FIELD_DATA, ids=["unbound", "empty", "errors"])
@pytest.mark.parametrize("language", ["de", "en"])
def test_each_field_in_python_is_the_field_template(data, language):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    files = {"upload": SimpleUploadedFile("a.txt", b"")} if data else None
    template = engines["django"].engine.get_template(field_html.FIELD_TEMPLATE)
    with translation.override(language):
        form = FieldKinds(data, files, renderer=python_renderer)
        for bound in form:
            context = bound.get_context()
            assert field_html.field(bound, context["layout"]) == template.render(
                django.template.Context(context)
            ), bound.name
        assert "kern-hint" in str(form) and (not data or "kern-error" in str(form))


class WithFormErrors(FieldKinds):
    secret = forms.CharField(widget=forms.HiddenInput)  # required: an error of a hidden field

    def clean(self):
        raise forms.ValidationError(["Not <both> at once", "and & not neither"])


@pytest.mark.parametrize("form_class", [FieldKinds, WithFormErrors])
@pytest.mark.parametrize("data", FIELD_DATA, ids=["unbound", "empty", "errors"])
@pytest.mark.parametrize("prefix", [None, "schritt"])
def test_the_form_in_python_is_the_form_template(form_class, data, prefix):
    """kern/form.html written in Python: non-field errors (with hidden fields' errors), the
    fields as the renderer lays them out, hidden fields; with and without a prefix."""
    if data and prefix:
        data = {f"{prefix}-{name}": value for name, value in data.items()}
    form = form_class(data, prefix=prefix, renderer=python_renderer)
    template = engines["django"].engine.get_template(field_html.FORM_TEMPLATE)
    context = form.get_context()
    assert field_html.form(**context) == template.render(django.template.Context(context))
    assert str(form) == field_html.form(**form.get_context()).strip()
    if data is not None and form_class is WithFormErrors:
        assert "non-field-errors" in str(form)
        assert any("secret" in str(error) for error in context["errors"])  # the hidden one
