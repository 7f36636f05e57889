"""Template filters of a funding application: its amount in euros and its status at KfW.

Filters rather than included templates: the dashboard shows both on every card, and an
include costs a template render of its own (tens of microseconds a card)."""

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.filter
def euro(amount) -> str:
    """`{{ amount|euro }}`: "1.234,50 €" (German), "EUR 1,234.50" (English)."""
    formatted = conditional_escape(floatformat(amount, "2g"))
    return mark_safe(gettext("EUR %(formatted)s") % {"formatted": formatted})


@register.filter
def kfw_status_badge(application) -> str:
    """`{{ application|kfw_status_badge }}`: KfW's status as a KERN badge."""
    if application.is_withdrawn:
        kind, label = "warning", gettext("Withdrawn")
    else:
        kind, label = "success", gettext("Approved")
    return format_html(
        '<span class="kern-badge kern-badge--{}"><span class="kern-icon kern-icon--{}" '
        'aria-hidden="true"></span><span class="kern-label kern-label--small">{}</span></span>',
        kind, kind, label,
    )
