"""NHS-styled error pages, reached through the real handlers (DEBUG off)."""

import logging

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError, connection
from django.template import engines
from django.test import Client, override_settings

from tests.core.html import parse

DASH = "\u2013"  # the en dash in page titles

ERROR_PAGES = [
    ("/test-errors/400/", 400, "Sorry, there is a problem with your request"),
    ("/test-errors/403/", 403, "You do not have permission to see this page"),
    ("/test-errors/404/", 404, "Page not found"),
    ("/no-such-page/", 404, "Page not found"),
    ("/test-errors/500/", 500, "Sorry, there is a problem with the service"),
]


def assert_nhs_page(response, status, heading):
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    page = parse(response.content)
    assert page.find("h1").text == heading
    assert page.find("title").text == f"{heading} {DASH} Respond to a cyber alert {DASH} NHS"
    assert page.find_all("header", class_="nhsuk-header")
    assert page.find_all("footer")
    assert "Go to the start page" in [link.text for link in page.find_all("a", href="/")]
    # The inline script that marks JavaScript as enabled carries the nonce the policy allows.
    nonce = page.find("body").find("script").get("nonce")
    assert nonce
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    return page


@pytest.fixture
def anonymous():
    client = Client()
    client.raise_request_exception = False
    return client


@override_settings(DEBUG=False, ROOT_URLCONF="tests.core.error_urls")
@pytest.mark.django_db
@pytest.mark.parametrize(("url", "status", "heading"), ERROR_PAGES)
def test_error_pages_for_anonymous_people(anonymous, url, status, heading):
    assert_nhs_page(anonymous.get(url), status, heading)


@override_settings(DEBUG=False, ROOT_URLCONF="tests.core.error_urls")
@pytest.mark.django_db
@pytest.mark.parametrize(("url", "status", "heading"), ERROR_PAGES)
def test_error_pages_for_signed_in_people(signed_in, bob, url, status, heading):
    client = signed_in(bob)
    client.raise_request_exception = False
    assert_nhs_page(client.get(url), status, heading)


@override_settings(DEBUG=False, ROOT_URLCONF="tests.core.error_urls")
@pytest.mark.django_db
def test_server_error_page_does_not_show_what_went_wrong(anonymous):
    response = anonymous.get("/test-errors/500/")
    assert "Something broke" not in response.content.decode()
    assert "RuntimeError" not in response.content.decode()


@override_settings(DEBUG=False, ROOT_URLCONF="tests.core.error_urls")
@pytest.mark.django_db
def test_server_error_page_renders_while_the_database_is_down(signed_in, bob, monkeypatch, caplog):
    client = signed_in(bob)
    client.raise_request_exception = False

    def refuse(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    with caplog.at_level(logging.ERROR):
        response = client.get("/test-errors/500/")
    page = assert_nhs_page(response, 500, "Sorry, there is a problem with the service")
    # No navigation or account links: they would need the database.
    assert "Sign out" not in page.text
    assert "could not be rendered" not in caplog.text


@override_settings(DEBUG=False, ROOT_URLCONF="tests.core.error_urls")
@pytest.mark.django_db
def test_server_error_falls_back_to_plain_html_when_the_template_fails(anonymous, monkeypatch, caplog):
    def broken_template(name):
        raise RuntimeError("template storage unavailable")

    monkeypatch.setattr(engines["jinja2"], "get_template", broken_template)
    with caplog.at_level(logging.ERROR, logger="respond.core.views"):
        response = anonymous.get("/test-errors/500/")
    assert response.status_code == 500
    page = parse(response.content)
    assert page.find("h1").text == "Sorry, there is a problem with the service"
    assert page.find("title").text == f"Sorry, there is a problem with the service {DASH} NHS"
    assert not page.find_all("script")
    assert "could not be rendered" in caplog.text


@override_settings(DEBUG=False)
@pytest.mark.django_db
def test_a_form_sent_without_a_valid_csrf_token_gets_an_nhs_page(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/account/login/", {"login": alice.email, "password": "whatever"})
    assert response.status_code == 403
    page = parse(response.content)
    assert page.find("h1").text == "Sorry, we could not accept that form"
    assert page.find_all("header", class_="nhsuk-header")


@override_settings(DEBUG=False)
@pytest.mark.django_db
def test_a_nul_character_anywhere_in_a_request_is_a_400_page_not_a_server_error(signed_in, bob, alert_for_bob):
    """PostgreSQL refuses NUL in text: a `%00` in a path, a query or a form field was a 500 there."""
    client = signed_in(bob)
    client.raise_request_exception = False
    heading = "Sorry, there is a problem with your request"
    assert_nhs_page(client.get("/cyber-alerts/CC-%00/"), 400, heading)
    assert_nhs_page(client.get("/responses/?q=%00"), 400, heading)
    respond = f"/responses/{alert_for_bob.threat_id}/RAA/update/"
    assert_nhs_page(client.post(respond, {"status": "in_progress\x00"}), 400, heading)


@pytest.fixture
def alert_for_bob(trust_a):
    from tests.responses.conftest import make_alert

    return make_alert(organisations=[trust_a])


@override_settings(DEBUG=False, ROOT_URLCONF="tests.core.error_urls")
@pytest.mark.django_db
def test_a_session_that_cannot_be_saved_in_a_database_outage_gets_the_unavailable_page(signed_in, bob, monkeypatch):
    """Django turns a session it could not save into a 400 "bad request": in an outage it is the 503 page."""
    client = signed_in(bob)
    client.raise_request_exception = False

    def refuse(*args, **kwargs):
        raise OperationalError("the database system is shutting down")  # as Django raises it

    monkeypatch.setattr(Session, "save", refuse)
    response = client.get("/test-errors/session/")
    assert response.status_code == 503
    page = parse(response.content)
    assert page.find("h1").text == "Sorry, the service is unavailable"
    assert response["Retry-After"] == "30"
    assert "check whether your changes were saved" in response.content.decode()
