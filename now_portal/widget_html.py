"""Django's templates of the simple form widgets, rendered in Python.

Rendering a widget through its template costs a template render and two or three nested
`{% include %}`s, for one `<input>`: on a wizard step, most of the form's time. These
functions produce the SAME bytes as Django's templates in django/forms/templates/django/
forms/widgets/ (tests/ui/test_form_rendering.py compares them for every widget the portal
uses, and fails if a project or app template overrides one of them). A widget whose
template is not listed here (or whose options use one that is not) renders through its
template as before.

Each function returns what its template renders, trailing newline included; the renderer
strips the outermost result as `BaseRenderer.render` does.
"""

import html

from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString

WIDGETS = "django/forms/widgets/"


class NotInPython(Exception):
    """A template without a Python version here: render the widget through templates."""


def escape_str(text: str) -> str:
    """`escape(text)` for a plain `str`, without the checks for lazy arguments."""
    return SafeString(html.escape(text))


def text(value) -> str:
    """`{{ value }}`: localised, made a string (a lazy translation too), then escaped
    unless already safe."""
    if type(value) is str:  # most values: nothing to localise, nothing safe
        return escape_str(value)
    value = localize(value)
    if not issubclass(type(value), str):
        value = str(value)
    return conditional_escape(value)


def _string(value) -> str:
    """`{{ value|stringformat:'s' }}` (a safe value stays unescaped: the filter is_safe)."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)
    return text if isinstance(value, SafeData) else escape_str(text)


def _attrs(attrs) -> str:
    """attrs.html: ` name="value"`, a bare ` name` for True, nothing for False."""
    return "".join(
        f" {text(name)}" if value is True else f' {text(name)}="{_string(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget) -> str:
    value = widget["value"]
    return (
        f'<input type="{text(widget["type"])}" name="{text(widget["name"])}"'
        + ("" if value is None else f' value="{_string(value)}"')
        + _attrs(widget["attrs"])
        + ">\n"
    )


def _input_option(widget) -> str:
    if not widget.get("wrap_label"):
        return _input(widget) + "\n"
    element_id = widget["attrs"].get("id")
    label_for = f' for="{text(element_id)}"' if element_id else ""
    return f"<label{label_for}>{_input(widget)} {text(widget['label'])}</label>\n"


def _multiple_input(widget) -> str:
    attrs = widget["attrs"]
    parts = ["<div"]
    if attrs.get("id"):
        parts.append(f' id="{text(attrs["id"])}"')
    if attrs.get("class"):
        parts.append(f' class="{text(attrs["class"])}"')
    parts.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{text(group)}</label>")
        parts.extend(
            f"<div>\n    {_template(option['template_name'], option)}</div>" for option in options
        )
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>\n")
    return "".join(parts)


def _select(widget) -> str:
    parts = [f'<select name="{text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{text(group_name)}">')
        parts.extend(
            f"\n  {_template(option['template_name'], option)}" for option in group_choices
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def _select_option(widget) -> str:
    return (
        f'<option value="{_string(widget["value"])}"{_attrs(widget["attrs"])}>'
        f"{text(widget['label'])}</option>\n"
    )


def _textarea(widget) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{text(value) if value else ''}</textarea>\n"
    )


def _including(inner):
    """A template that is `{% include "…" %}` and a newline."""
    return lambda widget: inner(widget) + "\n"


TEMPLATES = {
    **{
        f"{WIDGETS}{name}.html": _including(_input)
        for name in ("checkbox", "color", "date", "datetime", "email", "file", "hidden", "number",
                     "password", "search", "tel", "text", "time", "url")
    },
    f"{WIDGETS}input.html": _input,
    f"{WIDGETS}input_option.html": _input_option,
    f"{WIDGETS}radio_option.html": _including(_input_option),
    f"{WIDGETS}checkbox_option.html": _including(_input_option),
    f"{WIDGETS}multiple_input.html": _multiple_input,
    f"{WIDGETS}radio.html": _including(_multiple_input),
    f"{WIDGETS}checkbox_select.html": _including(_multiple_input),
    f"{WIDGETS}select.html": _select,
    f"{WIDGETS}select_option.html": _select_option,
    f"{WIDGETS}textarea.html": _textarea,
}


def _template(template_name, widget) -> str:
    try:
        render = TEMPLATES[template_name]
    except KeyError:
        raise NotInPython(template_name) from None
    return render(widget)


def render(template_name, context) -> str | None:
    """The widget template's output (stripped, like the renderer's), or None when the
    template (or an option's) has no Python version or the context is not a widget's."""
    if template_name not in TEMPLATES or set(context) != {"widget"}:
        return None
    try:
        return _template(template_name, context["widget"]).strip()
    except NotInPython:
        return None
