"""Chasing queues messages to the administrators through the outbox, records the chase, and never sends twice."""

import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from respond.core.audit import Auditor
from respond.core.models import AuditLog
from respond.followup.models import Chase, ChaseReason
from respond.followup.services import chase_organisations
from respond.notifications.messages import deadline_text
from respond.notifications.models import Channel, MessageKind, Notification, Status
from respond.notifications.services import record_delivery_receipt
from tests.followup.conftest import in_progress, make_alert
from tests.notifications.conftest import deliver_everything, with_mobile

pytestmark = pytest.mark.django_db


def chase_page(alert):
    return reverse("followup:chase", args=[alert.threat_id])


def statuses(html: str) -> list[str]:
    """The delivery status tags on the chase page, in order."""
    history = html[html.index("<h2>Chases</h2>") :]
    return re.findall(r'<strong class="nhsuk-tag[^"]*"\s*>\s*([^<]+?)\s*</strong>', history)


def outbox():
    return sorted(Notification.objects.values_list("kind", "address", "organisation__ods_code"))


def test_chasing_emails_every_administrator_and_records_the_chase(signed_in, auditor, trust_a, trust_b, alice, bob):
    with_mobile(alice)
    alert = make_alert(organisations=[trust_a, trust_b])

    response = signed_in(auditor).post(chase_page(alert), {"organisations": [trust_a.pk]})

    assert response.status_code == 302
    # Email only: this is not a major incident. Bob is a responder, not an administrator.
    assert outbox() == [(MessageKind.CHASE_EMAIL, "alice@alpha.nhs.uk", "RAA")]
    chase = Chase.objects.get()
    assert (chase.alert, chase.organisation, chase.chased_by, chase.reason) == (
        alert,
        trust_a,
        auditor,
        ChaseReason.NOT_ACKNOWLEDGED,
    )
    assert chase.channels == ["Email"]
    message = chase.email_message
    assert (
        message.subject
        == f"Please respond: Alpha Hospitals NHS Trust has not acknowledged {alert.threat_id}: {alert.title}"
    )
    assert f"https://cyber-alerts.example.nhs.uk/responses/{alert.threat_id}/RAA/" in message.body
    assert f"It must be acknowledged by {deadline_text(alert.deadline_at)}." in message.body
    assert AuditLog.objects.filter(action="followup.chased").count() == 1


def test_a_major_incident_is_also_chased_by_text_message_to_administrators_with_a_mobile(
    signed_in, csoc, trust_a, trust_b, alice, charlie
):
    with_mobile(alice, "+447700900111")
    alert = make_alert(organisations=[trust_a, trust_b], major_incident=True)
    in_progress(alert, trust_b, next_update_due_on=timezone.localdate() - timedelta(days=1))

    signed_in(csoc).post(chase_page(alert), {"organisations": [trust_a.pk, trust_b.pk]})

    assert outbox() == [
        (MessageKind.CHASE_EMAIL, "alice@alpha.nhs.uk", "RAA"),
        (MessageKind.CHASE_EMAIL, "charlie@beta.nhs.uk", "RBB"),
        (MessageKind.CHASE_SMS, "+447700900111", "RAA"),
    ]
    sms = Notification.objects.get(kind=MessageKind.CHASE_SMS)
    assert sms.channel == Channel.SMS
    assert sms.composed.body.startswith("NHS England: Alpha Hospitals NHS Trust has not acknowledged major incident")
    beta = Chase.objects.get(organisation=trust_b)
    assert beta.reason == ChaseReason.UPDATE_OVERDUE
    assert "The next update was due on" in beta.email_message.body
    assert beta.sms_message is None  # charlie gave no mobile number


def test_chasing_the_same_organisation_again_soon_is_refused(auditor, csoc, trust_a, alice, settings):
    settings.CHASE_INTERVAL_MINUTES = 60
    alert = make_alert(organisations=[trust_a])

    def chase(user):
        return chase_organisations(
            alert=alert, organisation_ids=[trust_a.pk], chased_by=user, auditor=Auditor.system("test")
        )

    with time_machine.travel("2026-06-10 10:00 +01:00", tick=False):
        assert len(chase(auditor).chased) == 1
    with time_machine.travel("2026-06-10 10:59 +01:00", tick=False):
        refused = chase(csoc)
    assert refused.chased == []
    assert [(c.organisation, c.chased_by) for c in refused.too_soon] == [(trust_a, auditor)]
    assert Chase.objects.count() == 1
    assert Notification.objects.count() == 1
    with time_machine.travel("2026-06-10 11:01 +01:00", tick=False):
        assert len(chase(csoc).chased) == 1
    assert Chase.objects.count() == 2
    assert Notification.objects.count() == 2


