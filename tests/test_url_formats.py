"""`url_format(name)(*args)` is `reverse(name, args=args)`: for the portal's own URLs, with
characters that need quoting, under a script prefix and in both languages, and for the
patterns it leaves to reverse() (a value the pattern refuses, regular expressions,
UUIDs, one name for two patterns)."""

import uuid

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, path, re_path, reverse, set_script_prefix
from django.utils import translation

from now_portal.url_formats import url_format


def view(request, **kwargs):  # pragma: no cover - only reversed, never called
    raise AssertionError


urlpatterns = [
    path("a/<int:pk>/<str:name>/", view, name="int_str"),
    path("s/<slug:slug>/", view, name="slug"),
    path("p/<path:rest>/end/", view, name="path"),
    path("u/<uuid:key>/", view, name="uuid"),
    re_path(r"^r/(?P<year>[0-9]{4})/$", view, name="regex"),
    path("two/<int:pk>/", view, name="two"),
    path("two/<str:name>/", view, name="two"),
]

SPECIAL = ["ä ö", "50%", "a?b", "x#y", "&=+", "~:@", "é/ü", "..", "<b>", "'\"", "2026", " "]


@pytest.mark.parametrize(
    "name, args",
    [
        ("applications:detail", [7]),
        ("reports:detail", [123456]),
        ("reports:start", [3, "commissioning", 0]),
        ("reports:start", [3, "operation", 2026]),
        ("reports:start", [3, "final_proof", 0]),
        ("reports:commissioning_step", [5, "ladepunkte-liste"]),
        ("reports:final_proof_upload_received", [5, "rechnungen", "invoices"]),
    ],
)
@pytest.mark.parametrize("language", ["de", "en"])
def test_portal_urls_are_what_reverse_gives(name, args, language):
    with translation.override(language):
        assert url_format(name)(*args) == reverse(name, args=args)


@pytest.mark.parametrize("text", SPECIAL)
def test_values_are_quoted_as_reverse_quotes_them(text):
    step = url_format("reports:commissioning_step")
    if "/" in text:
        with pytest.raises(NoReverseMatch):
            reverse("reports:commissioning_step", args=[1, text])
        with pytest.raises(NoReverseMatch):
            step(1, text)
    else:
        assert step(1, text) == reverse("reports:commissioning_step", args=[1, text])


def test_a_value_the_pattern_refuses_fails_as_in_reverse():
    detail = url_format("reports:detail")
    for refused in ["abc", "1.5", "", -1]:
        with pytest.raises(NoReverseMatch):
            detail(refused)
    with pytest.raises(NoReverseMatch):
        url_format("reports:detail")(1, 2)
    with pytest.raises(NoReverseMatch):
        url_format("reports:no_such_page")(1)


def test_script_prefix_is_kept_per_prefix():
    detail = url_format("reports:detail")
    plain = detail(9)
    try:
        set_script_prefix("/stufe/")
        assert detail(9) == reverse("reports:detail", args=[9]) == "/stufe" + plain
    finally:
        set_script_prefix("/")
    assert detail(9) == plain


@override_settings(ROOT_URLCONF=__name__)
def test_other_converters_and_patterns_left_to_reverse():
    key = uuid.uuid4()
    cases = [
        ("int_str", [42, "ä b"]),
        ("slug", ["a-b_c"]),
        ("path", ["x/ä y/z"]),
        ("uuid", [key]),
        ("regex", [2026]),
        ("two", [5]),
        ("two", ["fünf"]),
    ]
    for name, args in cases:
        assert url_format(name)(*args) == reverse(name, args=args), name
    for name, args in [("slug", ["a.b"]), ("int_str", ["x", "y"]), ("regex", [26])]:
        with pytest.raises(NoReverseMatch):
            url_format(name)(*args)
