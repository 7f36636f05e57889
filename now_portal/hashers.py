"""Password hashing: Argon2id with OWASP's recommended parameters, at low processor priority.

Django's default (PBKDF2, 1,000,000 rounds) costs about 230 ms of CPU per sign-up and per
log-in here; Argon2id with 19 MiB, 2 passes and 1 lane costs about 22 ms and is harder
to crack on GPUs, because it needs memory. When thousands arrive in a wave, and every
Lambda millisecond is billed, that difference decides whether the wave queues.

Hashes run in threads of their own with a lower priority (a higher nice value) than the
request threads. On a server that shares its cores among many requests, a page view then
gets a core at once instead of waiting behind two or three hashes that happen to run at
the same time; the hash itself takes a little longer only while the cores are busy. On
Lambda, where an instance serves one request at a time, nothing competes and the hand-over
to the hashing thread costs some microseconds. argon2-cffi releases the GIL while it hashes,
so the request thread that waits for the result holds up no other thread of its process.
"""

import logging
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth.hashers import Argon2PasswordHasher

logger = logging.getLogger(__name__)

# Linux's scheduler gives a thread of nice 10 about a tenth of the share of one of nice 0.
HASHING_NICENESS = 10


def _lower_own_priority():
    """Raise the calling thread's nice value by HASHING_NICENESS (at most to 19).

    On Linux the nice value belongs to the thread, named by its native id; elsewhere
    (macOS in local development) the call would address a process, so it is not made."""
    if not sys.platform.startswith("linux"):
        return
    thread = threading.get_native_id()
    try:
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(19, current + HASHING_NICENESS))
    except OSError as error:  # a sandbox that forbids it: hash at normal priority, still hash
        logger.warning("Password hashing runs at normal priority: %s", error)


class LowPriorityThreads:
    """A pool of low-priority threads, made on first use in each process.

    A pool inherited through fork (gunicorn's workers, test processes) has lost its threads,
    so the child makes its own."""

    def __init__(self, max_threads: int):
        self.max_threads = max_threads
        self._pool = None
        self._lock = threading.Lock()
        os.register_at_fork(after_in_child=self._forget_pool)

    def _forget_pool(self):
        self._pool = None
        self._lock = threading.Lock()

    def run(self, function, *args):
        """`function(*args)` in one of the pool's threads; its result, or its exception."""
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(
                        max_workers=self.max_threads, thread_name_prefix="password-hashing",
                        initializer=_lower_own_priority,
                    )
        return self._pool.submit(function, *args).result()


# More hashes at once than cores would only share the cores among themselves.
hashing_threads = LowPriorityThreads(max_threads=os.cpu_count() or 1)


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19_456  # KiB
    parallelism = 1

    def encode(self, password, salt):
        return hashing_threads.run(super().encode, password, salt)

    def verify(self, password, encoded):
        return hashing_threads.run(super().verify, password, encoded)
