"""The commissioning report wizard end to end through the test client."""

import re

import pytest
from django.core import mail  # noqa: F401  (e-mails come from the caseworker helper)
from django.urls import reverse

from reports.models import ChargingPoint, Report, ReportFile, ReportStatus, ReportTransition
from tests.applications.factories import FundingApplicationFactory, UserFactory

from .wizard_helpers import (
    COSTS, PDF, PNG, SITE, check_url, days_ago, point_data, point_list_xlsx, post_step,
    step_url, upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant():
    return UserFactory()


@pytest.fixture
def report(client, applicant):
    application = FundingApplicationFactory(
        owner=applicant, approval_date=days_ago(200), approved_charging_points=3
    )
    client.force_login(applicant)
    client.post(reverse("reports:start", args=[application.pk, "commissioning", 0]))
    return Report.objects.get(application=application)


def add_point(client, report, **overrides):
    return client.post(reverse("reports:point_add", args=[report.pk]), point_data(**overrides))


def complete_all_steps(client, report):
    assert post_step(client, report, "standort", SITE).status_code == 302
    assert post_step(client, report, "erfassung", {"method": "form"}).status_code == 302
    add_point(client, report, label="Parkplatz 1")
    add_point(client, report, label="Parkplatz 2", power_kw="150", current_type="DC",
              connector="ccs", evse_id="DE*ABC*E12345")
    assert post_step(client, report, "ladepunkte").status_code == 302
    response = post_step(client, report, "strom", {"renewable_electricity": "on"},
                         files={"renewable_proof": upload(PDF, "Ökostrom.pdf")})
    assert response.status_code == 302, response.content.decode()[:3000]
    response = post_step(client, report, "kosten", COSTS)
    assert response["Location"] == check_url(report)


def test_starting_a_report_leads_straight_to_its_first_step(client, applicant):
    application = FundingApplicationFactory(owner=applicant, approval_date=days_ago(200))
    client.force_login(applicant)

    response = client.post(reverse("reports:start", args=[application.pk, "commissioning", 0]))

    report = Report.objects.get(application=application)
    assert response["Location"] == step_url(report, "standort")  # not via the wizard's resume URL


def test_a_draft_opens_straight_at_the_step_it_was_left_on(client, report):
    assert post_step(client, report, "standort", SITE).status_code == 302
    assert post_step(client, report, "erfassung", {"method": "form"}).status_code == 302

    opened = client.get(reverse("reports:detail", args=[report.pk]))

    assert opened["Location"] == step_url(report, "ladepunkte")
    assert client.get(opened["Location"]).status_code == 200


def test_a_draft_left_on_a_step_its_answers_now_skip_resumes_at_the_first(client, report):
    assert post_step(client, report, "erfassung", {"method": "form"}).status_code == 302
    Report.objects.filter(pk=report.pk).update(current_step="ladepunkte-liste")  # skipped for "form"

    opened = client.get(reverse("reports:detail", args=[report.pk]))

    assert client.get(opened["Location"])["Location"] == step_url(report, "standort")


def test_full_run_from_start_to_confirmation(client, report):
    assert client.get(reverse("reports:commissioning", args=[report.pk]))["Location"] == step_url(
        report, "standort"
    )
    first = client.get(step_url(report, "standort")).content.decode()
    assert "Schritt 1 von 5: Standort" in first
    assert report.application.street in first  # prefilled from the application

    complete_all_steps(client, report)

    check = client.get(check_url(report)).content.decode()
    assert "Stadtwerke Köln GmbH" in check and "Parkplatz 2" in check
    assert "12.500,00" in check and "16.700,50" in check  # the total
    assert "Ökostrom.pdf" in check
    assert "Bericht absenden" in check

    response = client.post(check_url(report), {"submit_report": "1"})

    report.refresh_from_db()
    assert response["Location"] == reverse("reports:confirmation", args=[report.pk])
    assert report.status == ReportStatus.SUBMITTED
    assert (report.site_city, report.publicly_accessible, report.renewable_electricity) == (
        "Köln", True, True
    )
    assert str(report.cost_hardware) == "12500.00" and str(report.cost_installation) == "3000.50"
    assert report.charging_points.count() == 2
    confirmation = client.get(response["Location"]).content.decode()
    assert report.reference_number in confirmation
    assert "Wie geht es weiter" in confirmation


def test_progress_counts_only_active_steps(client, report):
    post_step(client, report, "erfassung", {"method": "upload"})
    page = client.get(step_url(report, "ladepunkte-liste")).content.decode()
    assert "Schritt 3 von 5: Liste der Ladepunkte" in page
    # The cards step is not part of this run: its URL leads back to the start.
    assert client.get(step_url(report, "ladepunkte"))["Location"] == step_url(report, "standort")


def test_interrupt_and_resume_on_another_device(client, report, applicant):
    post_step(client, report, "standort", SITE)
    response = post_step(client, report, "erfassung", {"method": "form"}, action="wizard_save")
    assert response["Location"] == reverse("applications:dashboard")

    from django.test import Client

    other_device = Client()
    other_device.force_login(applicant)
    dashboard = other_device.get(reverse("applications:dashboard")).content.decode()
    assert reverse("reports:detail", args=[report.pk]) in dashboard
    resume = other_device.get(reverse("reports:detail", args=[report.pk]), follow=True)
    assert resume.redirect_chain[-1][0] == step_url(report, "erfassung")
    assert re.search(r'<input[^>]*value="form"[^>]*checked', resume.content.decode())
    site = other_device.get(step_url(report, "standort")).content.decode()
    assert "Stadtwerke Köln GmbH" in site


def test_back_keeps_the_input_of_the_step_even_when_invalid(client, report):
    post_step(client, report, "standort", SITE)
    half = {"cost_hardware": "999,99", "cost_installation": "nicht gewusst"}
    response = post_step(client, report, "kosten", half, action="wizard_back")
    assert response["Location"] == step_url(report, "strom")

    costs = client.get(step_url(report, "kosten")).content.decode()
    assert "999,99" in costs and "nicht gewusst" in costs
    report.refresh_from_db()
    assert report.cost_hardware is None  # nothing is an answer before submission


def test_back_after_conditional_step_goes_to_the_step_actually_shown(client, report):
    post_step(client, report, "erfassung", {"method": "upload"})
    assert post_step(client, report, "strom", action="wizard_back")["Location"] == step_url(
        report, "ladepunkte-liste"
    )
    post_step(client, report, "erfassung", {"method": "form"})
    assert post_step(client, report, "strom", action="wizard_back")["Location"] == step_url(
        report, "ladepunkte"
    )
    page = client.get(step_url(report, "strom")).content.decode()
    assert "Schritt 4 von 5" in page


def test_every_site_rule(client, report):
    response = post_step(client, report, "standort", {**SITE, "postal_code": "5066",
                                                      "street": "", "publicly_accessible": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "fünf Ziffern" in html
    # Each missing answer named, not Django's "Dieses Feld ist zwingend erforderlich."
    assert "Geben Sie „Straße“ an." in html
    assert "Beantworten Sie die Frage „Ist der Standort öffentlich zugänglich?“" in html
    assert "zwingend erforderlich" not in html
    assert set(response.context["wizard"]["form"].errors) == {
        "street", "postal_code", "publicly_accessible"
    }
    assert not Report.objects.get(pk=report.pk).wizard_state.get("step_data")  # nothing stored


def test_missing_answers_are_named_in_english_too(client, report, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = post_step(client, report, "standort", {**SITE, "street": "",
                                                  "publicly_accessible": ""}).content.decode()
    assert "Enter “Street”." in html
    assert "Answer the question “Is the site publicly accessible?”" in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"power_kw": "3,6"}, "mindestens 3,7 kW"),
        ({"power_kw": "350,5"}, "höchstens 350 kW"),
        ({"power_kw": "viel"}, "Zahl"),
        ({"current_type": "XX"}, "gültige Auswahl"),
        ({"connector": "tesla"}, "gültige Auswahl"),
        ({"commissioning_date": days_ago(201).strftime("%d.%m.%Y")}, "vor dem Datum der Bewilligung"),
        ({"commissioning_date": days_ago(-1).strftime("%d.%m.%Y")}, "nicht in der Zukunft"),
        ({"commissioning_date": "31.02.2026"}, "gültiges Datum"),
        ({"evse_id": "DE-ABC-12345"}, "DE*ABC*E12345"),
        ({"label": ""}, "Geben Sie „Bezeichnung des Ladepunkts“ an."),
    ],
)
def test_every_charging_point_rule(client, report, overrides, message):
    response = add_point(client, report, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ChargingPoint.objects.exists()


def test_charging_point_accepts_boundaries_and_spellings(client, report):
    for power in ("3,7", "350", "3.7"):
        assert add_point(client, report, power_kw=power, evse_id="").status_code == 302
    assert sorted(str(p.power_kw) for p in ChargingPoint.objects.all()) == ["3.70", "3.70", "350.00"]


def test_evse_id_normalised_and_unique_in_the_report(client, report):
    assert add_point(client, report, evse_id="de*abc*e12345").status_code == 302
    assert ChargingPoint.objects.get().evse_id == "DE*ABC*E12345"
    response = add_point(client, report, evse_id="DEABCE12345x")
    assert response.status_code == 302  # without separators, another point
    response = add_point(client, report, evse_id="DE*ABC*E12345")
    assert "bereits" in response.content.decode()


def test_more_points_than_approved_names_the_approved_number(client, report):
    for number in range(3):
        assert add_point(client, report, label=f"P{number}").status_code == 302
    response = add_point(client, report, label="P4")
    assert "für 3 Ladepunkte bewilligt" in response.content.decode()
    assert ChargingPoint.objects.count() == 3
    # … and the cards page offers no further "add".
    page = client.get(step_url(report, "ladepunkte")).content.decode()
    assert reverse("reports:point_add", args=[report.pk]) not in page


def test_points_step_needs_a_point(client, report):
    response = post_step(client, report, "ladepunkte")
    assert "Fügen Sie mindestens einen Ladepunkt hinzu." in response.content.decode()


def test_point_cards_add_edit_remove(client, report):
    add_point(client, report, label="Parkplatz 1")
    point = ChargingPoint.objects.get()
    cards = client.get(step_url(report, "ladepunkte")).content.decode()
    assert "Parkplatz 1" in cards
    assert "Der Ladepunkt „Parkplatz 1“ wurde hinzugefügt." in cards  # said once, then gone
    assert "wurde hinzugefügt" not in client.get(step_url(report, "ladepunkte")).content.decode()
    edit_url = reverse("reports:point_edit", args=[report.pk, point.pk])
    delete_url = reverse("reports:point_delete", args=[report.pk, point.pk])
    assert edit_url in cards and delete_url in cards

    edit_page = client.get(edit_url).content.decode()
    assert 'value="Parkplatz 1"' in edit_page
    assert 'EVSE-ID <span class="kern-label__optional">– optional</span>' in edit_page
    assert "freiwillig" not in edit_page  # said once, not "(freiwillig) – optional"
    response = client.post(edit_url, point_data(label="Tiefgarage", power_kw="11"))
    assert response["Location"] == step_url(report, "ladepunkte")
    point.refresh_from_db()
    assert (point.label, str(point.power_kw)) == ("Tiefgarage", "11.00")
    assert "Ihre Änderungen an „Tiefgarage“ wurden gespeichert." in client.get(
        response["Location"]).content.decode()

    assert "Tiefgarage" in client.get(delete_url).content.decode()  # asks first
    assert ChargingPoint.objects.exists()
    response = client.post(delete_url, follow=True)
    assert not ChargingPoint.objects.exists()
    assert "Der Ladepunkt „Tiefgarage“ wurde entfernt." in response.content.decode()


def test_good_uploads_are_kept_with_the_draft_under_random_names(client, report, settings):
    post_step(client, report, "strom", {"renewable_electricity": "on"},
              files={"renewable_proof": upload(PNG, "Vertrag Ökostrom.png")})
    stored = ReportFile.objects.get()
    assert stored.original_name == "Vertrag Ökostrom.png"
    assert stored.content_type == "image/png" and stored.size == len(PNG)
    assert "Vertrag" not in stored.file.name and stored.file.name.endswith(".png")
    assert stored.file.read() == PNG

    # Replacing it keeps one proof.
    post_step(client, report, "strom", {"renewable_electricity": "on"},
              files={"renewable_proof": upload(PDF, "neu.pdf")})
    assert list(ReportFile.objects.values_list("original_name", flat=True)) == ["neu.pdf"]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00 this is a program", "nachweis.pdf", "Erlaubt: PDF, JPG oder PNG"),
        (b"Ich bin nur Text", "nachweis.pdf", "Erlaubt: PDF, JPG oder PNG"),
        (b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024), "gross.pdf", "größer als 10 MB"),
        (b"", "leer.pdf", "leer"),
    ],
)
def test_bad_uploads_are_refused_by_content_and_size(client, report, content, name, message):
    response = post_step(client, report, "strom", {"renewable_electricity": "on"},
                         files={"renewable_proof": upload(content, name, "application/pdf")})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ReportFile.objects.exists()
    assert "strom" not in Report.objects.get(pk=report.pk).wizard_state.get("step_data", {})


