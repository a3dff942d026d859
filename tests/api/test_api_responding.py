"""Recording responses through the API: the form's statuses, answers and errors, optimistic concurrency with
If-Match, all-or-nothing bulk responses, and the token in the audit log and the response's history."""

from datetime import timedelta

import pytest
from django.utils import timezone

from respond.accounts.models import ApiTokenAccess
from respond.core.models import AuditLog
from respond.responses.models import Response, ResponseEntry
from tests.api.test_api_reading import assert_error_shape
from tests.factories import MembershipFactory, OrganisationFactory
from tests.responses.conftest import response_of

pytestmark = pytest.mark.django_db


def path(alert, ods_code="RAA"):
    return f"/alerts/{alert.threat_id}/responses/{ods_code}"


def test_acknowledge_then_update_with_if_match(api, bob, trust_a, alert):
    client = api(bob, [trust_a])
    acknowledged = client.post(path(alert), {"status": "acknowledge"}, **{"If-Match": '"0"'})
    assert acknowledged.status_code == 200
    assert acknowledged.json()["status"] == "in_progress"
    assert acknowledged["ETag"] == '"1"'
    due = timezone.localdate() + timedelta(days=3)
    updated = client.post(
        path(alert),
        {"status": "in_progress", "actions": "Patching", "expected_completion_on": due, "next_update_due_on": due},
        **{"If-Match": acknowledged["ETag"]},
    )
    assert updated.status_code == 200
    body = updated.json()
    assert body["version"] == 2
    assert body["history"][0]["actions"] == "Patching"
    assert body["history"][0]["api_token_name"] == "Ticketing"


def test_an_older_version_is_a_409_and_nothing_is_written(api, bob, alice, trust_a, alert):
    client = api(bob, [trust_a])
    client.post(path(alert), {"status": "acknowledge"})
    summary = {"status": "complete", "completed_on": timezone.localdate(), "completion_summary": "Upgraded"}
    stale = client.post(path(alert), summary, **{"If-Match": '"0"'})
    body = assert_error_shape(stale, 409)
    assert body["errors"][0]["message"].startswith("Version 1 recorded at")
    assert Response.objects.get(alert=alert, organisation=trust_a).version == 1
    assert ResponseEntry.objects.count() == 1
    assert assert_error_shape(client.post(path(alert), summary, **{"If-Match": "soon"}), 400)["errors"][0]["field"]


def test_the_forms_checks_and_messages(api, bob, trust_a, alert):
    client = api(bob, [trust_a])
    body = assert_error_shape(client.post(path(alert), {"status": "in_progress"}), 422)
    messages = {error["field"]: error["message"] for error in body["errors"]}
    assert messages["actions"] == "Enter the actions you are taking"
    assert messages["next_update_due_on"] == "Enter the date of your next update"
    yesterday = timezone.localdate() - timedelta(days=1)
    body = assert_error_shape(
        client.post(path(alert), {"status": "complete", "completed_on": timezone.localdate() + timedelta(days=2)}), 422
    )
    assert {"field": "completed_on", "message": "Date remediation was completed must be today or in the past"} in body[
        "errors"
    ]
    body = assert_error_shape(client.post(path(alert), {"status": "acknowledge", "next_update_due_on": yesterday}), 422)
    assert body["errors"] == [
        {"field": "next_update_due_on", "message": "Date of your next update must be today or in the future"}
    ]
    assert not ResponseEntry.objects.exists()


def test_bad_input_malformed_json_unknown_fields_wrong_types(api, bob, trust_a, alert):
    client = api(bob, [trust_a])
    assert_error_shape(client.post(path(alert), raw="{not json"), 400)
    body = assert_error_shape(client.post(path(alert), {"status": "acknowledge", "colour": "blue"}), 422)
    assert body["errors"][0]["field"] == "colour"
    body = assert_error_shape(client.post(path(alert), {"status": "complete", "completed_on": "last week"}), 422)
    assert body["errors"][0]["field"] == "completed_on"
    assert_error_shape(client.post(path(alert), {"status": "finished"}), 422)
    assert_error_shape(client.post(path(alert), ["acknowledge"]), 422)
    assert not ResponseEntry.objects.exists()


def test_read_only_token_cannot_respond(api, bob, trust_a, alert):
    body = assert_error_shape(
        api(bob, [trust_a], access=ApiTokenAccess.READ).post(path(alert), {"status": "acknowledge"}), 403
    )
    assert "read-only" in body["detail"]
    assert not ResponseEntry.objects.exists()


def test_organisation_outside_the_token_is_not_found_or_refused(api, lee, charlie, trust_a, trust_b, alert):
    assert_error_shape(api(lee, [trust_a]).post(path(alert, "RBB"), {"status": "acknowledge"}), 404)
    assert_error_shape(api(charlie, [trust_b]).post(path(alert, "RAA"), {"status": "acknowledge"}), 404)
    assert not ResponseEntry.objects.exists()


def test_closed_alert_refuses_responses(api, bob, trust_a, alert):
    alert.status = "closed"
    alert.save()
    body = assert_error_shape(api(bob, [trust_a]).post(path(alert), {"status": "acknowledge"}), 422)
    assert "closed" in body["errors"][0]["message"]


def test_writes_are_audited_as_by_the_user_via_the_token(api, bob, trust_a, alert):
    api(bob, [trust_a], name="ServiceNow").post(path(alert), {"status": "acknowledge"}, REMOTE_ADDR="192.0.2.1")
    log = AuditLog.objects.get(action="response.acknowledged")
    assert log.actor == bob
    assert log.actor_label == "bob@alpha.nhs.uk via token ServiceNow"
    entry = ResponseEntry.objects.get()
    assert entry.api_token_name == "ServiceNow"
    assert entry.submitter_text == "Bob Responder of Alpha Hospitals NHS Trust via API token ServiceNow"


