"""Threat IDs: allocated at publication, in order, never reused; a publication that rolls back uses none."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings

from respond.alerts import services
from respond.alerts.models import Alert, AlertStatus, ThreatIdSequence
from respond.core.audit import Auditor
from respond.core.models import AuditLog
from respond.notifications import services as notification_services
from respond.notifications.models import Notification
from respond.publication import services as publication

pytestmark = pytest.mark.django_db


def publish(alert, user):
    return publication.alert_publish(alert=alert, published_by=user, auditor=Auditor.for_user(user))


def test_ids_are_sequential_from_the_configured_start(make_approved, csoc):
    ids = [publish(make_approved(title=f"Alert {n}"), csoc).threat_id for n in range(3)]
    assert ids == ["CC-4405", "CC-4406", "CC-4407"]


@override_settings(ALERT_THREAT_ID_START=9000)
def test_the_start_can_be_raised_by_a_setting(make_approved, csoc):
    assert publish(make_approved(), csoc).threat_id == "CC-9000"


def test_a_withdrawn_alert_keeps_its_id_and_the_id_is_never_given_again(make_approved, csoc):
    first = publish(make_approved(title="First"), csoc)
    services.alert_withdraw(alert=first, reason="Sent in error", withdrawn_by=csoc, auditor=Auditor.for_user(csoc))
    second = publish(make_approved(title="Second"), csoc)
    first.refresh_from_db()
    assert first.threat_id == "CC-4405"
    assert first.status == AlertStatus.WITHDRAWN
    assert second.threat_id == "CC-4406"


def test_a_publication_that_fails_writing_notifications_publishes_nothing_and_uses_no_id(
    make_approved, csoc, monkeypatch
):
    alert = make_approved()

    def broken(*, alert, update=None):
        # Fails after the alert row was changed and the ID taken, inside the same transaction.
        assert Alert.objects.get(pk=alert.pk).threat_id == "CC-4405"
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(notification_services, "notifications_for_alert", broken)
    with pytest.raises(RuntimeError):
        publish(alert, csoc)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.APPROVED
    assert alert.threat_id is None
    assert alert.published_at is None
    assert not alert.organisations.exists()
    assert not alert.versions.filter(summary__startswith="Published").exists()
    assert not Notification.objects.filter(alert=alert).exists()
    assert not AuditLog.objects.filter(action="alert.published").exists()

    monkeypatch.undo()
    assert publish(alert, csoc).threat_id == "CC-4405"


def test_a_publication_refused_by_validation_uses_no_id(make_approved, csoc):
    bad = make_approved(title="Bad")
    Alert.objects.filter(pk=bad.pk).update(cve_ids=["CVE-23-1"])  # as if written outside the services
    with pytest.raises(ValidationError):
        publish(bad, csoc)
    assert publish(make_approved(title="Good"), csoc).threat_id == "CC-4405"
    assert ThreatIdSequence.objects.get().next_number == 4406


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks across connections: PostgreSQL")
def test_concurrent_publications_get_different_ids(make_approved, csoc):
    alerts = [make_approved(title=f"Concurrent {n}") for n in range(4)]
    barrier = threading.Barrier(len(alerts))
    errors: list[BaseException] = []

    def run(alert: Alert) -> None:
        try:
            barrier.wait()
            publish(alert, csoc)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(alert,)) for alert in alerts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    ids = sorted(Alert.objects.values_list("threat_id", flat=True))
    assert ids == ["CC-4405", "CC-4406", "CC-4407", "CC-4408"]
