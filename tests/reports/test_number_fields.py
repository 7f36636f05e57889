"""What people type into the report's amount fields, read as they meant it, or refused."""

from decimal import Decimal

import pytest
from django import forms

from reports.fields import EuroField


@pytest.mark.parametrize(("typed", "amount"), [
    ("12.500,00", Decimal("12500.00")), ("1.234.567", Decimal("1234567")),
    ("2.500,50 €", Decimal("2500.50")), ("12,5", Decimal("12.5")), ("1234.5", Decimal("1234.5")),
    ("1,234,567", Decimal("1234567")), ("1,234.50", Decimal("1234.50")), ("0", Decimal("0")),
    ("3 000 EUR", Decimal("3000")),
])
def test_spellings_people_use(typed, amount):
    assert EuroField().clean(typed) == amount


@pytest.mark.parametrize("typed", ["1,234,56", "1,2,3", "12,,5", "1.2.3", "zwölf"])
def test_ambiguous_spellings_are_refused_not_guessed(typed):
    """'1,234,56' once became 123,456 €: a hundred times the amount, without a word."""
    with pytest.raises(forms.ValidationError):
        EuroField().clean(typed)
