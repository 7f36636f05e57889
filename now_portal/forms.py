"""Form rendering: every Django form renders with the KERN design system's markup.

The renderer's bound field adds KERN's classes and the error state to each widget, so a
form renders right whether a template uses `{{ form }}`, `{{ field.as_field_group }}` or
just `{{ field }}` (the layout around it is in templates/kern/field.html).
"""

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext, gettext_noop

from . import field_html, widget_html

# The KERN class of each kind of control; `None` where the markup comes from the options.
_INPUT = "kern-form-input__input"
_CHECK = "kern-form-check__checkbox"
_RADIO = "kern-form-check__radio"
_SELECT = "kern-form-input__select"


def _kern_class(widget: forms.Widget) -> str:
    # CheckboxSelectMultiple is a RadioSelect subclass: ask for it first.
    if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
        return _CHECK
    if isinstance(widget, forms.RadioSelect):
        return _RADIO
    if isinstance(widget, forms.Select):  # also SelectMultiple, NullBooleanSelect
        return _SELECT
    return _INPUT


def field_kind(field: forms.Field) -> str:
    """Which KERN pattern the field template uses for this field."""
    widget = field.widget
    if getattr(field, "sent_directly", False):
        return "sent_directly"  # in a form of its own, before the step's form
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return "choices"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.MultiWidget):
        return "group"
    if isinstance(widget, forms.SelectMultiple):
        return "select_multiple"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    return "input"


# What a required field says when it is left empty, by the kind of control: it names the
# field (GOV.UK's pattern), where Django's "This field is required." names none.
_MISSING_ANSWER = {
    "choices": gettext_noop("Choose an answer for “%(label)s”."),
    "select": gettext_noop("Choose an answer for “%(label)s”."),
    "select_multiple": gettext_noop("Choose an answer for “%(label)s”."),
    "checkbox": gettext_noop("Tick “%(label)s” to go on."),
    "file": gettext_noop("Choose a file for “%(label)s”."),
}
_MISSING_TEXT = gettext_noop("Enter “%(label)s”.")
_UNANSWERED_QUESTION = gettext_noop("Answer the question “%(label)s”")


def name_missing_answers(form: forms.BaseForm) -> None:
    """Each required field of `form` that keeps Django's generic "required" message
    says instead which answer is missing ("Geben Sie „Straße“ an."), in the request's
    language. A field's own message stays."""
    generic = forms.Field.default_error_messages["required"]
    for field in form.fields.values():
        if field.required and field.label and field.error_messages.get("required") is generic:
            kind = field_kind(field)
            if str(field.label).endswith("?") and kind not in ("checkbox", "file"):
                message = _UNANSWERED_QUESTION  # "Is the site publicly accessible?"
            else:
                message = _MISSING_ANSWER.get(kind, _MISSING_TEXT)
            field.error_messages["required"] = gettext(message) % {"label": field.label}


class KernBoundField(BoundField):
    """A bound field that knows how KERN lays it out."""

    @property
    def kern_kind(self) -> str:
        return field_kind(self.field)

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}_error" if self.auto_id else ""

    @property
    def hint_id(self) -> str:
        return f"{self.auto_id}_helptext" if self.auto_id else ""

    @property
    def needs_reentry(self) -> bool:
        """Browsers never send back a password or a file: say so when the form has errors."""
        if self.kern_kind not in ("password", "file") or not self.form.is_bound:
            return False
        if not self.form.errors or getattr(self.field.widget, "render_value", False):
            return False
        # Only what was actually sent is lost (an empty field needs no such note).
        sent = self.form.files if self.kern_kind == "file" else self.form.data
        return bool(sent.get(self.html_name))

    @property
    def aria_describedby(self):
        described_by = super().aria_describedby
        if described_by is None or self.help_text or not self.needs_reentry:
            return described_by
        return " ".join(filter(None, [self.hint_id, described_by]))

    @property
    def anchor_id(self) -> str:
        """The id the error summary links to: the control itself, or a group's first one."""
        return self.id_for_label or (f"{self.auto_id}_0" if self.auto_id else "")

    def get_context(self):
        return {"field": self, "layout": self.layout}

    @property
    def layout(self) -> dict:
        """What the KERN field templates (kern/field.html, field_hint.html,
        field_errors.html) read of the field, worked out once: a template's lookup on a
        bound field costs several times one on a dict, and a form does dozens."""
        kind = self.kern_kind
        return {
            "kind": kind,
            "label": self.label,
            # A field may be empty in its form and still be needed (an upload: one sent
            # before counts); the form then says so with `required_in_step`.
            "required": self.field.required or getattr(self.field, "required_in_step", False),
            "errors": self.errors,
            "aria_describedby": self.aria_describedby,
            "id_for_label": self.id_for_label,
            "auto_id": self.auto_id,
            "error_id": self.error_id,
            "hint_id": self.hint_id,
            "help_text": self.help_text,
            "needs_reentry": self.needs_reentry,
            "subwidgets": self.subwidgets if kind == "choices" else (),
        }

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if widget.is_hidden:
            return attrs
        kern_class = _kern_class(widget)
        classes = [attrs.get("class") or widget.attrs.get("class") or "", kern_class]
        if self.errors:
            classes.append(f"{kern_class}--error")
        attrs["class"] = " ".join(c for c in classes if c)
        if self.label:
            # A placeholder beside a label reads like a value already filled in (GOV.UK
            # and KERN advise against it); False makes Django leave the attribute out.
            attrs["placeholder"] = False
        return attrs


class KernFormRenderer(TemplatesSetting):
    form_template_name = "kern/form.html"
    field_template_name = "kern/field.html"
    bound_field_class = KernBoundField

    def render(self, template_name, context, request=None):
        # Django's simple widget templates and the KERN field layout in Python (same
        # bytes, see widget_html and field_html); everything else through the templates.
        html = widget_html.render(template_name, context)
        if html is None:
            html = field_html.render(template_name, context)
        if html is None:
            html = super().render(template_name, context, request)
        return html