def test_proof_is_required(client, report):
    response = post_step(client, report, "strom", {"renewable_electricity": "on"})
    assert "Laden Sie den Nachweis" in response.content.decode()
    assert "strom" not in Report.objects.get(pk=report.pk).wizard_state["step_data"]


def test_renewable_electricity_is_required_and_a_good_file_is_kept_meanwhile(client, report):
    response = post_step(client, report, "strom", {}, files={"renewable_proof": upload(PDF, "a.pdf")})
    html = response.content.decode()
    assert "100 Prozent aus erneuerbaren Energien. Bitte bestätigen" in html
    assert "Sie haben „a.pdf“ hochgeladen" in html  # not "choose it again"
    assert "noch einmal aus" not in html
    assert ReportFile.objects.get().original_name == "a.pdf"
    # Confirming is now enough: the kept file is the proof.
    assert post_step(client, report, "strom", {"renewable_electricity": "on"}).status_code == 302


def test_costs_rules(client, report):
    response = post_step(client, report, "kosten", {**COSTS, "cost_other": "-5",
                                                    "cost_hardware": "zwölf"})
    html = response.content.decode()
    assert "Geben Sie einen Betrag von 0 € oder mehr an." in html
    assert "Geben Sie den Betrag als Zahl an, zum Beispiel 1.234,56." in html


