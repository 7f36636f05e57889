"""Fakes keep formats and joins; the leak check finds what it must, where it must."""

import pytest

from anonymize import leaks
from anonymize.fakes import Faker, is_valid_iban
from anonymize.leaks import LeakFound, Needles, Scanner, ScannerProcess



def in_process(*pairs):
    return Scanner(needles(*pairs))


def in_child_process(*pairs):
    """As the snapshot does where it can: the child is sent the values and files them."""
    scanner = ScannerProcess()
    for value, source in pairs:
        scanner.add_needles([value], source)
    return scanner


SCANNERS = pytest.mark.parametrize("make_scanner", [in_process, in_child_process])


def test_fakes_are_keyed_deterministic_and_keep_formats():
    faker, other = Faker(b"k" * 32), Faker(b"x" * 32)
    assert faker.email("Erika.M@Example.org") == faker.email("erika.m@example.org")
    assert faker.email("erika.m@example.org") != other.email("erika.m@example.org")
    assert faker.email("a@b.de").endswith("@example.invalid")
    assert faker.email("a@b.de").isascii()
    for iban in ("DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "AT611904300234573201"):
        fake = faker.iban(iban)
        assert is_valid_iban(fake) and fake.startswith("DE") and fake != iban
        assert (" " in fake) == (" " in iban)
    assert faker.phone("+49 30 1234567")[:4] == "+49 "
    assert len(faker.phone("030/1234-56")) == len("030/1234-56")
    assert faker.pattern("DE*ABC*E12345")[2] == "*"


@pytest.mark.parametrize("key", [b"k" * 32, bytes(range(64)), b"a longer key" * 8])
def test_the_keyed_hash_is_sha256_of_key_kind_and_value(key):
    """One SHA-256 over key ‖ kind ‖ 0x00 ‖ value (a secret-prefix hash, see
    Faker.digest), computed from copied states: the same as hashing it whole."""
    import hashlib

    faker = Faker(key)
    for kind in ("email", "phone#0", "kfw_number3"):
        for value in ("", "Jürgen O'Weber", "Zoë 😀", "4700000001", "x" * 300):
            expected = hashlib.sha256(key + f"{kind}\x00{value}".encode()).digest()
            assert faker.digest(kind, value) == expected
    # Different keys, or the same value under another kind, give unrelated digests.
    assert Faker(key + b"x").digest("email", "a@b.de") != faker.digest("email", "a@b.de")
    assert faker.digest("email", "a@b.de") != faker.digest("token", "a@b.de")
    # The Feistel rounds of KfW numbers take the same hash, inlined.
    value, half = "4711000001", 10 ** 5
    left, right = divmod(int(value), half)
    for round_ in range(4):
        number = int.from_bytes(hashlib.sha256(
            key + f"kfw_number{round_}\x00{right}".encode()).digest()[:8], "big")
        left, right = right, (left + number) % half
    assert faker.kfw_number(value) == f"{left * half + right:010d}"


def test_identifier_fakes_keep_each_characters_class_ascii_or_not():
    import random

    from anonymize.fakes import _DIGITS, _LOWER, _UPPER

    faker, rng = Faker(b"k" * 32), random.Random(5)

    def reference(value):  # character by character, as documented
        n = faker.digest("pattern", value) * (len(value) // 32 + 1)
        return "".join(_DIGITS[b % 10] if ch.isdigit() else _UPPER[b % 26] if "A" <= ch <= "Z"
                       else _LOWER[b % 26] if "a" <= ch <= "z" else ch
                       for ch, b in zip(value, n))

    alphabet = "0123456789*-. ABCXYZabcxyz\t'\\äÖß²٣"
    values = ["", "DE*ABC*E12345", "x" * 100] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 80))) for _ in range(3000)]
    for value in values:
        assert faker.pattern(value) == reference(value), value
    # KfW numbers: ten decimal digits are permuted; anything else (also "²", a digit
    # that is no decimal) gets hash digits of its length.
    assert len(faker.kfw_number("123456789²")) == 10


def test_application_numbers_stay_unique():
    faker = Faker(b"k" * 32)
    originals = [f"{4700000000 + n:010d}" for n in range(20000)]
    fakes = {faker.kfw_number(value) for value in originals}
    assert len(fakes) == len(originals)
    assert all(len(f) == 10 and f.isdigit() for f in fakes)


