"""Entry point for Zappa: a schedule or a one-off `zappa invoke` takes a snapshot.

`{"function": "anonymize.handlers.create_snapshot", "expression": "cron(0 3 * * ? *)"}`
in zappa_settings.json's `events`. The event may name `destination` (a path or
s3://bucket/key) and `gzip` (default true); without a destination the snapshot goes to
s3://SNAPSHOT_BUCKET/SNAPSHOT_PREFIX<UTC time>.sql.gz. The key of the fakes is always
fresh: an event never carries one.
"""


def default_destination(now=None) -> str:
    import datetime

    from django.conf import settings

    if not settings.SNAPSHOT_BUCKET:
        raise ValueError("SNAPSHOT_BUCKET is not set and the event names no destination.")
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return f"s3://{settings.SNAPSHOT_BUCKET}/{settings.SNAPSHOT_PREFIX}{now:%Y%m%dT%H%M%SZ}.sql.gz"


def create_snapshot(event, context):
    """Returns the summary (tables, rows, bytes, duration, destination, k-anonymity)."""
    import django
    from django.apps import apps

    if not apps.ready:  # Zappa normally has set Django up already
        django.setup()
    import logging

    from .snapshot import take_snapshot

    event = event if isinstance(event, dict) else {}
    destination = event.get("destination") or default_destination()
    summary = take_snapshot(destination, compress=bool(event.get("gzip", True)))
    logging.getLogger(__name__).info("Anonymised snapshot: %s", summary.as_dict())
    return summary.as_dict()
