"""The operation report wizard end to end through the test client."""

from decimal import Decimal

import pytest
from django.urls import reverse

from reports import charging_data
from reports.models import ChargingProcessUpload, Report, ReportFile, ReportStatus
from tests.applications.factories import UserFactory

from .ops_helpers import (
    PDF, check_url, csv_bytes, operation_report, post_step, step_url, upload, xlsx_bytes,
    accepted_application,
)
from .test_charging_data import GOOD_ROWS

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant():
    return UserFactory()


@pytest.fixture
def report(client, applicant):
    client.force_login(applicant)
    return operation_report(accepted_application(applicant))


def send_data(client, report, content, name="ladevorgaenge.csv", action="wizard_next"):
    return post_step(client, report, "ladevorgaenge", files={"charging_data": upload(content, name)},
                     action=action)


def complete(client, report):
    assert send_data(client, report, csv_bytes(GOOD_ROWS)).status_code == 302
    assert post_step(client, report, "verfuegbarkeit", {
        "availability_and_faults": "Im Mai zwei Tage Störung durch Blitzschlag."}).status_code == 302
    response = post_step(client, report, "strom", {"renewable_electricity": "on"})
    assert response["Location"] == check_url(report)


def test_full_run_from_first_step_to_confirmation(client, report):
    resume = client.get(reverse("reports:operation", args=[report.pk]))
    assert resume["Location"] == step_url(report, "ladevorgaenge")
    page = client.get(step_url(report, "ladevorgaenge")).content.decode()
    assert "Schritt 1 von 3: Ladevorgänge" in page
    assert "Betriebsbericht 2027" in page

    complete(client, report)
    check = client.get(check_url(report)).content.decode()
    assert "ladevorgaenge.csv" in check
    assert "Blitzschlag" in check
    assert "Parkplatz 1" in check and "40,500 kWh" in check and "2,50" in check
    assert "Bericht absenden" in check

    response = client.post(check_url(report), {"submit_report": "1"})
    assert response["Location"] == reverse("reports:confirmation", args=[report.pk])
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.reference_number
    assert report.renewable_electricity is True
    assert report.availability_and_faults == "Im Mai zwei Tage Störung durch Blitzschlag."
    assert client.get(response["Location"]).status_code == 200
    # Read-only afterwards: the wizard sends to the report, nothing changes on POST.
    again = send_data(client, report, csv_bytes(GOOD_ROWS[:1]))
    assert again["Location"] == reverse("reports:detail", args=[report.pk])
    assert report.session_summaries.get(charging_point__label="Parkplatz 1").sessions == 2


def test_the_summary_is_shown_as_cards_after_the_upload(client, report):
    send_data(client, report, csv_bytes(GOOD_ROWS))
    page = client.get(step_url(report, "ladevorgaenge")).content.decode()
    assert "„ladevorgaenge.csv“: 3 Ladevorgänge." in page
    assert page.count("point-cards__card") == 2
    assert "45,250 kWh" in page and "0,33" in page


def test_xlsx_upload_works_in_the_wizard(client, report):
    rows = [["Schnelllader", "05.04.2027 12:00", "05.04.2027 12:20", 45.25]]
    response = send_data(client, report, xlsx_bytes(rows), name="export.xlsx")
    assert response.status_code == 302
    assert charging_data.current_upload(report).file.original_name == "export.xlsx"


def test_errors_are_shown_by_row_and_change_nothing(client, report):
    send_data(client, report, csv_bytes(GOOD_ROWS))
    before = list(report.session_summaries.values_list("sessions", "energy_kwh"))
    bad = csv_bytes(GOOD_ROWS + [
        ["Parkplatz 1", "01.03.2027 10:00", "01.03.2027 09:00", "1"],
        ["Parkplatz 1", "01.03.2027 08:00", "01.03.2027 09:00", "99"],
    ])
    response = send_data(client, report, bad, name="falsch.csv")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Fehler: " in page
    assert "2 Zeilen der Datei enthalten Fehler" in page
    assert '<th scope="row">5</th>' in page and '<th scope="row">6</th>' in page
    assert "Das Ende muss nach dem Beginn liegen." in page
    assert "99 kWh ist mehr, als der Ladepunkt in dieser Zeit abgeben kann" in page
    assert "Die Daten aus „ladevorgaenge.csv“, die Sie vorher hochgeladen haben, werden weiter verwendet." in page
    assert list(report.session_summaries.values_list("sessions", "energy_kwh")) == before
    report.refresh_from_db()
    assert report.current_step == "ladevorgaenge"