def test_point_list_upload_replaces_points_when_every_row_is_valid(client, report):
    add_point(client, report, label="alt")
    post_step(client, report, "erfassung", {"method": "upload"})
    rows = [
        ["Säule A", 22, "AC", "Typ 2", days_ago(10), None],
        ["Säule B", "150", "dc", "CCS", days_ago(5).strftime("%d.%m.%Y"), "DE*ABC*E1"],
    ]
    response = post_step(client, report, "ladepunkte-liste",
                         files={"point_list": upload(point_list_xlsx(rows), "punkte.xlsx")})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(ChargingPoint.objects.values_list("label", "current_type", "connector")) == [
        ("Säule A", "AC", "type2"), ("Säule B", "DC", "ccs")
    ]
    assert ReportFile.objects.get().kind == "point_list"


def test_point_list_errors_by_row_change_nothing(client, report):
    add_point(client, report, label="alt")
    post_step(client, report, "erfassung", {"method": "upload"})
    rows = [
        ["Gut", 22, "AC", "Typ 2", days_ago(10), None],
        ["Zu stark", 500, "DC", "CCS", days_ago(10), None],
        ["Zukunft", 22, "AC", "Typ 2", days_ago(-3), "XX"],
    ]
    response = post_step(client, report, "ladepunkte-liste",
                         files={"point_list": upload(point_list_xlsx(rows), "punkte.xlsx")})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Fehler in 2 Zeilen" in html
    assert "<th scope=\"row\">3</th>" in html and "<th scope=\"row\">4</th>" in html
    assert "höchstens 350 kW" in html and "nicht in der Zukunft" in html and "DE*ABC*E12345" in html
    assert list(ChargingPoint.objects.values_list("label", flat=True)) == ["alt"]
    assert not ReportFile.objects.exists()


