"""The leak check: the dump must contain none of the personal values it replaced.

Before a dump is written, the originals of every replaced personal value (names,
e-mails, phones, IBANs, streets and "street number" addresses, identifiers, long free
text) are read from the source. As the dump is written, its text is searched for them;
a single hit stops the release (the caller deletes the output) and names the table the
value was found in and the column it came from, never the value.

Searching is by words, at C speed: in a chunk of the dump, escapes are blanked and, in
one `bytes.translate`, ASCII capitals lower-cased and every byte that is not a letter,
digit or UTF-8 byte mapped to a space; its words are intersected with the needles'
anchor words; only the needles of anchors present are then looked for as whole strings
(escapes undone, whitespace folded, case ignored). Values that consist only of words
fakes are made of (a last name "Brandt" that also is a fake surname) cannot be told apart
from fakes and are skipped, as are values shorter than five characters.

The search runs in a child process (ScannerProcess) where the platform can fork, on the
other processor core, while the dump is written.
"""

import os
import pickle
import queue
import re
import threading

from .fakes import vocabulary_tokens

MIN_NEEDLE = 5
# A chunk's words are a list of Python objects (~40 bytes per word): 1 MB of dump text
# costs some 20 MB while scanned.
CHUNK_BYTES = 1 << 20
# A value spread by more whitespace than this across a chunk's end is not found (the
# end of a chunk scanned again with the next grows up to this; see rescanned_tail).
MAX_TAIL = 4 << 20
# Letters, digits, "_" and every byte of a multi-byte UTF-8 character are word bytes;
# ASCII capitals become small letters in the same pass (as bytes.lower() would).
_WORD_BYTES = bytes(
    c + 32 if 65 <= c <= 90
    else c if (48 <= c <= 57 or 97 <= c <= 122 or c == 95 or c >= 128) else 32
    for c in range(256)
)
# A string literal's escapes as the dump writes them (sql.py, MySQL's QUOTE()): each
# backslash and the byte after it, undone left to right in one pass (one kind after the
# other, "\\\\n", a value's backslash then "n", would lose the "n" of the word after it).
_ESCAPE = re.compile(rb"\\[nrt'\\0Z]")
_UNESCAPED = {b"\\n": b" ", b"\\r": b" ", b"\\t": b" ", b"\\'": b"'", b"\\\\": b"\\",
              b"\\0": b" ", b"\\Z": b" "}


def words(data: bytes) -> list[bytes]:
    """The words of UTF-8 text, ASCII lower-cased, as the scanner sees them (an escape
    separates words, as what it stands for is no word byte)."""
    if b"\\" in data:
        data = _ESCAPE.sub(b" ", data)
    return data.translate(_WORD_BYTES).split()


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def _unescaped(match) -> bytes:
    return _UNESCAPED[match.group()]


def unescape(data: bytes) -> str:
    """Dump text (UTF-8 bytes) as the values read: escapes undone, lower case, whitespace
    folded. The escapes are undone on the bytes, before decoding: the same result (they
    are ASCII, which UTF-8 never uses inside a character), twice as fast as on the text
    (about 5 against 12 ms a 1 MB chunk)."""
    if b"\\" in data:
        data = _ESCAPE.sub(_unescaped, data)
    return normalise(data.decode("utf-8", "replace"))


def rescanned_tail(chunk: bytes, longest: int) -> bytes:
    """The end of a chunk that is scanned again with the next one, so that a value cut
    at the chunk's end is found: it must hold the longest needle as the search reads it
    (escapes undone, whitespace folded). As the dump writes it, a needle of n bytes takes
    up to 2n (each byte escaped), and more where runs of whitespace fold to one space: the
    tail grows until, read, it is longer than the longest needle (at most MAX_TAIL)."""
    if not longest:
        return b""
    size = 2 * longest
    while size < len(chunk) and size < MAX_TAIL:
        tail = chunk[-size:]
        if len(unescape(tail).encode()) > longest + 1:  # +1: a space folded at its start
            return tail
        size *= 4
    return chunk[-MAX_TAIL:]


def _case_variants(word: bytes) -> set[bytes]:
    """bytes.lower() only folds ASCII: a word with umlauts is also filed with them in
    upper case ("MÜLLER" lower-cases to "mÜller")."""
    text = word.decode("utf-8", "replace")
    upper = "".join(ch.upper() if ord(ch) > 127 else ch for ch in text).encode()
    return {word, upper}


