"""MySQL literals for values read through Python (the SQLite source, and faked values).

The dump is read with MySQL's default sql_mode escapes (backslash escapes on), which its
header restores: `SET SQL_MODE='NO_AUTO_VALUE_ON_ZERO'`.
"""

import datetime
from decimal import Decimal

# What MySQL's own QUOTE() and mysqldump escape, plus newlines to keep lines readable.
_ESCAPES = str.maketrans({
    "\\": "\\\\", "'": "\\'", "\x00": "\\0", "\n": "\\n", "\r": "\\r", "\x1a": "\\Z",
})


def quote_name(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def string_literal(value: str) -> str:
    return "'" + value.translate(_ESCAPES) + "'"


def literal(value) -> str:
    """The MySQL literal of a Python value read from the database."""
    if value is None:
        return "NULL"
    kind = value.__class__
    if kind is str:
        return "'" + value.translate(_ESCAPES) + "'"
    if kind is int:
        return str(value)
    if kind is bool:
        return "1" if value else "0"
    if kind is Decimal:
        return str(value)
    if kind is float:
        return repr(value)
    if kind is datetime.datetime:
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return "'" + value.isoformat(" ") + "'"
    if kind is datetime.date or kind is datetime.time:
        return "'" + value.isoformat() + "'"
    if kind is datetime.timedelta:  # DurationField on backends with a native interval
        return str((value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds)
    if kind in (bytes, bytearray, memoryview):
        data = bytes(value)
        return "X'" + data.hex() + "'" if data else "''"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str):
        return string_literal(str(value))
    raise TypeError(f"no MySQL literal for {kind.__name__}")