def test_point_list_with_more_rows_than_approved(client, report):
    post_step(client, report, "erfassung", {"method": "upload"})
    rows = [[f"P{n}", 22, "AC", "Typ 2", days_ago(10), None] for n in range(4)]
    response = post_step(client, report, "ladepunkte-liste",
                         files={"point_list": upload(point_list_xlsx(rows), "punkte.xlsx")})
    assert "für 3 Ladepunkte bewilligt" in response.content.decode()
    assert not ChargingPoint.objects.exists()


def test_point_list_must_be_a_real_workbook(client, report):
    post_step(client, report, "erfassung", {"method": "upload"})
    response = post_step(client, report, "ladepunkte-liste",
                         files={"point_list": upload(b"Bezeichnung;Leistung\n", "punkte.xlsx")})
    assert "Erlaubt: Excel (.xlsx)" in response.content.decode()


def test_point_list_template_is_a_workbook_the_upload_accepts(client, report):
    response = client.get(reverse("reports:point_list_template", args=[report.pk]))
    assert response.status_code == 200
    from openpyxl import load_workbook
    import io

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Bezeichnung"


def test_change_link_returns_to_the_check_page(client, report):
    complete_all_steps(client, report)
    check = client.get(check_url(report)).content.decode()
    assert step_url(report, "kosten", back_to_check=True).replace("&", "&amp;") in check or \
        step_url(report, "kosten", back_to_check=True) in check
    page = client.get(step_url(report, "kosten", back_to_check=True)).content.decode()
    assert "zur Prüfung zurück" in page
    response = post_step(client, report, "kosten", {**COSTS, "cost_other": "10"},
                         extra={"zur_pruefung": "1"})
    assert response["Location"] == check_url(report)
    assert "16.710,50" in client.get(check_url(report)).content.decode()