def _anchor(found: list[bytes], vocabulary) -> bytes | None:
    """The word a needle is filed under: its longest word that is no fake's word; None
    for a needle that is one such word (it cannot be told from a fake)."""
    if not found:
        return None
    if len(found) == 1:
        anchor = found[0]
        return None if anchor in vocabulary or len(anchor) < 3 else anchor
    anchor = max(found, key=len)  # the longest word, if it is telling
    if len(anchor) < 3 or anchor in vocabulary:
        telling = [w for w in found if len(w) >= 3 and w not in vocabulary]
        anchor = max(telling or found, key=len)
    return anchor


class LeakFound(RuntimeError):
    def __init__(self, hits):
        # {table the value was found in: ["table.column" it was read from]}
        self.hits = {table: sorted(sources) for table, sources in sorted(hits.items())}
        self.sources = sorted({s for sources in hits.values() for s in sources})
        found = "; ".join(f"in table {table}: values of {', '.join(sources)}"
                          for table, sources in self.hits.items())
        super().__init__(
            f"The dump contains original personal values ({found}). It was deleted."
        )


class ScanFailed(RuntimeError):
    """The leak check's process stopped without a verdict: the dump is not released."""


class Needles:
    """Anchor word → the needles filed under it. Compact, as there is one per distinct
    personal value: a needle that is its anchor word (an IBAN, a KfW number, a one-word
    name) is stored as the index of its source only; another alone under its anchor as
    one bytes object (the source's index, then the needle); several as a dict."""

    def __init__(self):
        self._vocabulary = {word.encode() for word in vocabulary_tokens()}
        self.by_word: dict[bytes, int | list] = {}
        self.sources: list[str] = []
        self._source_index: dict[str, int] = {}
        self.count = 0
        self.longest = 0

    def add(self, value, source: str):
        self.add_many((value,), source)

    def add_many(self, values, source: str):
        """File each value of `source` ("table.column") under its anchor: its longest
        word that is no fake's word (one loop, names bound locally: it runs once per
        distinct personal value of the database)."""
        index = self._source_index.get(source)
        if index is None:
            index = self._source_index[source] = len(self.sources)
            self.sources.append(source)
        vocabulary, by_word, word_bytes = self._vocabulary, self.by_word, _WORD_BYTES
        added, longest = 0, self.longest
        for value in values:
            if value.__class__ is not str or len(value) < MIN_NEEDLE:
                continue
            needle = " ".join(value.lower().split())
            if len(needle) < MIN_NEEDLE:
                continue
            encoded = needle.encode()
            found = encoded.translate(word_bytes).split()
            if len(found) == 1:  # most values: _anchor() without the call
                anchor = found[0]
                if anchor in vocabulary or len(anchor) < 3:
                    continue  # one word a fake could be made of
            else:
                anchor = _anchor(found, vocabulary)
                if anchor is None:
                    continue
            entry = by_word.get(anchor)
            if entry is None:
                # Most anchors carry one needle: an int, or the needle's UTF-8 after its
                # source's index in one byte (a pair where there are more sources); a
                # dict only for more needles.
                if encoded == anchor:
                    self._set(anchor, index)
                elif index < 256:
                    self._set(anchor, bytes((index,)) + encoded)
                else:
                    self._set(anchor, (needle, index))
            else:
                if entry.__class__ is int:
                    if encoded == anchor:
                        continue
                    entry = {anchor.decode(): entry}
                    self._set(anchor, entry)
                elif entry.__class__ is bytes:
                    if entry[1:] == encoded:
                        continue
                    entry = {entry[1:].decode(): entry[0]}
                    self._set(anchor, entry)
                elif entry.__class__ is tuple:
                    if entry[0] == needle:
                        continue
                    entry = {entry[0]: entry[1]}
                    self._set(anchor, entry)
                if needle in entry:
                    continue
                entry[needle] = index
            added += 1
            if len(encoded) > longest:
                longest = len(encoded)
        self.count += added
        self.longest = longest

    def contains(self, needle: str) -> bool:
        """Whether `needle` (normalised) is one of the needles, filed as add_many files it."""
        encoded = needle.encode()
        anchor = _anchor(encoded.translate(_WORD_BYTES).split(), self._vocabulary)
        entry = None if anchor is None else self.by_word.get(anchor)
        if entry is None:
            return False
        if entry.__class__ is int:
            return encoded == anchor
        if entry.__class__ is bytes:
            return entry[1:] == encoded
        if entry.__class__ is tuple:
            return entry[0] == needle
        return needle in entry

    def _set(self, anchor: bytes, entry):
        self.by_word[anchor] = entry
        if not anchor.isascii():
            for variant in _case_variants(anchor):
                self.by_word[variant] = entry

    def matches(self, word: bytes, text: str, text_words):
        """(source, needle) of the needles filed under `word` that occur in `text`. A
        common anchor may carry thousands of needles: only those whose every word is in
        the text (`text_words()`, a set computed when first needed) are searched for as
        strings."""
        entry = self.by_word[word]
        if entry.__class__ is int:
            return [(self.sources[entry], word.decode("utf-8", "replace"))]
        if entry.__class__ is bytes:
            needle = entry[1:].decode()
            return [(self.sources[entry[0]], needle)] if needle in text else []
        if entry.__class__ is tuple:
            return [(self.sources[entry[1]], entry[0])] if entry[0] in text else []
        found = []
        present = text_words() if len(entry) > 8 else None
        for needle, index in entry.items():
            if present is not None and not present.issuperset(words(needle.encode())):
                continue
            if needle in text:
                found.append((self.sources[index], needle))
        return found


