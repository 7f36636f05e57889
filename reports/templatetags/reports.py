"""Template access to the reports an application owes (for the dashboard card)."""

from django import template

from .. import deadlines

register = template.Library()


@register.simple_tag
def owed_reports(application):
    """`{% owed_reports application as owed %}`: see `reports.deadlines.owed_reports`."""
    return deadlines.owed_reports(application)
