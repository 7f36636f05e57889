"""The database cache (rate limits in production) sweeps expired entries, never live ones."""

import datetime

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection


@pytest.fixture
def database_cache(settings, transactional_db):
    settings.CACHES = {"default": {
        "BACKEND": "now_portal.cache.DatabaseCache",
        "LOCATION": "test_rate_limit_cache",
        "OPTIONS": {"MAX_ENTRIES": 3},
    }}
    call_command("createcachetable", verbosity=0)
    yield caches["default"]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE test_rate_limit_cache")


def rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM test_rate_limit_cache")
        return cursor.fetchone()[0]


def test_a_full_cache_keeps_every_live_counter(database_cache):
    for number in range(8):
        database_cache.set(f"rl:signup:ip-{number}", number, timeout=300)

    assert [database_cache.get(f"rl:signup:ip-{number}") for number in range(8)] == list(range(8))


def test_a_full_cache_sweeps_out_what_has_expired(database_cache):
    for number in range(4):
        database_cache.set(f"old-{number}", number, timeout=300)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE test_rate_limit_cache SET expires = %s",
                       [datetime.datetime(2000, 1, 1)])

    database_cache.set("new", 1, timeout=300)  # the table is over MAX_ENTRIES: sweep

    assert rows() == 1
    assert database_cache.get("new") == 1