class Scanner:
    """Fed the dump's bytes in order; keeps the end of the last chunk so that a value
    across two chunks is found as well."""

    def __init__(self, needles: Needles):
        self.needles = needles
        self.words = needles.by_word.keys()  # intersects with a list at C speed, no copy
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._tail = b""
        self.table = "(header)"
        # {table: {source: {needle}}}: the needles only to forgive fakes (see finish).
        self.hits: dict[str, dict[str, set[str]]] = {}
        # {table: {needle}}: needles that are fakes the dump writes there (add_written_fakes).
        self.fakes: dict[str, set[str]] = {}

    def feed(self, data: bytes):
        if not self.words:
            return
        self._pending.append(data)
        self._pending_bytes += len(data)
        if self._pending_bytes >= CHUNK_BYTES:
            self._scan()

    def start_table(self, table: str):
        """What follows belongs to `table` (hits are reported for the table they are in)."""
        if self._pending:
            self._scan()
        # No value spans two tables: what the last one ended with is not scanned again
        # (a hit is reported, and a fake forgiven, in the table it is in).
        self._tail = b""
        self.table = table

    def _scan(self):
        chunk = self._tail + b"".join(self._pending)
        self._pending.clear()
        self._pending_bytes = 0
        chunk_words = words(chunk)
        present = self.words & chunk_words
        if present:
            text = unescape(chunk)
            known = []

            def text_words():  # words as the needles have them (escapes undone, any case)
                if not known:
                    known.append(set(words(text.encode())))
                return known[0]

            for word in present:
                for source, needle in self.needles.matches(word, text, text_words):
                    self.hits.setdefault(self.table, {}).setdefault(source, set()).add(needle)
        self._tail = rescanned_tail(chunk, self.needles.longest)

    def add_written_fakes(self, fakes):
        """Fakes just written in the current table that could equal another row's
        original (numbers and identifiers Python faked): those that are needles are
        remembered, so that finding them there is no leak (see finish) without computing
        every fake again. Only such coincidences are kept, never the fakes."""
        if not fakes:
            return
        # Most fakes hold no anchor word at all: one look at all their words first.
        if not self.words & words("\n".join(fakes).lower().encode()):
            return
        contains = self.needles.contains
        for fake in fakes:
            needle = normalise(fake)
            if len(needle) >= MIN_NEEDLE and contains(needle):
                self.fakes.setdefault(self.table, set()).add(needle)

    def add_needles(self, values, source: str):
        """Needles may come until the first chunk is scanned (the anchors are a live
        view of the needles' index)."""
        self.needles.add_many(values, source)

    @property
    def needle_count(self):
        return self.needles.count

    def flush(self):
        if self._pending:
            self._scan()

    def close(self):
        pass

    def finish(self, written_fakes=None):
        """Raises LeakFound if any needle was found. `written_fakes({table: needles})`
        returns ({table: needles}) those of the needles found that are fakes the dump
        writes in that table (a fake KfW number equal to another application's real
        one): no leak. Asked only when something was found: a clean dump never
        computes them. Needles reported by add_written_fakes are forgiven first: the
        others are asked about only if any is left."""
        self.flush()
        judge(self.hits, written_fakes, self.fakes)


def _forgive(hits, forgiven: dict[str, set[str]]):
    for table, sources in list(hits.items()):
        for source, needles in list(sources.items()):
            needles -= forgiven.get(table, set())
            if not needles:
                del sources[source]
        if not sources:
            del hits[table]


def judge(hits, written_fakes=None, known_fakes=None):
    """Raises LeakFound for the hits that are not fakes the dump writes (Scanner.finish):
    `known_fakes` ({table: needles}, reported while writing) are forgiven first; for
    what is left, `written_fakes` is asked."""
    if hits and known_fakes:
        _forgive(hits, known_fakes)
    if hits and written_fakes is not None:
        found = {table: set().union(*sources.values()) for table, sources in hits.items()}
        _forgive(hits, written_fakes(found))
    if hits:
        raise LeakFound({table: set(sources) for table, sources in hits.items()})


