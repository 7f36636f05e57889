"""The caseworkers' door: upload → preview (a dry run) → confirm or cancel; the imports
list and detail; an application's change history."""

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.urls import reverse

from applications.models import FundingApplication
from kfw_import.models import ImportRun, ImportStatus
from kfw_import.workbooks import valid_row
from tests.applications.factories import CaseworkerFactory, UserFactory

from .conftest import workbook_bytes

pytestmark = pytest.mark.django_db

UPLOAD = "admin:kfw_import_importrun_upload"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def caseworker_client(client):
    client.force_login(CaseworkerFactory())
    return client


def xlsx(rows, name="Zusagen März.xlsx"):
    buffer = workbook_bytes(rows)
    buffer.name = name
    return buffer


def preview(client, rows):
    return client.post(reverse(UPLOAD), {"workbook": xlsx(rows)})


def test_caseworker_sees_a_preview_and_nothing_changes_yet(caseworker_client):
    FundingApplication.objects.create(**{
        "kfw_number": "4400000002", "program": "440", "applicant_name": "Alte Firma Vorher GmbH",
        "contact_last_name": "X", "email": "x@example.org", "street": "S", "house_number": "1",
        "postal_code": "01067", "city": "Dresden", "approved_charging_points": 1,
        "approved_amount": 1, "approval_date": "2026-01-01"})

    response = preview(caseworker_client, [valid_row(1), valid_row(2), valid_row(3, PLZ="ABCDE"),
                                           valid_row(4, Antragsteller=SCRIPT)])

    assert response.status_code == 200
    html = response.content.decode()
    assert "4400000001" in html  # created
    assert "Alte Firma Vorher GmbH" in html and valid_row(2)["Antragsteller"] in html  # updated: old and new
    assert "ABCDE" not in html and "5 Ziffern" in html  # rejected with its reason
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and SCRIPT not in html
    assert 'name="confirm"' in html and 'name="cancel"' in html
    assert FundingApplication.objects.count() == 1
    assert not ImportRun.objects.exists()
    assert mail.outbox == []


def test_confirm_imports_the_previewed_file(caseworker_client, django_capture_on_commit_callbacks):
    response = preview(caseworker_client, [valid_row(1), valid_row(2)])
    sha256 = response.context["preview"].sha256
    assert default_storage.exists(f"kfw-imports/{sha256}.xlsx")  # kept between the steps

    with django_capture_on_commit_callbacks(execute=True):
        response = caseworker_client.post(reverse(UPLOAD), {
            "sha256": sha256, "file_name": "Zusagen März.xlsx", "confirm": "1"})

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:kfw_import_importrun_change", args=[run.pk])
    assert (run.status, run.created, run.source, run.file_name) == (
        ImportStatus.IMPORTED, 2, "admin", "Zusagen März.xlsx")
    assert run.user.is_staff
    assert FundingApplication.objects.count() == 2
    assert len(mail.outbox) == 2


def test_cancel_imports_nothing_and_forgets_the_file(caseworker_client):
    response = preview(caseworker_client, [valid_row(1)])
    sha256 = response.context["preview"].sha256

    response = caseworker_client.post(reverse(UPLOAD), {
        "sha256": sha256, "file_name": "x.xlsx", "cancel": "1"}, follow=True)

    assert response.status_code == 200
    assert not FundingApplication.objects.exists() and not ImportRun.objects.exists()
    assert not default_storage.exists(f"kfw-imports/{sha256}.xlsx")


def test_confirm_with_a_forged_hash_is_refused(caseworker_client):
    response = caseworker_client.post(reverse(UPLOAD), {
        "sha256": "../../settings", "file_name": "x.xlsx", "confirm": "1"})

    assert response.status_code == 302 and response["Location"] == reverse(UPLOAD)
    assert not ImportRun.objects.exists()


def test_file_rejected_as_a_whole_shows_why_and_offers_no_confirm(caseworker_client):
    # The same bytes twice: a workbook written a second later differs (its timestamps).
    content = workbook_bytes([valid_row(1)]).getvalue()
    response = caseworker_client.post(reverse(UPLOAD), {"workbook": _named(content, "a.xlsx")})
    caseworker_client.post(reverse(UPLOAD), {"sha256": response.context["preview"].sha256,
                                             "file_name": "a.xlsx", "confirm": "1"})
    bad = caseworker_client.post(reverse(UPLOAD), {"workbook": _named(b"kein Excel", "b.xlsx")})
    again = caseworker_client.post(reverse(UPLOAD), {"workbook": _named(content, "c.xlsx")})

    assert "xlsx" in bad.content.decode() and 'name="confirm"' not in bad.content.decode()
    assert "bereits" in again.content.decode() and 'name="confirm"' not in again.content.decode()


def _named(data, name):
    import io

    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


def test_import_list_and_read_only_detail_with_rejected_rows(caseworker_client):
    from kfw_import.importer import import_workbook

    run = import_workbook(xlsx([valid_row(1), valid_row(2, **{"E-Mail": SCRIPT})]),
                          file_name="liste.xlsx", source="command")

    listing = caseworker_client.get(reverse("admin:kfw_import_importrun_changelist"))
    detail = caseworker_client.get(reverse("admin:kfw_import_importrun_change", args=[run.pk]))

    assert listing.status_code == 200 and "liste.xlsx" in listing.content.decode()
    # KfW's words for the counts ("angelegt", "storniert"), as the messages say them,
    # not the "Erstellt"/"Zurückgezogen" of other catalogues.
    assert "Angelegt" in listing.content.decode() and "Storniert" in listing.content.decode()
    assert "0:00:" not in detail.content.decode()  # the duration in seconds, not a timedelta
    assert "Zurückgezogen" not in listing.content.decode()
    assert "Nach Beginn" in listing.content.decode()  # the date filter's heading
    html = detail.content.decode()
    # The run's name gives its start in local time, as the page's "started at" does.
    from django.utils import formats, timezone

    local = formats.date_format(timezone.localtime(run.started_at), "SHORT_DATETIME_FORMAT")
    assert f"liste.xlsx ({local})" in html
    assert detail.status_code == 200
    assert "E-Mail" in html and "keine gültige E-Mail-Adresse" in html
    assert 'name="_save"' not in html  # read-only
    assert caseworker_client.post(
        reverse("admin:kfw_import_importrun_delete", args=[run.pk]), {"post": "yes"}
    ).status_code == 403


