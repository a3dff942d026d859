"""Session limits (15 minutes idle, 12 hours in all) and the limit on failed sign-in attempts."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.accounts.helpers import submit_password

pytestmark = pytest.mark.django_db


def test_the_session_settings():
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS == 12 * 60 * 60


def test_a_session_idle_for_more_than_15_minutes_ends(signed_in, alice):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = signed_in(alice)
        assert client.get(reverse("home")).status_code == 200

        traveller.shift(dt.timedelta(minutes=14))
        assert client.get(reverse("home")).status_code == 200

        traveller.shift(dt.timedelta(minutes=15, seconds=1))
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_activity_keeps_a_session_going_until_12_hours_then_it_ends(signed_in, alice):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = signed_in(alice)
        assert client.get(reverse("home")).status_code == 200

        for _ in range(12 * 6):  # every 10 minutes for 12 hours
            traveller.shift(dt.timedelta(minutes=10))
            assert client.get(reverse("home")).status_code == 200

        traveller.shift(dt.timedelta(minutes=10))
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response.url == reverse("account_login")
        page = client.get(response.url).content.decode()
        assert "You have been signed out because your session reached its time limit." in page
        assert client.get(reverse("home")).status_code == 302


def test_after_5_failed_attempts_even_the_right_password_is_refused(client, alice):
    for _ in range(5):
        response = submit_password(client, alice.email, "wrong-password")
        assert "The email address or password is not correct" in response.content.decode()

    response = submit_password(client, alice.email)

    content = response.content.decode()
    assert response.status_code == 200
    assert "You have tried to sign in too many times. Wait 5 minutes, then try again." in content
    assert client.get(reverse("home")).status_code == 302


def test_the_limit_lifts_after_5_minutes(client, alice):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(5):
            submit_password(client, alice.email, "wrong-password")
        assert "too many times" in submit_password(client, alice.email).content.decode()

        traveller.shift(dt.timedelta(minutes=5, seconds=1))
        response = submit_password(client, alice.email)
        assert response.status_code == 302


def test_the_limit_is_per_account(client, alice, bob):
    for _ in range(5):
        submit_password(client, alice.email, "wrong-password")

    response = submit_password(client, bob.email)

    assert response.status_code == 302


def test_too_many_sign_in_requests_from_one_address_get_a_plain_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}

    for _ in range(2):
        assert submit_password(client, "someone@alpha.nhs.uk", "whatever").status_code == 200
    response = submit_password(client, "someone@alpha.nhs.uk", "whatever")

    assert response.status_code == 429
    content = response.content.decode()
    assert "<h1>Too many attempts</h1>" in content
    assert "Wait a few minutes, then try again." in content
