"""The final proof of use wizard end to end through the test client."""

from decimal import Decimal

import pytest
from django.urls import reverse

from reports.models import ReportFile, ReportFileKind, ReportStatus
from tests.applications.factories import UserFactory

from .factories import ReportFactory
from .ops_helpers import PDF, PNG, accepted_application, check_url, post_step, step_url, upload

pytestmark = pytest.mark.django_db

COSTS = {"cost_hardware": "12.000,00", "cost_installation": "4.000", "cost_grid_connection": "1500",
         "cost_other": "250,50"}  # 17.750,50 € ≤ 20.000 € approved


@pytest.fixture
def applicant():
    return UserFactory()


@pytest.fixture
def report(client, applicant):
    client.force_login(applicant)
    return ReportFactory(application=accepted_application(applicant), final_proof=True)


def add_invoices(client, report, *files, action="wizard_stay"):
    return post_step(client, report, "rechnungen", files={"invoices": list(files)}, action=action)


def complete(client, report, funding="no"):
    assert post_step(client, report, "kosten", COSTS)["Location"] == step_url(report, "foerderung")
    response = post_step(client, report, "foerderung", {"other_public_funding_received": funding})
    if funding == "yes":
        assert response["Location"] == step_url(report, "foerderung-details")
        response = post_step(client, report, "foerderung-details", {
            "other_public_funding_amount": "2.500", "other_public_funding_source": "Land NRW"})
    assert response["Location"] == step_url(report, "rechnungen")
    assert add_invoices(client, report, upload(PDF, "Rechnung 1.pdf"), upload(PDF, "Rechnung 2.pdf"),
                        action="wizard_next")["Location"] == step_url(report, "sachbericht")
    assert post_step(client, report, "sachbericht", {
        "factual_report": "Zwei Ladepunkte gebaut, laufen seit Juni."})["Location"] == step_url(
        report, "erklaerung")
    assert post_step(client, report, "erklaerung", {"declaration_confirmed": "on"})[
        "Location"] == check_url(report)


def test_full_run_without_other_funding(client, report):
    first = client.get(step_url(report, "kosten")).content.decode()
    assert "Schritt 1 von 5: Tatsächliche Kosten" in first
    assert "20.000,00 €" in first  # the approved amount
    complete(client, report)
    check = client.get(check_url(report)).content.decode()
    assert "17.750,50 €" in check and "2 Rechnungen" in check and "Rechnung 2.pdf" in check
    assert "Angaben zur weiteren Förderung" not in check
    response = client.post(check_url(report), {"submit_report": "1"})
    assert response["Location"] == reverse("reports:confirmation", args=[report.pk])
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.total_cost == Decimal("17750.50")
    assert report.other_public_funding_received is False
    assert report.other_public_funding_amount is None
    assert report.factual_report == "Zwei Ladepunkte gebaut, laufen seit Juni."
    assert report.declaration_confirmed is True
    assert report.files.filter(kind=ReportFileKind.INVOICE).count() == 2


def test_the_funding_details_step_appears_only_after_yes(client, report):
    post_step(client, report, "kosten", COSTS)
    post_step(client, report, "foerderung", {"other_public_funding_received": "yes"})
    page = client.get(step_url(report, "foerderung-details")).content.decode()
    assert "Schritt 3 von 6: Angaben zur weiteren Förderung" in page
    complete(client, report, funding="yes")
    client.post(check_url(report), {"submit_report": "1"})
    report.refresh_from_db()
    assert (report.other_public_funding_amount, report.other_public_funding_source) == (
        Decimal("2500.00"), "Land NRW")
    # Going back from the invoices step after "no" skips the details step.


def test_back_from_invoices_skips_the_details_after_no_and_shows_them_after_yes(client, report):
    post_step(client, report, "kosten", COSTS)
    post_step(client, report, "foerderung", {"other_public_funding_received": "no"})
    assert post_step(client, report, "rechnungen", action="wizard_back")["Location"] == step_url(
        report, "foerderung")
    assert client.get(step_url(report, "foerderung-details"))["Location"] == step_url(report, "kosten")
    post_step(client, report, "foerderung", {"other_public_funding_received": "yes"})
    assert post_step(client, report, "rechnungen", action="wizard_back")["Location"] == step_url(
        report, "foerderung-details")


