"""Form rendering: every Django form renders with the KERN design system's markup."""

from django.forms.renderers import TemplatesSetting


class KernFormRenderer(TemplatesSetting):
    form_template_name = "kern/form.html"
    field_template_name = "kern/field.html"
