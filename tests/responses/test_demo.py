"""Demo responses: every state, written by the demo users through the real services, once."""

import pytest
from django.utils import timezone

from respond.accounts.models import GlobalRole
from respond.alerts.models import ThreatUpdate
from respond.core.audit import Auditor
from respond.demo.accounts import seed_demo_users
from respond.demo.alerts import seed_demo_alerts
from respond.demo.responses import DemoResponsesError, seed_demo_responses
from respond.organisations.models import OrganisationType
from respond.responses.models import EntryAction, Response, ResponseEntry, ResponseStatus
from tests.factories import OrganisationFactory, global_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world():
    for code, name in (
        ("R0A", "Manchester University NHS Foundation Trust"),
        ("RD1", "Royal United Hospitals Bath NHS Foundation Trust"),
        ("RN3", "Great Western Hospitals NHS Foundation Trust"),
        ("RNZ", "Salisbury NHS Foundation Trust"),
    ):
        OrganisationFactory(ods_code=code, name=name)
    OrganisationFactory(ods_code="0DF", name="NHS South, Central and West CSU", organisation_type=OrganisationType.CSU)
    seed_demo_users(auditor=Auditor.system("test"))
    global_user(GlobalRole.CSOC, email="approver@csoc.nhs.uk")
    seed_demo_alerts()


def test_every_state_once(demo_world):
    first = seed_demo_responses()
    assert all(applied for _, applied in first), first
    responses = Response.objects.select_related("organisation", "alert")
    statuses = {
        response.status for response in responses if response.organisation.ods_code in {"R0A", "RD1", "RN3", "RNZ"}
    }
    assert statuses >= set(ResponseStatus.values)

    oldest = min({response.alert for response in responses}, key=lambda alert: alert.published_at)
    assert oldest.deadline_at < timezone.now()
    of_oldest = {response.organisation.ods_code: response for response in responses.filter(alert=oldest)}
    assert of_oldest["R0A"].acknowledged_within_window is False
    assert of_oldest["RNZ"].status == ResponseStatus.NOT_ACKNOWLEDGED
    assert of_oldest["RNZ"].is_overdue(timezone.now())
    assert responses.filter(acknowledged_within_window=True).exists()
    assert responses.filter(status=ResponseStatus.UNABLE_TO_IMPLEMENT, review_on__isnull=False).exists()

    bulk_entries = ResponseEntry.objects.filter(bulk_id__isnull=False).select_related("submitted_by", "response")
    assert {entry.submitted_by.email for entry in bulk_entries} == {"responder@0df.demo.invalid"}
    assert all(entry.is_on_behalf for entry in bulk_entries)
    assert len({entry.bulk_id for entry in bulk_entries}) == 4  # three answers and an update's acknowledgement

    entries = ResponseEntry.objects.count()
    again = seed_demo_responses()
    assert [applied for _, applied in again] == [False] * len(first)
    assert ResponseEntry.objects.count() == entries


def test_r0a_acknowledged_before_the_update_and_owes_a_new_acknowledgement(demo_world):
    seed_demo_responses()
    [owing] = Response.objects.owing_reacknowledgement().select_related("alert", "organisation")
    assert owing.organisation.ods_code == "R0A"
    assert owing.status == ResponseStatus.COMPLETE  # closed, yet open again until it acknowledges the update
    assert owing in Response.objects.open()
    update = owing.reacknowledgement_update
    assert update.requires_reacknowledgement
    assert update.alert == owing.alert
    assert owing.acknowledged_at < update.created_at
    assert owing.reacknowledgement_due_at == update.reacknowledge_by > timezone.now()
    assert [entry.action for entry in owing.entries.all()][-1] == EntryAction.REACKNOWLEDGEMENT_REQUESTED

    # The CSU acknowledged it for RD1 and RN3, in time, in one bulk response.
    others = Response.objects.filter(alert=owing.alert, organisation__ods_code__in=["RD1", "RN3"])
    assert [(r.reacknowledgement_due_at, r.reacknowledged_within_window) for r in others] == [(None, True)] * 2
    reacknowledged = ResponseEntry.objects.filter(action=EntryAction.REACKNOWLEDGED, threat_update=update)
    assert reacknowledged.count() == 2
    assert len({entry.bulk_id for entry in reacknowledged}) == 1

    updates, entries = ThreatUpdate.objects.count(), ResponseEntry.objects.count()
    again = seed_demo_responses()
    assert not any(applied for _, applied in again)
    assert (ThreatUpdate.objects.count(), ResponseEntry.objects.count()) == (updates, entries)
    assert list(Response.objects.owing_reacknowledgement()) == [owing]


def test_the_demo_alerts_and_users_come_first(trust_a):
    with pytest.raises(DemoResponsesError, match="seed the demo alerts first"):
        seed_demo_responses()
