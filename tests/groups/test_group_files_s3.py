"""Group files in an S3-compatible store, chosen by setting: the same uploads, members-only streamed downloads
(attachment, nosniff, audited), deletions and clean-up as on disk, against a real local S3 server (moto's, in a
process of its own on loopback) through boto3 and django-storages."""

import tracemalloc
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from storages.backends.s3 import S3Storage

from config.settings import group_files_storage
from respond.core.file_storage import StreamingS3Storage
from respond.core.models import AuditLog
from respond.groups.files import storage
from respond.groups.models import Post, PostFile
from tests.groups.setup import text_file
from tests.support.s3_server import S3Server

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def s3_server():
    server = S3Server().start()
    yield server
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, monkeypatch, group_files):
    """A fresh bucket, and the group files storage set to it through the environment, as a deployment does."""
    name = s3_server.create_bucket(f"group-files-{uuid.uuid4().hex[:12]}")
    for key, value in s3_server.environment(name).items():
        monkeypatch.setenv(key, value)
    settings.STORAGES = {**settings.STORAGES, "group_files": group_files_storage()}
    return name


def test_the_setting_chooses_the_store(monkeypatch):
    monkeypatch.delenv("GROUP_FILES_STORAGE", raising=False)
    assert group_files_storage()["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    monkeypatch.setenv("GROUP_FILES_STORAGE", "s3")
    monkeypatch.delenv("GROUP_FILES_S3_BUCKET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="needs GROUP_FILES_S3_BUCKET"):
        group_files_storage()
    monkeypatch.setenv("GROUP_FILES_S3_BUCKET", "incident-files")
    monkeypatch.setenv("GROUP_FILES_STORAGE_OPTIONS", '{"object_parameters": {"ServerSideEncryption": "AES256"}}')
    chosen = group_files_storage()
    assert chosen["BACKEND"] == "respond.core.file_storage.StreamingS3Storage"
    assert chosen["OPTIONS"]["bucket_name"] == "incident-files"
    assert chosen["OPTIONS"]["location"] == "group-files"
    assert chosen["OPTIONS"]["object_parameters"] == {"ServerSideEncryption": "AES256"}
    monkeypatch.setenv("GROUP_FILES_STORAGE", "ftp")
    with pytest.raises(ImproperlyConfigured, match="must be local or s3, not 'ftp'"):
        group_files_storage()


def test_files_go_to_the_bucket_and_only_members_download_them(
    bucket, s3_server, signed_in, group, mel, morgan, rex, auditor, csoc, alice, group_files
):
    assert isinstance(storage(), StreamingS3Storage)
    response = signed_in(mel).post(
        reverse("groups:new_post", args=[group.pk]),
        {
            "title": "Logs",
            "body": "Attached.",
            "marking": "red",
            "attachments": [SimpleUploadedFile("../ransom note.pdf", PDF, content_type="text/html")],
        },
    )
    assert response.status_code == 302
    post_file = PostFile.objects.get()
    assert post_file.name == "ransom note.pdf"
    assert s3_server.keys(bucket) == [f"group-files/{post_file.storage_name}"]
    assert post_file.storage_name.startswith(f"groups/{group.pk}/")
    assert not group_files.exists() or not any(group_files.rglob("*"))  # nothing on local disk

    url = reverse("groups:file", args=[group.pk, post_file.pk])
    download = signed_in(morgan).get(url)
    assert download.status_code == 200
    assert download.streaming
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="ransom note.pdf"'
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Length"] == str(len(PDF))
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "private, no-store"
    entry = AuditLog.objects.get(action="group.file_downloaded")
    assert (entry.actor, entry.object_id) == (morgan, str(post_file.pk))

    for outsider in (rex, auditor, csoc, alice):
        assert signed_in(outsider).get(url).status_code == 404, outsider.email
    assert AuditLog.objects.filter(action="group.file_downloaded").count() == 1


def test_a_deleted_post_removes_its_objects_and_leaves_a_tombstone(
    bucket, s3_server, write, group, mel, morgan, signed_in, django_capture_on_commit_callbacks
):
    post = write(group, mel, title="Secret title", body="Secret body", uploads=[text_file()])
    post_file = post.files.get()
    assert s3_server.keys(bucket) == [f"group-files/{post_file.storage_name}"]
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(morgan).post(reverse("groups:moderate_post", args=[group.pk, post.pk, "delete"]))
    assert s3_server.keys(bucket) == []
    post.refresh_from_db()
    assert post.is_deleted
    assert (post.title, post.body) == ("", "")
    member_client = signed_in(mel)
    page = member_client.get(reverse("groups:post", args=[group.pk, post.pk])).content.decode()
    assert "A moderator deleted this post" in page
    assert "Secret" not in page
    assert member_client.get(reverse("groups:file", args=[group.pk, post_file.pk])).status_code == 404


def test_a_failure_after_storing_removes_the_objects(bucket, s3_server, write, group, mel, monkeypatch):
    from respond.groups import notices

    def broken(**kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(notices, "queue_new_post", broken)
    with pytest.raises(RuntimeError):
        write(group, mel, uploads=[text_file()])
    assert not Post.objects.exists()
    assert s3_server.keys(bucket) == []


def _peak_bytes_to_first_chunk(read_first_chunk) -> int:
    tracemalloc.start()
    try:
        first = read_first_chunk()
        assert first
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_download_streams_from_the_store_without_holding_the_file(bucket, write, group, mel, signed_in, settings):
    """Memory traced in this process (the S3 server runs in another) up to the first chunk of an 8 MB file: a
    fraction of the file, where django-storages' own S3 file holds all of it first."""
    size = 8 * 1024 * 1024
    content = (b"0123456789abcdef" * 4 + b"\n") * (size // 65)
    post = write(group, mel, uploads=[text_file("big.txt", content)])
    post_file = post.files.get()
    client = signed_in(mel)

    def first_chunk_of_download() -> bytes:
        response = client.get(reverse("groups:file", args=[group.pk, post_file.pk]))
        assert response["Content-Length"] == str(len(content))
        return next(iter(response.streaming_content))

    streamed_peak = _peak_bytes_to_first_chunk(first_chunk_of_download)
    whole_file_peak = _peak_bytes_to_first_chunk(
        lambda: S3Storage(**settings.STORAGES["group_files"]["OPTIONS"]).open(post_file.storage_name).read(4096)
    )
    assert whole_file_peak > len(content)
    # Measured at about 0.6 MB (the request, the session, boto3), against 22 MB for the whole-file copy.
    assert streamed_peak < len(content) / 4, f"{streamed_peak} bytes held to send the first chunk"
    response = client.get(reverse("groups:file", args=[group.pk, post_file.pk]))
    assert b"".join(response.streaming_content) == content
