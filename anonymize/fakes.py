"""Fake values derived from the original by a keyed hash, SHA-256(key ‖ kind ‖ 0x00 ‖ value).

The same original gives the same fake within one snapshot (joins on e-mail addresses or
names still hold); with a new random key per snapshot, two snapshots cannot be linked and
the original cannot be recomputed from the dump without the key, which is never written.
Every fake keeps the format of what it replaces (an IBAN is a valid German IBAN, a phone
number keeps its separators), so analysts' tools treat them like real data. Why a
secret-prefix hash and not HMAC: see Faker.digest and docs/snapshots.md.

On a MySQL/MariaDB source the fakes of names, addresses, e-mails and tokens are computed
by the database in the SELECT (`Faker.sql`): the same keyed hash, written with one SHA2()
over the key and kind (a binary literal) and the value, and the same choice from the same
lists, so a value gets the same fake whichever side computes it
(tests/anonymize/test_fakes_in_sql.py). Each of these fakes is therefore one pick from one
list by the first 64 bits of the hash (plus, for some, a second part of the same hash):
what SQL can express with one ELT().
"""

import functools
import hashlib
import re

from .sql import string_literal

FIRST_NAMES = (
    "Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hannes", "Ida", "Jonas",
    "Karla", "Lukas", "Mila", "Noah", "Oskar", "Paula", "Quirin", "Rosa", "Samuel", "Tilda",
    "Ulrich", "Vera", "Wilhelm", "Xenia", "Yannik", "Zoe", "Frieda", "Emil", "Lotte", "Anton",
)
LAST_NAMES = (
    "Albers", "Brandt", "Conrad", "Dietrich", "Ebert", "Franke", "Gerlach", "Hartmann",
    "Imhoff", "Jansen", "Kessler", "Lindner", "Marquardt", "Nolte", "Ostermann", "Pohl",
    "Quast", "Reuter", "Seidel", "Thiele", "Ulmer", "Vogt", "Wendt", "Ziegler", "Brückner",
    "Köhler", "Schäfer", "Lüdtke", "Großmann", "Fuchs",
)
ORGANISATION_WORDS = (
    "Lindenhof", "Auenland", "Birkenfeld", "Elbtal", "Havelblick", "Mainufer", "Rheinaue",
    "Sonnenhang", "Waldrand", "Wiesengrund", "Talblick", "Seeweg", "Kranich", "Falkenried",
)
ORGANISATION_KINDS = (
    "Energie", "Ladeinfrastruktur", "Mobilität", "Stadtwerke", "Parkhaus", "Wohnbau",
    "Autohaus", "Logistik",
)
LEGAL_FORMS = ("GmbH", "GmbH & Co. KG", "AG", "eG", "KG", "e. K.")
STREET_STEMS = (
    "Ahorn", "Birken", "Buchen", "Eichen", "Eschen", "Fichten", "Holunder", "Kastanien",
    "Lerchen", "Linden", "Mohn", "Nelken", "Rosen", "Tannen", "Ulmen", "Weiden", "Flieder",
    "Kiefern", "Schlehen", "Wacholder",
)
STREET_KINDS = ("weg", "straße", "allee", "ring", "pfad", "gasse")
CITIES = (
    "Neustadt", "Altdorf", "Lindenberg", "Bergheim", "Neukirchen", "Rosenthal", "Steinbach",
    "Waldhausen", "Mühlhausen", "Kirchberg", "Friedrichsfelde", "Seefeld", "Hohenwald",
    "Sonnenberg", "Eichstetten", "Grünau",
)
# Domain reserved by RFC 2606: mail to a fake address can never reach anyone.
FAKE_EMAIL_DOMAIN = "example.invalid"

WORD = re.compile(r"\w+")
_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = _UPPER.lower()


def vocabulary_tokens() -> set[str]:
    """Every word a fake can consist of: a real value made only of these words cannot be
    told apart from a fake by the leak check (and, being that common, identifies no one)."""
    words = set()
    for group in (FIRST_NAMES, LAST_NAMES, ORGANISATION_WORDS, ORGANISATION_KINDS,
                  LEGAL_FORMS, CITIES):
        for value in group:
            words.update(WORD.findall(value.lower()))
    for stem in STREET_STEMS:
        for kind in STREET_KINDS:
            words.add(f"{stem}{kind}".lower())
    words.update(WORD.findall(FAKE_EMAIL_DOMAIN))
    return words


