"""formtools' known traps, each pinned by a test (see reports/wizard.py for the design).

Covered here: the storage that mutates its data in place (load once, save once per
request, and only when something changed), tampered or unknown step names, and
"save and continue later". Covered in test_commissioning_wizard.py:
- unvisited steps and the final revalidation: test_unvisited_steps_are_listed_and_block_submission
- uploads after going back and at submission: test_uploaded_proof_survives_going_back_and_submission,
  test_upload_on_back_is_kept
- "back" keeps the input: test_back_keeps_the_input_of_the_step_even_when_invalid
- conditional steps and "previous": test_back_after_conditional_step_goes_to_the_step_actually_shown
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import Report
from tests.applications.factories import FundingApplicationFactory, UserFactory

from .wizard_helpers import SITE, days_ago, post_step, step_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(client):
    applicant = UserFactory()
    application = FundingApplicationFactory(owner=applicant, approval_date=days_ago(200))
    client.force_login(applicant)
    client.post(reverse("reports:start", args=[application.pk, "commissioning", 0]))
    return Report.objects.get(application=application)


def report_queries(queries, verb):
    return [
        q["sql"] for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(verb) and "reports_report" in q["sql"].split(" WHERE ")[0]
    ]


def test_draft_is_loaded_once_and_saved_once_per_request(client, report):
    with CaptureQueriesContext(connection) as queries:
        post_step(client, report, "standort", SITE)
    updates = report_queries(queries, "UPDATE")
    assert len(updates) == 1 and "wizard_state" in updates[0]
    selects = [q for q in report_queries(queries, "SELECT") if "wizard_state" in q]
    assert len(selects) == 1

    report.refresh_from_db()
    assert report.wizard_state["step_data"]["standort"]["standort-city"] == ["Köln"]
    assert report.current_step == "erfassung"  # where the draft resumes: the next step


def test_moving_on_saves_the_next_step_with_the_answers_so_showing_it_writes_nothing(client, report):
    response = post_step(client, report, "standort", SITE)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(response["Location"])

    assert response["Location"] == step_url(report, "erfassung")
    assert page.status_code == 200
    assert report_queries(queries, "UPDATE") == []
    report.refresh_from_db()
    assert report.current_step == "erfassung"


def test_nothing_is_written_when_nothing_changed(client, report):
    client.get(step_url(report, "standort"))  # makes "standort" the current step
    with CaptureQueriesContext(connection) as queries:
        client.get(step_url(report, "standort"))
    assert report_queries(queries, "UPDATE") == []


def test_the_draft_keeps_only_the_steps_own_fields(client, report):
    post_step(client, report, "standort", SITE, extra={"csrfmiddlewaretoken": "x", "other-a": "b"})
    report.refresh_from_db()
    stored = report.wizard_state["step_data"]["standort"]
    assert all(key.startswith("standort-") for key in stored)


def test_unknown_or_tampered_step_names_lead_to_the_first_step(client, report):
    for step in ("-", "nonsense", "done"):
        assert client.get(step_url(report, step))["Location"] == step_url(report, "standort")
        assert client.post(step_url(report, step), {"wizard_next": "1"})["Location"] == step_url(
            report, "standort"
        )
    report.refresh_from_db()
    assert not report.wizard_state.get("step_data")


def test_save_and_continue_later_keeps_invalid_input_too(client, report):
    response = post_step(client, report, "standort", {**SITE, "postal_code": "12"},
                         action="wizard_save")
    assert response["Location"] == reverse("applications:dashboard")
    page = client.get(step_url(report, "standort")).content.decode()
    assert 'value="12"' in page and "fünf Ziffern" in page  # kept, and said what is wrong


def test_resume_without_step_goes_to_where_the_applicant_stopped(client, report):
    post_step(client, report, "standort", SITE)
    post_step(client, report, "erfassung", {"method": "upload"})
    client.get(step_url(report, "ladepunkte-liste"))
    resume = client.get(reverse("reports:commissioning", args=[report.pk]))
    assert resume["Location"] == step_url(report, "ladepunkte-liste")
