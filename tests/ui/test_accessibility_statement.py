"""The accessibility statement (Erklärung zur Barrierefreiheit, BITV 2.0 § 7): open to
everyone, linked from every page's footer, in German and English, with the conformance
status, what was tested and how, the known limitations, a feedback address from the
settings and the conciliation procedure under § 16 BGG."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.browser.support import WCAG_TAGS

from .conftest import switch_to_english
from .html import attrs, find, find_all, text, tree

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]


def statement(client):
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    return text(find(tree(response), "main"))


def test_statement_is_open_to_visitors_without_an_account(client):
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    assert text(find(tree(response), "h1")) == "Erklärung zur Barrierefreiheit"


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_page_links_to_the_statement_from_its_footer(client, applicant, signed_in):
    if not signed_in:
        client.logout()
    for url in [reverse("applications:home"), reverse("account_login"), reverse("privacy")] + (
        [reverse("applications:dashboard"), reverse("applications:claim")] if signed_in else []
    ):
        footer = find(tree(client.get(url, follow=True)), "footer")
        links = [link for link in find_all(footer, "a") if attrs(link)["href"] == reverse("accessibility")]
        assert [text(link) for link in links] == ["Erklärung zur Barrierefreiheit"], url


def test_statement_says_how_accessible_the_portal_is_and_what_was_tested(client):
    main = statement(client)
    assert "teilweise mit der BITV 2.0 und mit WCAG 2.1 Stufe AA vereinbar" in main
    # The automated checks, with the rule sets the browser tests use.
    assert "axe-core" in main
    assert ", ".join(WCAG_TAGS[:-1]) + " und " + WCAG_TAGS[-1] in main
    assert "auch auf den Seiten mit Fehlermeldungen" in main
    assert "360 × 740 Pixeln" in main and "320 Pixeln" in main
    assert "nur mit der Tastatur" in main and "auf Englisch" in main
    # Honest about what is not covered.
    assert "Django-Administration" in main and "nicht erfasst" in main
    assert "noch nicht mit Screenreadern" in main


def test_feedback_goes_to_the_configured_address(client, settings):
    settings.OPERATOR = {**settings.OPERATOR, "accessibility_email": "barrierefreiheit@now.example"}
    page = tree(client.get(reverse("accessibility")))
    mailtos = [attrs(link)["href"] for link in find_all(find(page, "main"), "a")]
    assert "mailto:barrierefreiheit@now.example" in mailtos


def test_without_an_address_the_statement_shows_a_marked_placeholder(client, settings):
    settings.OPERATOR = {**settings.OPERATOR, "accessibility_email": ""}
    page = tree(client.get(reverse("accessibility")))
    placeholders = [text(e) for e in find_all(find(page, "main"), "span", class_="portal-placeholder")]
    assert "[Platzhalter: E-Mail-Adresse für Rückmeldungen zur Barrierefreiheit]" in placeholders
    assert "mailto:" not in [attrs(a)["href"] for a in find_all(page, "a")]


@pytest.mark.parametrize("environment, expected", [
    ({"OPERATOR_ACCESSIBILITY_EMAIL": "barrierefreiheit@now.example", "OPERATOR_EMAIL": "info@now.example"},
     "barrierefreiheit@now.example"),
    ({"OPERATOR_EMAIL": "info@now.example"}, "info@now.example"),
    ({}, ""),
])
def test_feedback_address_setting_falls_back_to_the_operators_address(environment, expected):
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(repr(settings.OPERATOR['accessibility_email']))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPERATOR_")}
    env.update(environment, DJANGO_SETTINGS_MODULE="now_portal.settings")
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr(expected)


def test_statement_names_the_conciliation_body_under_section_16_bgg(client):
    main = statement(client)
    assert "Schlichtungsstelle nach § 16 BGG" in main
    assert "Mauerstraße 53" in main and "10117 Berlin" in main
    page = tree(client.get(reverse("accessibility")))
    hrefs = {attrs(a)["href"] for a in find_all(find(page, "main"), "a")}
    assert {"mailto:info@schlichtungsstelle-bgg.de", "https://www.schlichtungsstelle-bgg.de"} <= hrefs


def test_statement_in_english(client):
    switch_to_english(client, reverse("accessibility"))
    main = statement(client)
    assert "Accessibility statement" in main
    assert "partially compliant with BITV 2.0 and WCAG 2.1 level AA" in main
    assert "(the Django admin) does not use KERN and is not covered by these checks" in main
    assert "conciliation body under § 16 BGG" in main