def test_unvisited_steps_are_listed_and_block_submission(client, report):
    post_step(client, report, "standort", SITE)
    check = client.get(check_url(report)).content.decode()
    assert "noch nicht vollständig" in check
    assert step_url(report, "kosten") in check

    response = client.post(check_url(report), {"submit_report": "1"})
    assert response.status_code == 400
    assert "<title>Fehler:" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.reference_number is None


def test_uploaded_proof_survives_going_back_and_submission(client, report):
    complete_all_steps(client, report)
    post_step(client, report, "kosten", COSTS, action="wizard_back")
    strom = client.get(step_url(report, "strom")).content.decode()
    assert "Ökostrom.pdf" in strom  # shown as already uploaded
    post_step(client, report, "strom", {"renewable_electricity": "on"})  # no new file
    client.post(check_url(report), {"submit_report": "1"})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    proof = ReportFile.objects.get(report=report)
    assert proof.file.read() == PDF


def test_upload_on_back_is_kept(client, report):
    post_step(client, report, "strom", {}, files={"renewable_proof": upload(PDF, "a.pdf")},
              action="wizard_back")
    assert ReportFile.objects.get().original_name == "a.pdf"


def test_submitted_report_is_locked(client, report):
    complete_all_steps(client, report)
    client.post(check_url(report), {"submit_report": "1"})
    report.refresh_from_db()
    state, point = report.wizard_state, ChargingPoint.objects.first()

    for step in ("standort", "kosten"):
        response = post_step(client, report, step, {**SITE, **COSTS, "city": "Bonn"})
        assert response["Location"] == reverse("reports:detail", args=[report.pk])
    assert client.post(reverse("reports:point_add", args=[report.pk]), point_data()).status_code == 404
    assert client.post(reverse("reports:point_edit", args=[report.pk, point.pk]),
                       point_data(label="x")).status_code == 404
    assert client.post(reverse("reports:point_delete", args=[report.pk, point.pk])).status_code == 404
    report.refresh_from_db()
    point.refresh_from_db()
    assert report.wizard_state == state and report.site_city == "Köln" and point.label != "x"
    assert ChargingPoint.objects.count() == 2


def test_double_submit_does_not_duplicate(client, report):
    complete_all_steps(client, report)
    first = client.post(check_url(report), {"submit_report": "1"})
    second = client.post(check_url(report), {"submit_report": "1"})
    assert first["Location"] == reverse("reports:confirmation", args=[report.pk])
    assert second.status_code == 302
    assert ReportTransition.objects.filter(report=report, to_status="submitted").count() == 1


def test_confirmation_is_bookmarkable_and_only_after_submission(client, report, applicant):
    assert client.get(reverse("reports:confirmation", args=[report.pk])).status_code == 302
    complete_all_steps(client, report)
    client.post(check_url(report), {"submit_report": "1"})
    client.logout()
    client.force_login(applicant)
    page = client.get(reverse("reports:confirmation", args=[report.pk]))
    assert page.status_code == 200
    report.refresh_from_db()
    assert report.reference_number in page.content.decode()
    assert "prüft Ihren Bericht" in page.content.decode()


