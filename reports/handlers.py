"""Entry points for AWS Lambda events (Zappa's `events`), e.g. the daily reminders."""


def send_reminders(event, context):
    """Zappa scheduled event: `{"function": "reports.handlers.send_reminders",
    "expression": "cron(0 6 * * ? *)"}`. Returns what was sent."""
    import django
    from django.apps import apps

    if not apps.ready:  # Zappa normally has set Django up already
        django.setup()
    from .reminders import send_due_reminders

    return send_due_reminders().as_dict()
