"""Responses to export, given through the real services: bob (responder) and alice (administrator) of Trust A,
charlie of Trust B, and lee of a support unit, who responds on behalf of both trusts."""

import csv
import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
import time_machine
from django.http import StreamingHttpResponse

from respond.responses.models import ResponseStatus
from tests.responses.conftest import acknowledge, csu, dummy_tasks, lee, make_alert, response_of, update

# Shared with tests/responses: the support unit and lee, and emails queued but not sent.
__all__ = ["csu", "dummy_tasks", "lee"]


def csv_rows(download: StreamingHttpResponse) -> list[dict[str, str]]:
    assert isinstance(download, StreamingHttpResponse), download
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(download.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def xlsx_rows(download: StreamingHttpResponse) -> list[dict[str, object]]:
    """The workbook's first sheet as dicts by header, empty cells as ""."""
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    headers = rows[0]
    return [{h: ("" if v is None else v) for h, v in zip(headers, row, strict=False)} for row in rows[1:]]


@pytest.fixture
def history(trust_a, trust_b, bob, lee, charlie):
    """In British Summer Time: bob acknowledged for Trust A, then lee completed it on its behalf; charlie
    acknowledged for Trust B. A second alert, in winter, that Trust A has not acknowledged."""
    with time_machine.travel(datetime(2025, 7, 1, 8, 0, tzinfo=UTC), tick=False):
        summer = make_alert(organisations=[trust_a, trust_b], title="Critical vulnerability in Example VPN")
        response = acknowledge(response_of(summer, trust_a), bob)
    with time_machine.travel(datetime(2025, 7, 2, 15, 30, tzinfo=UTC), tick=False):
        update(response, lee, ResponseStatus.COMPLETE, completed_on=date(2025, 7, 2), completion_summary="=SUM(A1:A9)")
    with time_machine.travel(datetime(2025, 7, 4, 9, 0, tzinfo=UTC), tick=False):
        acknowledge(response_of(summer, trust_b), charlie)
    with time_machine.travel(datetime(2025, 12, 1, 10, 0, tzinfo=UTC), tick=False):
        winter = make_alert(organisations=[trust_a], title="@Exploited mail server")
        response_of(winter, trust_a)
    return {"summer": summer, "winter": winter}