def test_receipt_of_a_checked_report_no_longer_says_it_will_be_checked(client, report):
    from reports import lifecycle
    from tests.applications.factories import CaseworkerFactory

    complete_all_steps(client, report)
    client.post(check_url(report), {"submit_report": "1"})
    report.refresh_from_db()
    lifecycle.accept(report, CaseworkerFactory(totp=False))
    page = client.get(reverse("reports:confirmation", args=[report.pk])).content.decode()
    assert report.reference_number in page and "Angenommen" in page
    assert "prüft Ihren Bericht" not in page


def test_returned_report_reopens_with_all_answers_at_the_check_page(client, report, applicant):
    from reports import lifecycle
    from tests.applications.factories import CaseworkerFactory

    complete_all_steps(client, report)
    client.post(check_url(report), {"submit_report": "1"})
    report.refresh_from_db()
    lifecycle.return_for_changes(report, CaseworkerFactory(totp=False), "Bitte Kosten prüfen.")

    client.post(reverse("reports:reopen", args=[report.pk]))
    resume = client.get(reverse("reports:detail", args=[report.pk]), follow=True)
    assert resume.redirect_chain[-1][0] == check_url(report)
    # What the caseworker asked for stays in sight while the applicant corrects it.
    assert "Bitte Kosten prüfen." in resume.content.decode()
    post_step(client, report, "kosten", {**COSTS, "cost_other": "99"}, extra={"zur_pruefung": "1"})
    client.post(check_url(report), {"submit_report": "1"})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and str(report.cost_other) == "99.00"
    assert report.caseworker_comment == ""
    assert "Bitte Kosten prüfen." not in client.get(
        reverse("reports:detail", args=[report.pk])
    ).content.decode()