def test_application_page_shows_its_history_from_imports_escaped(caseworker_client):
    from kfw_import.importer import import_workbook

    import_workbook(xlsx([valid_row(1)]), file_name="erst.xlsx", source="command")
    import_workbook(xlsx([valid_row(1, Ort=SCRIPT)]), file_name="dann.xlsx", source="command")
    application = FundingApplication.objects.get()

    response = caseworker_client.get(
        reverse("admin:applications_fundingapplication_change", args=[application.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Änderungen durch KfW-Importe" in html
    assert "dann.xlsx" in html and valid_row(1)["Ort"] in html
    assert "&lt;script&gt;" in html and SCRIPT not in html


def test_application_page_shows_which_imports_created_and_last_held_it_read_only(
        caseworker_client):
    from kfw_import.importer import import_workbook

    first = import_workbook(xlsx([valid_row(1)]), file_name="erst.xlsx", source="command")
    last = import_workbook(xlsx([valid_row(2), valid_row(1, Ort="Neu")]), file_name="dann.xlsx",
                           source="command")
    application = FundingApplication.objects.get(kfw_number=valid_row(1)["Antragsnummer"])

    response = caseworker_client.get(
        reverse("admin:applications_fundingapplication_change", args=[application.pk]))

    html = response.content.decode()
    assert "Angelegt durch Import" in html and "Letzter Import" in html
    assert "Zeile im letzten Import" in html
    for run in (first, last):
        assert reverse("admin:kfw_import_importrun_change", args=[run.pk]) in html
    assert '<div class="readonly">3</div>' in html  # its row in dann.xlsx
    for field in ("created_by_import", "last_import", "last_import_row"):
        assert f'name="{field}"' not in html


def test_applicant_cannot_upload(client):
    client.force_login(UserFactory())
    response = client.get(reverse(UPLOAD))
    assert response.status_code == 302 and "login" in response["Location"]


def test_caseworker_without_mfa_cannot_upload(client):
    client.force_login(CaseworkerFactory(totp=False))
    response = client.post(reverse(UPLOAD), {"workbook": xlsx([valid_row(1)])})
    assert response.status_code == 302
    assert not FundingApplication.objects.exists()


def test_staff_without_the_import_permission_cannot_upload_or_confirm(client):
    """A staff member (with two factors) who may only look at the imports."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_importrun"))
    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)

    listing = client.get(reverse("admin:kfw_import_importrun_changelist"))
    upload = client.post(reverse(UPLOAD), {"workbook": xlsx([valid_row(1)])})
    confirm = client.post(reverse(UPLOAD), {"sha256": "0" * 64, "file_name": "x.xlsx", "confirm": "1"})

    assert listing.status_code == 200
    assert upload.status_code == 403 and confirm.status_code == 403
    assert not FundingApplication.objects.exists() and not ImportRun.objects.exists()


def test_formula_cell_is_shown_as_text_in_the_preview(caseworker_client):
    formula = '=HYPERLINK("http://evil.example/?a=1&b=2","Klick")'

    response = preview(caseworker_client, [valid_row(1, Antragsteller=formula)])

    html = response.content.decode()
    assert "=HYPERLINK(&quot;http://evil.example/?a=1&amp;b=2&quot;,&quot;Klick&quot;)" in html
    assert 'href="http://evil.example' not in html


def test_an_imports_page_leads_to_the_applications_it_changed(caseworker_client):
    """Not only "28 changed values": which applications, which field, from what to what."""
    from kfw_import.importer import import_workbook

    import_workbook(xlsx([valid_row(1), valid_row(2)], name="erste.xlsx"), file_name="erste.xlsx",
                    source="command")
    changed = import_workbook(xlsx([valid_row(1, Ort="Bautzen"), valid_row(2)], name="zweite.xlsx"),
                              file_name="zweite.xlsx", source="command")
    detail = caseworker_client.get(
        reverse("admin:kfw_import_importrun_change", args=[changed.pk])).content.decode()
    listing_url = reverse("admin:kfw_import_applicationchange_changelist") + f"?run__id__exact={changed.pk}"
    assert listing_url.replace("&", "&amp;") in detail or listing_url in detail
    listing = caseworker_client.get(listing_url)
    assert listing.status_code == 200
    html = listing.content.decode()
    number = FundingApplication.objects.get(city="Bautzen").kfw_number
    assert number in html and "Bautzen" in html and "Ort" in html
    assert FundingApplication.objects.exclude(city="Bautzen").get().kfw_number not in html
    assert "delete_selected" not in html  # the import's record: read-only


def test_a_long_preview_says_it_lists_only_the_first(caseworker_client, monkeypatch):
    monkeypatch.setattr("kfw_import.importer.PREVIEW_LIMIT", 2)
    html = preview(caseworker_client, [valid_row(1), valid_row(2), valid_row(3)]).content.decode()
    assert "Hier stehen die ersten 2 von 3; importiert werden alle." in html
    assert "von 3;" in html and html.count("Hier stehen die ersten") == 1  # only where cut
