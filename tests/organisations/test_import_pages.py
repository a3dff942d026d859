import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from respond.core.models import AuditLog
from respond.organisations.models import Organisation
from tests.organisations.conftest import ODS_DIR, TEST_DATA, database_state, ods_file, ods_line

pytestmark = pytest.mark.django_db
URL = "/organisations/import/"


def upload(path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def test_csoc_sees_both_upload_forms(signed_in, csoc):
    response = signed_in(csoc).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'name="ods_files"' in page
    assert " multiple" in page
    assert 'name="mandated_list"' in page
    assert "nhsuk-file-upload" in page


@pytest.mark.parametrize("user", ["alice", "bob", "auditor"])
def test_others_may_not_import(signed_in, request, user):
    client = signed_in(request.getfixturevalue(user))
    assert client.get(URL).status_code == 403
    files = [upload(ODS_DIR / "ect.csv")]
    assert client.post(URL, {"upload": "ods", "ods_files": files}).status_code == 403
    assert not Organisation.objects.filter(ods_code="TAD").exists()


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_csoc_uploads_several_ods_files_at_once(signed_in, csoc):
    client = signed_in(csoc)
    files = [upload(ODS_DIR / name) for name in ("etr.csv", "ect.csv", "sub-icb-to-icb-to-region-2023.csv")]
    response = client.post(URL, {"upload": "ods", "ods_files": files}, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    page = response.content.decode()
    assert "ODS files imported" in page
    assert "257 created, 0 updated, 0 closed, 0 unchanged." in page
    assert "Care Trusts (ODS extract ect)" in page
    assert "Regions: 7 created, 0 updated, 0 unchanged" in page
    assert Organisation.objects.count() == 257
    entry = AuditLog.objects.get(action="organisations.ods_imported")
    assert entry.actor == csoc
    assert entry.after["total"]["created"] == 257
    # The result is shown once.
    assert "ODS files imported" not in client.get(URL).content.decode()


def test_a_bad_ods_file_shows_the_error_and_imports_nothing(signed_in, csoc):
    bad = SimpleUploadedFile("etr-bad.csv", ods_file(ods_line("RAA", "ALPHA", open_date="2023-13-01")).encode())
    before = database_state()
    response = signed_in(csoc).post(URL, {"upload": "ods", "ods_files": [upload(ODS_DIR / "ect.csv"), bad]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: Import organisations" in page
    assert "There is a problem" in page
    assert 'href="#id_ods_files"' in page
    assert (
        "etr-bad.csv, line 1: open date &#39;2023-13-01&#39; is not a date in the form YYYYMMDD. Nothing was imported."
        in page
    )
    assert database_state() == before


def test_an_empty_upload_asks_for_a_file(signed_in, csoc):
    response = signed_in(csoc).post(URL, {"upload": "ods"})
    assert "Choose one or more ODS files to import" in response.content.decode()
    assert database_state() == ([], [], 0)


def test_an_empty_ods_file_is_named_in_the_error(signed_in, csoc):
    response = signed_in(csoc).post(URL, {"upload": "ods", "ods_files": [SimpleUploadedFile("etr.csv", b"")]})
    assert "etr.csv is empty. Nothing was imported." in response.content.decode()


def test_csoc_uploads_the_mandated_list(signed_in, csoc, trust_a):
    for code in ("R0A", "RVJ"):
        Organisation.objects.create(ods_code=code, name=code, organisation_type="nhs_trust")
    response = signed_in(csoc).post(
        URL, {"upload": "mandated", "mandated_list": upload(TEST_DATA / "mandated-small.csv")}, follow=True
    )
    page = response.content.decode()
    assert "List of organisations that must respond imported" in page
    assert "mandated-small.csv lists 5 organisations." in page
    assert "QRV, 0AR, ZZZ99" in page  # codes that match no organisation, in the order listed
    assert set(Organisation.objects.filter(mandated=True).values_list("ods_code", flat=True)) == {"R0A", "RVJ"}
    trust_a.refresh_from_db()
    assert not trust_a.mandated
    assert AuditLog.objects.get().action == "organisations.mandated_list_imported"


def test_a_bad_mandated_list_shows_the_error_and_changes_nothing(signed_in, csoc, trust_a):
    bad = SimpleUploadedFile("list.csv", b"Name,Type\nAlpha,Trust\n")
    before = database_state()
    response = signed_in(csoc).post(URL, {"upload": "mandated", "mandated_list": bad})
    page = response.content.decode()
    assert 'href="#id_mandated_list"' in page
    assert "There is no column headed &#39;Code&#39; or &#39;ODS code&#39; in the first 20 rows of list.csv" in page
    assert database_state() == before


def test_an_unknown_upload_is_a_bad_request(signed_in, csoc):
    assert signed_in(csoc).post(URL, {"upload": "other"}).status_code == 400
