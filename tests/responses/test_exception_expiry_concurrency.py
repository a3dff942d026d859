"""Reopening expired exceptions while someone responds to another alert, in two real transactions on PostgreSQL
(threads, each with its own connection): neither waits for ever, and PostgreSQL finds no deadlock to break.

Each response write locks the data versions it raises (respond.core.versions) in name order within a statement.
The reopening once wrote every alert's responses in one transaction, statement by statement: having locked an
organisation's version for one alert, it then wanted the version of a later alert, which a single response of
that organisation to the later alert could already hold while it waited for the organisation's version."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from respond.accounts.models import Role
from respond.core.audit import Auditor
from respond.core.models import DataVersion
from respond.responses import services
from respond.responses.changes import organisation_responses_version
from respond.responses.models import Response, ResponseStatus
from tests.factories import MembershipFactory, OrganisationFactory, member
from tests.responses.conftest import make_alert, response_of, update

pytestmark = pytest.mark.django_db(transaction=True)

WAIT_SECONDS = 20


def _exception(response: Response, user) -> None:
    update(
        response,
        user,
        ResponseStatus.UNABLE_TO_IMPLEMENT,
        unable_reason="No fix yet",
        mitigations="Isolated",
        risk_owner="Jo Bloggs, SIRO",
        review_on=timezone.localdate() + timedelta(days=30),
    )


def _waiting_for_locks() -> int:
    """How many connections to this database wait for a lock now (the statistics are read afresh: inside a
    transaction PostgreSQL would keep showing the first reading)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _until_waiting(count: int) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while _waiting_for_locks() < count:
        assert time.monotonic() < deadline, f"fewer than {count} transactions ever waited for a lock"
        time.sleep(0.02)


def _in_thread(work, outcome: dict, name: str) -> threading.Thread:
    def run() -> None:
        try:
            outcome[name] = work()
        except Exception as error:  # a deadlock, as PostgreSQL reports it
            outcome[name] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def test_reopening_exceptions_while_an_organisation_responds_to_a_later_alert():
    if connection.vendor != "postgresql":
        pytest.skip("Two transactions at once need PostgreSQL: SQLite lets one writer in at a time")
    trusts = [OrganisationFactory(ods_code=f"RD{number}") for number in range(3)]
    # Of the two organisations with an exception to the first alert, `first` is the one whose version's name
    # comes first: the reopening locks it, then waits for the other's, which the test holds meanwhile.
    first, held = sorted(trusts[:2], key=lambda trust: organisation_responses_version(trust.pk))
    other = trusts[2]
    person = member(first, Role.RESPONDER, email="sam@rd.nhs.uk")
    for trust in (held, other):
        MembershipFactory(user=person, organisation=trust, role=Role.RESPONDER)
    earlier, later = make_alert(organisations=trusts), make_alert(organisations=trusts)
    for alert, trust in ((earlier, first), (earlier, held), (later, other)):
        _exception(response_of(alert, trust), person)
    responding = response_of(later, first)  # not an exception: `first` acknowledges it while the reopening runs

    outcome: dict = {}
    with transaction.atomic():  # holds `held`'s version until both others are under way
        DataVersion.objects.select_for_update().get(name=organisation_responses_version(held.pk))
        reopening = _in_thread(
            lambda: services.expire_unable_to_implement(now=timezone.now() + timedelta(days=31)), outcome, "reopen"
        )
        _until_waiting(1)  # reopening the earlier alert's exceptions: it holds `first`'s version, waits for `held`'s
        acknowledging = _in_thread(
            lambda: services.response_acknowledge(
                response=responding, user=person, version=responding.version, auditor=Auditor.for_user(person)
            ),
            outcome,
            "acknowledge",
        )
        _until_waiting(2)  # it holds the later alert's version, waits for `first`'s
    for thread in (reopening, acknowledging):
        thread.join(WAIT_SECONDS)
        assert not thread.is_alive(), f"{thread.name} still waits"

    assert not isinstance(outcome["reopen"], Exception), outcome["reopen"]
    assert not isinstance(outcome["acknowledge"], Exception), outcome["acknowledge"]
    assert outcome["reopen"] == 3
    statuses = {(r.alert_id, r.organisation_id): r.status for r in Response.objects.filter(alert__in=[earlier, later])}
    assert statuses == {
        (earlier.pk, first.pk): ResponseStatus.IN_PROGRESS,
        (earlier.pk, held.pk): ResponseStatus.IN_PROGRESS,
        (earlier.pk, other.pk): ResponseStatus.NOT_ACKNOWLEDGED,
        (later.pk, first.pk): ResponseStatus.IN_PROGRESS,  # acknowledged
        (later.pk, held.pk): ResponseStatus.NOT_ACKNOWLEDGED,
        (later.pk, other.pk): ResponseStatus.IN_PROGRESS,
    }
