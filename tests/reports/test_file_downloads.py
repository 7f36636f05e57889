"""Report files only through the permission-checking view: streamed locally, a short-lived
presigned redirect on S3; anyone but the applicant and caseworkers gets a 404."""

import urllib.parse
import urllib.request

import pytest
from django.urls import reverse

from reports.downloads import PRESIGNED_URL_SECONDS
from tests.applications.factories import CaseworkerFactory, UserFactory

from .factories import PDF_BYTES, ReportFactory, ReportFileFactory

pytestmark = pytest.mark.django_db

UMLAUT_NAME = "Ökostrom-Nachweis März.pdf"


def url(report_file):
    return reverse("reports:file_download", args=[report_file.pk])


@pytest.fixture
def report_file():
    return ReportFileFactory(original_name=UMLAUT_NAME)


def owner_of(report_file):
    return report_file.report.application.owner


def test_applicant_downloads_own_file_as_attachment_with_original_name(client, report_file):
    client.force_login(owner_of(report_file))

    response = client.get(url(report_file))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%C3%96kostrom-Nachweis%20M%C3%A4rz.pdf" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    # The stored name is random and not the applicant's.
    assert "Ökostrom" not in report_file.file.name and report_file.file.name.endswith(".pdf")


def test_another_applicant_gets_404(client, report_file):
    other_report = ReportFactory()
    client.force_login(other_report.application.owner)
    assert client.get(url(report_file)).status_code == 404


def test_applicant_without_any_application_gets_404_and_missing_file_is_404(client, report_file):
    client.force_login(UserFactory())
    assert client.get(url(report_file)).status_code == 404
    client.force_login(owner_of(report_file))
    assert client.get(reverse("reports:file_download", args=[report_file.pk + 1000])).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, report_file):
    response = client.get(url(report_file))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_caseworker_with_mfa_downloads_any_file(client, report_file):
    client.force_login(CaseworkerFactory())
    response = client.get(url(report_file))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_staff_without_mfa_or_without_permission_gets_404(client, report_file):
    client.force_login(CaseworkerFactory(totp=False))
    assert client.get(url(report_file)).status_code == 404
    no_permission = CaseworkerFactory()
    no_permission.groups.clear()
    client.force_login(no_permission)
    assert client.get(url(report_file)).status_code == 404


def test_report_page_links_files_through_the_view(client, report_file):
    report = report_file.report
    report.status = "submitted"
    report.save()
    client.force_login(owner_of(report_file))
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert url(report_file) in html


def test_s3_download_redirects_to_a_short_lived_presigned_url(client, s3_storage, s3_client, s3_endpoint):
    report_file = ReportFileFactory(original_name=UMLAUT_NAME)
    # The file really is in the bucket, under its random name.
    stored = s3_client.get_object(Bucket=s3_storage, Key=report_file.file.name)
    assert stored["Body"].read() == PDF_BYTES
    client.force_login(owner_of(report_file))

    response = client.get(url(report_file))

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{s3_endpoint}/{s3_storage}/{report_file.file.name}?")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    assert query["X-Amz-Expires"] == [str(PRESIGNED_URL_SECONDS)]
    assert "X-Amz-Signature" in query
    assert query["response-content-disposition"][0].startswith("attachment;")
    assert "%C3%96kostrom" in query["response-content-disposition"][0]
    assert response["X-Content-Type-Options"] == "nosniff"

    # Following the link (a real HTTP request to the S3 server) gives the file.
    with urllib.request.urlopen(location) as s3_response:
        assert s3_response.read() == PDF_BYTES
        assert s3_response.headers["Content-Disposition"].startswith("attachment;")


def test_s3_download_is_404_for_another_applicant(client, s3_storage):
    report_file = ReportFileFactory()
    client.force_login(ReportFactory().application.owner)
    assert client.get(url(report_file)).status_code == 404
