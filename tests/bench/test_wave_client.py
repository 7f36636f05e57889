"""The wave benchmark's client (bench/wave.py, bench/wave_flow.py) walks the applicant's
journey for real: over HTTP against a live portal, in a process of its own, as the
benchmark times the lone user."""

import pytest

from bench.wave import time_alone
from bench.wave_data import claimed_counts, create_claimable_applications

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = {
    "signup form", "signup submit", "confirm code", "logout form", "logout", "login form",
    "login submit", "dashboard", "report start form", "report start", "report step",
    "report add point", "report upload", "report submit",
}


def test_two_applicants_claim_and_submit_once_each_and_every_page_is_timed(live_server, settings, tmp_path):
    mail_dir = tmp_path / "mail"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(mail_dir)  # where the journey reads the e-mailed code
    accounts = create_claimable_applications(2)

    timings = time_alone(live_server.url, accounts, mail_dir)

    assert claimed_counts([account["kfw_number"] for account in accounts]) == {
        "claimed_once": 2, "missing_or_doubled": 0, "reports_once": 2, "reports_missing_or_doubled": 0}
    assert set(timings) == PAGES
    assert len(timings["login submit"]) == 2
    assert len(timings["report step"]) == 2 * 4
    assert all(time > 0 for times in timings.values() for time in times)


def test_the_warm_up_hashes_a_password_in_a_refused_sign_in_and_changes_nothing(live_server, monkeypatch):
    from django.contrib.auth import get_user_model

    from bench.wave import warm_up
    from now_portal.hashers import PortalArgon2PasswordHasher

    hashed = []
    real_encode = PortalArgon2PasswordHasher.encode

    def counting_encode(self, password, salt):
        hashed.append(password)
        return real_encode(self, password, salt)

    monkeypatch.setattr(PortalArgon2PasswordHasher, "encode", counting_encode)

    warm_up(live_server.url, workers=1)

    assert len(hashed) >= 4  # one refused sign-in per round, four rounds per worker
    assert not get_user_model().objects.exists()