STREETS = tuple(stem + kind for kind in STREET_KINDS for stem in STREET_STEMS)
# "Kind Word # Form": the number goes where "#" is.
ORGANISATIONS = tuple(f"{kind} {word} # {form}" for form in LEGAL_FORMS
                      for kind in ORGANISATION_KINDS for word in ORGANISATION_WORDS)


def _ascii(word: str) -> str:
    return word.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")


EMAIL_NAMES = tuple(f"{_ascii(first.lower())}.{_ascii(last.lower())}."
                    for last in LAST_NAMES for first in FIRST_NAMES)


def _trim(value: str) -> str:
    """What SQL's TRIM() removes: spaces at both ends."""
    return value.strip(" ")


# pattern() on ASCII: each byte of the hash as a digit, capital or small letter, and a
# value's "shape" (d, u, l, or k: kept) as byte masks, so that the fake is put together
# by integer operations instead of character by character.
_BYTE_DIGIT = bytes(ord(_DIGITS[b % 10]) for b in range(256))
_BYTE_UPPER = bytes(ord(_UPPER[b % 26]) for b in range(256))
_BYTE_LOWER = bytes(ord(_LOWER[b % 26]) for b in range(256))
_ASCII_SHAPE = str.maketrans({chr(c): "d" if chr(c) in _DIGITS else "u" if chr(c) in _UPPER
                              else "l" if chr(c) in _LOWER else "k" for c in range(128)})


@functools.lru_cache(maxsize=256)
def _shape_masks(shape: str) -> tuple[int, int, int, int]:
    return tuple(int.from_bytes(bytes(255 if mark == kind else 0 for mark in shape), "big")
                 for kind in "dulk")


_PHONE_PREFIX = re.compile(r"^(\+\d{2}|00\d{2}|0)?")
_NOT_DIGIT = re.compile(r"\D")


def _iban_check_digits(country: str, bban: str) -> str:
    digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{98 - int(digits) % 97:02d}"


def is_valid_iban(iban: str) -> bool:
    iban = iban.replace(" ", "").upper()
    if len(iban) < 5:
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


