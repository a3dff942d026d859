"""The local Notify checks what GOV.UK Notify checks, so passing against it means something."""

import time

import jwt
import pytest
import requests
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from tests.support.notify_server import NotifyServer


@pytest.fixture
def server():
    with NotifyServer() as running:
        yield running


def token(server, **claims):
    return jwt.encode({"iss": server.service_id, "iat": int(time.time()), **claims}, server.secret, algorithm="HS256")


def post_email(server, bearer, **body):
    payload = {
        "email_address": "a@b.nhs.uk",
        "template_id": server.email_template_id,
        "personalisation": {"subject": "S", "body": "B"},
        **body,
    }
    return requests.post(
        f"{server.url}/v2/notifications/email", json=payload, headers={"Authorization": f"Bearer {bearer}"}, timeout=5
    )


def test_the_real_client_sends_and_finds_by_reference_and_id(server):
    client = NotificationsAPIClient(server.api_key, base_url=server.url)
    sent = client.send_email_notification(
        email_address="a@b.nhs.uk",
        template_id=server.email_template_id,
        personalisation={"subject": "Hello", "body": "World"},
        reference="ref-1",
    )
    assert set(sent) == {"id", "reference", "content", "uri", "template", "scheduled_for"}
    assert sent["content"]["subject"] == "Hello"
    found = client.get_all_notifications(reference="ref-1")["notifications"]
    assert [item["id"] for item in found] == [sent["id"]]
    assert client.get_notification_by_id(sent["id"])["status"] == "created"
    assert client.get_all_notifications(reference="ref-2")["notifications"] == []
    assert server.references() == {"ref-1": 1}


@pytest.mark.parametrize(
    ("make_token", "status", "message"),
    [
        (lambda s: token(s, iat=int(time.time()) - 31), 403, "Error: Your system clock must be accurate to within 30"),
        (lambda s: token(s, iat=int(time.time()) + 32), 403, "Error: Your system clock must be accurate to within 30"),
        (lambda s: token(s, iss="someone-else"), 403, "Invalid token: service not found"),
        (lambda s: jwt.encode({"iss": s.service_id}, s.secret, algorithm="HS256"), 403, "iat field not provided"),
        (
            lambda s: jwt.encode({"iss": s.service_id, "iat": int(time.time())}, "x" * 36, algorithm="HS256"),
            403,
            "API key",
        ),
        (
            lambda s: jwt.encode({"iss": s.service_id, "iat": int(time.time())}, s.secret, algorithm="HS512"),
            403,
            "HS256",
        ),
        (lambda s: "not-a-jwt", 403, "Invalid token"),
    ],
)
@pytest.mark.filterwarnings("ignore:The HMAC key is")  # the HS512 case signs with Notify's 36-character secret
def test_tokens_are_checked(server, make_token, status, message):
    response = post_email(server, make_token(server))
    assert response.status_code == status
    assert message in response.json()["errors"][0]["message"]
    assert server.records == []


def test_requests_without_a_token_are_refused(server):
    response = requests.post(f"{server.url}/v2/notifications/email", json={}, timeout=5)
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"email_address": "not-an-email"}, "email_address Not a valid email address"),
        ({"template_id": "00000000-0000-4000-8000-000000000000"}, "Template not found"),
        ({"personalisation": {"subject": "S"}}, "Missing personalisation: body"),
        ({"email_address": ""}, "email_address is a required property"),
    ],
)
def test_request_shapes_are_checked(server, body, message):
    response = post_email(server, token(server), **body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == message


def test_text_messages_need_a_uk_mobile(server):
    client = NotificationsAPIClient(server.api_key, base_url=server.url)
    with pytest.raises(HTTPError) as raised:
        client.send_sms_notification(
            phone_number="+33612345678", template_id=server.sms_template_id, personalisation={"body": "x"}
        )
    assert raised.value.status_code == 400
    assert raised.value.message == [{"error": "ValidationError", "message": "phone_number Not a UK mobile number"}]


def test_faults_can_be_injected(server):
    client = NotificationsAPIClient(server.api_key, base_url=server.url, timeout=0.5)
    server.timeout_seconds = 1
    server.fail_next(1, status=429)
    server.fail_next(1, kind="accept_then_timeout")
    server.fail_every(2, status=500)

    def send():
        return client.send_email_notification(
            email_address="a@b.nhs.uk",
            template_id=server.email_template_id,
            personalisation={"subject": "S", "body": "B"},
        )

    with pytest.raises(HTTPError) as rate_limited:
        send()
    assert rate_limited.value.status_code == 429
    with pytest.raises(HTTPError) as timed_out:
        send()
    assert isinstance(timed_out.value.__cause__, requests.ReadTimeout)
    assert len(server.records) == 1  # accepted, though the client never heard
    send()  # the 3rd send: fine
    with pytest.raises(HTTPError) as failed:
        send()  # the 4th: every 2nd fails
    assert failed.value.status_code == 500


def test_it_can_be_slow(server):
    server.latency = 0.3
    client = NotificationsAPIClient(server.api_key, base_url=server.url)
    started = time.monotonic()
    client.get_all_notifications()
    assert time.monotonic() - started >= 0.3
