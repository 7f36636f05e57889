import os
import signal
import sys
import threading
import time

import argon2
import pytest
from django.contrib.auth.hashers import check_password, make_password

from now_portal.hashers import HASHING_NICENESS, PortalArgon2PasswordHasher

from .factories import UserFactory


@pytest.mark.django_db
def test_passwords_are_stored_with_argon2id():
    user = UserFactory()
    assert user.password.startswith("argon2$argon2id$")
    assert "m=19456,t=2,p=1" in user.password


def _native_thread_priority():
    thread = threading.get_native_id()
    return thread, os.getpriority(os.PRIO_PROCESS, thread)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="thread priorities are Linux's")
@pytest.mark.parametrize("operation", ["sign-up", "log-in"])
def test_argon2_hashes_run_in_threads_of_lower_priority(monkeypatch, operation):
    """The Argon2 work itself (argon2-cffi's calls, as Django makes them) runs in another thread whose
    nice value is HASHING_NICENESS above the request's, so page views come first."""
    seen = []

    def spy(original):
        def hash_or_verify(*args, **kwargs):
            seen.append(_native_thread_priority())
            return original(*args, **kwargs)
        return hash_or_verify

    encoded = make_password("Sonnen-Strom-2026")
    monkeypatch.setattr(argon2.low_level, "hash_secret", spy(argon2.low_level.hash_secret))
    monkeypatch.setattr(argon2.PasswordHasher, "verify", spy(argon2.PasswordHasher.verify))
    request_thread, request_priority = _native_thread_priority()

    if operation == "sign-up":
        assert make_password("Sonnen-Strom-2026").startswith("argon2$argon2id$")
    else:
        assert check_password("Sonnen-Strom-2026", encoded)
        assert not check_password("Sonnen-Strom-2025", encoded)

    assert seen, "argon2 was not called"
    for thread, priority in seen:
        assert thread != request_thread
        assert priority == min(19, request_priority + HASHING_NICENESS)


def test_an_error_in_the_hashing_thread_reaches_the_caller():
    with pytest.raises(argon2.exceptions.HashingError, match="Salt is too short"):
        PortalArgon2PasswordHasher().encode("Sonnen-Strom-2026", "")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_process_hashes_in_threads_of_its_own():
    """gunicorn forks its workers: a pool inherited from the parent has lost its threads,
    and waiting on it would hang every log-in."""
    encoded = make_password("Sonnen-Strom-2026")  # the parent's threads now exist
    child = os.fork()
    if child == 0:  # pragma: no cover (runs in the child)
        try:
            ok = check_password("Sonnen-Strom-2026", encoded) and make_password("x" * 12)
            os._exit(0 if ok else 1)
        except BaseException:
            os._exit(2)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pid, status = os.waitpid(child, os.WNOHANG)
        if pid:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    pytest.fail("the forked process hung waiting for a password hash")