def test_another_applicant_gets_404_everywhere(client, report):
    add_point(client, report)
    point = ChargingPoint.objects.get()
    intruder = UserFactory()
    client.force_login(intruder)
    urls = [
        reverse("reports:commissioning", args=[report.pk]),
        step_url(report, "standort"),
        step_url(report, "ladepunkte"),
        check_url(report),
        reverse("reports:detail", args=[report.pk]),
        reverse("reports:confirmation", args=[report.pk]),
        reverse("reports:point_add", args=[report.pk]),
        reverse("reports:point_edit", args=[report.pk, point.pk]),
        reverse("reports:point_delete", args=[report.pk, point.pk]),
        reverse("reports:point_list_template", args=[report.pk]),
        reverse("reports:reopen", args=[report.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {**point_data(), "standort-city": "X"}).status_code == 404, url
    point.refresh_from_db()
    report.refresh_from_db()
    assert point.label == "Parkplatz 1" and report.wizard_state == {}


def test_signed_out_visitor_is_sent_to_sign_in(client, report):
    client.logout()
    response = client.get(step_url(report, "standort"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_submitted_report_page_shows_every_answer_read_only(client, report):
    complete_all_steps(client, report)
    client.post(check_url(report), {"submit_report": "1"})
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    for text in ("Stadtwerke Köln GmbH", "50667", "12.500,00 €", "16.700,50 €", "Parkplatz 2",
                 "DE*ABC*E12345", "Ökostrom.pdf", "Eingereicht"):
        assert text in page, text
    assert reverse("reports:point_edit", args=[report.pk, ChargingPoint.objects.first().pk]) not in page


def test_points_step_without_questions_counts_once_points_are_valid(client, report):
    post_step(client, report, "erfassung", {"method": "form"})
    add_point(client, report)
    check = client.get(check_url(report)).content.decode()
    assert "„Ladepunkte“ vervollständigen" not in check
    assert "„Kosten“ vervollständigen" in check


def test_cards_changed_from_the_check_page_lead_back_to_it(client, report):
    complete_all_steps(client, report)
    point = ChargingPoint.objects.first()
    cards = client.get(step_url(report, "ladepunkte", back_to_check=True)).content.decode()
    edit = reverse("reports:point_edit", args=[report.pk, point.pk]) + "?zur_pruefung=1"
    assert edit in cards
    response = client.post(edit, point_data(label="Neu"))
    assert response["Location"] == step_url(report, "ladepunkte", back_to_check=True)
    response = post_step(client, report, "ladepunkte", extra={"zur_pruefung": "1"})
    assert response["Location"] == check_url(report)


def test_submission_refused_when_the_application_was_withdrawn_meanwhile(client, report):
    complete_all_steps(client, report)
    report.application.kfw_status = "withdrawn"
    report.application.save()
    response = client.post(check_url(report), {"submit_report": "1"})
    assert response["Location"] == reverse("reports:detail", args=[report.pk])
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.site_city != "Köln"
    assert not ReportTransition.objects.filter(report=report, to_status="submitted").exists()


def test_submission_refused_when_withdrawn_during_the_request(client, report, monkeypatch):
    """KfW's withdrawal lands between the page check and the submission: the lifecycle
    refuses inside the transaction, and the answers written for it are rolled back."""
    from reports import commissioning

    complete_all_steps(client, report)
    original = commissioning.CommissioningWizard.save_answers

    def withdraw_meanwhile(self, report_, form_dict):
        original(self, report_, form_dict)
        type(report_.application).objects.filter(pk=report_.application_id).update(
            kfw_status="withdrawn"
        )

    monkeypatch.setattr(commissioning.CommissioningWizard, "save_answers", withdraw_meanwhile)
    response = client.post(check_url(report), {"submit_report": "1"})
    assert response.status_code == 400
    assert "zurückgezogen" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.site_city != "Köln"


def test_points_method_must_be_chosen(client, report):
    response = post_step(client, report, "erfassung", {})
    assert set(response.context["wizard"]["form"].errors) == {"method"}
    response = post_step(client, report, "erfassung", {"method": "fax"})
    assert "gültige Auswahl" in response.content.decode()


def test_draft_of_a_withdrawn_application_is_read_only(client, report):
    add_point(client, report)
    report.application.kfw_status = "withdrawn"
    report.application.save()
    detail = reverse("reports:detail", args=[report.pk])
    assert client.get(step_url(report, "standort"))["Location"] == detail
    assert post_step(client, report, "standort", SITE)["Location"] == detail
    assert add_point(client, report).status_code == 404
    page = client.get(detail).content.decode()
    assert "zurückgezogen" in page
    dashboard = client.get(reverse("applications:dashboard")).content.decode()
    assert "Inbetriebnahmemeldung ansehen" in dashboard
    assert ChargingPoint.objects.count() == 1


def test_change_that_switches_on_an_unanswered_step_leads_there_first(client, report):
    complete_all_steps(client, report)
    response = post_step(client, report, "erfassung", {"method": "upload"}, extra={"zur_pruefung": "1"})
    assert response["Location"] == step_url(report, "ladepunkte-liste", back_to_check=True)
    # The points entered one by one still count; continuing without a new list is enough.
    response = post_step(client, report, "ladepunkte-liste", extra={"zur_pruefung": "1"})
    assert response["Location"] == check_url(report)


def test_english_interface_accepts_the_same_date_and_number_spellings(client, report):
    client.cookies["django_language"] = "en"
    response = add_point(client, report, power_kw="3.7",
                         commissioning_date=days_ago(5).strftime("%d.%m.%Y"))
    assert response.status_code == 302
    response = post_step(client, report, "kosten", {**COSTS, "cost_hardware": "12,500.00"})
    assert response.status_code == 302
    page = client.get(step_url(report, "standort")).content.decode()
    assert "Step 1 of 5: Site" in page and "Save and continue later" in page


def test_point_list_without_rows_or_broken_is_refused_plainly(client, report):
    import io
    import zipfile

    post_step(client, report, "erfassung", {"method": "upload"})
    empty = post_step(client, report, "ladepunkte-liste",
                      files={"point_list": upload(point_list_xlsx([]), "leer.xlsx")})
    assert "enthält keine Ladepunkte" in empty.content.decode()

    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "kaputt")
    response = post_step(client, report, "ladepunkte-liste",
                         files={"point_list": upload(broken.getvalue(), "kaputt.xlsx")})
    assert "konnte nicht als Excel-Arbeitsmappe gelesen werden" in response.content.decode()
    assert not ChargingPoint.objects.exists() and not ReportFile.objects.exists()
