"""Checks shared by the tests of the portal's e-mails (German first, then English)."""

import re


def german_and_english(body: str) -> tuple[str, str]:
    """The two halves of a mail. After "Hello," English begins a sentence: its first
    word has a capital (German goes on after "Guten Tag," in lower case unless the word
    is a noun or "Sie", so its translation differs there)."""
    german, separator, english = body.partition("English version")
    assert separator, body
    assert "Guten Tag,\n\n" in german, german
    assert re.search(r"Hello,\n\n[A-Z]", english), english
    return german, english
