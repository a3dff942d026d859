"""Report figures show every change at once, whichever service wrote it: an alert's are read from the summary rows
each write keeps, an organisation's from its responses, neither cached on its own (the pages that show them are,
under the versions tested here)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from respond.alerts import services as alert_services
from respond.core import versions
from respond.core.audit import Auditor
from respond.core.models import DataVersion
from respond.organisations.models import ORGANISATION_DETAILS_VERSION, Region
from respond.reports.organisation_history import organisation_summary
from respond.reports.services import alert_report
from respond.responses import services
from respond.responses.answers import Answers
from respond.responses.changes import alert_responses_version
from tests.responses.conftest import acknowledge, response_of

pytestmark = pytest.mark.django_db


def report(alert):
    return alert_report(alert=alert, now=timezone.now())


def test_an_acknowledgement_shows_in_the_figures_at_once(compliance):
    before = report(compliance.z)
    assert before.acknowledgements.not_acknowledged == 1
    acknowledge(response_of(compliance.z, compliance.trust_a), compliance.responder)
    after = report(compliance.z)
    assert (after.acknowledgements.within_window, after.acknowledgements.not_acknowledged) == (1, 0)
    assert after.statuses.in_progress == 1


def test_a_bulk_response_shows_in_the_figures_at_once(compliance):
    services.bulk_response_submit(
        user=compliance.responder,
        alert=compliance.x,
        organisations=[compliance.csu],
        status=services.ACKNOWLEDGE,
        answers=Answers(),
        auditor=Auditor.for_user(compliance.responder),
    )
    after = report(compliance.x)
    assert (after.acknowledgements.late, after.acknowledgements.not_acknowledged) == (2, 0)


def test_a_version_goes_up_with_each_write_and_not_with_a_rolled_back_one():
    assert versions.current([ORGANISATION_DETAILS_VERSION]) == {ORGANISATION_DETAILS_VERSION: 0}
    region = Region.objects.create(code="Y01", name="North")
    Region.objects.filter(pk=region.pk).update(name="North East")
    assert versions.current([ORGANISATION_DETAILS_VERSION]) == {ORGANISATION_DETAILS_VERSION: 2}
    with pytest.raises(RuntimeError):
        rename_then_fail(region)
    assert versions.current([ORGANISATION_DETAILS_VERSION]) == {ORGANISATION_DETAILS_VERSION: 2}


@transaction.atomic
def rename_then_fail(region: Region) -> None:
    Region.objects.filter(pk=region.pk).update(name="Nowhere")
    raise RuntimeError("rolled back")


@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_each_raise_the_version():
    """The second transaction's trigger waits for the first's version row, then adds one to what it committed."""
    if connection.vendor != "postgresql":
        pytest.skip("Truly concurrent transactions need PostgreSQL: SQLite lets one writer in at a time")
    north, south = Region.objects.create(code="Y01", name="North"), Region.objects.create(code="Y02", name="South")
    first_wrote, second_started = threading.Event(), threading.Event()

    def first() -> None:
        with transaction.atomic():
            Region.objects.filter(pk=north.pk).update(name="North East")
            first_wrote.set()
            second_started.wait(5)
        connection.close()

    def second() -> None:
        first_wrote.wait(5)
        second_started.set()
        Region.objects.filter(pk=south.pk).update(name="South West")  # queues on the version until the first commits
        connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert versions.current([ORGANISATION_DETAILS_VERSION]) == {ORGANISATION_DETAILS_VERSION: 4}


def summary_of(organisation, now=None):
    return organisation_summary(organisation, now=now or timezone.now())


def test_an_organisations_summary_counts_missed_windows_at_the_time_asked(compliance):
    # Trust A has not acknowledged alert Z, published 2 hours ago with 48 hours to acknowledge: 46 hours left.
    now = timezone.now()
    summary = summary_of(compliance.trust_a, now)
    assert (summary.missed, summary.not_yet_due) == (0, 1)
    later = summary_of(compliance.trust_a, now + timedelta(hours=45))
    assert (later.missed, later.not_yet_due) == (0, 1)
    too_late = summary_of(compliance.trust_a, now + timedelta(hours=47))
    assert (too_late.missed, too_late.not_yet_due) == (1, 0)


def test_an_organisations_response_or_an_alerts_change_shows_in_its_summary_at_once(compliance, csoc):
    before = summary_of(compliance.trust_a)
    acknowledge(response_of(compliance.z, compliance.trust_a), compliance.responder)
    acknowledged = summary_of(compliance.trust_a)
    assert acknowledged.within_window == before.within_window + 1
    # Open: alert Y, still in progress, and alert Z, just acknowledged. Closing alert Z leaves Y.
    assert acknowledged.open_remediations == 2
    alert_services.alert_close(alert=compliance.z, reason="Fixed", closed_by=csoc, auditor=Auditor.for_user(csoc))
    closed = summary_of(compliance.trust_a)
    assert closed.open_remediations == 1


def test_a_combined_version_changes_whenever_one_of_its_versions_does():
    names = [alert_responses_version(1), alert_responses_version(2), ORGANISATION_DETAILS_VERSION]
    seen = {versions.combined(names)}
    for name in [names[0], names[1], names[0], names[2]]:
        raise_version(name)
        combined = versions.combined(names)
        assert combined not in seen
        seen.add(combined)
    raise_version(alert_responses_version(3))  # not one of them
    assert versions.combined(names) in seen


def raise_version(name: str) -> None:
    version, _ = DataVersion.objects.get_or_create(name=name)
    DataVersion.objects.filter(pk=version.pk).update(number=F("number") + 1)
