"""Exports stream: a CSV is written while it is read from the database, a chunk of rows at a time, and the number
of queries grows only with the number of chunks, never with the rows; a workbook is served from a temporary file
that is gone once sent."""

import tempfile

import pytest
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from respond.exports import compliance, database, tables
from respond.responses.models import EntryAction, Response, ResponseEntry, ResponseStatus
from tests.factories import OrganisationFactory, UserFactory
from tests.responses.conftest import make_alert, response_of

pytestmark = pytest.mark.django_db


def add_history(count: int) -> None:
    """`count` organisations, each acknowledging the alert through its own responder (written directly: the
    services are tested elsewhere, and only the number of rows matters here)."""
    organisations = [OrganisationFactory() for _ in range(count)]
    alert = make_alert(organisations=organisations)
    response_of(alert, organisations[0])
    entries = []
    for response in Response.objects.filter(alert=alert):
        person = UserFactory(organisation=response.organisation)
        entries.append(
            ResponseEntry(
                response=response,
                version=1,
                action=EntryAction.ACKNOWLEDGED,
                status=ResponseStatus.IN_PROGRESS,
                actions="Patching",
                submitted_by=person,
                submitted_by_organisation=response.organisation,
            )
        )
    ResponseEntry.objects.bulk_create(entries)


def queries_to_download(client, url: str) -> tuple[int, int]:
    """(queries, rows) for the whole download, read to the end."""
    with CaptureQueriesContext(connection) as queries:
        download = client.get(url)
        lines = b"".join(download.streaming_content).decode().splitlines()
    return len(queries), len(lines) - 1


EXPORTS = ["exports:history", "exports:compliance"]


def test_a_csv_is_a_streaming_response(signed_in, auditor):
    add_history(3)
    download = signed_in(auditor).get(reverse("exports:history", args=["csv"]))
    assert isinstance(download, StreamingHttpResponse)
    assert download.streaming
    assert not download.has_header("Content-Length")
    chunks = list(download.streaming_content)
    assert len(chunks) >= 2  # the headers, then each chunk of rows as it is read


def test_a_workbook_is_sent_from_a_temporary_file_then_removed(signed_in, auditor, monkeypatch):
    add_history(3)
    opened = []

    def temporary_file(*args, **kwargs):
        opened.append(real(*args, **kwargs))
        return opened[-1]

    real = tempfile.TemporaryFile
    monkeypatch.setattr(tempfile, "TemporaryFile", temporary_file)
    download = signed_in(auditor).get(reverse("exports:history", args=["xlsx"]))
    assert isinstance(download, FileResponse)
    assert len(opened) == 1
    assert not opened[0].closed
    assert b"".join(download.streaming_content).startswith(b"PK")
    download.close()
    # An anonymous temporary file: closing it removes it.
    assert opened[0].closed


@pytest.mark.parametrize("name", EXPORTS)
def test_the_number_of_queries_does_not_grow_with_the_rows(signed_in, auditor, name):
    client = signed_in(auditor)
    url = reverse(name, args=["csv"])
    add_history(2)
    few, few_rows = queries_to_download(client, url)
    add_history(40)
    many, many_rows = queries_to_download(client, url)
    assert many_rows > few_rows * 10
    assert many == few


@pytest.mark.parametrize("name", EXPORTS)
def test_only_each_chunk_adds_queries(signed_in, auditor, monkeypatch, name):
    # The Python way's chunks: on PostgreSQL the history is formatted by the database, in one query.
    monkeypatch.setattr(database, "FORMAT_IN_DATABASE", False)
    client = signed_in(auditor)
    url = reverse(name, args=["csv"])
    add_history(3)
    one_chunk, _ = queries_to_download(client, url)
    monkeypatch.setattr(tables, "CHUNK", 5)
    monkeypatch.setattr(compliance, "CHUNK", 5)
    add_history(47)
    ten_chunks, rows = queries_to_download(client, url)
    assert rows == 50
    # Each further chunk looks up at most the alerts, people and organisations it has not met yet.
    assert one_chunk < ten_chunks <= one_chunk + 9 * 3


def test_an_alerts_responses_in_chunks(signed_in, auditor, monkeypatch):
    client = signed_in(auditor)
    add_history(30)
    alert = Response.objects.first().alert
    url = reverse("exports:alert_responses", args=[alert.threat_id, "csv"])
    monkeypatch.setattr(tables, "CHUNK", 1000)
    one_chunk, rows = queries_to_download(client, url)
    monkeypatch.setattr(tables, "CHUNK", 10)
    three_chunks, same_rows = queries_to_download(client, url)
    assert rows == same_rows == 30
    # Per chunk: the latest entries, the people and the organisations.
    assert one_chunk < three_chunks <= one_chunk + 2 * 3
