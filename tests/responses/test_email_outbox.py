"""A submission's emails go through the notifications outbox: written in the submission's own transaction, so that
none is sent for a write rolled back and none is lost when a process dies after the commit; then sent by the
outbox's workers (here to a local GOV.UK Notify), exactly once, however many workers run and whichever dies."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from respond.accounts.models import Role
from respond.notifications.chains import deliver_notifications
from respond.notifications.conf import notification_settings
from respond.notifications.delivery import Job
from respond.notifications.models import ComposedMessage, MessageKind, Notification, Status
from respond.notifications.tasks import sweep_notifications
from respond.responses import services
from respond.responses.emails import queue_response_emails
from respond.responses.models import ResponseEntry, ResponseStatus
from tests.factories import MembershipFactory, OrganisationFactory, member
from tests.notifications.conftest import (  # noqa: F401 - no delivery chains left by other tests
    deliver_everything,
    in_process_deliverer,
    no_delivery_chains,
    run_worker_once,
)
from tests.responses.conftest import acknowledge, make_alert, response_of
from tests.responses.test_bulk_response import bulk

pytestmark = pytest.mark.django_db


def assert_each_sent_once(server):
    rows = list(Notification.objects.all())
    assert rows
    assert server.references() == {row.reference: 1 for row in rows}
    assert {row.status for row in rows} == {Status.SENT}


def test_the_emails_are_written_in_the_submissions_transaction_and_roll_back_with_it(alert, trust_a, bob):
    written = []

    def respond_then_fail() -> None:
        with transaction.atomic():
            acknowledge(response_of(alert, trust_a), bob)
            written.extend(Notification.objects.values_list("kind", "address"))
            raise RuntimeError("the request fails after the write")

    with pytest.raises(RuntimeError):
        respond_then_fail()
    assert written == [(MessageKind.NOTICE_EMAIL, bob.email)]
    assert not Notification.objects.exists()
    assert not ComposedMessage.objects.exists()
    assert response_of(alert, trust_a).status == ResponseStatus.NOT_ACKNOWLEDGED


def test_a_bulk_response_and_its_notices_go_through_notify_exactly_once(
    notify, alert, trust_a, trust_b, alice, charlie, lee
):
    bulk(lee, alert, [trust_a, trust_b], services.ACKNOWLEDGE)

    deliver_everything()
    assert run_worker_once().processed == 0  # another worker's run finds nothing left to send

    assert_each_sent_once(notify)
    subjects = {record.to: record.personalisation["subject"] for record in notify.records}
    assert subjects == {
        "lee@csu.nhs.uk": f"[Respond to a cyber alert] Your response to {alert.threat_id} has been recorded",
        alice.email: f"[Respond to a cyber alert] Midlands Commissioning Support Unit responded to "
        f"{alert.threat_id} on behalf of Alpha Hospitals NHS Trust",
        charlie.email: f"[Respond to a cyber alert] Midlands Commissioning Support Unit responded to "
        f"{alert.threat_id} on behalf of Beta Hospitals NHS Trust",
    }
    assert {record.type for record in notify.records} == {"email"}


def test_emails_committed_by_a_process_that_died_before_queueing_delivery_are_sent_by_the_sweep(
    notify, alert, trust_a, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        acknowledge(response_of(alert, trust_a), bob)
    assert len(callbacks) == 1  # starting the delivery chains: never run, as the process died at the commit

    # The per-minute sweep (or a worker starting) finds a message due and no chain running, and starts them.
    assert sweep_notifications.call()
    slots = [result.kwargs["slot"] for result in deliver_notifications.get_backend().results]
    assert slots
    for slot in slots:
        deliver_notifications.call(slot=slot)

    assert_each_sent_once(notify)
    assert notify.records[0].to == bob.email


def test_a_send_left_by_a_worker_that_died_is_taken_over_when_its_lease_runs_out_and_not_sent_again(
    notify, alert, trust_a, bob, lee, alice
):
    acknowledge(response_of(alert, trust_a), lee)  # a confirmation to lee and a notice to alice
    conf = notification_settings()
    dead = in_process_deliverer()
    claimed = dead.claim()
    assert len(claimed) == 2
    # It got as far as Notify with the first, and died before recording it; it never started the second.
    first = Job(claimed[0], dead.message_for(claimed[0]), ask_first=False)
    dead.mark_in_flight([first])
    assert dead.send_one(first).result is not None

    assert run_worker_once().processed == 0  # the lease has not run out: nobody else sends them
    Notification.objects.update(claimed_at=timezone.now() - conf.lease - timedelta(seconds=1))
    deliver_everything()

    assert_each_sent_once(notify)
    assert sorted(record.to for record in notify.records) == sorted([lee.email, alice.email])
    # Only the one that may have been sent was asked about; it was, so it was not sent again.
    assert len([seen for seen in notify.requests if seen.method == "GET"]) == 1


def test_the_same_emails_queued_again_are_not_written_or_sent_twice(notify, alert, trust_a, lee, alice):
    acknowledge(response_of(alert, trust_a), lee)
    entry = ResponseEntry.objects.select_related(
        "response__alert", "response__organisation", "submitted_by", "submitted_by_organisation"
    ).get()
    with transaction.atomic():
        queue_response_emails([entry])  # a retry of the same write's emails: the same keys
    assert Notification.objects.count() == ComposedMessage.objects.count() == 2
    assert set(ComposedMessage.objects.values_list("key", flat=True)) == {
        f"response-entry:{entry.pk}:confirmation",
        f"response-entry:{entry.pk}:on-behalf:{alice.pk}",
    }
    deliver_everything()
    assert_each_sent_once(notify)


def test_a_second_worker_never_claims_what_the_first_has_claimed(
    notify, settings, alert, trust_a, trust_b, alice, charlie, lee
):
    settings.NOTIFY_BATCH_SIZE = 2
    member(trust_a, Role.ADMINISTRATOR, email="ada@alpha.nhs.uk")
    bulk(lee, alert, [trust_a, trust_b], services.ACKNOWLEDGE)  # a confirmation, a notice to each administrator
    first, second = in_process_deliverer(), in_process_deliverer()
    claimed_first, claimed_second = first.claim(), second.claim()
    assert len(claimed_first) == len(claimed_second) == 2
    assert not {row.pk for row in claimed_first} & {row.pk for row in claimed_second}
    assert in_process_deliverer().claim() == []
    with ThreadPoolExecutor(2) as pool:
        first.deliver(claimed_first, pool)
        second.deliver(claimed_second, pool)
    assert_each_sent_once(notify)


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_at_once_send_each_email_once(notify, settings, trust_a, trust_b, alice, charlie, lee):
    if connection.vendor != "postgresql":
        pytest.skip("Two workers' transactions at once need PostgreSQL: the tests' SQLite lets one in at a time")
    settings.NOTIFY_BATCH_SIZE = 2  # many small claims, so that the workers take turns
    for organisation in [trust_a, trust_b]:
        for number in range(4):
            member(organisation, Role.ADMINISTRATOR, email=f"admin{number}@{organisation.ods_code.lower()}.nhs.uk")
    for _ in range(3):
        bulk(lee, make_alert(organisations=[trust_a, trust_b]), [trust_a, trust_b], services.ACKNOWLEDGE)
    assert Notification.objects.count() == 3 * (1 + 2 * 5)

    def worker(_: int) -> None:
        try:
            deliver_everything()
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(worker, range(2)))

    assert_each_sent_once(notify)
    assert len(notify.records) == 33


def test_a_bulk_response_writes_one_confirmation_per_submitter_in_as_many_queries_for_more_organisations(lee):
    organisations = []
    for number in range(8):
        organisation = OrganisationFactory()
        member(organisation, Role.ADMINISTRATOR, email=f"admin@org{number}.nhs.uk")
        MembershipFactory(user=lee, organisation=organisation, role=Role.RESPONDER)
        organisations.append(organisation)
    queries = []
    for chosen in (organisations[:2], organisations[2:]):
        alert = make_alert(organisations=chosen)
        services.open_missing_responses(alert=alert)
        with CaptureQueriesContext(connection) as captured:
            bulk(lee, alert, chosen, services.ACKNOWLEDGE)
        queries.append(len(captured.captured_queries))

    assert queries[0] == queries[1]
    to_lee = Notification.objects.filter(address=lee.email)
    assert to_lee.count() == 2  # one confirmation for each bulk response, listing its organisations
    assert "for 6 organisations" in to_lee.order_by("created_at").last().composed.body
    assert Notification.objects.exclude(address=lee.email).count() == 8  # a notice to each administrator
