"""A confirmation to the person who submitted; a notice to an organisation's administrators when someone from
another organisation responded on its behalf. Written to the outbox with the submission and sent by its worker
(here in this process, by SMTP to Django's test mailer); tests/responses/test_email_outbox.py shows they go out
exactly once."""

import pytest
from django.core import mail

from respond.accounts.models import Role
from respond.notifications.models import MessageKind, Notification, Status
from respond.responses import services
from respond.responses.models import ResponseStatus
from tests.factories import member
from tests.responses.conftest import acknowledge, response_of, send_emails, update
from tests.responses.test_bulk_response import bulk

pytestmark = pytest.mark.django_db


def test_the_submitter_gets_a_confirmation_and_nobody_else_when_responding_for_their_own(alert, trust_a, bob, alice):
    acknowledge(response_of(alert, trust_a), bob)
    send_emails()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bob@alpha.nhs.uk"]
    assert message.subject == f"[Respond to a cyber alert] Your response to {alert.threat_id} has been recorded"
    assert "for Alpha Hospitals NHS Trust (RAA)" in message.body
    assert "Status: In progress (acknowledged)" in message.body
    assert "Your next update is due by" in message.body
    assert f"/responses/{alert.threat_id}/RAA/" in message.body


def test_the_confirmation_lists_the_answers(alert, trust_a, bob):
    update(response_of(alert, trust_a), bob, ResponseStatus.NOT_APPLICABLE, not_applicable_reason="not_in_use")
    send_emails()
    body = mail.outbox[0].body
    assert "Why does the alert not apply to your organisation?\nThe affected product is not in use" in body
    assert "&" not in body.replace("&&", "")  # plain text, not HTML-escaped


def test_administrators_are_told_when_another_organisation_responds_on_their_behalf(alert, trust_a, alice, lee):
    second_admin = member(trust_a, Role.ADMINISTRATOR, email="ada@alpha.nhs.uk", full_name="Ada Admin")
    acknowledge(response_of(alert, trust_a), lee)
    send_emails()
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"lee@csu.nhs.uk", alice.email, second_admin.email}
    notice = by_recipient[alice.email]
    assert notice.subject == (
        f"[Respond to a cyber alert] Midlands Commissioning Support Unit responded to {alert.threat_id} "
        "on behalf of Alpha Hospitals NHS Trust"
    )
    assert "Lee Lead of Midlands Commissioning Support Unit on behalf of Alpha Hospitals NHS Trust" in notice.body
    assert "You are told because you are an administrator of Alpha Hospitals NHS Trust" in notice.body


def test_a_bulk_response_sends_one_confirmation_and_a_notice_per_organisation(
    alert, trust_a, trust_b, alice, charlie, lee
):
    bulk(lee, alert, [trust_a, trust_b], services.ACKNOWLEDGE)
    send_emails()
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(["lee@csu.nhs.uk", alice.email, charlie.email])
    confirmation = next(message for message in mail.outbox if message.to == ["lee@csu.nhs.uk"])
    assert "for 2 organisations" in confirmation.body
    assert "- Alpha Hospitals NHS Trust (RAA): in progress" in confirmation.body
    assert "- Beta Hospitals NHS Trust (RBB): in progress" in confirmation.body


def test_an_administrator_who_responded_on_behalf_is_not_told_about_it(alert, trust_b, lee, charlie):
    lee.memberships.filter(organisation=trust_b).update(role=Role.ADMINISTRATOR)
    acknowledge(response_of(alert, trust_b), lee)
    send_emails()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(["lee@csu.nhs.uk", charlie.email])


def test_the_emails_wait_in_the_outbox_for_its_worker(alert, trust_a, bob):
    acknowledge(response_of(alert, trust_a), bob)
    assert mail.outbox == []
    [row] = Notification.objects.all()
    assert (row.kind, row.status, row.address, row.user_id) == (
        MessageKind.NOTICE_EMAIL,
        Status.QUEUED,
        "bob@alpha.nhs.uk",
        bob.pk,
    )
    assert [message.to for message in send_emails()] == [["bob@alpha.nhs.uk"]]
    assert Notification.objects.get().status == Status.SENT
