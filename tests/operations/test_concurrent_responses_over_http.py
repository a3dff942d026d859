"""Two people saving at the same moment, through real HTTP against gunicorn (two workers, two threads each): one
organisation's response updated by two people, and two bulk responses overlapping on an organisation. One wins;
the other is told the response changed since they opened it, keeps what they typed, and nothing of theirs is
saved, not even for the organisations nobody else touched."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from html import unescape

import pytest
import requests
from django.conf import settings
from django.test import Client

from respond.responses.models import Response, ResponseStatus
from tests.conftest import sign_in
from tests.factories import MembershipFactory
from tests.responses.conftest import acknowledge, make_alert, response_of
from tests.support.http_sign_in import csrf_token

pytestmark = pytest.mark.django_db(transaction=True)  # the web process reads what the test wrote

CONFLICT = "Someone else updated this response while you were working on it"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
BULK_CONFLICT = "Someone else updated some of these responses after you checked them, so nothing has been saved"


@pytest.fixture
def browser_for(process_set):
    """browser_for(user) -> a browser holding the user's signed-in session (sessions are in the database, shared
    with the web). Each is closed before the web is stopped, which otherwise holds on for its kept-alive
    connections (about 2 s)."""
    browsers: list[requests.Session] = []

    def _browser(user) -> requests.Session:
        browser = requests.Session()
        cookie = sign_in(Client(), user).cookies[settings.SESSION_COOKIE_NAME]
        browser.cookies.set(settings.SESSION_COOKIE_NAME, cookie.value)
        browsers.append(browser)
        return browser

    yield _browser
    for browser in browsers:
        browser.close()


def at_once(*submissions):
    """Runs the submissions in threads released together; their answers, in order."""
    barrier = threading.Barrier(len(submissions))

    def run(submission):
        barrier.wait(timeout=30)
        return submission()

    with ThreadPoolExecutor(len(submissions)) as pool:
        return list(pool.map(run, submissions))


def dates(name: str, when: date) -> dict[str, str]:
    return {f"{name}_day": str(when.day), f"{name}_month": str(when.month), f"{name}_year": str(when.year)}


@pytest.fixture
def web(process_set, shared_database):
    def _start():
        shared_database.publish()
        process = process_set(WEB_CONCURRENCY="2", WEB_THREADS="2").start("web")
        process.wait_until_serving()
        return process

    return _start


def test_two_people_updating_one_response_at_once(web, browser_for, trust_a, trust_b, alice, bob):
    alert = make_alert(organisations=[trust_a, trust_b])
    response = acknowledge(response_of(alert, trust_a), bob)
    browsers = {"Alice": browser_for(alice), "Bob": browser_for(bob)}
    server = web()
    url = f"{server.url}/responses/{alert.threat_id}/{trust_a.ods_code}/update/"
    # Both open the form (version 1), then both save.
    forms = {name: browser.get(url, timeout=30) for name, browser in browsers.items()}
    assert all('name="version" value="1"' in form.text for form in forms.values())

    def saving(name):
        data = {
            "csrfmiddlewaretoken": csrf_token(forms[name].text),
            "version": "1",
            "status": "in_progress",
            "actions": f"{name}'s plan: patch the brokers tonight",
            **dates("expected_completion_on", date.today() + timedelta(days=30)),
            **dates("next_update_due_on", date.today() + timedelta(days=3)),
        }
        return lambda: browsers[name].post(url, data=data, headers={"Referer": url}, allow_redirects=False, timeout=30)

    answers = dict(zip(browsers, at_once(saving("Alice"), saving("Bob")), strict=True))

    assert sorted(answer.status_code for answer in answers.values()) == [200, 302]
    winner = next(name for name, answer in answers.items() if answer.status_code == 302)
    loser = next(name for name, answer in answers.items() if answer.status_code == 200)
    assert CONFLICT in answers[loser].text
    assert f"{loser}&#39;s plan: patch the brokers tonight" in answers[loser].text  # what they typed, kept
    response.refresh_from_db()
    assert (response.version, response.status) == (2, ResponseStatus.IN_PROGRESS)
    assert list(response.entries.order_by("version").values_list("version", "actions")) == [
        (1, ""),
        (2, f"{winner}'s plan: patch the brokers tonight"),
    ]


def test_two_bulk_responses_overlapping_on_an_organisation(web, browser_for, trust_a, trust_b, trust_c, bob, alice):
    """Bob responds for Trusts A and B, Alice for Trusts B and C, both at once: Trust B is in both."""
    MembershipFactory(user=bob, organisation=trust_b, role="responder")
    MembershipFactory(user=alice, organisation=trust_b, role="responder")
    MembershipFactory(user=alice, organisation=trust_c, role="responder")
    alert = make_alert(organisations=[trust_a, trust_b, trust_c])
    for organisation in (trust_a, trust_b, trust_c):
        response_of(alert, organisation)
    choices = {"Bob": [trust_a, trust_b], "Alice": [trust_b, trust_c]}
    browsers = {"Bob": browser_for(bob), "Alice": browser_for(alice)}
    server = web()
    url = f"{server.url}/responses/{alert.threat_id}/bulk/"

    def preview(name):
        page = browsers[name].get(url, timeout=30)
        data = [("csrfmiddlewaretoken", csrf_token(page.text)), ("status", "acknowledge")]
        data += [("organisations", str(organisation.pk)) for organisation in choices[name]]
        checked = browsers[name].post(url, data=data, headers={"Referer": url}, timeout=30)
        assert checked.status_code == 200
        assert "Confirm and submit" in checked.text
        return [*hidden_fields(checked.text), ("step", "confirm")]  # as the preview's "Confirm and submit" sends

    confirmations = {name: preview(name) for name in browsers}
    answers = dict(
        zip(
            browsers,
            at_once(
                *(
                    lambda name=name: browsers[name].post(
                        url, data=confirmations[name], headers={"Referer": url}, allow_redirects=False, timeout=30
                    )
                    for name in browsers
                )
            ),
            strict=True,
        )
    )

    assert sorted(answer.status_code for answer in answers.values()) == [200, 302]
    winner = next(name for name, answer in answers.items() if answer.status_code == 302)
    loser = next(name for name, answer in answers.items() if answer.status_code == 200)
    assert BULK_CONFLICT in answers[loser].text
    acknowledged = set(
        Response.objects.filter(alert=alert, status=ResponseStatus.IN_PROGRESS).values_list("organisation", flat=True)
    )
    assert acknowledged == {organisation.pk for organisation in choices[winner]}
    # Nothing of the loser's: not even the organisation only they chose.
    for response in Response.objects.filter(alert=alert):
        assert response.entries.count() == response.version == (1 if response.organisation_id in acknowledged else 0)


def hidden_fields(html: str) -> list[tuple[str, str]]:
    return [(name, unescape(value)) for name, value in HIDDEN.findall(html)]
