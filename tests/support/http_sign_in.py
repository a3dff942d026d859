"""Signing in over HTTP, as a browser would (password, then the authenticator app's code): for tests that drive
running web processes, and for the load test."""

import re
import time

import requests
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def page_errors(html: str) -> str:
    """The page's error messages, for an assertion's message."""
    main = re.search(r"<main.*?</main>", html, re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main.group(0) if main else html)).strip()[:600]


def totp_code(secret: str) -> str:
    """Now's code; in a step's last two seconds, the next step's (the service takes the current step only)."""
    left = 30 - time.time() % 30
    if left < 2:
        time.sleep(left + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def submit_password(session: requests.Session, base_url: str, email: str, password: str) -> requests.Response:
    page = session.get(f"{base_url}/account/login/", timeout=30)
    return session.post(
        f"{base_url}/account/login/",
        data={"login": email, "password": password, "csrfmiddlewaretoken": csrf_token(page.text)},
        headers={"Referer": f"{base_url}/account/login/"},
        timeout=30,
    )


def sign_in(session: requests.Session, base_url: str, *, email: str, password: str, secret: str) -> None:
    """Password then TOTP code; raises AssertionError when either step does not lead on."""
    answer = submit_password(session, base_url, email, password)
    assert "/account/2fa/authenticate/" in answer.url, (
        f"the password was not accepted: {answer.status_code} {answer.url} {page_errors(answer.text)}"
    )
    answer = session.post(
        answer.url,
        data={"code": totp_code(secret), "csrfmiddlewaretoken": csrf_token(answer.text)},
        headers={"Referer": answer.url},
        timeout=30,
    )
    assert answer.ok, f"the code was not accepted: {answer.status_code}"
    assert "/account/2fa/" not in answer.url, "the code was not accepted"
