"""The leak check: the dump must contain none of the personal values it replaced.

Before a dump is written, the originals of every replaced personal value (names,
e-mails, phones, IBANs, streets and "street number" addresses, identifiers, long free
text) are read from the source. As the dump is written, its text is searched for them;
a single hit stops the release (the caller deletes the output) and names the table and
column the value came from, never the value.

Searching is by words: each needle is filed under its most telling word; a chunk's words
(a set, built in C by `re`) are intersected with those, and only the needles of words
present are then looked for as whole strings. Values that consist only of words fakes are
made of (a last name "Brandt" that also is a fake surname) cannot be told apart from
fakes and are skipped, as are values shorter than five characters.
"""

import re

from .fakes import vocabulary_tokens

WORD = re.compile(r"\w+")
MIN_NEEDLE = 5
CHUNK_CHARS = 1 << 20


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def unescape(text: str) -> str:
    """Dump text as the values read (lower case, escapes undone, whitespace folded)."""
    return normalise(
        text.replace("\\n", " ").replace("\\r", " ").replace("\\'", "'").replace("\\\\", "\\")
        .replace("\\0", " ").replace("\\Z", " ")
    )


class LeakFound(RuntimeError):
    def __init__(self, hits):
        # {table the value was found in: {"table.column" it was read from}}
        self.hits = {table: sorted(sources) for table, sources in sorted(hits.items())}
        self.sources = sorted({s for sources in hits.values() for s in sources})
        found = "; ".join(f"in table {table}: values of {', '.join(sources)}"
                          for table, sources in self.hits.items())
        super().__init__(
            f"The dump contains original personal values ({found}). It was deleted."
        )


class Needles:
    def __init__(self):
        self._vocabulary = vocabulary_tokens()
        self.by_word: dict[str, dict[str, str]] = {}  # word → {needle: "table.column"}
        self.count = 0
        self.longest = 0

    def add(self, value, source: str):
        if not isinstance(value, str):
            return
        needle = normalise(value)
        if len(needle) < MIN_NEEDLE:
            return
        words = WORD.findall(needle)
        telling = [w for w in words if w not in self._vocabulary and len(w) >= 3]
        if not telling:
            if len(words) <= 1:
                return  # one word a fake could be made of
            telling = words
        word = max(telling, key=len)
        bucket = self.by_word.setdefault(word, {})
        if needle not in bucket:
            bucket[needle] = source
            self.count += 1
            self.longest = max(self.longest, len(needle))

    def discard(self, values):
        """Drop needles equal to a fake this snapshot writes (the fake is not a leak)."""
        for value in values:
            needle = normalise(value)
            for word in WORD.findall(needle):
                bucket = self.by_word.get(word)
                if bucket and bucket.pop(needle, None) is not None:
                    self.count -= 1
                    break


class Scanner:
    """Fed the dump's text in order; keeps the end of the last chunk so that a value
    across two chunks is found as well."""

    def __init__(self, needles: Needles):
        self.needles = needles
        self.words = set(needles.by_word)
        self._pending: list[str] = []
        self._pending_chars = 0
        self._tail = ""
        self.table = "(header)"
        self.hits: dict[str, set[str]] = {}

    def feed(self, text: str):
        if not self.words:
            return
        self._pending.append(text)
        self._pending_chars += len(text)
        if self._pending_chars >= CHUNK_CHARS:
            self._scan()

    def start_table(self, table: str):
        """What follows belongs to `table` (hits are reported for the table they are in)."""
        if self._pending:
            self._scan()
        self.table = table

    def _scan(self):
        text = self._tail + unescape("".join(self._pending))
        self._pending.clear()
        self._pending_chars = 0
        found = self.words.intersection(WORD.findall(text))
        for word in found:
            for needle, source in self.needles.by_word[word].items():
                if needle in text:
                    self.hits.setdefault(self.table, set()).add(source)
        self._tail = text[-self.needles.longest:] if self.needles.longest else ""

    def finish(self):
        if self._pending:
            self._scan()
        if self.hits:
            raise LeakFound(self.hits)
