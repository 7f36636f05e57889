"""Helpers to compare what a person sees on two pages."""

import re


def screen(response) -> str:
    """The page's HTML without the per-render CSRF tokens."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
