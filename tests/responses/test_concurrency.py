"""Two people updating the same organisation's response at once: the later submission is refused, with what
changed meanwhile, and the form keeps what they typed."""

import pytest
from django.utils import timezone

from respond.core.audit import Auditor
from respond.responses import services
from respond.responses.answers import Answers
from respond.responses.models import ResponseStatus
from tests.responses.conftest import acknowledge, response_of

pytestmark = pytest.mark.django_db


def test_a_submission_based_on_an_old_version_raises_a_conflict_with_the_newer_entries(alert, trust_a, bob, alice):
    response = acknowledge(response_of(alert, trust_a), bob)
    seen_by_alice = response.version
    services.response_update(
        response=response,
        user=bob,
        version=seen_by_alice,
        status=ResponseStatus.COMPLETE,
        answers=Answers(completed_on=timezone.localdate(), completion_summary="Patched by Bob"),
        auditor=Auditor.for_user(bob),
    )
    with pytest.raises(services.ConflictError) as conflict:
        services.response_update(
            response=response,
            user=alice,
            version=seen_by_alice,
            status=ResponseStatus.NOT_APPLICABLE,
            answers=Answers(not_applicable_reason="not_in_use"),
            auditor=Auditor.for_user(alice),
        )
    assert [(entry.version, entry.submitted_by, entry.status) for entry in conflict.value.entries] == [
        (2, bob, ResponseStatus.COMPLETE)
    ]
    response.refresh_from_db()
    assert (response.status, response.version, response.entries.count()) == (ResponseStatus.COMPLETE, 2, 2)


def test_two_acknowledgements_at_once(alert, trust_a, bob, alice):
    response = response_of(alert, trust_a)
    stale = response_of(alert, trust_a)
    acknowledge(response, bob)
    with pytest.raises(services.ConflictError) as conflict:
        services.response_acknowledge(response=stale, user=alice, version=0, auditor=Auditor.for_user(alice))
    assert [entry.submitted_by for entry in conflict.value.entries] == [bob]
    assert response.entries.count() == 1


def update_form(version: int, **fields) -> dict:
    return {
        "version": version,
        "status": "in_progress",
        "actions": "Alice's plan: patch the brokers tonight",
        "expected_completion_on_day": "1",
        "expected_completion_on_month": "1",
        "expected_completion_on_year": str(timezone.localdate().year + 1),
        "next_update_due_on_day": str(timezone.localdate().day),
        "next_update_due_on_month": str(timezone.localdate().month),
        "next_update_due_on_year": str(timezone.localdate().year),
        **fields,
    }


def test_the_later_submission_is_shown_what_changed_and_keeps_what_was_typed(signed_in, alert, trust_a, bob, alice):
    response = response_of(alert, trust_a)
    url = f"/responses/{alert.threat_id}/RAA/update/"
    alice_client, bob_client = signed_in(alice), signed_in(bob)
    assert 'name="version" value="0"' in alice_client.get(url).content.decode()

    bob_saved = bob_client.post(
        url,
        {
            "version": 0,
            "status": "complete",
            "completed_on_day": str(timezone.localdate().day),
            "completed_on_month": str(timezone.localdate().month),
            "completed_on_year": str(timezone.localdate().year),
            "completion_summary": "Bob upgraded everything",
        },
    )
    assert bob_saved.status_code == 302

    refused = alice_client.post(url, update_form(0))
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "<title>Error: " in html
    assert "Someone else updated this response while you were working on it" in html
    assert "What changed while you were working" in html
    assert "Bob Responder of Alpha Hospitals NHS Trust" in html
    assert "status updated, complete" in html
    assert "Alice&#39;s plan: patch the brokers tonight" in html
    # Submitting again, having seen the change, is based on the version now shown.
    assert 'name="version" value="1"' in html
    response.refresh_from_db()
    assert response.status == ResponseStatus.COMPLETE

    resubmitted = alice_client.post(url, update_form(1))
    assert resubmitted.status_code == 302
    response.refresh_from_db()
    assert (response.status, response.version) == (ResponseStatus.IN_PROGRESS, 2)


def test_an_acknowledgement_made_meanwhile_is_shown(signed_in, alert, trust_a, bob, alice):
    response_of(alert, trust_a)
    url = f"/responses/{alert.threat_id}/RAA/acknowledge/"
    assert signed_in(bob).post(url, {"version": 0}).status_code == 302
    page = signed_in(alice).post(url, {"version": 0})
    html = page.content.decode()
    assert page.status_code == 200
    assert "What changed while you were working" in html
    assert "has now acknowledged this alert" in html


@pytest.mark.parametrize("version", ["", "abc", "-1"])
def test_a_missing_or_broken_version_asks_for_a_reload(signed_in, alert, trust_a, bob, version):
    response = response_of(alert, trust_a)
    page = signed_in(bob).post(f"/responses/{alert.threat_id}/RAA/acknowledge/", {"version": version})
    assert page.status_code == 200
    assert "The page was out of date: reload it and try again" in page.content.decode()
    assert not response.entries.exists()


def test_a_version_from_the_future_is_a_conflict_not_a_save(signed_in, alert, trust_a, bob):
    response = response_of(alert, trust_a)
    page = signed_in(bob).post(f"/responses/{alert.threat_id}/RAA/acknowledge/", {"version": 7})
    assert "Someone else updated this response" in page.content.decode()
    assert not response.entries.exists()
