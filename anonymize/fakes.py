"""Fake values derived from the original by a keyed hash (HMAC-SHA256).

The same original gives the same fake within one snapshot (joins on e-mail addresses or
names still hold); with a new random key per snapshot, two snapshots cannot be linked and
the original cannot be recomputed from the dump without the key, which is never written.
Every fake keeps the format of what it replaces (an IBAN is a valid German IBAN, a phone
number keeps its separators), so analysts' tools treat them like real data.
"""

import hashlib
import hmac
import re

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


def _ascii(word: str) -> str:
    return word.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")


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

    def __init__(self, key: bytes):
        self.key = key
        self._memos: dict[str, dict] = {}

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

    def digest(self, kind: str, value: str) -> bytes:
        return hmac.digest(self.key, f"{kind}\x00{value}".encode(), hashlib.sha256)

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
        return FIRST_NAMES[self.number("first_name", value.strip()) % len(FIRST_NAMES)]

    def last_name(self, value: str) -> str:
        return LAST_NAMES[self.number("last_name", value.strip()) % len(LAST_NAMES)]

    def person_or_organisation(self, value: str) -> str:
        """Applicants and operators are companies, municipalities or people alike."""
        n = self.number("organisation", value.strip())
        word = ORGANISATION_WORDS[n % len(ORGANISATION_WORDS)]
        kind = ORGANISATION_KINDS[(n >> 8) % len(ORGANISATION_KINDS)]
        form = LEGAL_FORMS[(n >> 16) % len(LEGAL_FORMS)]
        # A number keeps distinct applicants distinct (as they were in the original).
        return f"{kind} {word} {(n >> 24) % 1000} {form}"

    def email(self, value: str) -> str:
        # E-mail addresses compare case-insensitively (the portal lower-cases them), so
        # Erika@X and erika@x are the same person and get the same fake.
        n = self.digest("email", value.strip().lower())
        first = _ascii(FIRST_NAMES[n[0] % len(FIRST_NAMES)].lower())
        last = _ascii(LAST_NAMES[n[1] % len(LAST_NAMES)].lower())
        # 48 bits keep addresses unique (unique columns stay unique) even for millions.
        return f"{first}.{last}.{n[2:8].hex()}@{FAKE_EMAIL_DOMAIN}"

    # --- Addresses ----------------------------------------------------------------------

    def street(self, value: str) -> str:
        n = self.number("street", value.strip())
        return f"{STREET_STEMS[n % len(STREET_STEMS)]}{STREET_KINDS[(n >> 8) % len(STREET_KINDS)]}"

    def house_number(self, value: str) -> str:
        return str(1 + self.number("house_number", value.strip()) % 120)

    def city(self, value: str) -> str:
        return CITIES[self.number("city", value.strip()) % len(CITIES)]

    # --- Numbers and identifiers --------------------------------------------------------

    def phone(self, value: str) -> str:
        """Same separators and length; the country code and a leading 0 stay, every
        other digit comes from the hash."""
        value = value.strip()
        prefix = re.match(r"^(\+\d{2}|00\d{2}|0)?", value).group(0)
        rest = value[len(prefix):]
        fresh = iter(self.digits("phone", re.sub(r"\D", "", value), len(rest)))
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
        if len(value) != 10 or not value.isdigit():
            return self.digits("kfw_number", value, len(value))
        half = 10 ** 5
        left, right = divmod(int(value), half)
        for round_ in range(4):
            left, right = right, (left + self.number(f"kfw_number{round_}", str(right))) % half
        return f"{left * half + right:010d}"

    def pattern(self, value: str) -> str:
        """Digits stay digits, letters letters (same case), everything else stays: for
        identifiers with a structure (EVSE IDs such as DE*ABC*E12345)."""
        n = self.digest("pattern", value)
        n = n * (len(value) // len(n) + 1)
        return "".join(
            _DIGITS[b % 10] if ch.isdigit() else _UPPER[b % 26] if "A" <= ch <= "Z"
            else _LOWER[b % 26] if "a" <= ch <= "z" else ch
            for ch, b in zip(value, n)
        )

    def token(self, value: str) -> str:
        """Opaque identifiers (a provider's user id): hex of the same length, at least 16."""
        return self.digest("token", value).hex()[: max(16, min(len(value), 64))]