class Faker:
    """Fakes for one snapshot, all keyed with its key."""

    # Fakes computed once are remembered (the leak check computes them before the dump
    # writes them, and values repeat across tables); bounded, so memory stays flat.
    MEMO_ENTRIES = 4096

    def __init__(self, key: bytes, sql_variables: bool = False):
        self.key = key
        # On MariaDB a digest used twice in one fake (organisations, e-mails) is computed
        # once and kept in a user variable for the second use (MariaDB evaluates a
        # function's arguments left to right; MySQL 8 deprecates such assignments).
        self.sql_variables = sql_variables
        self._variables = 0
        self._memos: dict[str, dict] = {}
        # The keyed hash is SHA-256(key ‖ kind ‖ 0x00 ‖ value): Python continues copies
        # of a hash state that has taken in the key and the kind (see digest()).
        self._key_hex = key.hex()
        self._inners: dict[str, object] = {}
        self._kfw_rounds = [self._inner(f"kfw_number{round_}") for round_ in range(4)]

    def fake(self, kind: str):
        """value → fake of `kind`, remembered."""
        memo = self._memos.setdefault(kind, {})
        make = getattr(self, kind)
        limit = self.MEMO_ENTRIES

        def cached(value: str) -> str:
            fake = memo.get(value)
            if fake is None:
                if len(memo) >= limit:
                    memo.clear()
                fake = memo[value] = make(value)
            return fake

        return cached

    def _inner(self, kind: str):
        state = self._inners.get(kind)
        if state is None:
            state = self._inners[kind] = hashlib.sha256(self.key + f"{kind}\x00".encode())
        return state

    def digest(self, kind: str, value: str) -> bytes:
        """The keyed hash: SHA-256(key ‖ kind ‖ 0x00 ‖ value as UTF-8).

        A secret-prefix hash, one SHA-256 where HMAC-SHA256 needs two (the database
        computes about 1.4 million of them at a million rows). Its one known weakness,
        length extension, lets whoever knows a whole digest compute the digest of a
        longer message without the key. Only a token of 64 characters or more shows a
        whole digest (every other fake shows part of one), and what its extension gives
        is the fake of a value with SHA-256's padding bytes inside, which no original
        holds: no step towards the key or an original. Without the key, random for each
        snapshot and never written, a fake can neither be computed from an original
        nor linked to another snapshot's (docs/snapshots.md, "Fakes")."""
        state = self._inner(kind).copy()
        state.update(value.encode())
        return state.digest()

    def number(self, kind: str, value: str) -> int:
        return int.from_bytes(self.digest(kind, value)[:8], "big")

    def digits(self, kind: str, value: str, count: int) -> str:
        """`count` decimal digits from the keyed hash (more hash when needed)."""
        out = ""
        round_ = 0
        while len(out) < count:
            out += str(int.from_bytes(self.digest(f"{kind}#{round_}", value), "big"))[1:60]
            round_ += 1
        return out[:count]

    # --- People and organisations -------------------------------------------------------

    def first_name(self, value: str) -> str:
        return FIRST_NAMES[self.number("first_name", _trim(value)) % len(FIRST_NAMES)]

    def last_name(self, value: str) -> str:
        return LAST_NAMES[self.number("last_name", _trim(value)) % len(LAST_NAMES)]

    def person_or_organisation(self, value: str) -> str:
        """Applicants and operators are companies, municipalities or people alike."""
        n = self.number("organisation", _trim(value))
        # A number keeps distinct applicants distinct (as they were in the original).
        return ORGANISATIONS[n % len(ORGANISATIONS)].replace("#", str((n >> 24) % 1000))

    def email(self, value: str) -> str:
        # E-mail addresses compare case-insensitively (the portal lower-cases them), so
        # Erika@X and erika@x are the same person and get the same fake.
        digest = self.digest("email", _trim(value).lower())
        name = EMAIL_NAMES[int.from_bytes(digest[:8], "big") % len(EMAIL_NAMES)]
        # 48 bits keep addresses unique (unique columns stay unique) even for millions.
        return f"{name}{digest[8:14].hex()}@{FAKE_EMAIL_DOMAIN}"

    # --- Addresses ----------------------------------------------------------------------

    def street(self, value: str) -> str:
        return STREETS[self.number("street", _trim(value)) % len(STREETS)]

    def house_number(self, value: str) -> str:
        return str(1 + self.number("house_number", _trim(value)) % 120)

    def city(self, value: str) -> str:
        return CITIES[self.number("city", _trim(value)) % len(CITIES)]

    # --- The same in SQL -----------------------------------------------------------------

    def sql_digest(self, kind: str, expression: str) -> str:
        """SQL for the hex of `digest(kind, value of expression)`: one SHA2 over the key
        and the kind (a binary literal) followed by the value's UTF-8 bytes."""
        start = self._key_hex + f"{kind}\x00".encode().hex()
        message = f"CAST(CONVERT({expression} USING utf8mb4) AS BINARY)"
        return f"SHA2(CONCAT(X'{start}', {message}), 256)"

    def sql_number(self, kind: str, expression: str, digest: str | None = None) -> str:
        """SQL for `number(kind, value)`: the first 64 bits of the digest, unsigned
        (`digest`: SQL for that digest's hex, when it is at hand)."""
        digest = digest or self.sql_digest(kind, expression)
        return f"CAST(CONV(LEFT({digest}, 16), 16, 10) AS UNSIGNED)"

    def _sql_pick(self, kind, expression, values, digest=None):
        choices = ", ".join(map(string_literal, values))
        number = self.sql_number(kind, expression, digest)
        return f"ELT(1 + {number} % {len(values)}, {choices})"

    def _sql_digest_twice(self, kind, expression) -> tuple[str, str]:
        """SQL for the digest's first use and for its second use in the same expression:
        with user variables, the first stores it and the second reads it back (one hash
        instead of two); without, both compute it."""
        digest = self.sql_digest(kind, expression)
        if not self.sql_variables:
            return digest, digest
        self._variables += 1
        variable = f"@now_digest_{self._variables}"
        return f"({variable} := {digest})", variable

    def sql(self, kind: str, column: str) -> str | None:
        """An SQL expression that yields `getattr(self, kind)(value of column)` for a
        non-empty string, or None when only Python computes this kind."""
        trimmed = f"TRIM({column})"
        if kind == "first_name":
            return self._sql_pick("first_name", trimmed, FIRST_NAMES)
        if kind == "last_name":
            return self._sql_pick("last_name", trimmed, LAST_NAMES)
        if kind == "city":
            return self._sql_pick("city", trimmed, CITIES)
        if kind == "street":
            return self._sql_pick("street", trimmed, STREETS)
        if kind == "house_number":
            return f"CAST(1 + {self.sql_number('house_number', trimmed)} % 120 AS CHAR)"
        if kind == "person_or_organisation":
            first, again = self._sql_digest_twice("organisation", trimmed)
            pick = self._sql_pick("organisation", trimmed, ORGANISATIONS, first)
            number = self.sql_number("organisation", trimmed, again)
            return f"REPLACE({pick}, '#', CAST(({number} >> 24) % 1000 AS CHAR))"
        if kind == "email":
            lowered = f"LOWER({trimmed})"
            first, again = self._sql_digest_twice("email", lowered)
            return (f"CONCAT({self._sql_pick('email', lowered, EMAIL_NAMES, first)}, "
                    f"SUBSTR({again}, 17, 12), '@{FAKE_EMAIL_DOMAIN}')")
        if kind == "token":
            return (f"LEFT({self.sql_digest('token', column)}, "
                    f"GREATEST(16, LEAST(CHAR_LENGTH({column}), 64)))")
        return None

    # --- Numbers and identifiers --------------------------------------------------------

    def phone(self, value: str) -> str:
        """Same separators and length; the country code and a leading 0 stay, every
        other digit comes from the hash."""
        value = value.strip()
        prefix = _PHONE_PREFIX.match(value).group(0)
        rest = value[len(prefix):]
        fresh = iter(self.digits("phone", _NOT_DIGIT.sub("", value), len(rest)))
        return prefix + "".join(next(fresh) if ch.isdigit() else ch for ch in rest)

    def iban(self, value: str) -> str:
        """A valid German IBAN (checksum right) for any original, spaced as it was."""
        compact = value.replace(" ", "").upper()
        bban = self.digits("iban", compact, 18)
        fake = f"DE{_iban_check_digits('DE', bban)}{bban}"
        if " " in value.strip():
            fake = " ".join(fake[i:i + 4] for i in range(0, len(fake), 4))
        return fake

    def kfw_number(self, value: str) -> str:
        """Ten digits, and a bijection on them (a keyed Feistel permutation), so unique
        application numbers stay unique; other formats get hash digits of their length."""
        value = value.strip()
        if len(value) != 10 or not value.isdecimal():  # isdigit() takes "²", int() not
            return self.digits("kfw_number", value, len(value))
        half = 10 ** 5
        left, right = divmod(int(value), half)
        for start in self._kfw_rounds:  # number(f"kfw_number{round}", str(right)), inlined
            digest = start.copy()
            digest.update(str(right).encode())
            left, right = right, (left + int.from_bytes(digest.digest()[:8], "big")) % half
        return f"{left * half + right:010d}"

    def pattern(self, value: str) -> str:
        """Digits stay digits, letters letters (same case), everything else stays: for
        identifiers with a structure (EVSE IDs such as DE*ABC*E12345)."""
        n = self.digest("pattern", value)
        n = n * (len(value) // len(n) + 1)
        if value.isascii():  # the same, by masks (see _shape_masks)
            size = len(value)
            n = n[:size]
            digits, upper, lower, kept = _shape_masks(value.translate(_ASCII_SHAPE))
            made = (int.from_bytes(n.translate(_BYTE_DIGIT), "big") & digits
                    | int.from_bytes(n.translate(_BYTE_UPPER), "big") & upper
                    | int.from_bytes(n.translate(_BYTE_LOWER), "big") & lower
                    | int.from_bytes(value.encode(), "big") & kept)
            return made.to_bytes(size, "big").decode()
        return "".join(
            _DIGITS[b % 10] if ch.isdigit() else _UPPER[b % 26] if "A" <= ch <= "Z"
            else _LOWER[b % 26] if "a" <= ch <= "z" else ch
            for ch, b in zip(value, n)
        )

    def token(self, value: str) -> str:
        """Opaque identifiers (a provider's user id): hex of the same length, at least 16."""
        return self.digest("token", value).hex()[: max(16, min(len(value), 64))]
