"""Template helpers of the KERN layout."""

from django import template

register = template.Library()


@register.filter
def has_errors(form) -> bool:
    """`form|has_errors`: a form, or a formset (it has a management form), that came back
    with errors. Decides the "Fehler:" title prefix and the error summary."""
    if not form:
        return False
    if hasattr(form, "management_form"):
        return bool(form.total_error_count())
    return bool(getattr(form, "errors", None))
