"""Organisations that have not acknowledged a threat update by its deadline are chased apart, about the update."""

import pytest
import time_machine
from django.urls import reverse

from respond.core.audit import Auditor
from respond.followup.models import Chase, ChaseReason
from respond.followup.services import chase_list, chase_organisations
from respond.notifications.messages import deadline_text
from tests.followup.test_reacknowledgement_reminders import acknowledge, add_update, at, reacknowledge
from tests.responses.conftest import make_alert, response_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def updated(trust_a, trust_b, alice, bob, charlie):
    """Both trusts acknowledged and completed; an update at 9am on 23 October 2026 asks them to acknowledge it again
    within 48 hours (by 8am GMT on 25 October); Trust B does, Trust A does not."""
    alert = make_alert(organisations=[trust_a, trust_b], published_at=at("2026-10-19T09:00+01:00"))
    acknowledge(alert, trust_a, bob, moment="2026-10-19T10:00+01:00", complete=True)
    acknowledge(alert, trust_b, charlie, moment="2026-10-19T10:00+01:00", complete=True)
    add_update(alert, moment="2026-10-23T09:00+01:00")
    reacknowledge(response_of(alert, trust_b), charlie, moment="2026-10-24T09:00+01:00")
    return alert


def test_an_update_not_acknowledged_by_its_deadline_is_listed_apart(updated, trust_a):
    with time_machine.travel(at("2026-10-25T07:59+00:00"), tick=False):
        before = chase_list(alert=updated)
    with time_machine.travel(at("2026-10-25T08:01+00:00"), tick=False):
        after = chase_list(alert=updated)
    assert before.rows == []
    assert [row.response.organisation for row in after.reacknowledgement_overdue] == [trust_a]
    assert (after.not_acknowledged, after.update_overdue) == ([], [])


def test_chasing_it_asks_for_the_update_to_be_acknowledged(updated, trust_a, auditor, alice):
    with time_machine.travel(at("2026-10-25T09:00+00:00"), tick=False):
        outcome = chase_organisations(
            alert=updated, organisation_ids=[trust_a.pk], chased_by=auditor, auditor=Auditor.for_user(auditor)
        )
    [chase] = outcome.chased
    assert chase.reason == ChaseReason.REACKNOWLEDGEMENT_OVERDUE
    email = Chase.objects.get(pk=chase.pk).email_message
    assert email.subject.startswith("Please acknowledge the update: Alpha Hospitals NHS Trust")
    due = response_of(updated, trust_a).reacknowledgement_due_at
    assert f"asked for it to be acknowledged by {deadline_text(due)}" in email.body


def test_the_chase_page_shows_the_update_section(updated, signed_in, auditor):
    with time_machine.travel(at("2026-10-25T09:00+00:00"), tick=False):
        page = signed_in(auditor).get(reverse("followup:chase", args=[updated.threat_id]))
    assert page.status_code == 200
    assert "Threat update not acknowledged by its deadline (1)" in page.content.decode()
