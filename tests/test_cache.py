"""The database cache (rate limits in production): it sweeps expired entries, never live
ones, keeps the cache contract of `add` and `set`, and writes in one statement (adding a
taken key: up to three)."""

import datetime

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext


def make_cache(settings, sweep_seconds):
    settings.CACHES = {"default": {
        "BACKEND": "now_portal.cache.DatabaseCache",
        "LOCATION": "test_rate_limit_cache",
        "OPTIONS": {"SWEEP_SECONDS": sweep_seconds},
    }}
    return caches["default"]


@pytest.fixture
def cache_table(transactional_db):
    call_command("createcachetable", "test_rate_limit_cache", verbosity=0)
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE test_rate_limit_cache")


@pytest.fixture
def database_cache(settings, cache_table):
    return make_cache(settings, 60)


def rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM test_rate_limit_cache")
        return cursor.fetchone()[0]


def expire_everything():
    with connection.cursor() as cursor:
        cursor.execute("UPDATE test_rate_limit_cache SET expires = %s",
                       [connection.ops.adapt_datetimefield_value(
                           datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc))])


def test_many_live_counters_are_all_kept(database_cache):
    for number in range(50):
        database_cache.set(f"rl:signup:ip-{number}", number, timeout=300)

    assert [database_cache.get(f"rl:signup:ip-{number}") for number in range(50)] == list(range(50))


def test_expired_entries_are_swept_out_on_a_write_once_the_interval_has_passed(settings, cache_table):
    cache = make_cache(settings, 0)  # every write may sweep
    for number in range(4):
        cache.set(f"old-{number}", number, timeout=300)
    cache.set("live", 0, timeout=300)
    expire_everything()
    cache.set("live-too", 1, timeout=300)

    cache.set("new", 2, timeout=300)

    assert rows() == 2
    assert (cache.get("live-too"), cache.get("new")) == (1, 2)


def test_within_the_interval_no_write_sweeps(database_cache):
    database_cache.set("first", 1, timeout=300)  # a process's first write sweeps
    expire_everything()

    database_cache.set("second", 2, timeout=300)

    assert rows() == 2  # the expired one is still there (get treats it as absent)
    assert database_cache.get("first") is None


def test_add_keeps_a_live_entry_and_replaces_an_expired_one(database_cache):
    assert database_cache.add("lock", "mine", timeout=10) is True
    assert database_cache.add("lock", "theirs", timeout=10) is False
    assert database_cache.get("lock") == "mine"

    expire_everything()

    assert database_cache.add("lock", "theirs", timeout=10) is True
    assert database_cache.get("lock") == "theirs"


def test_set_overwrites_and_delete_removes(database_cache):
    database_cache.set("history", [1.0], timeout=300)
    database_cache.set("history", [2.0, 1.0], timeout=300)
    assert database_cache.get("history") == [2.0, 1.0]
    assert rows() == 1

    database_cache.delete("history")
    assert database_cache.get("history", "gone") == "gone"


def test_a_write_takes_one_statement_and_so_does_adding_a_free_key(database_cache):
    database_cache.set("warm", 1, timeout=300)  # the process's first write also sweeps
    with CaptureQueriesContext(connection) as writes:
        database_cache.set("counter", [1.0], timeout=300)
    with CaptureQueriesContext(connection) as adds:
        database_cache.add("counter:lock", True, timeout=10)

    assert len(writes.captured_queries) == 1
    assert len(adds.captured_queries) == 1


def test_adding_a_taken_key_takes_at_most_three_statements(database_cache):
    database_cache.add("lock", "mine", timeout=10)
    with CaptureQueriesContext(connection) as refused:
        assert database_cache.add("lock", "theirs", timeout=10) is False
    expire_everything()
    with CaptureQueriesContext(connection) as replaced:
        assert database_cache.add("lock", "theirs", timeout=10) is True

    mysql = connection.vendor == "mysql"
    assert (len(refused.captured_queries), len(replaced.captured_queries)) == ((2, 3) if mysql else (1, 1))


def test_a_write_that_fails_fails_quietly_outside_a_transaction(database_cache):
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE test_rate_limit_cache")
    try:
        database_cache.set("counter", [1.0], timeout=300)  # no exception: a cache may fail
        assert database_cache.add("counter:lock", True, timeout=10) is False
    finally:
        call_command("createcachetable", "test_rate_limit_cache", verbosity=0)