def test_funding_details_are_validated(client, report):
    post_step(client, report, "foerderung", {"other_public_funding_received": "yes"})
    response = post_step(client, report, "foerderung-details", {
        "other_public_funding_amount": "0", "other_public_funding_source": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Bitte geben Sie den erhaltenen Betrag an: mehr als 0 €." in page
    assert "Beantworten Sie die Frage „Von wem haben Sie sie erhalten?“" in page


def test_funding_question_must_be_answered(client, report):
    response = post_step(client, report, "foerderung", {})
    assert response.status_code == 200


def test_costs_above_the_approved_amount_need_an_explicit_confirmation(client, report):
    above = dict(COSTS, cost_hardware="15.000")  # 20.750,50 € > 20.000 €
    response = post_step(client, report, "kosten", above)
    assert response.status_code == 200
    assert ("Die Summe von 20.750,50 € liegt 750,50 € über dem bewilligten Betrag von "
            "20.000,00 €. Die Förderung wird nicht erhöht.") in response.content.decode()
    response = post_step(client, report, "kosten", dict(above, confirm_above_approved="on"))
    assert response["Location"] == step_url(report, "foerderung")
    complete_rest = [("foerderung", {"other_public_funding_received": "no"})]
    for step, data in complete_rest:
        post_step(client, report, step, data)
    add_invoices(client, report, upload(PDF, "r.pdf"), action="wizard_next")
    post_step(client, report, "sachbericht", {"factual_report": "Fertig."})
    post_step(client, report, "erklaerung", {"declaration_confirmed": "on"})
    check = client.get(check_url(report)).content.decode()
    assert "Über dem bewilligten Betrag (von Ihnen bestätigt)" in check and "750,50 €" in check


@pytest.mark.parametrize(("data", "message"), [
    (dict(COSTS, cost_hardware="0", cost_installation="0", cost_grid_connection="0", cost_other="0"),
     "Die Summe kann nicht 0 € sein."),
    (dict(COSTS, cost_hardware="-5"), "Geben Sie einen Betrag von 0 € oder mehr an."),
    (dict(COSTS, cost_hardware="zwölf"), "Geben Sie den Betrag als Zahl an, zum Beispiel 1.234,56."),
    (dict(COSTS, cost_other=""), "Geben Sie „Sonstige Kosten“ an."),
    (dict(COSTS, cost_other="1234567890123"), "Dieser Betrag ist zu hoch. Bitte prüfen Sie ihn."),
    (dict(COSTS, cost_other="1,234"), "höchstens zwei Stellen nach dem Komma"),
])
def test_cost_rules(client, report, data, message):
    response = post_step(client, report, "kosten", data)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_several_invoices_added_and_one_removed(client, report):
    assert add_invoices(client, report, upload(PDF, "A.pdf"))["Location"] == step_url(report, "rechnungen")
    add_invoices(client, report, upload(PDF, "B.pdf"), upload(PDF, "C.pdf"))
    page = client.get(step_url(report, "rechnungen")).content.decode()
    assert "3 Rechnungen hochgeladen" in page
    invoice_b = ReportFile.objects.get(report=report, original_name="B.pdf")
    stored_name = invoice_b.file.name
    response = client.post(reverse("reports:invoice_remove", args=[report.pk, invoice_b.pk]))
    assert response["Location"] == step_url(report, "rechnungen")
    assert sorted(report.files.values_list("original_name", flat=True)) == ["A.pdf", "C.pdf"]
    assert not invoice_b.file.storage.exists(stored_name)
    assert "Die Rechnung „B.pdf“ wurde entfernt." in client.get(response["Location"]).content.decode()
    # "Continue" without a new file: the invoices uploaded count.
    assert post_step(client, report, "rechnungen")["Location"] == step_url(report, "sachbericht")


def test_at_least_one_invoice_is_required(client, report):
    response = post_step(client, report, "rechnungen")
    assert "Bitte laden Sie mindestens eine Rechnung hoch." in response.content.decode()
    response = add_invoices(client, report)
    assert "Bitte wählen Sie eine oder mehrere PDF-Dateien zum Hochladen aus." in response.content.decode()


@pytest.mark.parametrize(("content", "name"), [(PNG, "rechnung.pdf"), (b"MZ\x90\x00exe", "rechnung.pdf"),
                                               (b"Rechnung als Text", "rechnung.pdf")])
def test_a_wrong_file_renamed_to_pdf_is_refused_and_nothing_is_kept(client, report, content, name):
    response = add_invoices(client, report, upload(PDF, "gut.pdf"), upload(content, name))
    assert response.status_code == 200
    assert "„rechnung.pdf“ hat kein erlaubtes Format. Erlaubt: PDF." in response.content.decode()
    assert not report.files.exists()


def test_an_oversized_invoice_is_refused(client, report, monkeypatch):
    from reports import uploads

    monkeypatch.setitem(uploads.UPLOAD_RULES, ReportFileKind.INVOICE,
                        uploads.UploadRule((uploads.PDF,), 20))
    response = add_invoices(client, report, upload(PDF, "gross.pdf"))
    assert "„gross.pdf“ ist größer als" in response.content.decode()
    assert not report.files.exists()


def test_an_invoice_chosen_before_going_back_is_kept(client, report):
    response = add_invoices(client, report, upload(PDF, "vorher.pdf"), action="wizard_back")
    assert response.status_code == 302
    assert list(report.files.values_list("original_name", flat=True)) == ["vorher.pdf"]


def test_factual_report_is_required_and_limited(client, report):
    assert post_step(client, report, "sachbericht", {"factual_report": ""}).status_code == 200
    response = post_step(client, report, "sachbericht", {"factual_report": "x" * 4001})
    assert response.status_code == 200
    assert "4000" in response.content.decode()


def test_declaration_is_required(client, report):
    response = post_step(client, report, "erklaerung", {})
    assert "Bitte bestätigen Sie, dass die Angaben richtig und vollständig sind" in response.content.decode()


def test_interrupt_and_resume(client, report, applicant):
    post_step(client, report, "kosten", COSTS)
    post_step(client, report, "foerderung", {"other_public_funding_received": "yes"})
    response = post_step(client, report, "foerderung-details",
                         {"other_public_funding_amount": "1.000", "other_public_funding_source": ""},
                         action="wizard_save")
    assert response["Location"] == reverse("applications:dashboard")
    from django.test import Client

    other = Client()
    other.force_login(applicant)
    resume = other.get(reverse("reports:final_proof", args=[report.pk]))
    assert resume["Location"] == step_url(report, "foerderung-details")
    assert 'value="1.000"' in other.get(resume["Location"]).content.decode()
    assert 'value="12.000,00"' in other.get(step_url(report, "kosten")).content.decode()


def test_submit_refused_until_complete(client, report):
    post_step(client, report, "kosten", COSTS)
    response = client.post(check_url(report), {"submit_report": "1"})
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_another_applicant_gets_404_everywhere(client, report):
    add_invoices(client, report, upload(PDF, "A.pdf"))
    invoice = report.files.get()
    client.force_login(UserFactory())
    urls = [reverse("reports:final_proof", args=[report.pk]), check_url(report)] + [
        step_url(report, step) for step in
        ("kosten", "foerderung", "foerderung-details", "rechnungen", "sachbericht", "erklaerung")]
    for url in urls:
        assert client.get(url).status_code == 404
        assert client.post(url, {"submit_report": "1"}).status_code == 404
    remove = reverse("reports:invoice_remove", args=[report.pk, invoice.pk])
    assert client.post(remove).status_code == 404
    assert add_invoices(client, report, upload(PDF, "fremd.pdf")).status_code == 404
    assert list(report.files.values_list("original_name", flat=True)) == ["A.pdf"]


def test_invoices_of_a_submitted_report_cannot_be_removed(client, report):
    add_invoices(client, report, upload(PDF, "A.pdf"))
    report.status = ReportStatus.SUBMITTED
    report.save()
    invoice = report.files.get()
    assert client.post(reverse("reports:invoice_remove", args=[report.pk, invoice.pk])).status_code == 404
    assert client.get(reverse("reports:invoice_remove", args=[report.pk, invoice.pk])).status_code == 405
    assert report.files.count() == 1


def test_invoices_of_a_withdrawn_applications_draft_cannot_be_removed(client, report):
    """The wizard shows such a draft read-only; removing its invoice is refused too."""
    from applications.models import KfwStatus

    add_invoices(client, report, upload(PDF, "A.pdf"))
    report.application.kfw_status = KfwStatus.WITHDRAWN
    report.application.save()
    invoice = report.files.get()
    assert client.post(reverse("reports:invoice_remove", args=[report.pk, invoice.pk])).status_code == 404
    assert report.files.count() == 1


def test_the_invoice_field_is_marked_optional_only_once_there_is_an_invoice(client, report):
    """The step refuses to go on without an invoice, so its field must not say
    "optional" then, though the form field may be empty once one is uploaded."""
    optional = 'Rechnungen hinzufügen (PDF) <span class="kern-label__optional">– optional</span>'
    assert "Rechnungen hinzufügen (PDF)" in client.get(step_url(report, "rechnungen")).content.decode()
    assert optional not in client.get(step_url(report, "rechnungen")).content.decode()
    add_invoices(client, report, upload(PDF, "A.pdf"))
    assert optional in client.get(step_url(report, "rechnungen")).content.decode()
