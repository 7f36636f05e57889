"""Locust users of the wave: each walks the applicant journey once, then stops."""

import itertools
import json
import os
import random
from pathlib import Path

import gevent
from locust import HttpUser, constant, task
from locust.exception import StopUser

from wave_flow import FlowError, applicant_journey

ACCOUNTS = json.loads(Path(os.environ["WAVE_ACCOUNTS"]).read_text())
MAIL_DIR = Path(os.environ["WAVE_MAIL_DIR"])
PASSWORD = os.environ["WAVE_PASSWORD"]
# Seconds a person spends reading a page before the next request ("1-3"; "0" for none).
THINK = [float(x) for x in os.environ.get("WAVE_THINK", "1-3").split("-")]
_next = itertools.count()
_finished = itertools.count(1)


class Reading:
    """The locust client, with a person's pause to read each page before the next request."""

    def __init__(self, client):
        self.client = client

    def _pause(self):
        if THINK[-1] > 0:
            gevent.sleep(random.uniform(THINK[0], THINK[-1]))

    def get(self, *args, **kwargs):
        self._pause()
        return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        self._pause()
        return self.client.post(*args, **kwargs)


class Applicant(HttpUser):
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
        self.client.headers["X-Forwarded-For"] = f"2001:db8:{index + 1:x}::1"
        try:
            applicant_journey(Reading(self.client), account["kfw_number"], account["email"], PASSWORD, MAIL_DIR)
        except FlowError as error:
            self.environment.events.request.fire(
                request_type="FLOW", name="journey", response_time=0, response_length=0,
                exception=error, context={},
            )
        if next(_finished) >= len(ACCOUNTS):
            # Everyone has walked the journey: end the run instead of idling to --run-time.
            gevent.spawn_later(0.5, self.environment.runner.quit)
        raise StopUser()