class ScannerProcess:
    """The whole leak check on the other processor core. A child process, forked before
    anything is read, is sent the original values through a pipe and files them itself,
    then scans the dump as it comes through the same pipe, and at the end answers with
    its hits. In this process a thread does the (blocking) pipe writes from a bounded
    queue, so writing the dump starts at once, while the child is still filing needles,
    and runs on as long as the child is at most QUEUE_BYTES behind. Same
    interface as Scanner, plus `add_needles` (Needles.add_many)."""

    _NEEDLES, _DATA, _TABLE, _FAKES = b"n", b"d", b"t", b"f"
    # What this process holds for the child at most: enough to ride out the child's
    # pauses, small enough that memory stays flat when the child is the slower one.
    QUEUE_BYTES = 8 << 20

    def __init__(self):
        dump_read, dump_write = os.pipe()
        self._answer, answer_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: file, scan, answer, leave without any clean-up
            status = 1
            try:
                os.close(dump_write)
                os.close(self._answer)
                answer = self._child(dump_read)
                with os.fdopen(answer_write, "wb") as out:
                    out.write(pickle.dumps(answer))
                status = 0
            finally:
                os._exit(status)  # never the parent's atexit, database or test clean-up
        os.close(dump_read)
        os.close(answer_write)
        self.needle_count = None  # known when the child answers
        self._out = os.fdopen(dump_write, "wb", buffering=0)
        self._queue = queue.SimpleQueue()
        self._queued = 0  # bytes in the queue, under self._room
        self._room = threading.Condition()
        self._broken = False
        self._pump = threading.Thread(target=self._write_out, daemon=True,
                                      name="leak-check pipe")
        self._pump.start()

    @classmethod
    def _child(cls, fd):
        needles, scanner = Needles(), None
        try:
            with os.fdopen(fd, "rb", buffering=CHUNK_BYTES) as dump:
                while header := dump.read(5):
                    kind, size = header[:1], int.from_bytes(header[1:], "big")
                    payload = dump.read(size)
                    if kind == cls._NEEDLES:
                        source, values = pickle.loads(payload)
                        needles.add_many(values, source)
                        continue
                    if scanner is None:  # the needles are complete
                        scanner = Scanner(needles)
                    if kind == cls._DATA:
                        scanner.feed(payload)
                    elif kind == cls._FAKES:
                        scanner.add_written_fakes(pickle.loads(payload))
                    else:
                        scanner.start_table(payload.decode())
            if scanner is None:
                return ("hits", ({}, {}), needles.count)
            scanner.flush()
            return ("hits", (scanner.hits, scanner.fakes), needles.count)
        except Exception as error:  # reported to the parent, which stops the snapshot
            return ("error", repr(error), None)

    def _write_out(self):
        while (item := self._queue.get()) is not None:
            if not self._broken:
                try:
                    self._out.write(item)
                except OSError:  # the child is gone: drain, so that no _send waits for ever
                    self._broken = True
            with self._room:
                self._queued -= len(item)
                self._room.notify()

    def _send(self, kind, payload):
        if self._broken:
            self._result()  # the child is gone: raises why
            raise ScanFailed("The leak check's process is gone.")
        item = kind + len(payload).to_bytes(4, "big") + payload
        with self._room:
            while self._queued and self._queued + len(item) > self.QUEUE_BYTES:
                self._room.wait()
            self._queued += len(item)
        self._queue.put(item)

    def add_needles(self, values, source: str):
        values = list(values)
        for start in range(0, len(values), 10000):
            self._send(self._NEEDLES, pickle.dumps((source, values[start:start + 10000])))

    def feed(self, data: bytes):
        self._send(self._DATA, data)

    def add_written_fakes(self, fakes):
        self._send(self._FAKES, pickle.dumps(list(fakes)))

    def start_table(self, table: str):
        self._send(self._TABLE, table.encode())

    def _result(self):
        if self._out is None:
            return None
        self._queue.put(None)
        self._pump.join()
        self._out.close()
        self._out = None
        with os.fdopen(self._answer, "rb") as answer:
            data = answer.read()
        os.waitpid(self.pid, 0)
        if not data:
            raise ScanFailed("The leak check's process ended without an answer.")
        kind, value, self.needle_count = pickle.loads(data)
        if kind == "error":
            raise ScanFailed(f"The leak check failed: {value}")
        return value

    def finish(self, written_fakes=None):
        hits, known_fakes = self._result()
        judge(hits, written_fakes, known_fakes)

    def close(self):
        """Ends the child when the snapshot stops early (nothing is judged)."""
        if self._out is not None:
            try:
                self._result()
            except (ScanFailed, OSError, EOFError, pickle.UnpicklingError):
                pass
