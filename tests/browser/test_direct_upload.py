"""Files sent straight to S3 in Chromium: the page refuses a file that is too large (or
none) before it leaves the browser, with the error at the field; a good file goes to S3
(moto's server on loopback), and S3 sends the browser back to the step, which lists it."""

import pytest
from playwright.sync_api import expect

from reports import uploads
from reports.models import ReportFileKind
from tests.applications.factories import PASSWORD, UserFactory
from tests.reports.factories import ReportFactory
from tests.reports.ops_helpers import PDF, accepted_application, step_url

from .support import check_page, new_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def direct_uploads(settings, s3_storage, s3_endpoint, monkeypatch):
    settings.MEDIA_BUCKET = s3_storage
    settings.AWS_S3_ENDPOINT_URL = s3_endpoint
    settings.DIRECT_UPLOADS = True
    settings.DIRECT_UPLOAD_URL = f"{s3_endpoint}/{s3_storage}/"
    policy = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": {
        **policy["DIRECTIVES"],
        "form-action": [*policy["DIRECTIVES"]["form-action"], settings.DIRECT_UPLOAD_URL]}}
    # A small limit, so that a file "too large" is small to make.
    rule = uploads.UPLOAD_RULES[ReportFileKind.INVOICE]
    monkeypatch.setitem(uploads.UPLOAD_RULES, ReportFileKind.INVOICE,
                        uploads.UploadRule(rule.types, uploads.MB))


def test_invoice_goes_to_s3_and_a_file_too_large_never_leaves_the_browser(
    live_server, browser, direct_uploads, tmp_path
):
    applicant = UserFactory()
    report = ReportFactory(application=accepted_application(applicant), final_proof=True)
    too_large = tmp_path / "Rechnung groß.pdf"
    too_large.write_bytes(PDF + b"%" * uploads.MB)
    good = tmp_path / "Rechnung 1.pdf"
    good.write_bytes(PDF)
    page = new_page(browser)
    sign_in(page, live_server.url, applicant.email, PASSWORD)
    page.goto(live_server.url + step_url(report, "rechnungen"))
    form = page.locator("form.portal-direct-upload")
    file_input = form.locator("input[type=file]")

    form.get_by_role("button", name="Rechnung hochladen").click()
    expect(form.locator("[data-direct-upload-error]")).to_have_text("Bitte wählen Sie zuerst eine Datei aus.")
    file_input.set_input_files(str(too_large))
    form.get_by_role("button", name="Rechnung hochladen").click()
    expect(form.locator("[data-direct-upload-error]")).to_have_text(
        "Die Datei ist größer als 1 MB. Bitte wählen Sie eine kleinere Datei.")
    expect(file_input).to_have_attribute("aria-invalid", "true")
    expect(file_input).to_be_focused()
    check_page(page, "direct-upload-too-large")
    assert not report.files.exists()

    file_input.set_input_files(str(good))
    with page.expect_navigation(url=f"**{step_url(report, 'rechnungen')}"):
        form.get_by_role("button", name="Rechnung hochladen").click()
    expect(page.locator("table.kern-table")).to_contain_text("Rechnung 1.pdf")
    check_page(page, "direct-upload-invoice-listed")
    assert list(report.files.values_list("original_name", flat=True)) == ["Rechnung 1.pdf"]