def needles(*pairs):
    found = Needles()
    for value, source in pairs:
        found.add(value, source)
    return found


def test_a_value_split_across_two_chunks_is_found(monkeypatch):
    monkeypatch.setattr(leaks, "CHUNK_BYTES", 64)
    scanner = Scanner(needles(("Pfeifenberger-Nußbaum", "t.name")))
    scanner.start_table("reports_report")
    scanner.feed(b"x" * 60 + b"'Pfeifen")
    scanner.feed("berger-Nußbaum'".encode() + b"y" * 100)
    with pytest.raises(LeakFound) as caught:
        scanner.finish()
    assert caught.value.hits == {"reports_report": ["t.name"]}


@SCANNERS
def test_escaped_and_differently_cased_values_are_found(make_scanner):
    scanner = make_scanner(("Jürgen O'Weberling", "u.name"), ("C:\\Daten\\Kunde", "x.path"))
    scanner.start_table("t")
    scanner.feed("INSERT INTO t VALUES ('JÜRGEN O\\'WEBERLING','C:\\\\Daten\\\\Kunde');".encode())
    with pytest.raises(LeakFound) as caught:
        scanner.finish()
    assert caught.value.hits == {"t": ["u.name", "x.path"]}


def test_words_fakes_are_made_of_and_short_values_are_no_needles():
    found = needles(("Brandt", "a"), ("Neustadt", "b"), ("12a", "c"), ("Schmidt-Brandt", "d"))
    assert found.count == 1  # only the compound name
    scanner = Scanner(found)
    scanner.feed(b"'Brandt','Neustadt','12a','Brandtner'")
    scanner.finish()  # no hit: fakes may contain these words


def test_umlauts_in_upper_case_are_found():
    scanner = Scanner(needles(("Ölmühlenweg", "a.street")))
    scanner.feed("('ÖLMÜHLENWEG 3')".encode())
    with pytest.raises(LeakFound):
        scanner.finish()


def test_many_needles_under_one_common_word_are_checked_quickly_and_exactly():
    found = needles(*((f"Ladepark {n} Nord", "a.name") for n in range(20000)))
    scanner = Scanner(found)
    scanner.feed("('Ladepark','Nord','Ladepark 12 Süd')".encode() * 1000)
    scanner.finish()  # the word occurs, no needle does
    scanner.feed(b"('x','Ladepark 12345 Nord')")
    with pytest.raises(LeakFound):
        scanner.finish()


@SCANNERS
def test_a_needle_that_is_a_fake_written_in_that_table_is_forgiven_there_only(make_scanner):
    def scan(written):
        scanner = make_scanner(("+49 30 1234567", "t.phone"), ("4711000001", "t.kfw"))
        scanner.start_table("t")
        scanner.feed(b"('+49 30 1234567','4711000001')")
        scanner.start_table("u")
        scanner.feed(b"('+49 30 1234567')")
        asked = []

        def written_fakes(found):
            asked.append(found)
            return written

        try:
            scanner.finish(written_fakes)
        finally:
            assert asked == [{"t": {"+49 30 1234567", "4711000001"}, "u": {"+49 30 1234567"}}]

    with pytest.raises(LeakFound) as caught:
        scan({"t": {"+49 30 1234567"}})  # written in t, but u has it as well
    assert caught.value.hits == {"t": ["t.kfw"], "u": ["t.phone"]}
    scan({"t": {"+49 30 1234567", "4711000001"}, "u": {"+49 30 1234567"}})  # no leak


@SCANNERS
def test_fakes_reported_while_writing_are_forgiven_in_their_table_without_recomputing(
        make_scanner):
    scanner = make_scanner(("+49 30 1234567", "t.phone"), ("4711000001", "t.kfw"))
    scanner.start_table("t")
    scanner.feed(b"('+49 30 1234567','4711000001')")
    # Python wrote these fakes in t: one is another row's original phone number.
    scanner.add_written_fakes(["+49 30  1234567", "4711999999"])
    scanner.start_table("u")
    scanner.feed(b"('+49 30 1234567')")
    asked = []

    def written_fakes(found):
        asked.append(found)
        return {}

    with pytest.raises(LeakFound) as caught:
        scanner.finish(written_fakes)
    # The reported fake is forgiven in t only; the rest is still asked about, and leaks.
    assert asked == [{"t": {"4711000001"}, "u": {"+49 30 1234567"}}]
    assert caught.value.hits == {"t": ["t.kfw"], "u": ["t.phone"]}