def test_bulk_response_for_many_organisations(api, lee, trust_a, trust_b, alert):
    client = api(lee, [trust_a, trust_b])
    due = timezone.localdate() + timedelta(days=5)
    response = client.post(
        f"/alerts/{alert.threat_id}/responses",
        {
            "organisations": ["raa", "RBB"],
            "status": "in_progress",
            "actions": "Rolling out the patch",
            "expected_completion_on": due,
            "next_update_due_on": due,
        },
    )
    assert response.status_code == 200
    assert response.json()["results"] == [
        {"ods_code": "RAA", "status": "in_progress", "version": 1},
        {"ods_code": "RBB", "status": "in_progress", "version": 1},
    ]
    entries = ResponseEntry.objects.all()
    assert {entry.api_token_name for entry in entries} == {"Ticketing"}
    assert len({entry.bulk_id for entry in entries}) == 1
    assert AuditLog.objects.filter(actor_label="lee@csu.nhs.uk via token Ticketing").count() == 2


def test_bulk_is_all_or_nothing_with_per_organisation_errors(api, lee, trust_a, trust_b, alert):
    outsider = OrganisationFactory(ods_code="RZZ")
    not_asked = OrganisationFactory(ods_code="RYY")
    MembershipFactory(user=lee, organisation=not_asked, role="responder")
    client = api(lee, [trust_a, not_asked])
    body = assert_error_shape(
        client.post(
            f"/alerts/{alert.threat_id}/responses",
            {"organisations": ["RAA", "RBB", "RZZ", "RYY"], "status": "acknowledge"},
        ),
        403,
    )
    assert body["errors"] == [
        {"field": "organisations.RBB", "message": "This token cannot respond for RBB"},
        {"field": "organisations.RZZ", "message": "This token cannot respond for RZZ"},
        {"field": "organisations.RYY", "message": f"RYY is not asked to respond to {alert.threat_id}"},
    ]
    assert outsider.pk
    assert not ResponseEntry.objects.exists()
    body = assert_error_shape(
        client.post(f"/alerts/{alert.threat_id}/responses", {"organisations": ["RAA", "RYY"], "status": "acknowledge"}),
        422,
    )
    assert [error["field"] for error in body["errors"]] == ["organisations.RYY"]
    assert not ResponseEntry.objects.exists()


def test_bulk_with_versions_changed_since_is_a_409(api, lee, bob, trust_a, trust_b, alert):
    client = api(lee, [trust_a, trust_b])
    api(bob, [trust_a]).post(path(alert), {"status": "acknowledge"})
    body = {
        "organisations": ["RAA", "RBB"],
        "status": "complete",
        "completed_on": timezone.localdate(),
        "completion_summary": "Done",
        "versions": {"RAA": 0, "RBB": 0},
    }
    assert_error_shape(client.post(f"/alerts/{alert.threat_id}/responses", body), 409)
    assert ResponseEntry.objects.count() == 1
    body["versions"] = {"RAA": 1, "RBB": 0}
    assert client.post(f"/alerts/{alert.threat_id}/responses", body).status_code == 200


def test_bulk_validation_errors_write_nothing(api, lee, trust_a, trust_b, alert):
    body = assert_error_shape(
        api(lee, [trust_a, trust_b]).post(
            f"/alerts/{alert.threat_id}/responses", {"organisations": ["RAA", "RBB"], "status": "unable_to_implement"}
        ),
        422,
    )
    assert {error["field"] for error in body["errors"]} >= {"unable_reason", "risk_owner", "review_on"}
    assert_error_shape(
        api(lee, [trust_a]).post(
            f"/alerts/{alert.threat_id}/responses", {"organisations": [], "status": "acknowledge"}
        ),
        422,
    )
    assert not ResponseEntry.objects.exists()


def test_writes_raise_the_versions_the_cached_pages_use(api, signed_in, bob, trust_a, alert):
    page = signed_in(bob)
    assert "Not yet acknowledged" in page.get("/").content.decode()
    api(bob, [trust_a]).post(path(alert), {"status": "acknowledge"})
    assert "Not yet acknowledged" not in page.get("/").content.decode()
    assert response_of(alert, trust_a).status == "in_progress"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"status": "acknowledge", "organisations": ["R\\u0000AA"]}', "organisations[0] contains a NUL character"),
        ('{"status": "not_applicable", "unable_reason": "\\ud98f"}', "unable_reason contains an unpaired surrogate"),
        ('{"status": "acknowledge", "versions": {"\\u0000": 1}}', "A key in versions contains a NUL character"),
    ],
)
def test_text_no_database_can_store_is_a_400_that_says_so(api, bob, trust_a, alert, raw, message):
    """Found by the fuzzer on PostgreSQL, which refuses NUL in text: these were 500s there and 422s on SQLite."""
    client = api(bob, [trust_a])
    for endpoint in (path(alert), f"/alerts/{alert.threat_id}/responses"):
        body = assert_error_shape(client.post(endpoint, raw=raw), 400)
        assert body["detail"].startswith(message)
    assert not Response.objects.filter(alert=alert, version__gt=0).exists()


def test_a_nul_in_the_path_or_query_is_not_a_server_error(api, bob, trust_a, alert):
    client = api(bob, [trust_a])
    for where in ("/alerts/CC-%00", f"/alerts/{alert.threat_id}/responses/R%00A", "/alerts?status=%00"):
        assert "NUL character" in assert_error_shape(client.get(where), 400)["detail"]
