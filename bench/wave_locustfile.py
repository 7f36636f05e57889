"""Locust users of the wave: each walks the applicant journey once, then stops."""

import itertools
import json
import os
from pathlib import Path

import gevent
from locust import HttpUser, constant, task
from locust.exception import StopUser

from wave_flow import FlowError, applicant_journey

ACCOUNTS = json.loads(Path(os.environ["WAVE_ACCOUNTS"]).read_text())
MAIL_DIR = Path(os.environ["WAVE_MAIL_DIR"])
PASSWORD = os.environ["WAVE_PASSWORD"]
_next = itertools.count()
_finished = itertools.count(1)


class Applicant(HttpUser):
    wait_time = constant(0)

    @task
    def journey(self):
        index = next(_next)
        if index >= len(ACCOUNTS):
            raise StopUser()
        account = ACCOUNTS[index]
        # Each virtual user comes from its own address, as real applicants do.
        # (an address of the IPv6 documentation prefix: a header value, never contacted)
        self.client.headers["X-Forwarded-For"] = f"2001:db8::{index + 1:x}"
        try:
            applicant_journey(self.client, account["kfw_number"], account["email"], PASSWORD, MAIL_DIR)
        except FlowError as error:
            self.environment.events.request.fire(
                request_type="FLOW", name="journey", response_time=0, response_length=0,
                exception=error, context={},
            )
        if next(_finished) >= len(ACCOUNTS):
            # Everyone has walked the journey: end the run instead of idling to --run-time.
            gevent.spawn_later(0.5, self.environment.runner.quit)
        raise StopUser()
