"""Entry points for AWS Lambda events (Zappa's `events`), e.g. the daily reminders."""


def send_reminders(event, context):
    """Zappa scheduled event: `{"function": "reports.handlers.send_reminders",
    "expression": "cron(0 6 * * ? *)"}`. Returns what was sent."""
    import django
    from django.apps import apps

    if not apps.ready:  # Zappa normally has set Django up already
        django.setup()
    import time

    from .reminders import send_due_reminders

    deadline = None
    if context is not None and hasattr(context, "get_remaining_time_in_millis"):
        # Stop a minute before Lambda would cut the run off; the rest goes out next run.
        deadline = time.monotonic() + context.get_remaining_time_in_millis() / 1000 - 60
    return send_due_reminders(deadline=deadline).as_dict()
