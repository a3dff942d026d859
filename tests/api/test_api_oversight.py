"""Auditors' and CSOC's endpoints: allowed by the same rules as their pages."""

import pytest

from respond.accounts.models import ApiTokenAccess
from tests.api.test_api_reading import assert_error_shape
from tests.responses.conftest import acknowledge, response_of

pytestmark = pytest.mark.django_db


def test_compliance_summary_for_auditors(api, auditor, bob, trust_a, alert):
    acknowledge(response_of(alert, trust_a), bob)
    body = api(auditor, access=ApiTokenAccess.READ).get(f"/alerts/{alert.threat_id}/compliance").json()
    assert body["totals"]["in_scope"] == 2
    assert body["totals"]["acknowledged_within_window"] == 1
    assert body["totals"]["not_acknowledged"] == 1
    assert body["totals"]["in_progress"] == 1
    assert body["median_hours_to_acknowledge"] is not None


def test_chase_list_for_auditors(api, auditor, alice, bob, trust_a, alert):
    body = api(auditor, access=ApiTokenAccess.READ).get(f"/alerts/{alert.threat_id}/chase-list").json()
    rows = {row["organisation"]["ods_code"]: row for row in body["rows"]}
    assert set(rows) == {"RAA", "RBB"}
    assert rows["RAA"]["reason"] == "not_acknowledged"
    assert rows["RAA"]["administrators"] == [{"name": "Alice Admin", "email": "alice@alpha.nhs.uk"}]


def test_delivery_summary_for_csoc_only(api, csoc, auditor, alert):
    body = api(csoc, access=ApiTokenAccess.READ).get(f"/alerts/{alert.threat_id}/delivery").json()
    assert body["threat_id"] == alert.threat_id
    assert body["finished"] is True
    assert_error_shape(api(auditor, access=ApiTokenAccess.READ).get(f"/alerts/{alert.threat_id}/delivery"), 403)


@pytest.mark.parametrize("endpoint", ["compliance", "chase-list", "delivery"])
def test_responders_are_refused_as_on_the_pages(api, alice, trust_a, alert, endpoint):
    assert_error_shape(api(alice, [trust_a]).get(f"/alerts/{alert.threat_id}/{endpoint}"), 403)


def test_unknown_alert_is_404_for_auditors(api, auditor):
    assert_error_shape(api(auditor, access=ApiTokenAccess.READ).get("/alerts/CC-1/compliance"), 404)
