"""With S3, files go from the browser straight to the bucket (a presigned POST; API
Gateway and Lambda take at most 6 MB a request): charging-process data, the proof of
renewable electricity, invoices. S3 sends the browser back to the portal, which checks
and keeps (or imports) the file. Real HTTP against moto's S3 server on loopback."""

import html
import re
from urllib.parse import urlsplit

import pytest
import requests
from django.urls import reverse

from reports.final_proof import MAX_INVOICES
from reports.models import ChargingProcessUpload, Report, ReportFile, ReportFileKind
from tests.applications.factories import FundingApplicationFactory, UserFactory

from .factories import ReportFactory

from .ops_helpers import PDF, PNG, accepted_application, csv_bytes, operation_report, step_url
from .wizard_helpers import days_ago

pytestmark = pytest.mark.django_db

ROWS = [
    ["Parkplatz 1", "01.03.2027 08:00", "01.03.2027 10:00", "30,5"],
    ["Schnelllader", "05.04.2027 12:00", "05.04.2027 12:20", "45,25"],
]
FORM = re.compile(r'<form class="portal-direct-upload" method="post" action="([^"]+)"(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@pytest.fixture
def direct_uploads(settings, s3_storage, s3_endpoint):
    settings.MEDIA_BUCKET = s3_storage
    settings.AWS_S3_ENDPOINT_URL = s3_endpoint
    settings.DIRECT_UPLOADS = True
    settings.DIRECT_UPLOAD_URL = f"{s3_endpoint}/{s3_storage}/"
    return s3_storage


@pytest.fixture
def applicant():
    return UserFactory()


@pytest.fixture
def report(applicant):
    return operation_report(accepted_application(applicant))


def s3_form(client, report, step="ladevorgaenge", query=""):
    page = client.get(step_url(report, step) + query)
    assert page.status_code == 200
    match = FORM.search(page.content.decode())
    assert match, "the step offers no form that posts to S3"
    fields = {name: html.unescape(value) for name, value in HIDDEN.findall(match.group(2))}
    return html.unescape(match.group(1)), fields, page.content.decode()


def send_to_s3(url, fields, name, content):
    """What the browser does: the form's fields, then the file, to S3; S3 answers 303."""
    response = requests.post(url, data=fields, files={"file": (name, content)},
                             allow_redirects=False, timeout=30)
    assert response.status_code == 303, response.text
    return response.headers["Location"]


def back_at_portal(client, location):
    parts = urlsplit(location)
    return client.get(f"{parts.path}?{parts.query}")


def test_step_posts_the_file_to_s3_not_to_the_portal(client, applicant, report, direct_uploads):
    client.force_login(applicant)
    url, fields, page = s3_form(client, report)

    assert url.endswith(f"/{direct_uploads}/")
    assert fields["x-amz-server-side-encryption"] == "AES256"
    assert fields["key"].startswith(f"incoming/{report.pk}/") and fields["key"].endswith("${filename}")
    assert "policy" in fields and "x-amz-signature" in fields
    # The wizard's own form carries no file input: nothing large reaches the Lambda.
    assert 'name="ladevorgaenge-charging_data"' not in page


def test_file_sent_to_s3_is_imported_and_the_incoming_object_removed(
    client, applicant, report, direct_uploads, s3_client
):
    client.force_login(applicant)
    url, fields, _ = s3_form(client, report)

    location = send_to_s3(url, fields, "Ladevorgänge 2027.csv", csv_bytes(ROWS))
    response = back_at_portal(client, location)

    assert response.status_code == 302
    assert response["Location"] == step_url(report, "ladevorgaenge")
    upload = ChargingProcessUpload.objects.get(report=report)
    assert (upload.row_count, upload.error_count) == (2, 0)
    assert upload.file.original_name == "Ladevorgänge 2027.csv"
    keys = [o["Key"] for o in s3_client.list_objects_v2(Bucket=direct_uploads).get("Contents", [])]
    assert keys == [upload.file.file.name]  # kept under a random name; incoming/ is empty
    page = client.get(response["Location"]).content.decode()
    assert "Ladevorgänge 2027.csv" in page and "Schnelllader" in page

    # With the data in, "continue" needs no file.
    response = client.post(step_url(report, "ladevorgaenge"), {"wizard_next": "1"})
    assert response.status_code == 302
    assert response["Location"] == step_url(report, "verfuegbarkeit")


def test_rows_with_errors_are_shown_by_row_and_change_nothing(client, applicant, report, direct_uploads):
    client.force_login(applicant)
    url, fields, _ = s3_form(client, report)
    bad = [["Parkplatz 1", "01.03.2027 10:00", "01.03.2027 08:00", "5"]]  # ends before it starts

    back_at_portal(client, send_to_s3(url, fields, "fehler.csv", csv_bytes(bad)))

    assert not report.session_summaries.exists()
    page = client.get(step_url(report, "ladevorgaenge")).content.decode()
    assert "fehler.csv" in page and "<th scope=\"row\">2</th>" in page


def test_a_file_that_is_no_data_is_refused_with_a_message(client, applicant, report, direct_uploads, s3_client):
    client.force_login(applicant)
    url, fields, _ = s3_form(client, report)

    response = back_at_portal(client, send_to_s3(url, fields, "daten.csv", PDF))
    page = client.get(response["Location"]).content.decode()

    assert "Die Datei „daten.csv“ hat kein erlaubtes Format" in page
    assert not ReportFile.objects.filter(report=report).exists()
    assert "Contents" not in s3_client.list_objects_v2(Bucket=direct_uploads)


def test_the_same_return_link_twice_imports_once(client, applicant, report, direct_uploads):
    client.force_login(applicant)
    url, fields, _ = s3_form(client, report)
    location = send_to_s3(url, fields, "daten.csv", csv_bytes(ROWS))

    back_at_portal(client, location)
    response = back_at_portal(client, location)

    assert ChargingProcessUpload.objects.filter(report=report).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "wurde nicht gefunden" in page


def test_a_return_link_of_another_applicant_is_refused(client, applicant, report, direct_uploads):
    client.force_login(applicant)
    url, fields, _ = s3_form(client, report)
    location = send_to_s3(url, fields, "daten.csv", csv_bytes(ROWS))
    other = UserFactory()
    other_report = operation_report(accepted_application(other))

    # Another applicant cannot use it on this report (404), nor on their own (refused).
    client.force_login(other)
    parts = urlsplit(location)
    assert client.get(f"{parts.path}?{parts.query}").status_code == 404
    foreign = reverse("reports:operation_upload_received", args=[other_report.pk, "ladevorgaenge", "charging_data"])
    response = client.get(f"{foreign}?{parts.query}")
    assert "gehört nicht zu diesem Bericht" in client.get(response["Location"]).content.decode()
    assert not ChargingProcessUpload.objects.exists()


def test_continue_without_data_points_the_error_summary_at_the_s3_file_input(
    client, applicant, report, direct_uploads
):
    client.force_login(applicant)

    page = client.post(step_url(report, "ladevorgaenge"), {"wizard_next": "1"}).content.decode()

    field_id = "id_ladevorgaenge-charging_data"
    assert f'href="#{field_id}"' in page
    assert FORM.search(page) and f'type="file" name="file" id="{field_id}"' in page


def test_without_s3_the_file_goes_through_the_wizard_form(client, applicant, report):
    client.force_login(applicant)
    page = client.get(step_url(report, "ladevorgaenge")).content.decode()
    assert "portal-direct-upload" not in page
    assert 'name="ladevorgaenge-charging_data"' in page
    received = reverse("reports:operation_upload_received", args=[report.pk, "ladevorgaenge", "charging_data"])
    assert client.get(received).status_code == 404


# --- The proof of renewable electricity and the invoices -------------------------------


@pytest.fixture
def final_proof(applicant):
    return ReportFactory(application=accepted_application(applicant), final_proof=True)


def test_proof_sent_to_s3_is_kept_with_the_draft_and_the_step_then_completes(
    client, applicant, direct_uploads, s3_client
):
    application = FundingApplicationFactory(owner=applicant, approval_date=days_ago(100))
    client.force_login(applicant)
    client.post(reverse("reports:start", args=[application.pk, "commissioning", 0]))
    report = Report.objects.get(application=application)

    url, fields, page = s3_form(client, report, "strom")
    assert 'name="strom-renewable_proof"' not in page and 'name="strom-renewable_electricity"' in page
    response = back_at_portal(client, send_to_s3(url, fields, "Vertrag Ökostrom.pdf", PDF))

    assert response["Location"] == step_url(report, "strom")
    proof = ReportFile.objects.get(report=report, kind=ReportFileKind.RENEWABLE_PROOF)
    assert (proof.original_name, proof.size) == ("Vertrag Ökostrom.pdf", len(PDF))
    keys = [o["Key"] for o in s3_client.list_objects_v2(Bucket=direct_uploads)["Contents"]]
    assert keys == [proof.file.name]  # kept under a random name; incoming/ is empty
    assert "Vertrag Ökostrom.pdf" in client.get(step_url(report, "strom")).content.decode()
    # The step's own form now completes without a file.
    response = client.post(step_url(report, "strom"), {"strom-renewable_electricity": "on",
                                                       "wizard_next": "1"})
    assert response.status_code == 302 and response["Location"] == step_url(report, "kosten")

    # A second proof replaces the first; a wrong file changes nothing and says why.
    url, fields, _ = s3_form(client, report, "strom")
    back_at_portal(client, send_to_s3(url, fields, "neu.png", PNG))
    url, fields, _ = s3_form(client, report, "strom")
    response = back_at_portal(client, send_to_s3(url, fields, "bild.pdf", b"GIF89a not a pdf"))
    page = client.get(response["Location"]).content.decode()
    assert "Die Datei „bild.pdf“ hat kein erlaubtes Format" in page
    assert list(report.files.values_list("original_name", flat=True)) == ["neu.png"]


def test_continue_without_an_invoice_points_the_error_at_the_s3_file_input(
    client, applicant, final_proof, direct_uploads
):
    client.force_login(applicant)
    page = client.post(step_url(final_proof, "rechnungen"), {"wizard_next": "1"}).content.decode()

    field_id = "id_rechnungen-invoices"
    assert "Bitte laden Sie mindestens eine Rechnung hoch." in page
    assert f'href="#{field_id}"' in page and f'type="file" name="file" id="{field_id}"' in page
    # Each invoice goes on its own: no "upload and add more" in the step's form.
    assert 'name="wizard_stay"' not in page


def test_invoices_are_sent_one_by_one_and_the_maximum_holds(
    client, applicant, final_proof, direct_uploads, monkeypatch
):
    client.force_login(applicant)
    monkeypatch.setattr("reports.final_proof.MAX_INVOICES", 2)
    for name in ("Rechnung 1.pdf", "Rechnung 2.pdf", "Rechnung 3.pdf"):
        url, fields, _ = s3_form(client, final_proof, "rechnungen", query="?zur_pruefung=1")
        response = back_at_portal(client, send_to_s3(url, fields, name, PDF))
        # Back to the step, still on the way back to the check page.
        assert response["Location"] == step_url(final_proof, "rechnungen") + "?zur_pruefung=1"

    names = sorted(final_proof.files.values_list("original_name", flat=True))
    assert names == ["Rechnung 1.pdf", "Rechnung 2.pdf"]
    page = client.get(response["Location"]).content.decode()
    assert "Sie können höchstens 2 Rechnungen hochladen" in page
    assert MAX_INVOICES == 50  # the real limit is untouched outside this test


def test_files_of_a_step_without_direct_uploads_still_go_through_the_portal(
    client, applicant, final_proof, direct_uploads
):
    client.force_login(applicant)
    received = reverse("reports:final_proof_upload_received",
                       args=[final_proof.pk, "sachbericht", "factual_report"])
    assert client.get(received).status_code == 404