@SCANNERS
def test_when_every_hit_is_a_reported_fake_nothing_is_recomputed(make_scanner):
    scanner = make_scanner(("4711000001", "t.kfw"), ("Pfeifenberger", "t.name"))
    scanner.start_table("t")
    scanner.feed(b"('4711000001','Ostermann')")
    scanner.add_written_fakes(["4711000001", "Pfeifenberger-Nußbaum"])
    scanner.finish(lambda found: pytest.fail(f"recomputed fakes for {found}"))


def test_needles_of_more_sources_than_a_byte_counts_are_filed_and_found():
    found = Needles()
    for number in range(300):  # one needle per anchor word, from 300 sources
        found.add(f"Pfeifenberger{number:03d} Au", f"t.c{number}")
    found.add("Pfeifenberger299 Au", "t.other")  # the same needle again: filed once
    assert found.count == 300
    assert found.contains("pfeifenberger299 au") and found.contains("pfeifenberger007 au")
    assert not found.contains("pfeifenberger300 au") and not found.contains("pfeifenberger007")
    scanner = Scanner(found)
    scanner.start_table("t")
    scanner.feed(b"('PFEIFENBERGER299 AU','x','Pfeifenberger007  au')")
    with pytest.raises(LeakFound) as caught:
        scanner.finish()
    assert caught.value.hits == {"t": ["t.c299", "t.c7"]}


def test_needles_know_their_members():
    found = needles(("Jürgen O'Weberling", "a"), ("4711000001", "b"), ("Brandt", "c"),
                    *((f"Lindenweg {n}", "d") for n in range(20)))
    assert found.contains("jürgen o'weberling") and found.contains("4711000001")
    assert found.contains("lindenweg 7")
    assert not found.contains("jürgen") and not found.contains("4711000002")
    assert not found.contains("brandt") and not found.contains("lindenweg 99")


@SCANNERS
def test_a_clean_dump_never_computes_the_written_fakes(make_scanner):
    scanner = make_scanner(("Pfeifenberger", "t.name"))
    scanner.feed(b"('Ostermann')")
    scanner.finish(lambda found: pytest.fail("asked for fakes without a hit"))


def test_a_scanner_process_stopped_early_leaves_no_child():
    import os

    scanner = in_child_process(("Pfeifenberger", "t.name"))
    scanner.feed(b"('Pfeifenberger')" * 1000)
    scanner.close()  # the snapshot failed: the child is ended and reaped, nothing judged
    with pytest.raises(ChildProcessError):
        os.waitpid(scanner.pid, 0)


def test_a_failing_scan_process_stops_the_snapshot(monkeypatch):
    from anonymize.leaks import ScanFailed

    def broken(self, data):
        raise ZeroDivisionError("scan")

    monkeypatch.setattr(Scanner, "feed", broken)  # the child inherits it
    scanner = in_child_process(("Pfeifenberger", "t.name"))
    scanner.feed(b"('Ostermann')")
    with pytest.raises(ScanFailed, match="ZeroDivisionError"):
        scanner.finish()


def test_escapes_are_undone_left_to_right_on_the_bytes():
    """The scanner undoes the dump's escapes on the bytes before decoding, in one pass
    from the left: the values as they were, also for a chunk cut inside a character."""
    from anonymize.leaks import normalise, unescape
    from anonymize.sql import string_literal

    values = ["Jürgen O'Wéber\nZeile", "back\\slash\\n and \\'", "Ä\\'Ö", "a\x00b\x1ac\r",
              "  MÜLLER  ", "C:\\new\\Zeit\\0"]

    def read(value):  # the value as the scanner compares it
        return normalise(value.replace("\x00", " ").replace("\x1a", " ")
                         .replace("\n", " ").replace("\r", " "))

    whole = ", ".join(map(string_literal, values))
    assert unescape(whole.encode()) == read(", ".join(f"'{value}'" for value in values))
    for value in values:
        assert unescape(string_literal(value).encode()) == read(f"'{value}'")
    assert unescape(string_literal("O\\neil").encode()) == "'o\\neil'"
    # A chunk cut inside a character: that character is U+FFFD, the escapes still undone.
    assert unescape(b"\xc3\\n\xa4 x") == "\ufffd \ufffd x"