def test_a_refused_file_is_not_part_of_the_submitted_report(
    client, report, django_capture_on_commit_callbacks
):
    """Kept while the applicant corrects it; gone, file and all, on submission, so the
    receipt and the caseworker see only the data the report was checked with."""
    from django.core.files.storage import default_storage

    complete(client, report)
    refused = send_data(client, report, csv_bytes([["Unbekannt", "x", "y", "1"]]), name="falsch.csv")
    assert refused.status_code == 200 and "falsch.csv" in refused.content.decode()
    stored = report.files.get(original_name="falsch.csv").file.name
    assert default_storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):  # the file goes after the commit
        response = client.post(check_url(report), {"submit_report": "1"})
    assert response["Location"] == reverse("reports:confirmation", args=[report.pk])
    assert list(report.files.values_list("original_name", flat=True)) == ["ladevorgaenge.csv"]
    assert report.charging_uploads.count() == 1
    assert not default_storage.exists(stored)
    receipt = client.get(response["Location"]).content.decode()
    assert "ladevorgaenge.csv" in receipt and "falsch.csv" not in receipt


def test_a_point_of_another_application_is_rejected_in_the_wizard(client, report):
    other = accepted_application(UserFactory())
    other.reports.get(type="commissioning").charging_points.update(label="Fremder Punkt")
    response = send_data(client, report, csv_bytes(
        [["Fremder Punkt", "01.03.2027 08:00", "01.03.2027 09:00", "1"]]))
    assert response.status_code == 200
    assert "„Fremder Punkt“ gehört nicht zu den Ladepunkten dieses Antrags" in response.content.decode()
    assert not report.session_summaries.exists()


@pytest.mark.parametrize(("content", "name"), [(PDF, "ladevorgaenge.csv"), (PDF, "daten.xlsx"),
                                               (b"\x00\x01\x02binary", "daten.csv")])
def test_a_wrong_file_type_renamed_is_refused(client, report, content, name):
    response = send_data(client, report, content, name=name)
    assert response.status_code == 200
    assert "hat kein erlaubtes Format. Erlaubt: CSV oder Excel (.xlsx)." in response.content.decode()
    assert not ReportFile.objects.filter(report=report).exists()


def test_an_oversized_file_is_refused(client, report, monkeypatch):
    from reports import uploads
    from reports.models import ReportFileKind

    rule = uploads.UPLOAD_RULES[ReportFileKind.CHARGING_DATA]
    monkeypatch.setitem(uploads.UPLOAD_RULES, ReportFileKind.CHARGING_DATA,
                        uploads.UploadRule(rule.types, 200))
    response = send_data(client, report, csv_bytes(GOOD_ROWS * 5))
    assert response.status_code == 200
    assert "ist größer als" in response.content.decode()
    assert not ReportFile.objects.filter(report=report).exists()


def test_a_file_without_sessions_is_refused(client, report):
    response = send_data(client, report, csv_bytes([]))
    assert "enthält unter der Kopfzeile keine Ladevorgänge" in response.content.decode()


def test_the_data_are_required(client, report):
    response = post_step(client, report, "ladevorgaenge")
    assert response.status_code == 200
    assert "Bitte laden Sie die Ladevorgänge des Jahres 2027 hoch." in response.content.decode()


def test_renewable_supply_must_be_confirmed(client, report):
    response = post_step(client, report, "strom", {})
    assert response.status_code == 200
    assert "100 Prozent erneuerbaren" in response.content.decode()


