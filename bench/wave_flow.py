"""What one applicant does in the wave: register by claim, confirm, sign in, open the
dashboard, complete a short commissioning report (one charging point) and submit it.

Shared by the locust users of the wave and the single user timed alone, so both walk
exactly the same pages. `client` is locust's FastHttpSession in `FromAddress` below (or,
in bench/journey_profile.py, Django's test client).
"""

import datetime
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CODE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.MULTILINE)
START_COMMISSIONING = re.compile(r'href="(/berichte/neu/\d+/commissioning/0/)"')
REPORT_URL = re.compile(r"/berichte/(\d+)/")
PROOF_PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class FlowError(Exception):
    pass


def csrf_token(response) -> str:
    match = CSRF.search(response.text)
    if not match:
        raise FlowError(f"no CSRF token on {response.url}")
    return match.group(1)


def expect(response, path_fragment: str):
    if response.status_code != 200 or path_fragment not in response.url:
        raise FlowError(f"expected {path_fragment}, got {response.status_code} {response.url}")
    return response


def wait_for_code(mail_dir: Path, email: str, timeout: float = 30.0) -> str:
    """The verification code the portal e-mailed (file backend: one file per message)."""
    deadline = time.monotonic() + timeout
    needle = f"To: {email}"
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.log"), reverse=True):
            text = path.read_text(errors="replace")
            if needle in text:
                match = CODE.search(text[text.index(needle):])
                if match:
                    return match.group(1)
        time.sleep(0.2)
    raise FlowError(f"no verification code for {email}")


def applicant_journey(client, kfw_number: str, email: str, password: str, mail_dir: Path):
    page = client.get("/konto/signup/", name="signup form")
    page = client.post(
        "/konto/signup/",
        data={"csrfmiddlewaretoken": csrf_token(page), "kfw_number": kfw_number,
              "email": email, "password1": password, "password2": password},
        name="signup submit",
    )
    expect(page, "/konto/confirm-email/")
    code = wait_for_code(mail_dir, email)
    page = client.post(
        "/konto/confirm-email/",
        data={"csrfmiddlewaretoken": csrf_token(page), "code": code},
        name="confirm code",
    )
    expect(page, "/uebersicht/")
    page = client.get("/konto/logout/", name="logout form")
    client.post("/konto/logout/", data={"csrfmiddlewaretoken": csrf_token(page)}, name="logout")
    page = client.get("/konto/login/", name="login form")
    page = client.post(
        "/konto/login/",
        data={"csrfmiddlewaretoken": csrf_token(page), "login": email, "password": password},
        name="login submit",
    )
    expect(page, "/uebersicht/")
    if kfw_number not in page.text:
        raise FlowError("the claimed application is not on the dashboard")
    dashboard = expect(client.get("/uebersicht/", name="dashboard"), "/uebersicht/")
    submit_short_report(client, dashboard)


def path_of(url: str) -> str:
    return urlsplit(url).path


def wizard_step(client, page, step: str, fields: dict, name: str, files=None):
    """Answer the wizard step `page` shows and go on; returns the next page."""
    data = {f"{step}-{key}": value for key, value in fields.items()}
    data.update(csrfmiddlewaretoken=csrf_token(page), wizard_next="1")
    return client.post(path_of(page.url), data=data, files=files, name=name)


def submit_short_report(client, dashboard):
    """The commissioning report with one charging point, from start to confirmation."""
    match = START_COMMISSIONING.search(dashboard.text)
    if not match:
        raise FlowError("no commissioning report to start on the dashboard")
    page = client.get(match.group(1), name="report start form")
    page = client.post(match.group(1), data={"csrfmiddlewaretoken": csrf_token(page)}, name="report start")
    expect(page, "/standort/")
    report_pk = REPORT_URL.search(page.url).group(1)
    page = wizard_step(client, page, "standort", {
        "street": "Brandungsweg", "house_number": "1", "postal_code": "18055", "city": "Rostock",
        "operator_name": "Wellenfirma GmbH", "publicly_accessible": "yes"}, "report step")
    page = wizard_step(client, expect(page, "/erfassung/"), "erfassung", {"method": "form"}, "report step")
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).strftime("%d.%m.%Y")
    page = client.post(f"/berichte/{report_pk}/ladepunkte/neu/", data={
        "csrfmiddlewaretoken": csrf_token(page), "label": "Parkplatz 1", "power_kw": "22",
        "current_type": "AC", "connector": "type2", "commissioning_date": yesterday, "evse_id": "",
    }, name="report add point")
    page = wizard_step(client, expect(page, "/ladepunkte/"), "ladepunkte", {}, "report step")
    page = wizard_step(client, expect(page, "/strom/"), "strom", {"renewable_electricity": "on"},
                       "report upload",
                       files={"strom-renewable_proof": ("oekostrom.pdf", PROOF_PDF, "application/pdf")})
    page = wizard_step(client, expect(page, "/kosten/"), "kosten", {
        "cost_hardware": "4.000,00", "cost_installation": "1.500", "cost_grid_connection": "0",
        "cost_other": "0"}, "report step")
    expect(page, "/pruefen/")
    page = client.post(path_of(page.url), data={"csrfmiddlewaretoken": csrf_token(page), "submit_report": "1"},
                       name="report submit")
    expect(page, "/bestaetigung/")


class FromAddress:
    """The client as one applicant uses it: every request from their own address
    (X-Forwarded-For; allauth's rate limits count per client address), after `pause`
    (a wave user reads the page before the next request)."""

    def __init__(self, client, address: str, pause=lambda: None):
        self.client, self.pause = client, pause
        self.headers = {"X-Forwarded-For": address}

    def get(self, path, name):
        self.pause()
        return self.client.get(path, name=name, headers=self.headers)

    def post(self, path, data, name, files=None):
        self.pause()
        return self.client.post(path, data=data, files=files, name=name, headers=self.headers)
