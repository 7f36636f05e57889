"""Database sessions (now_portal/sessions.py): Django's contract (a new key never overwrites
a session, a deleted session is not brought back, expired ones are gone, the key changes
on login) in one statement per write. Outside a test transaction (transactional_db), as
in production, where the one-statement path runs."""

import datetime

import pytest
from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from now_portal.sessions import SessionStore
from tests.applications.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def stored(session_key):
    return SessionStore().decode(Session.objects.get(session_key=session_key).session_data)


def saved_session(**data) -> SessionStore:
    session = SessionStore()
    session.update(data)
    session.save()
    return session


def draw_keys(monkeypatch, *keys):
    """New sessions get these keys, in this order."""
    drawn = iter(keys)
    monkeypatch.setattr(SessionStore, "_get_new_session_key", lambda self: next(drawn))


def test_settings_use_this_store(settings):
    assert settings.SESSION_ENGINE == "now_portal.sessions"


def test_a_new_session_is_one_insert_and_loads_back():
    session = SessionStore()
    session["step"] = "standort"

    with CaptureQueriesContext(connection) as queries:
        session.save()

    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
    assert SessionStore(session.session_key).load() == {"step": "standort"}


def test_a_modified_session_is_one_update():
    session = saved_session(step="standort")
    loaded = SessionStore(session.session_key)
    loaded["step"] = "kosten"

    with CaptureQueriesContext(connection) as queries:
        loaded.save()

    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["UPDATE"]
    assert stored(session.session_key) == {"step": "kosten"}
    assert Session.objects.count() == 1


def test_a_new_key_that_is_taken_is_never_overwritten_and_another_is_drawn(monkeypatch):
    existing = saved_session(_auth_user_id="1")
    draw_keys(monkeypatch, existing.session_key, "b" * 32)

    newcomer = saved_session(step="start")

    assert newcomer.session_key == "b" * 32
    assert stored(existing.session_key) == {"_auth_user_id": "1"}
    assert stored("b" * 32) == {"step": "start"}


def test_must_create_on_a_taken_key_raises_create_error():
    existing = saved_session(_auth_user_id="1")
    intruder = SessionStore(existing.session_key)
    intruder._session_cache = {"_auth_user_id": "2"}

    with pytest.raises(CreateError):
        intruder.save(must_create=True)

    assert stored(existing.session_key) == {"_auth_user_id": "1"}


def test_a_taken_key_inside_a_transaction_is_retried_and_the_transaction_goes_on(monkeypatch):
    existing = SessionStore()
    existing.save()
    draw_keys(monkeypatch, existing.session_key, "c" * 32)

    with transaction.atomic():
        newcomer = SessionStore()
        newcomer["step"] = "start"
        newcomer.save()
        assert Session.objects.count() == 2  # the transaction is still usable

    assert stored("c" * 32) == {"step": "start"}


def test_saving_a_session_deleted_meanwhile_raises_update_error_and_does_not_bring_it_back():
    session = saved_session(_auth_user_id="1")
    in_flight = SessionStore(session.session_key)
    assert in_flight["_auth_user_id"] == "1"  # a request read the session
    SessionStore(session.session_key).delete()  # logged out in another tab
    in_flight["step"] = "kosten"

    with pytest.raises(UpdateError):
        in_flight.save()

    assert not Session.objects.exists()


def test_delete_is_one_statement_and_a_missing_key_is_no_error():
    session = SessionStore()
    session.save()

    with CaptureQueriesContext(connection) as queries:
        session.delete()
    SessionStore().delete("x" * 32)

    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["DELETE"]
    assert not Session.objects.exists()


def test_loading_is_one_select_of_a_session_that_has_not_expired():
    live = saved_session(step="standort")
    ended = saved_session(step="kosten")
    # Half an hour either side: a time zone mix-up (Berlin against UTC) would swap them.
    Session.objects.filter(session_key=live.session_key).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=30))
    Session.objects.filter(session_key=ended.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(minutes=30))

    with CaptureQueriesContext(connection) as queries:
        assert SessionStore(live.session_key).load() == {"step": "standort"}
    unknown = SessionStore("u" * 32)

    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT"]
    assert SessionStore(ended.session_key).load() == {}
    assert unknown.load() == {} and unknown.session_key is None


def test_an_expired_session_loads_empty_and_is_saved_under_a_new_key():
    session = saved_session(_auth_user_id="1")
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))

    expired = SessionStore(session.session_key)
    assert expired.load() == {}
    expired["step"] = "start"
    expired.save()

    assert expired.session_key != session.session_key
    assert stored(expired.session_key) == {"step": "start"}


def test_login_changes_the_session_key_and_removes_the_old_session(client):
    user = UserFactory()
    client.get(reverse("account_login"))
    session = client.session
    session["before_login"] = True
    session.save()
    old_key = session.session_key

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    new_key = client.cookies["sessionid"].value
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    data = stored(new_key)
    assert data["_auth_user_id"] == str(user.pk)
    assert data["before_login"] is True  # the data moved with the new key


def test_a_login_writes_the_new_session_once_and_deletes_the_old_one(client):
    user = UserFactory()
    session = client.session
    session["before_login"] = True
    session.save()

    with CaptureQueriesContext(connection) as queries:
        client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    writes = [q["sql"].split()[0] for q in queries.captured_queries
              if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]
    assert writes == ["DELETE", "INSERT"]
    assert stored(client.cookies["sessionid"].value)["_auth_user_id"] == str(user.pk)


def test_cycle_key_keeps_the_data_under_a_new_key_and_removes_the_old_session():
    session = saved_session(step="start")
    old_key = session.session_key

    session.cycle_key()
    session.save()

    assert session.session_key not in (None, old_key)
    assert stored(session.session_key) == {"step": "start"}
    assert not Session.objects.filter(session_key=old_key).exists()
