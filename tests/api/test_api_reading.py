"""Reading through the API: what a token's organisations must answer, scoped as the pages are, with cursor pages,
ETags, and JSON errors of one shape."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from respond.accounts.api_tokens import api_token_revoke
from respond.accounts.models import ApiToken, ApiTokenAccess
from respond.alerts.models import Tlp
from respond.core.audit import Auditor
from tests.api.conftest import ApiClient, token_for
from tests.factories import OrganisationFactory
from tests.responses.conftest import acknowledge, make_alert, response_of, update

pytestmark = pytest.mark.django_db


def assert_error_shape(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


def test_lists_the_alerts_its_organisations_must_answer_with_their_status_and_deadline(api, bob, alert, trust_a):
    client = api(bob, [trust_a])
    body = client.get("/alerts").json()
    assert body["next_cursor"] is None
    [item] = body["items"]
    assert item["threat_id"] == alert.threat_id
    assert item["deadline_at"] is not None
    [state] = item["responses"]
    assert state["organisation"] == {"ods_code": "RAA", "name": "Alpha Hospitals NHS Trust"}
    assert state["status"] == "not_acknowledged"
    assert state["overdue"] is False


def test_another_organisations_responses_are_not_listed(api, charlie, bob, trust_a, trust_b):
    only_a = make_alert(organisations=[trust_a], tlp=Tlp.AMBER)
    assert api(charlie, [trust_b]).get("/alerts").json()["items"] == []
    assert_error_shape(api(charlie, [trust_b]).get(f"/alerts/{only_a.threat_id}"), 404)
    assert_error_shape(api(charlie, [trust_b]).get(f"/alerts/{only_a.threat_id}/responses/RAA"), 404)
    assert api(bob, [trust_a]).get(f"/alerts/{only_a.threat_id}").json()["tlp"] == "amber"


def test_a_token_sees_only_its_own_organisations(api, lee, trust_a, trust_b):
    restricted = make_alert(organisations=[trust_b], tlp=Tlp.AMBER)
    client = api(lee, [trust_a])
    assert client.get("/alerts?show=all").json()["items"] == []
    assert client.get(f"/alerts/{restricted.threat_id}").status_code == 404
    assert [o["ods_code"] for o in client.get("/organisations").json()] == ["RAA"]
    assert api(lee, [trust_b]).get(f"/alerts/{restricted.threat_id}").status_code == 200


def test_filters_open_overdue_closed(api, bob, trust_a, alert):
    client = api(bob, [trust_a])
    assert len(client.get("/alerts?show=open").json()["items"]) == 1
    assert client.get("/alerts?show=closed").json()["items"] == []
    assert client.get("/alerts?show=overdue").json()["items"] == []
    update(response_of(alert, trust_a), bob, "complete", completed_on=timezone.localdate(), completion_summary="Done")
    assert client.get("/alerts?show=open").json()["items"] == []
    assert client.get("/alerts?show=closed").json()["items"][0]["responses"][0]["status"] == "complete"
    late = make_alert(organisations=[trust_a], published_at=timezone.now() - timedelta(hours=60))
    overdue = client.get("/alerts?show=overdue").json()["items"]
    assert [item["threat_id"] for item in overdue] == [late.threat_id]
    assert overdue[0]["responses"][0]["overdue"] is True
    body = assert_error_shape(client.get("/alerts?show=late"), 422)
    assert body["errors"][0]["field"] == "show"


def test_cursor_pages_reach_every_alert_once(api, bob, trust_a):
    now = timezone.now()
    made = [make_alert(organisations=[trust_a], published_at=now - timedelta(minutes=m)) for m in range(5)]
    client = api(bob, [trust_a])
    seen, cursor = [], None
    while True:
        body = client.get(f"/alerts?limit=2{'&cursor=' + cursor if cursor else ''}").json()
        seen += [item["threat_id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [alert.threat_id for alert in made]
    assert assert_error_shape(client.get("/alerts?cursor=nonsense"), 400)["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("cold", [False, True], ids=["warm cache", "cold cache"])
def test_list_queries_do_not_grow_with_data(api, lee, trust_a, trust_b, cold):
    client = api(lee, [trust_a, trust_b])
    make_alert(organisations=[trust_a, trust_b])
    client.get("/alerts")  # the token's last use is written once a minute at most
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/alerts").json()["items"]) == 1
    others = [OrganisationFactory() for _ in range(5)]
    for organisation in others:
        lee.memberships.create(organisation=organisation, role="responder")
    many_client = api(lee, [trust_a, trust_b, *others])
    for _ in range(8):
        make_alert(organisations=[trust_a, trust_b, *others])
    many_client.get("/alerts")
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as many:
        body = many_client.get("/alerts").json()
    assert len(body["items"]) == 9
    assert sum(len(item["responses"]) for item in body["items"]) == 2 + 8 * 7
    assert len(many.captured_queries) == len(few.captured_queries)


def test_reads_carry_an_etag_and_answer_304_when_unchanged(api, bob, trust_a, alert):
    client = api(bob, [trust_a])
    first = client.get("/alerts")
    etag = first["ETag"]
    assert etag
    again = client.get("/alerts", **{"If-None-Match": etag})
    assert again.status_code == 304
    acknowledge(response_of(alert, trust_a), bob)
    assert client.get("/alerts", **{"If-None-Match": etag}).status_code == 200


def test_one_response_with_its_history_and_version_as_etag(api, bob, trust_a, alert):
    acknowledge(response_of(alert, trust_a), bob)
    response = api(bob, [trust_a]).get(f"/alerts/{alert.threat_id}/responses/raa")
    assert response.status_code == 200
    body = response.json()
    assert response["ETag"] == '"1"'
    assert body["version"] == 1
    assert body["status"] == "in_progress"
    [entry] = body["history"]
    assert entry["action"] == "acknowledged"
    assert entry["submitted_by"] == "Bob Responder of Alpha Hospitals NHS Trust"


def test_alert_in_full(api, bob, trust_a, alert):
    alert.affected_platforms.create(position=1, platform="Example VPN", versions="9.0\n9.0.1")
    alert.remediation_steps.create(position=1, step_type="upgrade", step="Upgrade to 9.1", link="https://example.com")
    alert.cve_ids = ["CVE-2024-0001"]
    alert.save()
    body = api(bob, [trust_a]).get(f"/alerts/{alert.threat_id.lower()}").json()
    assert body["cve_ids"] == ["CVE-2024-0001"]
    assert body["affected_platforms"][0]["platform"] == "Example VPN"
    assert body["remediation_steps"] == [{"type": "upgrade", "step": "Upgrade to 9.1", "link": "https://example.com"}]
    assert body["tlp"] == "clear"


def test_missing_wrong_revoked_and_expired_tokens_get_401(bob, trust_a, alert):
    assert_error_shape(ApiClient(None).get("/alerts"), 401)
    assert ApiClient(None).get("/alerts")["WWW-Authenticate"].startswith("Bearer")
    assert_error_shape(ApiClient("rca_not-a-real-token").get("/alerts"), 401)
    secret = token_for(bob, [trust_a])
    assert ApiClient(secret).get("/alerts").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert_error_shape(ApiClient(secret).get("/alerts"), 401)
    api_token_revoke(token=ApiToken.objects.get(), by=bob, auditor=Auditor.for_user(bob))
    assert_error_shape(ApiClient(secret).get("/alerts"), 401)


def test_last_use_is_shown_with_its_address(bob, trust_a):
    client = ApiClient(token_for(bob, [trust_a]))
    client.client.get("/api/v1/organisations", headers=client.headers, REMOTE_ADDR="192.0.2.7")
    token = ApiToken.objects.get()
    assert token.last_used_ip == "192.0.2.7"
    assert token.last_used_at is not None


@override_settings(API_REQUESTS_PER_MINUTE=2)
def test_too_many_requests_get_429_with_retry_after(api, bob, trust_a):
    client = api(bob, [trust_a], access=ApiTokenAccess.READ)
    assert [client.get("/organisations").status_code for _ in range(2)] == [200, 200]
    limited = client.get("/organisations")
    assert_error_shape(limited, 429)
    assert 1 <= int(limited["Retry-After"]) <= 60


def test_unknown_endpoints_and_methods_answer_json(api, bob, trust_a):
    client = api(bob, [trust_a])
    assert_error_shape(client.get("/no-such-thing"), 404)
    not_allowed = client.client.delete("/api/v1/alerts", headers=client.headers)
    assert_error_shape(not_allowed, 405)
    assert not_allowed["Allow"] == "GET"


def test_openapi_document_is_3_1_and_public(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/alerts/{threat_id}/responses" in document["paths"]
    assert document["components"]["securitySchemes"]["TokenBearer"]["scheme"] == "bearer"
