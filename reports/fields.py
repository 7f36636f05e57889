"""Form fields for the report wizards that accept what people type: "1.234,56 €", "3,7"."""

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

_GROUPED_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
_GROUPED_THOUSANDS_ENGLISH = re.compile(r"^-?\d{1,3}(,\d{3}){2,}$")


def normalise_number(text: str) -> str:
    """German and English number spellings to Python's: "1.234,56" → "1234.56".

    A lone dot followed by groups of exactly three digits ("1.234") is read as a German
    thousands separator, as German is the portal's first language; several commas only
    as English thousands separators ("1,234,567")."""
    text = re.sub(r"[\s\u00a0\u202f€]|EUR", "", str(text), flags=re.IGNORECASE)
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        text = text.replace(thousands, "").replace(decimal_mark, ".")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    elif _GROUPED_THOUSANDS_ENGLISH.match(text):
        text = text.replace(",", "")
    elif _GROUPED_THOUSANDS.match(text):
        text = text.replace(".", "")
    # Anything else with several commas ("1,234,56") stays as typed and is refused as not
    # a number: dropping the commas would read it a hundred times too high.
    return text


class FlexibleDecimalField(forms.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = normalise_number(value)
        return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:f}".replace(".", ",")
        return value


# In the applicant's words, not Django's ("Bitte sicherstellen, dass der Wert höchstens 12
# Ziffern enthält."). "min_value" holds for the default minimum, 0.
EURO_MESSAGES = {
    "invalid": _("Enter the amount as a number, for example 1.234,56."),
    "max_digits": _("This amount is too large. Please check it."),
    "max_whole_digits": _("This amount is too large. Please check it."),
    "max_decimal_places": _("Enter the amount in euros and cents: at most two digits after the comma."),
    "min_value": _("Enter an amount of 0 € or more."),
}


class EuroField(FlexibleDecimalField):
    """An amount in euros: not negative, cent precision."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("help_text", _("In euros, for example 1.234,56"))
        kwargs["error_messages"] = {**EURO_MESSAGES, **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)


class YesNoField(forms.TypedChoiceField):
    """A yes/no question as two radio buttons; an answer is required unless told otherwise."""

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", [("yes", _("Yes")), ("no", _("No"))])
        kwargs.setdefault("coerce", lambda value: value == "yes")
        kwargs.setdefault("widget", forms.RadioSelect)
        kwargs.setdefault("empty_value", None)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if value is True:
            return "yes"
        if value is False:
            return "no"
        return value
