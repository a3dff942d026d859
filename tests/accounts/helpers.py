"""Signing in through the real views, as a person would."""

import re
import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from tests.factories import DEMO_PASSWORD


def totp_code(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows now (RFC 6238: HOTP of the 30-second step). In the last two seconds of
    a step it waits for the next: the service accepts the current step's code only, and checking may start after
    the step has changed (a flaky failure once in a while otherwise)."""
    if at is None:
        left = 30 - time.time() % 30
        if left < 2:
            time.sleep(left + 0.05)
        at = time.time()
    return format_hotp_value(hotp_value(secret, int(at) // 30))


def submit_password(client: Client, email: str, password: str = DEMO_PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def submit_code(client: Client, code: str):
    return client.post(reverse("mfa_authenticate"), {"code": code})


def secret_shown(page) -> str:
    """The setup key the enrolment page shows for typing into an app, without its spaces."""
    match = re.search(r'<code class="app-totp-secret"[^>]*>([A-Z2-7 ]+)</code>', page.content.decode())
    assert match, "the page shows no setup key"
    return match.group(1).replace(" ", "")


def wrong_code(secret: str) -> str:
    """A 6-digit code that the app is not showing now, nor in the windows either side."""
    valid = {totp_code(secret, time.time() + offset) for offset in (-30, 0, 30)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)
