"""The KERN form and field layout (templates/kern/form.html, kern/field.html with
field_hint.html and field_errors.html) rendered in Python.

Through the templates a field cost an include, a context and some twenty nodes, each a
lookup on the layout: on a wizard step, more than the widgets themselves. `render` gives
the SAME bytes as the templates (tests/ui/test_form_rendering.py compares them for every
kind of field, with and without errors and hints, and whole pages); the templates stay the
layout's reference, and the hint and error templates are still included on their own
(reports/wizard/_direct_upload.html).
"""

from django.utils.html import conditional_escape
from django.utils.translation import gettext

from .widget_html import text as _text

FORM_TEMPLATE = "kern/form.html"
FIELD_TEMPLATE = "kern/field.html"


def _optional(layout) -> str:
    if layout["required"]:
        return ""
    return f' <span class="kern-label__optional">– {conditional_escape(gettext("optional"))}</span>'


def _hint(layout) -> str:
    """kern/field_hint.html, or the newline the field template writes without a hint."""
    if not (layout["help_text"] or layout["needs_reentry"]):
        return "\n"
    parts = [f'<div class="kern-hint" id="{_text(layout["hint_id"])}">']
    if layout["help_text"]:
        parts.append(str(layout["help_text"]))  # |safe: hints may hold markup
    if layout["needs_reentry"]:
        if layout["kind"] == "file":
            message = gettext("Please choose the file again: for your security, it is not kept "
                              "when the page shows an error.")
        else:
            message = gettext("Please enter the password again: for your security, it is not "
                              "kept when the page shows an error.")
        parts.append(f'<p class="kern-body">{conditional_escape(message)}</p>')
    parts.append("</div>\n")
    return "".join(parts)


def _errors(layout) -> str:
    """kern/field_errors.html, or the newline the field template writes without errors."""
    errors = layout["errors"]
    if not errors:
        return "\n"
    return (
        f'<p class="kern-error" id="{_text(layout["error_id"] or layout["auto_id"])}">\n'
        '  <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>\n'
        f'  <span class="kern-body"><span class="kern-sr-only">{conditional_escape(gettext("Error:"))} </span>'
        + "<br>".join(_text(error) for error in errors)
        + "</span>\n</p>\n"
    )


def _fieldset(field, layout, kind) -> str:
    described_by = layout["aria_describedby"]
    parts = [
        '<fieldset class="kern-fieldset', " kern-fieldset--error" if layout["errors"] else "",
        '"', f' aria-describedby="{_text(described_by)}"' if described_by else "", ">\n  ",
    ]
    if layout["label"]:
        parts.append(f'<legend class="kern-label">{_text(layout["label"])}{_optional(layout)}</legend>')
    parts += ["\n  ", _hint(layout), '\n  <div class="kern-fieldset__body">\n  \n    ']
    if kind == "choices":
        for option in layout["subwidgets"]:
            parts.append(
                '\n    <div class="kern-form-check">\n'
                f"      {_text(option.tag())}\n"
                f'      <label class="kern-label" for="{_text(option.id_for_label)}">'
                f"{_text(option.choice_label)}</label>\n"
                "    </div>\n    "
            )
    else:
        parts.append(_text(field))
    parts += ["\n  \n  </div>\n  ", _errors(layout), "\n</fieldset>"]
    return "".join(parts)


def _checkbox(field, layout) -> str:
    return (
        f'<div class="kern-form-check{" kern-form-check--error" if layout["errors"] else ""}">\n'
        f"  {_text(field)}\n"
        f'  <label class="kern-label" for="{_text(layout["id_for_label"])}">{_text(layout["label"])}</label>\n'
        f"  {_hint(layout)}\n  {_errors(layout)}\n</div>"
    )


def _input(field, layout, kind) -> str:
    parts = [f'<div class="kern-form-input{" kern-form-input--error" if layout["errors"] else ""}">\n  ']
    if layout["label"]:
        parts.append(
            f'<label class="kern-label" for="{_text(layout["id_for_label"])}">'
            f'{_text(layout["label"])}{_optional(layout)}</label>'
        )
    parts += ["\n  ", _hint(layout), "\n  "]
    if kind == "select":
        parts.append(f'<div class="kern-form-input__select-wrapper">{_text(field)}</div>')
    else:
        parts.append(_text(field))
    parts += ["\n  ", _errors(layout), "\n</div>"]
    return "".join(parts)


def field(field, layout) -> str:
    """kern/field.html for this bound field and its `layout` (KernBoundField.layout)."""
    kind = layout["kind"]
    if kind == "hidden":
        return _text(field)
    if kind == "sent_directly":
        return ""  # in a form of its own that posts to S3 (reports/wizard/_direct_upload.html)
    if kind in ("choices", "group"):
        return _fieldset(field, layout, kind)
    if kind == "checkbox":
        return _checkbox(field, layout)
    return _input(field, layout, kind)


def form(form, fields, hidden_fields, errors) -> str:
    """kern/form.html: the form's own errors, each field as the renderer lays it out (a
    field with a template of its own gets it), then the hidden fields."""
    parts = []
    if errors:
        prefix = f"{_text(form.prefix)}-" if form.prefix else ""
        parts.append(
            f'\n<div class="kern-error portal-form-errors" id="{prefix}non-field-errors" tabindex="-1">\n'
            '  <span class="kern-icon kern-icon--danger" aria-hidden="true"></span>\n'
            f'  <span class="kern-body"><span class="kern-sr-only">{conditional_escape(gettext("Error:"))} </span>'
            + "<br>".join(_text(error) for error in errors)
            + "</span>\n</div>\n"
        )
    parts.append('\n<div class="portal-form-fields">\n')
    parts.extend(f"{_text(bound.as_field_group())}\n" for bound, _errors in fields)
    parts.append("\n</div>\n")
    parts.extend(_text(bound) for bound in hidden_fields)
    parts.append("\n")
    return "".join(parts)


def render(template_name, context) -> str | None:
    """The form or field template's output (stripped, like the renderer's), or None when
    the template is another or the context is not the renderer's for a form or field."""
    if template_name == FIELD_TEMPLATE and set(context) == {"field", "layout"}:
        return field(context["field"], context["layout"]).strip()
    if template_name == FORM_TEMPLATE and set(context) == {"form", "fields", "hidden_fields", "errors"}:
        return form(**context).strip()
    return None
