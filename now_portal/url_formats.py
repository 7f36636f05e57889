"""URLs of one named pattern for many rows, each pattern reversed once per process.

A page that links every row (the dashboard: a detail or start link per report) paid a
full `reverse()` per link: the namespace walk, every candidate pattern, a regex match and
the quoting. `url_format(name)` reverses the pattern once with marker arguments, keeps
the text around the markers, and then only converts, checks and quotes each row's
values. The result is the same string as `reverse(name, args=...)` (tests compare them).

The parts are kept per URLconf, script prefix and language (a translated route or an
`i18n_patterns` prefix differ by language). Each value is checked against its converter
as `reverse()` checks it; a value the marked pattern refuses, and a pattern that the
markers cannot stand in for, are left to `reverse()` itself.
"""

import re
from urllib.parse import quote

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, resolve, reverse
from django.urls.resolvers import RoutePattern
from django.utils.http import RFC3986_SUBDELIMS, escape_leading_slashes
from django.utils.translation import get_language

# Digits pass the int, str, slug and path converters; unlikely to occur in a URL by chance.
_MARKER_BASE = 7_301_940_000
# What `reverse()` leaves unquoted (RFC 3986's pchar).
_SAFE = RFC3986_SUBDELIMS + "/~:@"


def _converters(path: str, name: str, count: int):
    """The converters of the pattern that `path` resolves to, in the order of its
    arguments; None if the path is not this name's or its route is no `path()` route."""
    try:
        match = resolve(path)
    except Exception:  # noqa: BLE001 - anything unexpected: leave it to reverse()
        return None
    route = match.route
    if match.view_name != name or len(match.kwargs) != count or not route or "(?" in route:
        return None  # another view, extra kwargs, or a regular-expression pattern
    converters = RoutePattern(route).converters
    # Named groups of the whole route, in the order they appear in it.
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    if len(names) != count or set(names) != set(converters):
        return None
    return [converters[param] for param in names]


class _Parts:
    """One reversed pattern: the text between the markers and each argument's converter."""

    def __init__(self, texts, converters):
        self.texts = texts
        self.converters = converters
        self.regexes = [re.compile(converter.regex) for converter in converters]

    def url(self, args):
        texts, parts = self.texts, [self.texts[0]]
        for index, value in enumerate(args):
            converter = self.converters[index]
            try:
                text = str(converter.to_url(value))
            except ValueError:
                return None
            if not self.regexes[index].fullmatch(text):
                return None
            parts.append(quote(text, safe=_SAFE))
            parts.append(texts[index + 1])
        url = "".join(parts)
        return escape_leading_slashes(url) if url.startswith("//") else url


def _parts_for(name: str, count: int):
    markers = [_MARKER_BASE + index for index in range(count)]
    try:
        marked = reverse(name, args=markers)
    except NoReverseMatch:
        return None
    pieces = re.split("(" + "|".join(str(m) for m in markers) + ")", marked)
    if pieces[1::2] != [str(m) for m in markers]:
        return None  # a marker missing, repeated or out of order
    prefix = get_script_prefix()
    if not marked.startswith(prefix):
        return None
    converters = _converters("/" + marked[len(prefix):], name, count)
    if converters is None:
        return None
    parts = _Parts(pieces[0::2], converters)
    # Once per pattern: other values than the markers give what reverse() gives.
    others = [marker + 1 for marker in markers]
    if parts.url(others) != reverse(name, args=others):
        return None
    return parts


class UrlFormat:
    """`url_format("reports:detail")(pk)` == `reverse("reports:detail", args=[pk])`."""

    def __init__(self, name: str):
        self.name = name
        self._current = {}

    def __call__(self, *args) -> str:
        return self.current()(*args)

    def current(self):
        """The format for the current URLconf, script prefix and language: a page that
        links many rows looks them up once."""
        key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language())
        try:
            return self._current[key]
        except KeyError:
            pass
        parts_by_count = {}

        def url(*args):
            try:
                parts = parts_by_count[len(args)]
            except KeyError:
                parts = parts_by_count[len(args)] = _parts_for(self.name, len(args))
            found = parts.url(args) if parts is not None else None
            return found if found is not None else reverse(self.name, args=args)

        self._current[key] = url
        return url


def url_format(name: str) -> UrlFormat:
    return UrlFormat(name)
