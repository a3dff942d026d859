"""Two web processes (gunicorn, as in production) share sessions and rate limits: both live in the database or
Redis, never in a process's memory."""

import pytest
import requests

from tests.factories import DEMO_PASSWORD, Role, enrol_totp, member
from tests.support.http_sign_in import csrf_token, sign_in, submit_password

SECRET = "JBSWY3DPEHPK3PXP"


@pytest.fixture
def two_webs(transactional_db, process_set, shared_database, trust_a):
    person = member(trust_a, Role.RESPONDER, email="pat@trust-a.nhs.uk")
    enrol_totp(person, SECRET)
    shared_database.publish()
    processes = process_set(WEB_CONCURRENCY="1", WEB_THREADS="2", LOGIN_FAILED_RATE_LIMIT="3/m/ip")
    first, second = processes.start("web"), processes.start("web")
    first.wait_until_serving()
    second.wait_until_serving()
    return person, first, second


def test_sessions_and_rate_limits_hold_across_web_processes(request, two_webs):
    person, first, second = two_webs
    browser = requests.Session()
    request.addfinalizer(browser.close)  # before the webs stop: they would wait for its kept-alive connections
    sign_in(browser, first.url, email=person.email, password=DEMO_PASSWORD, secret=SECRET)

    page = browser.get(f"{second.url}/", timeout=30, allow_redirects=False)
    assert page.status_code == 200
    assert "Your alerts" in page.text
    # Signing out on the second ends the session on the first too.
    confirm = browser.get(f"{second.url}/account/logout/", timeout=30)
    browser.post(
        f"{second.url}/account/logout/",
        data={"csrfmiddlewaretoken": csrf_token(confirm.text)},
        headers={"Referer": f"{second.url}/"},
        timeout=30,
    )
    assert browser.get(f"{first.url}/", timeout=30, allow_redirects=False).status_code == 302

    # Failed sign-ins are counted across the two processes (limit: three a minute from one address).
    answers = [
        submit_password(browser, web.url, person.email, "not-the-password").text for web in (first, second, first)
    ]
    assert all("The email address or password is not correct" in answer for answer in answers)
    # The fourth failure in a minute, on the other process, is over the limit of three.
    limited = submit_password(browser, second.url, person.email, "not-the-password")
    assert "You have tried to sign in too many times" in limited.text
    # Even the right password is refused now, on either process.
    assert "too many times" in submit_password(browser, first.url, person.email, DEMO_PASSWORD).text
