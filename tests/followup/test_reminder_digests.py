"""One digest per organisation listing everything it owes; one missed-deadline digest per administrator and
auditor; and digests go out through the outbox like every other message."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from respond.accounts.models import Role
from respond.followup.reminders import send_reminders
from respond.followup.tasks import send_reminders as send_reminders_task
from respond.notifications.models import MessageKind, Notification, Status
from respond.organisations.models import Organisation
from tests.factories import MembershipFactory, member
from tests.followup.conftest import in_progress, make_alert
from tests.notifications.conftest import deliver_everything

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # 1pm in London


def queued(kind=MessageKind.REMINDER_EMAIL):
    return Notification.objects.filter(kind=kind).select_related("composed").order_by("address")


def test_one_email_per_organisation_lists_every_alert_it_owes(trust_a, trust_b, alice, bob, charlie):
    gone = member(trust_a, Role.RESPONDER, email="gone@alpha.nhs.uk")
    gone.is_active = False
    gone.save()
    # Three alerts due for Trust A within 24 hours, one of them also Trust B's; Trust A owes an update on a fourth.
    first = make_alert(organisations=[trust_a, trust_b], published_at=datetime(2026, 6, 8, 14, 0, tzinfo=UTC))
    second = make_alert(organisations=[trust_a], published_at=datetime(2026, 6, 9, 9, 0, tzinfo=UTC))
    third = make_alert(organisations=[trust_a], published_at=datetime(2026, 6, 8, 20, 0, tzinfo=UTC))
    later = make_alert(organisations=[trust_a], published_at=datetime(2026, 6, 10, 9, 0, tzinfo=UTC))  # 45h left
    older = make_alert(organisations=[trust_a], published_at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    in_progress(older, trust_a, next_update_due_on=date(2026, 6, 9))

    with time_machine.travel(NOW, tick=False):
        run = send_reminders()

    assert run.digests == 2
    messages = {(n.address, n.composed_id) for n in queued()}
    assert [address for address, _ in sorted(messages)] == [
        "alice@alpha.nhs.uk",
        "bob@alpha.nhs.uk",
        "charlie@beta.nhs.uk",
    ]
    alpha = Notification.objects.get(address="alice@alpha.nhs.uk").composed
    assert Notification.objects.get(address="bob@alpha.nhs.uk").composed == alpha  # written once, sent to each
    assert alpha.subject == "Alpha Hospitals NHS Trust: 4 cyber alerts need your response"
    body = alpha.body
    # Soonest deadline first.
    assert body.index(first.threat_id) < body.index(third.threat_id) < body.index(second.threat_id)
    assert later.threat_id not in body
    assert f"{older.threat_id}" in body
    assert "The next update was due on Tuesday 9 June 2026" in body
    assert f"https://cyber-alerts.example.nhs.uk/responses/{first.threat_id}/RAA/" in body
    beta = Notification.objects.get(address="charlie@beta.nhs.uk").composed
    assert beta.subject == "Beta Hospitals NHS Trust: 1 cyber alert needs your response"
    assert second.threat_id not in beta.body


def test_an_organisation_already_reminded_is_not_sent_the_same_list_again(trust_a, alice):
    make_alert(organisations=[trust_a], published_at=datetime(2026, 6, 8, 14, 0, tzinfo=UTC))
    with time_machine.travel(NOW, tick=False):
        send_reminders()
    new = make_alert(organisations=[trust_a], published_at=datetime(2026, 6, 9, 12, 30, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 6, 10, 12, 30, tzinfo=UTC), tick=False):
        send_reminders()  # the new alert's 24-hour reminder: the digest lists both again
    bodies = [n.composed.body for n in queued()]
    assert len(bodies) == 2
    assert new.threat_id in bodies[1]
    assert bodies[1].count("Acknowledge by") == 2


def test_administrators_and_auditors_get_one_digest_of_the_missed_deadlines(
    trust_a, trust_b, alice, bob, charlie, auditor
):
    MembershipFactory(user=alice, organisation=trust_b, role=Role.ADMINISTRATOR)  # alice administers both
    trust_c = Organisation.objects.create(ods_code="RCC", name="Gamma NHS Trust", organisation_type="nhs_trust")
    one = make_alert(organisations=[trust_a, trust_b, trust_c], published_at=datetime(2026, 6, 8, 11, 0, tzinfo=UTC))
    two = make_alert(organisations=[trust_a], published_at=datetime(2026, 6, 8, 10, 0, tzinfo=UTC))

    with time_machine.travel(NOW, tick=False):
        run = send_reminders()

    assert run.reminded == 4
    digests = {n.address: n.composed for n in queued(MessageKind.ESCALATION_EMAIL)}
    assert set(digests) == {"alice@alpha.nhs.uk", "charlie@beta.nhs.uk", "audrey@england.nhs.uk"}  # not bob
    alice_digest = digests["alice@alpha.nhs.uk"].body
    assert alice_digest.count("* ") == 3  # Trust A twice, Trust B once
    assert "Gamma NHS Trust" not in alice_digest
    assert "Gamma NHS Trust (RCC)" in digests["audrey@england.nhs.uk"].body
    assert digests["audrey@england.nhs.uk"].body.count("* ") == 4
    assert digests["audrey@england.nhs.uk"].subject == (
        "Missed deadlines: 3 organisations did not acknowledge cyber alerts in time"
    )
    assert digests["charlie@beta.nhs.uk"].subject == (
        f"Missed deadline: 1 organisation did not acknowledge {one.threat_id}: {one.title} in time"
    )
    assert two.threat_id in alice_digest


def test_digests_are_delivered_through_notify(notify, trust_a, alice, bob):
    make_alert(organisations=[trust_a], published_at=datetime(2026, 6, 8, 14, 0, tzinfo=UTC))
    with time_machine.travel(NOW, tick=False):
        send_reminders_task.call()
    deliver_everything()
    assert sorted(record.to for record in notify.records) == ["alice@alpha.nhs.uk", "bob@alpha.nhs.uk"]
    assert {record.personalisation["subject"] for record in notify.records} == {
        "Alpha Hospitals NHS Trust: 1 cyber alert needs your response"
    }
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}
    assert notify.references().most_common(1)[0][1] == 1
