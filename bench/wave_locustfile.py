"""Locust users of the wave: each walks the applicant journey once, then stops.

FastHttpUser (geventhttpclient) rather than HttpUser (requests): the load generator
shares the machine's two cores with gunicorn and MariaDB, and requests cost it twice the
processor time (locust 11 -> 6 s per wave, same run), time the portal's workers then
lacked. The lone user is timed with the same client (bench/wave.py, `single_user_pass`).
"""

import itertools
import json
import os
import random
from pathlib import Path

import gevent
from locust import FastHttpUser, constant, task
from locust.exception import StopUser

from wave_flow import FlowError, FromAddress, applicant_journey

ACCOUNTS = json.loads(Path(os.environ["WAVE_ACCOUNTS"]).read_text())
MAIL_DIR = Path(os.environ["WAVE_MAIL_DIR"])
PASSWORD = os.environ["WAVE_PASSWORD"]
# Seconds a person spends reading a page before the next request ("1-3"; "0" for none).
THINK = [float(x) for x in os.environ.get("WAVE_THINK", "1-3").split("-")]
_next = itertools.count()
_finished = itertools.count(1)


def read_the_page():
    """A person's pause to read a page before the next request."""
    if THINK[-1] > 0:
        gevent.sleep(random.uniform(THINK[0], THINK[-1]))


class Applicant(FastHttpUser):
    wait_time = constant(0)

    @task
    def journey(self):
        index = next(_next)
        if index >= len(ACCOUNTS):
            raise StopUser()
        account = ACCOUNTS[index]
        # Each virtual user comes from its own address, as real applicants do: one /64
        # network each, since allauth's rate limits count IPv6 clients by /64 network.
        # (the IPv6 documentation prefix: a header value, never contacted)
        client = FromAddress(self.client, f"2001:db8:{index + 1:x}::1", pause=read_the_page)
        try:
            applicant_journey(client, account["kfw_number"], account["email"], PASSWORD, MAIL_DIR)
        except FlowError as error:
            self.environment.events.request.fire(
                request_type="FLOW", name="journey", response_time=0, response_length=0,
                exception=error, context={},
            )
        if next(_finished) >= len(ACCOUNTS):
            # Everyone has walked the journey: end the run instead of idling to --run-time.
            gevent.spawn_later(0.5, self.environment.runner.quit)
        raise StopUser()