def assert_found_as_written(value: str):
    """The leak check finds `value` in a dump row that holds it as MySQL writes it."""
    from anonymize.sql import string_literal

    needles = Needles()
    needles.add_many([value], "reports_report.factual_report")
    scanner = Scanner(needles)
    scanner.start_table("reports_report")
    scanner.feed(f"(1, {string_literal(value)});".encode())
    with pytest.raises(LeakFound):
        scanner.finish()


def test_a_value_with_a_backslash_before_n_is_found_in_the_dump():
    """Written as "\\\\n": undone one escape after the other, it read as a backslash and a
    space, and this value went unseen."""
    assert_found_as_written("Ablage C:\\neu\\Rechnungen Ostermeier")


def test_a_word_after_a_backslash_in_a_value_is_an_anchor_in_the_dump():
    """"C:\\neumann" is written "C:\\\\neumann": its words are "c" and "neumann" (the
    anchor), not "eumann" as when "\\n" was taken out before "\\\\"."""
    from anonymize.leaks import words
    from anonymize.sql import string_literal

    value = "Akte C:\\neumann"
    assert words(string_literal(value).encode()) == [b"akte", b"c", b"neumann"]
    assert_found_as_written(value)


def test_an_escaped_value_cut_between_two_chunks_is_found():
    """The end of a chunk is scanned again with the next: as long as the longest needle
    as written, escapes included (each byte may take two)."""
    from anonymize.sql import string_literal

    value = "O'Brien\\O'Neill\\Ostermeier"
    written = string_literal(value).encode()
    needles = Needles()
    needles.add_many([value], "reports_report.factual_report")
    assert len(written) > needles.longest  # longer as written than as read
    for cut in range(1, len(written)):
        scanner = Scanner(needles)
        scanner.start_table("reports_report")
        head = b"x" * (leaks.CHUNK_BYTES - cut) + written[:cut]
        scanner.feed(head)  # a whole chunk: scanned now
        scanner.feed(written[cut:] + b");")
        with pytest.raises(LeakFound):
            scanner.finish()


def _hits(needles, data, chunk_bytes=None):
    scanner = Scanner(needles)
    scanner.start_table("reports_report")
    step = chunk_bytes or len(data)
    for start in range(0, len(data), step):
        scanner.feed(data[start:start + step])
    scanner.flush()
    return scanner.hits


def test_a_real_phone_number_in_free_text_is_found_cut_anywhere(monkeypatch):
    """Among fake phone numbers with a real one's digits, the real number is found
    wherever it is: in free text, in any case, across two chunks, spread out by
    whitespace and escapes (longer as written than the needle)."""
    from anonymize.sql import string_literal

    monkeypatch.setattr(leaks, "CHUNK_BYTES", 256)
    found = Needles()
    found.add_many(["+49 30 98765432", "Ladestation Waldweg-Süd"], "reports_report.note")
    fakes = " ".join(f"+49 {n:02d} 98765432" for n in range(40, 60)).encode()
    for note in ["Rückruf unter +49 30 98765432 erbeten",
                 "RÜCKRUF: +49   30\n\n\t 98765432!",
                 "LADESTATION   WALDWEG-SÜD\r\n(98765432)"]:
        written = string_literal(note).encode()
        for cut in range(0, len(written) + 1, 3):
            head = fakes + b",(" + written[:cut]  # the chunk ends after the cut
            data = b" " * (-len(head) % 256) + head + written[cut:] + b");" + fakes
            assert _hits(found, data, 256), (note, cut)
    # Whitespace folded: the text reaches far in bytes, within one chunk and across two.
    spread = string_literal("ladestation\n" + " " * 300 + "waldweg-süd 98765432").encode()
    assert _hits(found, b" " * 60 + fakes + spread + fakes, 4096)
    for cut in range(0, len(spread) + 1, 7):
        head = fakes + b",(" + spread[:cut]
        data = b" " * (-len(head) % 256) + head + spread[cut:] + b");" + fakes
        assert _hits(found, data, 256), cut
    assert not _hits(found, fakes + ",('+49 31 98765432', 'Waldweg-Süd')".encode(), 256)