def test_availability_text_has_a_maximum_length(client, report):
    response = post_step(client, report, "verfuegbarkeit", {"availability_and_faults": "x" * 5001})
    assert response.status_code == 200
    assert "5000" in response.content.decode()


def test_going_back_keeps_the_input_and_a_chosen_file(client, report):
    send_data(client, report, csv_bytes(GOOD_ROWS))
    post_step(client, report, "verfuegbarkeit", {"availability_and_faults": "Alles lief."},
              action="wizard_back")
    page = client.get(step_url(report, "verfuegbarkeit")).content.decode()
    assert "Alles lief." in page
    # A data file is imported only on "continue" (checked with the step): "save and
    # continue later" keeps the data uploaded before and does not import a new choice.
    response = send_data(client, report, csv_bytes(GOOD_ROWS[2:]), name="neu.csv",
                         action="wizard_save")
    assert response["Location"] == reverse("applications:dashboard")
    assert charging_data.current_upload(report).file.original_name == "ladevorgaenge.csv"
    assert report.charging_uploads.count() == 1


def test_interrupt_and_resume_on_another_device(client, report, applicant):
    send_data(client, report, csv_bytes(GOOD_ROWS))
    post_step(client, report, "verfuegbarkeit", {"availability_and_faults": "Halbfertig"},
              action="wizard_save")
    client.logout()
    from django.test import Client

    other_device = Client()
    other_device.force_login(applicant)
    resume = other_device.get(reverse("reports:operation", args=[report.pk]))
    assert resume["Location"] == step_url(report, "verfuegbarkeit")
    assert "Halbfertig" in other_device.get(resume["Location"]).content.decode()
    # The upload is kept with the draft: the first step is complete without a new file.
    assert post_step(other_device, report, "ladevorgaenge").status_code == 302


def test_change_link_returns_to_the_check_page(client, report):
    complete(client, report)
    response = client.get(step_url(report, "verfuegbarkeit", back_to_check=True))
    assert "Speichern und zur Prüfung zurück" in response.content.decode()
    response = post_step(client, report, "verfuegbarkeit", {"availability_and_faults": "Neu"},
                         extra={"zur_pruefung": "1"})
    assert response["Location"] == check_url(report)


def test_submit_is_refused_while_a_step_is_incomplete(client, report):
    send_data(client, report, csv_bytes(GOOD_ROWS))
    response = client.post(check_url(report), {"submit_report": "1"})
    assert response.status_code == 400
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_another_applicant_gets_404_everywhere(client, report):
    send_data(client, report, csv_bytes(GOOD_ROWS))
    client.force_login(UserFactory())
    for url in (reverse("reports:operation", args=[report.pk]),
                step_url(report, "ladevorgaenge"), step_url(report, "strom"), check_url(report)):
        assert client.get(url).status_code == 404
        assert client.post(url, {"submit_report": "1", "wizard_next": "1"}).status_code == 404
    assert send_data(client, report, csv_bytes(GOOD_ROWS[:1])).status_code == 404
    assert ChargingProcessUpload.objects.filter(report=report).count() == 1
    assert report.session_summaries.get(charging_point__label="Parkplatz 1").energy_kwh == Decimal("40.500")


def test_the_data_field_is_marked_optional_only_once_there_is_data(client, report):
    """The step needs the year's data: until there is some, its field must not say
    "optional"; afterwards a new file is indeed optional. The availability text is
    optional once, not twice ("(freiwillig) – optional")."""
    label = "Daten der Ladevorgänge (CSV- oder Excel-Datei)"
    optional = f'{label} <span class="kern-label__optional">– optional</span>'
    page = client.get(step_url(report, "ladevorgaenge")).content.decode()
    assert label in page and optional not in page
    send_data(client, report, csv_bytes(GOOD_ROWS))
    assert optional in client.get(step_url(report, "ladevorgaenge")).content.decode()
    availability = client.get(step_url(report, "verfuegbarkeit")).content.decode()
    assert ('Verfügbarkeit und Störungen <span class="kern-label__optional">– optional</span>'
            in availability)
    assert "freiwillig" not in availability