def test_a_double_submission_sends_once(signed_in, auditor, trust_a, alice):
    alert = make_alert(organisations=[trust_a])
    client = signed_in(auditor)
    client.post(chase_page(alert), {"organisations": [trust_a.pk]})
    again = client.post(chase_page(alert), {"organisations": [trust_a.pk]}, follow=True)
    assert Chase.objects.count() == 1
    assert Notification.objects.count() == 1
    assert "Alpha Hospitals NHS Trust was not chased again: Audrey Auditor chased it at" in again.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_auditors_chasing_at_once_send_once(auditor, csoc, trust_a, alice):
    if connection.vendor != "postgresql":
        pytest.skip("Truly concurrent transactions need PostgreSQL: SQLite runs one writer at a time anyway")
    alert = make_alert(organisations=[trust_a])
    barrier = threading.Barrier(2)
    outcomes = []

    def chase(user):
        try:
            barrier.wait()
            outcomes.append(
                chase_organisations(
                    alert=alert, organisation_ids=[trust_a.pk], chased_by=user, auditor=Auditor.system("test")
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=chase, args=(user,)) for user in (auditor, csoc)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted((len(o.chased), len(o.too_soon)) for o in outcomes) == [(0, 1), (1, 0)]
    assert Chase.objects.count() == 1
    assert Notification.objects.count() == 1


def test_organisations_that_owe_nothing_are_not_chased(signed_in, auditor, trust_a, trust_b, alice, charlie):
    alert = make_alert(organisations=[trust_a, trust_b])
    in_progress(alert, trust_b, next_update_due_on=timezone.localdate() + timedelta(days=3))
    page = signed_in(auditor).post(chase_page(alert), {"organisations": [trust_b.pk]})
    assert page.status_code == 200  # the form says it is not a choice
    assert "An organisation you selected no longer needs chasing" in page.content.decode()
    assert not Chase.objects.exists()
    # And the service checks again itself, whatever the form let through.
    outcome = chase_organisations(
        alert=alert, organisation_ids=[trust_b.pk], chased_by=auditor, auditor=Auditor.system("test")
    )
    assert outcome.nothing_owed == 1
    assert not Chase.objects.exists()
    assert not Notification.objects.exists()


def test_nothing_selected_is_an_error(signed_in, auditor, trust_a, alice):
    alert = make_alert(organisations=[trust_a])
    page = signed_in(auditor).post(chase_page(alert), {})
    html = page.content.decode()
    assert "Select the organisations to chase" in html
    assert 'href="#organisations"' in html
    assert 'id="organisations"' in html
    assert not Chase.objects.exists()


def test_each_message_shows_its_delivery_status_from_notify(notify, signed_in, auditor, trust_a, alice, settings):
    with_mobile(alice, "+447700900111")
    alert = make_alert(organisations=[trust_a], major_incident=True)
    client = signed_in(auditor)
    client.post(chase_page(alert), {"organisations": [trust_a.pk]})

    page = client.get(chase_page(alert)).content.decode()
    assert "Email to alice@alpha.nhs.uk: " in page
    assert "Text message to +447700900111: " in page
    assert statuses(page) == ["Queued", "Queued"]

    deliver_everything()
    sent = {record.to: record for record in notify.records}
    assert set(sent) == {"alice@alpha.nhs.uk", "+447700900111"}
    assert sent["alice@alpha.nhs.uk"].personalisation["subject"].startswith("Please respond: Alpha Hospitals")
    page = client.get(chase_page(alert)).content.decode()
    assert statuses(page) == ["Sent", "Sent"]

    # GOV.UK Notify's delivery receipts come back through the callback.
    record_delivery_receipt(payload=notify.receipt(sent["alice@alpha.nhs.uk"], "delivered"))
    record_delivery_receipt(payload=notify.receipt(sent["+447700900111"], "permanent-failure"))
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.DELIVERED, Status.PERMANENT_FAILURE}
    page = client.get(chase_page(alert)).content.decode()
    assert statuses(page) == ["Delivered", "Failed"]
    assert "email address or phone number was wrong" in page
