"""Every catalogue of the project is complete and compiled.

For the project-level catalogue (`locale/`) and for each app of the project (its own
`<app>/locale/`), makemessages runs again in a temporary copy of the project; the test
fails when a message id is missing from the committed catalogue, untranslated or fuzzy,
or when the committed .mo is not what the committed .po compiles to. The catalogues are
found generically, so every team's app is checked the same way.
"""

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings

PROJECT = Path(__file__).resolve().parents[1]
# Never part of a catalogue: tooling, installed packages, generated and uploaded files.
NOT_SOURCE = [".git", ".venv", "node_modules", "staticfiles", "media", "build", "__pycache__"]
COPY_IGNORE = shutil.ignore_patterns(*NOT_SOURCE, "*.sqlite3", "*.pyc")
# English is the language of the message ids; every other language needs a catalogue.
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


def project_apps() -> dict[str, Path]:
    """The project's own apps (not Django's or a library's), by label."""
    found = {}
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(PROJECT) and ".venv" not in path.parts:
            found[config.label] = path
    return found


def catalogues() -> list[tuple[str, Path, list[str]]]:
    """(name, directory to run makemessages in, its --ignore patterns)."""
    app_dirs = project_apps()
    # The project-level catalogue covers everything outside the apps and the tests.
    top_ignores = NOT_SOURCE + ["tests"] + [
        str(path.relative_to(PROJECT)) for path in app_dirs.values()
    ]
    found = [("project", PROJECT, [f"{name}/*" for name in top_ignores])]
    for label, path in sorted(app_dirs.items()):
        found.append((label, path, [f"{name}/*" for name in NOT_SOURCE]))
    return found


CASES = [
    pytest.param(name, directory, ignores, language, id=f"{name}-{language}")
    for name, directory, ignores in catalogues()
    for language in LANGUAGES
]


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("project") / "project"
    shutil.copytree(PROJECT, copy, ignore=COPY_IGNORE, symlinks=True)
    return copy


def run_makemessages(directory: Path, ignores: list[str], language: str) -> None:
    command = [sys.executable, str(_manage_py(directory)), "makemessages", "-l", language, "--no-location"]
    command += [f"--ignore={pattern}" for pattern in ignores]
    (directory / "locale").mkdir(exist_ok=True)
    result = subprocess.run(command, cwd=directory, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def _manage_py(directory: Path) -> Path:
    for candidate in (directory, *directory.parents):
        if (candidate / "manage.py").exists():
            return candidate / "manage.py"
    raise AssertionError(f"no manage.py above {directory}")


def entries(po: polib.POFile) -> dict[tuple[str | None, str], polib.POEntry]:
    return {(entry.msgctxt, entry.msgid): entry for entry in po if not entry.obsolete}


def describe(keys) -> str:
    return "\n".join(f"  {msgid!r}" + (f" (context {context!r})" if context else "") for context, msgid in sorted(keys, key=str))


@pytest.mark.parametrize(("name", "directory", "ignores", "language"), CASES)
def test_catalogue_is_complete(project_copy, name, directory, ignores, language):
    copy = project_copy / directory.relative_to(PROJECT)
    run_makemessages(copy, ignores, language)

    fresh_po = copy / "locale" / language / "LC_MESSAGES" / "django.po"
    fresh = entries(polib.pofile(str(fresh_po))) if fresh_po.exists() else {}
    committed_po = directory / "locale" / language / "LC_MESSAGES" / "django.po"
    if not fresh:
        return  # nothing to translate here
    assert committed_po.exists(), (
        f"{name} has {len(fresh)} strings to translate but no catalogue {committed_po.relative_to(PROJECT)}"
    )
    committed = entries(polib.pofile(str(committed_po)))

    missing = fresh.keys() - committed.keys()
    fuzzy = {key for key in fresh.keys() & committed.keys() if "fuzzy" in committed[key].flags}
    untranslated = {
        key for key in fresh.keys() & committed.keys() if not committed[key].translated()
    } - fuzzy
    problems = []
    if missing:
        problems.append(f"missing from {committed_po.relative_to(PROJECT)} (run makemessages):\n{describe(missing)}")
    if untranslated:
        problems.append(f"not translated:\n{describe(untranslated)}")
    if fuzzy:
        problems.append(f"fuzzy (check and remove the flag):\n{describe(fuzzy)}")
    assert not problems, "\n".join(problems)


def load_mo(path: Path) -> dict:
    with path.open("rb") as file:
        return gettext.GNUTranslations(file)._catalog


@pytest.mark.parametrize(("name", "directory", "ignores", "language"), CASES)
def test_compiled_catalogue_matches_its_source(tmp_path, name, directory, ignores, language):
    committed_po = directory / "locale" / language / "LC_MESSAGES" / "django.po"
    if not committed_po.exists():
        pytest.skip(f"{name} has no {language} catalogue (test_catalogue_is_complete says if it needs one)")
    committed_mo = committed_po.with_suffix(".mo")
    assert committed_mo.exists(), f"{committed_mo.relative_to(PROJECT)} is missing: run compilemessages"

    compiled = tmp_path / "django.mo"
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", str(compiled), str(committed_po)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr

    assert load_mo(committed_mo) == load_mo(compiled), (
        f"{committed_mo.relative_to(PROJECT)} is out of date: run compilemessages"
    )
