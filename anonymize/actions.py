"""What the policy can do with a column (or a whole table), and how each is carried out.

Each action turns a value read from the source into a MySQL literal (`literal_function`).
On a MySQL source, actions do their work in the SELECT instead where SQL can express it
(`mysql_expression`: the database returns the finished literal, fakes included), so
Python only touches the few fakes SQL cannot compute (KfW numbers, phones, IBANs, EVSE
IDs) and the change history. Actions that replace personal data also name the original
values the leak check must never find in the dump (`needles`).
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import PurePath

from .sql import literal, quote_name, string_literal

BINARY_TYPES = {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"}
COLLIDING_KINDS = {"kfw_number", "phone", "iban", "pattern", "token"}
# Of these, the fakes that land among densely used real values (ten-digit application
# numbers, phone numbers): a large snapshot writes a few that equal another row's
# original, so they are told to the leak check as they are written (Fake.literal_function).
# A coincidence of the others (IBANs, EVSE IDs, tokens: vast spaces) is so rare that it is
# left to the leak check's recomputation of the table's fakes (snapshot.written_fakes).
REPORTED_KINDS = {"kfw_number", "phone"}
TEXT_TYPES = {"char", "varchar", "tinytext", "text", "mediumtext", "longtext"}
NUMERIC_TYPES = {"tinyint", "smallint", "mediumint", "int", "bigint", "decimal", "float",
                 "double"}


@dataclass(frozen=True)
class Column:
    """A column as the source database has it."""

    name: str
    nullable: bool
    data_type: str = ""  # MySQL's DATA_TYPE; empty on SQLite

    @property
    def is_binary(self) -> bool:
        return self.data_type in BINARY_TYPES


class Action:
    """Base: `personal` actions replace personal data and feed the leak check."""

    personal = False
    description = ""

    def literal_function(self, faker):
        raise NotImplementedError

    def mysql_expression(self, column: Column, faker) -> str | None:
        """An SQL expression that yields the finished literal, or None (Python does it)."""
        return None

    def needle_columns(self, column: str) -> list[str]:
        return [column]

    def needles(self, values: tuple) -> list[str]:
        return [values[0]] if self.personal and isinstance(values[0], str) else []

    def fake_of(self, faker, value):
        """What this action writes for `value` (for the leak check's exclusions)."""
        return None

    def check(self, column: Column) -> str | None:
        return None


# --- Tables -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Omit:
    """The table is created empty: its rows are secrets or traces of people only
    (sessions, tokens, MFA secrets, e-mail confirmations, the cache)."""

    reason: str


# --- Columns ------------------------------------------------------------------------------


class Keep(Action):
    description = "kept"

    def literal_function(self, faker):
        return literal

    def mysql_expression(self, column, faker):
        name = quote_name(column.name)
        if column.is_binary:
            return f"IF({name} IS NULL, 'NULL', CONCAT('0x', HEX({name})))"
        if column.data_type in NUMERIC_TYPES:  # numbers need no quotes
            return f"IFNULL({name}, 'NULL')"
        return f"QUOTE({name})"


@dataclass
class Constant(Action):
    """Always this value (an unusable password, an empty JSON document, no file path)."""

    value: object
    description: str = "replaced by a constant"

    def literal_function(self, faker):
        text = literal(self.value)
        return lambda _value: text

    def mysql_expression(self, column, faker):
        return string_literal(literal(self.value))

    def check(self, column):
        if self.value is None and not column.nullable:
            return "is NOT NULL: use a Constant other than None"
        return None


class Null(Constant):
    def __init__(self):
        super().__init__(None, "emptied (NULL)")


@dataclass
class Redact(Action):
    """Free text that may name people: replaced by a placeholder when it holds anything
    (analysts still see that there was a comment), kept when empty or NULL."""

    placeholder: str = "[entfernt]"
    description: str = "redacted (placeholder when not empty)"
    personal = True

    def literal_function(self, faker):
        text = string_literal(self.placeholder)
        return lambda value: "NULL" if value is None else ("''" if value == "" else text)

    def mysql_expression(self, column, faker):
        name = quote_name(column.name)
        return (f"IF({name} IS NULL, 'NULL', IF(CHAR_LENGTH({name}) = 0, '''''', "
                f"{string_literal(string_literal(self.placeholder))}))")

    def needles(self, values):
        # Long free text is searched for by its beginning (a copy elsewhere would start
        # the same way); short texts ("ok", "siehe oben") say nothing about anyone.
        value = values[0]
        if isinstance(value, str) and len(value.strip()) >= 20:
            return [value.strip()[:100]]
        return []

    def fake_of(self, faker, value):
        return self.placeholder


@dataclass
class Fake(Action):
    """A keyed-hash fake of the same kind and format (see `fakes.Faker`). Empty values
    stay empty, NULL stays NULL."""

    kind: str
    description: str = ""
    personal = True

    def __post_init__(self):
        self.description = self.description or f"faked ({self.kind.replace('_', ' ')})"

    MEMO_ENTRIES = 4096

    def literal_function(self, faker, written=None):
        """value → literal of its fake. `written(fake)`, if given, is told each fake of a
        kind likely to equal another row's original (REPORTED_KINDS) the first time this
        function writes it (the leak check then knows such a coincidence is no leak)."""
        fake = faker.fake(self.kind)
        # value → finished literal: the row code looks here first (`memo.get`, no call).
        memo = {}
        limit = self.MEMO_ENTRIES
        if self.kind not in REPORTED_KINDS:
            written = None

        def convert(value):
            if value is None:
                return "NULL"
            if value == "":
                return "''"
            made = fake(value if value.__class__ is str else str(value))
            if written is not None:
                written(made)
            text = string_literal(made)
            if len(memo) >= limit:
                memo.clear()
            memo[value] = text
            return text

        convert.memo = memo
        return convert

    def mysql_expression(self, column, faker):
        if column.data_type not in TEXT_TYPES:
            return None
        name = quote_name(column.name)
        fake = faker.sql(self.kind, name)
        if fake is None:
            return None
        # As literal_function: NULL stays NULL, empty stays empty (CHAR_LENGTH, as '  ' = ''
        # under PAD SPACE collations).
        return f"IF({name} IS NULL, 'NULL', IF(CHAR_LENGTH({name}) = 0, '''''', QUOTE({fake})))"

    def fake_of(self, faker, value):
        # Only fakes that could equal another row's original (numbers and identifiers
        # of the same format): names and e-mails come from lists and a reserved domain.
        if value and self.kind in COLLIDING_KINDS:
            return faker.fake(self.kind)(str(value))
        return None


def _first_of_month(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    text = str(value)
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        return text[:8] + "01" + (" 00:00:00" if len(text) > 10 else "")
    return None  # not a date: nothing of it is kept


@dataclass
class Generalise(Action):
    """Coarser, so that a value no longer singles anyone out: `postal_prefix` (the first
    two digits: the postal region), `month` (the first of the month), `round` (to
    `step`), `file_suffix` (a neutral file name with the original's extension)."""

    kind: str
    step: int = 100
    description: str = ""

    def __post_init__(self):
        self.description = self.description or {
            "postal_prefix": "generalised to the first two digits",
            "month": "generalised to the first of the month",
            "round": f"rounded to {self.step}",
            "file_suffix": "replaced by 'datei' and the original's extension",
        }[self.kind]

    def apply(self, value):
        if value is None:
            return None
        if self.kind == "postal_prefix":
            return str(value)[:2]
        if self.kind == "month":
            return _first_of_month(value)
        if self.kind == "round":
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                return None
            step = Decimal(self.step)
            return (number / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
        if self.kind == "file_suffix":
            if not value:
                return value
            suffix = PurePath(str(value)).suffix.lower()[:10]
            return "datei" + (suffix if suffix[1:].isalnum() else "")
        raise ValueError(self.kind)

    def literal_function(self, faker):
        apply = self.apply
        return lambda value: literal(apply(value))

    def mysql_expression(self, column, faker):
        name = quote_name(column.name)
        if self.kind == "postal_prefix":
            return f"QUOTE(LEFT({name}, 2))"
        if self.kind == "month":
            if column.data_type == "date":
                return f"QUOTE(DATE_FORMAT({name}, '%Y-%m-01'))"
            if column.data_type in ("datetime", "timestamp"):
                return f"QUOTE(DATE_FORMAT({name}, '%Y-%m-01 00:00:00'))"
            return None
        if self.kind == "round" and column.data_type in ("decimal", "int", "bigint", "double"):
            return f"QUOTE(ROUND({name} / {self.step}) * {self.step})"
        return None


@dataclass
class ByField(Action):
    """Change history: a row names the field (`field_column`) whose old or new value the
    column holds; the value gets the action that field has in `table`'s policy. Fields
    the policy keeps stay; a field it does not know is redacted."""

    field_column: str
    table: str
    description: str = ""
    personal = True

    def __post_init__(self):
        self.description = self.description or (
            f"treated like the named field of {self.table} (unknown fields redacted)")

    def _columns(self):
        from .policy import POLICY

        return POLICY[self.table]

    def _action(self, field_name):
        action = self._columns().get(field_name)
        if action is None or isinstance(action, ByField):
            return Redact()
        if isinstance(action, Generalise) and action.kind == "month":
            # Dates come as text "2026-03-31": the first of the month, as text.
            return Generalise("month")
        return action

    def needle_columns(self, column):
        return [self.field_column, column]

    def needles(self, values):
        action = self._action(values[0])
        return action.needles(values[1:]) if action.personal else []

    def fake_of(self, faker, value):
        return None

    def row_function(self, faker):
        """(field value, column value) → literal; compiled once per field name."""
        cache = {}

        def convert(field_name, value):
            function = cache.get(field_name)
            if function is None:
                function = cache[field_name] = self._action(field_name).literal_function(faker)
            return function(value)

        return convert

    def literal_function(self, faker):  # pragma: no cover - rows go through row_function
        raise TypeError("ByField converts whole rows: use row_function")


@dataclass(frozen=True)
class AddressNeedle:
    """A street and its house number searched for together (as an address in free
    text would appear) by the leak check."""

    table: str
    street: str
    house_number: str


@dataclass
class Policy:
    tables: dict = field(default_factory=dict)
    address_needles: list = field(default_factory=list)
