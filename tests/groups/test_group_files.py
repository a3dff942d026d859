"""Files on posts: an allow-list of types checked by contents, a size limit, safe names, the storage API,
members-only downloads as attachments with nosniff, each download audited."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from respond.core.models import AuditLog
from respond.groups.files import safe_name, storage
from respond.groups.models import Post, PostFile
from tests.groups.setup import text_file

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_member_attaches_files_and_another_downloads_them(signed_in, group, mel, morgan, group_files):
    response = signed_in(mel).post(
        reverse("groups:new_post", args=[group.pk]),
        {
            "title": "Logs",
            "body": "Attached.",
            "marking": "red",
            "attachments": [upload("../../etc/ransom note.pdf", PDF), upload("shot.PNG", PNG)],
        },
    )
    assert response.status_code == 302
    files = list(PostFile.objects.order_by("name"))
    assert [f.name for f in files] == ["ransom note.pdf", "shot.png"]
    assert all(storage().exists(f.storage_name) for f in files)
    assert all(str(group_files) in storage().path(f.storage_name) for f in files)
    download = signed_in(morgan).get(reverse("groups:file", args=[group.pk, files[0].pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="ransom note.pdf"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"
    entry = AuditLog.objects.get(action="group.file_downloaded")
    assert (entry.actor, entry.object_id) == (morgan, str(files[0].pk))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "payload.exe",
            b"MZ\x90\x00",
            "payload.exe must be a PDF, CSV, TXT, XLSX, PNG, JPG, JPEG, GIF or STIX JSON file",
        ),
        ("fake.pdf", b"<html>not a pdf</html>", "fake.pdf is not a real PDF file"),
        ("bundle.json", b'{"hello": 1}', "bundle.json must be a STIX 2.1 bundle in JSON"),
        ("binary.txt", b"abc\x00def", "binary.txt must be plain text (UTF-8)"),
        ("empty.csv", b"", "empty.csv is empty"),
    ],
)
def test_refused_files_are_named_and_nothing_is_written(signed_in, group, mel, group_files, name, content, message):
    response = signed_in(mel).post(
        reverse("groups:new_post", args=[group.pk]),
        {"title": "Kept", "body": "Body", "marking": "red", "attachments": [upload(name, content)]},
    )
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#39;", "'")
    assert not Post.objects.exists()
    assert not PostFile.objects.exists()
    assert not any(group_files.rglob("*.*"))


def test_a_file_over_the_size_limit_is_refused(signed_in, group, mel, settings, group_files):
    settings.GROUP_FILE_MAX_BYTES = 1024
    response = signed_in(mel).post(
        reverse("groups:new_post", args=[group.pk]),
        {"title": "Big", "body": "Body", "marking": "red", "attachments": [upload("big.txt", b"a" * 2048)]},
    )
    assert "big.txt must be smaller than 1KB" in response.content.decode()
    assert not Post.objects.exists()
    assert not any(group_files.rglob("*.*"))


def test_a_stix_bundle_is_accepted(write, group, mel):
    bundle = b'{"type": "bundle", "id": "bundle--1", "objects": []}'
    post = write(group, mel, uploads=[upload("iocs.json", bundle)])
    assert post.files.get().content_type == "application/stix+json"


def test_a_failure_after_storing_removes_the_stored_files(write, group, mel, group_files, monkeypatch):
    from respond.groups import notices

    def broken(**kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(notices, "queue_new_post", broken)
    with pytest.raises(RuntimeError):
        write(group, mel, uploads=[text_file()])
    assert not Post.objects.exists()
    assert not any(group_files.rglob("*.*"))


def test_deleting_a_post_removes_its_files_and_leaves_a_tombstone(
    write, group, mel, morgan, signed_in, django_capture_on_commit_callbacks
):
    post = write(group, mel, title="Secret title", body="Secret body", uploads=[text_file()], indicators="192.0.2.7")
    key = post.files.get().storage_name
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(morgan).post(reverse("groups:moderate_post", args=[group.pk, post.pk, "delete"]))
    post.refresh_from_db()
    assert post.is_deleted
    assert (post.title, post.body) == ("", "")
    assert not storage().exists(key)
    assert not post.indicators.exists()
    page = signed_in(mel).get(reverse("groups:post", args=[group.pk, post.pk])).content.decode()
    assert "A moderator deleted this post" in page
    assert "Secret" not in page


def test_names_are_sanitised():
    assert safe_name("..\\..\\Windows\\evil.PDF") == "evil.pdf"
    assert safe_name("a<script>.csv") == "a_script_.csv"
    assert safe_name("x" * 300 + ".txt").endswith(".txt")
    assert len(safe_name("x" * 300 + ".txt")) == 120
    assert safe_name("....") == "file"


def test_a_deleted_files_download_is_404(write, group, mel, morgan, signed_in):
    post = write(group, mel, uploads=[text_file()])
    file_id = post.files.get().pk
    signed_in(morgan).post(reverse("groups:moderate_post", args=[group.pk, post.pk, "delete"]))
    assert signed_in(mel).get(reverse("groups:file", args=[group.pk, file_id])).status_code == 404


def test_file_problems_are_validation_errors_keyed_by_field(group, mel):
    from respond.groups.posts import Draft, check_draft

    with pytest.raises(ValidationError) as caught:
        check_draft(draft=Draft(body="x", marking="red", title="t"), is_reply=False, uploads=[upload("a.exe", b"x")])
    assert list(caught.value.error_dict) == ["attachments"]


def test_a_file_missing_from_storage_says_so_and_is_logged(write, group, mel, signed_in, caplog):
    post = write(group, mel, uploads=[text_file()])
    post_file = post.files.get()
    storage().delete(post_file.storage_name)
    with caplog.at_level("ERROR", logger="respond.groups.views.posts"):
        response = signed_in(mel).get(reverse("groups:file", args=[group.pk, post_file.pk]))
    assert response.status_code == 404
    assert "This file cannot be downloaded" in response.text
    assert post_file.name in response.text
    assert f"Group file {post_file.pk} (group {group.pk}) is missing from storage" in caplog.text
    assert not AuditLog.objects.filter(action="group.file_downloaded").exists()
