"""An update that requires re-acknowledging: every organisation that had acknowledged the alert, open or closed,
owes a new acknowledgement by the update's deadline (its time plus the response window). The organisation gives
it on the acknowledge page, or in bulk, keeping its status; the dashboard, the response page and the email show
the new deadline."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from respond.accounts.models import GlobalRole, Role
from respond.alerts import services as alert_services
from respond.alerts.models import ThreatUpdate
from respond.core.audit import Auditor
from respond.core.models import AuditLog
from respond.notifications.messages import render_message
from respond.notifications.models import MessageKind
from respond.publication import services as publication
from respond.responses import services
from respond.responses.models import EntryAction, Response, ResponseStatus
from tests.core.html import parse
from tests.factories import MembershipFactory, OrganisationFactory, global_user, member
from tests.responses.conftest import acknowledge, make_alert, response_of, update

pytestmark = pytest.mark.django_db

# Winter, so UK time is UTC and the times below read as they are written.
PUBLISHED = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
ACKNOWLEDGED = datetime(2026, 1, 12, 10, 0, tzinfo=UTC)
UPDATED = datetime(2026, 1, 20, 15, 0, tzinfo=UTC)
REACKNOWLEDGE_BY = UPDATED + timedelta(hours=48)  # 3:00pm on Thursday 22 January 2026


def add_update(alert, *, requires_reacknowledgement=True, at=UPDATED, text="A patch is now out: apply it.\n"):
    csoc = global_user(GlobalRole.CSOC)
    with time_machine.travel(at, tick=False):
        return publication.threat_update_add(
            alert=alert,
            text=text,
            requires_reacknowledgement=requires_reacknowledgement,
            added_by=csoc,
            auditor=Auditor.for_user(csoc),
        )


def complete(response, user):
    return update(
        response,
        user,
        ResponseStatus.COMPLETE,
        completed_on=date(2026, 1, 12),
        completion_summary="Upgraded every VPN appliance to 9.1",
    )


def reacknowledge(response, user, *, at):
    with time_machine.travel(at, tick=False):
        services.response_reacknowledge(
            response=response, user=user, version=response.version, auditor=Auditor.for_user(user)
        )
    response.refresh_from_db()
    return response


@pytest.fixture
def alert(trust_a, trust_b):
    return make_alert(organisations=[trust_a, trust_b], published_at=PUBLISHED)


@pytest.fixture
def completed(alert, trust_a, bob):
    """Trust A acknowledged in time and completed; Trust B has not acknowledged yet."""
    with time_machine.travel(ACKNOWLEDGED, tick=False):
        return complete(acknowledge(response_of(alert, trust_a), bob), bob)


@pytest.fixture
def owing(completed, alert):
    """Trust A, complete, asked to acknowledge an update."""
    update = add_update(alert)
    completed.refresh_from_db()
    return completed, update


# Asking ----------------------------------------------------------------------------------------------------------


def test_an_update_asks_each_organisation_that_acknowledged_to_acknowledge_again(owing, alert, trust_b):
    response, threat_update = owing
    assert threat_update.reacknowledge_by == REACKNOWLEDGE_BY
    assert (response.status, response.version, response.reacknowledgement_due_at) == (
        ResponseStatus.COMPLETE,
        3,
        REACKNOWLEDGE_BY,
    )
    assert response.reacknowledgement_update == threat_update
    assert response.owes_reacknowledgement
    # Complete stays complete, closed when it was.
    assert response.closed_at is not None
    assert response.closed_at < UPDATED
    entry = response.entries.order_by("-version").first()
    assert (entry.version, entry.action, entry.status, entry.submitted_by, entry.threat_update) == (
        3,
        EntryAction.REACKNOWLEDGEMENT_REQUESTED,
        ResponseStatus.COMPLETE,
        None,
        threat_update,
    )
    assert entry.created_at == UPDATED
    # The latest entry is still the current state: the answers carry over.
    assert entry.completion_summary == "Upgraded every VPN appliance to 9.1"
    assert entry.completed_on == date(2026, 1, 12)
    assert entry.submitter_text == "The service (automatically)"
    audit = AuditLog.objects.get(action="response.reack_requested")
    assert audit.after["reacknowledgement_due_at"].startswith("2026-01-22T15:00")
    assert audit.before["reacknowledgement_due_at"] is None
    # Not yet acknowledged: still owes its first acknowledgement, which covers the update.
    not_yet = response_of(alert, trust_b)
    assert (not_yet.version, not_yet.reacknowledgement_due_at, not_yet.entries.count()) == (0, None, 0)


def test_an_update_that_needs_no_reacknowledgement_changes_no_response(completed, alert):
    add_update(alert, requires_reacknowledgement=False)
    completed.refresh_from_db()
    assert (completed.version, completed.reacknowledgement_due_at) == (2, None)


def test_a_second_update_moves_the_deadline_on(owing, alert):
    response, _ = owing
    later = UPDATED + timedelta(days=1)
    second = add_update(alert, at=later, text="Exploitation seen in the wild.")
    response.refresh_from_db()
    assert (response.reacknowledgement_update, response.reacknowledgement_due_at) == (
        second,
        later + timedelta(hours=48),
    )
    assert list(response.entries.order_by("version").values_list("action", flat=True)) == [
        EntryAction.ACKNOWLEDGED,
        EntryAction.UPDATED,
        EntryAction.REACKNOWLEDGEMENT_REQUESTED,
        EntryAction.REACKNOWLEDGEMENT_REQUESTED,
    ]


def _alert_acknowledged_by(count: int):
    organisations = [OrganisationFactory() for _ in range(count)]
    lead = member(organisations[0], Role.RESPONDER)
    for organisation in organisations[1:]:
        MembershipFactory(user=lead, organisation=organisation, role=Role.RESPONDER)
    alert = make_alert(organisations=organisations, published_at=PUBLISHED)
    with time_machine.travel(ACKNOWLEDGED, tick=False):
        services.bulk_response_submit(
            user=lead,
            alert=alert,
            organisations=organisations,
            status=services.ACKNOWLEDGE,
            answers=services.Answers(),
            auditor=Auditor.for_user(lead),
        )
    return alert


def _queries_to_add_update(alert) -> int:
    with CaptureQueriesContext(connection) as queries:
        add_update(alert)
    return len(queries.captured_queries)


def test_asking_costs_the_same_queries_however_many_organisations():
    few, many = _alert_acknowledged_by(3), _alert_acknowledged_by(40)
    assert _queries_to_add_update(few) == _queries_to_add_update(many)
    assert Response.objects.filter(alert=many, reacknowledgement_due_at=REACKNOWLEDGE_BY).count() == 40
    assert Response.objects.filter(alert=many, version=2).count() == 40


# Acknowledging the update -----------------------------------------------------------------------------------


def test_acknowledging_the_update_in_time_keeps_the_status(owing, alice):
    response, threat_update = owing
    at = REACKNOWLEDGE_BY - timedelta(minutes=1)
    response = reacknowledge(response, alice, at=at)
    assert (response.status, response.version) == (ResponseStatus.COMPLETE, 4)
    assert (response.reacknowledgement_due_at, response.reacknowledged_at, response.reacknowledged_within_window) == (
        None,
        at,
        True,
    )
    assert not response.owes_reacknowledgement
    assert response.reacknowledgement_update == threat_update
    entry = response.entries.order_by("-version").first()
    assert (entry.action, entry.status, entry.submitted_by, entry.threat_update) == (
        EntryAction.REACKNOWLEDGED,
        ResponseStatus.COMPLETE,
        alice,
        threat_update,
    )
    assert entry.completion_summary == "Upgraded every VPN appliance to 9.1"
    # The first acknowledgement is what it was.
    assert (response.acknowledged_at, response.acknowledged_within_window) == (ACKNOWLEDGED, True)


def test_acknowledging_the_update_after_its_deadline_is_late(owing, alice):
    response, _ = owing
    response = reacknowledge(response, alice, at=REACKNOWLEDGE_BY + timedelta(minutes=1))
    assert response.reacknowledged_within_window is False


def test_there_is_nothing_to_acknowledge_without_an_update(completed, bob):
    with pytest.raises(ValidationError, match="no update to acknowledge"):
        services.response_reacknowledge(
            response=completed, user=bob, version=completed.version, auditor=Auditor.for_user(bob)
        )


def test_two_people_acknowledging_the_update_at_once(owing, bob, alice):
    response, _ = owing
    stale = Response.objects.select_related("alert", "organisation").get(pk=response.pk)
    reacknowledge(response, bob, at=UPDATED + timedelta(hours=1))
    with pytest.raises(services.ConflictError) as conflict:
        services.response_reacknowledge(
            response=stale, user=alice, version=stale.version, auditor=Auditor.for_user(alice)
        )
    assert [(entry.action, entry.submitted_by) for entry in conflict.value.entries] == [
        (EntryAction.REACKNOWLEDGED, bob)
    ]
    assert response.entries.count() == 4


def test_someone_of_another_organisation_cannot_acknowledge_the_update(owing, charlie):
    response, _ = owing
    with pytest.raises(PermissionDenied):
        services.response_reacknowledge(
            response=response, user=charlie, version=response.version, auditor=Auditor.for_user(charlie)
        )
    response.refresh_from_db()
    assert (response.version, response.reacknowledgement_due_at) == (3, REACKNOWLEDGE_BY)


def test_the_update_form_still_offers_the_latest_answers(owing, signed_in, bob):
    response, _ = owing
    with time_machine.travel(UPDATED + timedelta(hours=1), tick=False):
        page = signed_in(bob).get(f"/responses/{response.alert.threat_id}/{response.organisation.ods_code}/update/")
    html = page.content.decode()
    assert parse(html).find("input", name="status", value="complete").has("checked")
    assert "Upgraded every VPN appliance to 9.1" in html
    assert "Saving a status does not acknowledge the update" in html


# In bulk ----------------------------------------------------------------------------------------------------


@pytest.fixture
def both_owing(alert, trust_a, trust_b, lee):
    with time_machine.travel(ACKNOWLEDGED, tick=False):
        services.bulk_response_submit(
            user=lee,
            alert=alert,
            organisations=[trust_a, trust_b],
            status=services.ACKNOWLEDGE,
            answers=services.Answers(),
            auditor=Auditor.for_user(lee),
        )
    add_update(alert)


def test_a_lead_organisation_acknowledges_the_update_for_several_at_once(both_owing, alert, trust_a, trust_b, lee):
    with time_machine.travel(UPDATED + timedelta(hours=2), tick=False):
        entries = services.bulk_response_submit(
            user=lee,
            alert=alert,
            organisations=[trust_a, trust_b],
            status=services.REACKNOWLEDGE,
            answers=services.Answers(),
            auditor=Auditor.for_user(lee),
        )
    assert {(entry.action, entry.status, entry.is_on_behalf) for entry in entries} == {
        (EntryAction.REACKNOWLEDGED, ResponseStatus.IN_PROGRESS, True)
    }
    assert len({entry.bulk_id for entry in entries}) == 1
    responses = Response.objects.filter(alert=alert)
    assert set(responses.values_list("reacknowledgement_due_at", "reacknowledged_within_window")) == {(None, True)}


def test_bulk_refuses_organisations_with_no_update_to_acknowledge(both_owing, alert, trust_a, trust_b, lee):
    with time_machine.travel(UPDATED + timedelta(hours=1), tick=False):
        owing = response_of(alert, trust_a)
        services.response_reacknowledge(response=owing, user=lee, version=owing.version, auditor=Auditor.for_user(lee))
        with pytest.raises(ValidationError, match="has no update to acknowledge"):
            services.bulk_response_submit(
                user=lee,
                alert=alert,
                organisations=[trust_a, trust_b],
                status=services.REACKNOWLEDGE,
                answers=services.Answers(),
                auditor=Auditor.for_user(lee),
            )
    assert response_of(alert, trust_b).owes_reacknowledgement


def test_the_bulk_page_offers_acknowledging_the_update_and_previews_it(
    both_owing, alert, trust_a, trust_b, lee, signed_in
):
    client = signed_in(lee)
    url = f"/responses/{alert.threat_id}/bulk/"
    with time_machine.travel(UPDATED + timedelta(hours=1), tick=False):
        choose = client.get(url).content.decode()
        assert parse(choose).find("input", name="status", value="reacknowledge") is not None
        data = {"organisations": [str(trust_a.pk), str(trust_b.pk)], "status": "reacknowledge", "step": "preview"}
        preview = client.post(url, data).content.decode()
        assert "Unchanged (update acknowledged)" in preview
        done = client.post(url, {**data, "step": "confirm"})
    assert done.status_code == 302
    assert not Response.objects.filter(alert=alert).owing_reacknowledgement().exists()


# Pages ------------------------------------------------------------------------------------------------------


def detail_url(response) -> str:
    return f"/responses/{response.alert.threat_id}/{response.organisation.ods_code}/"


def test_the_response_page_and_the_acknowledge_page_ask_for_the_update(owing, signed_in, bob):
    response, _ = owing
    client = signed_in(bob)
    with time_machine.travel(UPDATED + timedelta(hours=1), tick=False):
        detail = client.get(detail_url(response)).content.decode()
        assert "Acknowledge the update by" in detail
        assert "3:00pm" in detail
        assert "22 January 2026" in detail
        assert "Alert updated: acknowledge the update" in detail
        page = client.get(detail_url(response) + "acknowledge/")
        html = page.content.decode()
        assert page.status_code == 200
        assert "<h1>Acknowledge the update to" in html
        assert "A patch is now out: apply it." in html
        posted = client.post(
            detail_url(response) + "acknowledge/", {"version": response.version, "acknowledging": "update"}
        )
        assert posted.status_code == 302
        after = client.get(detail_url(response)).content.decode()
    response.refresh_from_db()
    assert response.reacknowledged_at == UPDATED + timedelta(hours=1)
    assert response.status == ResponseStatus.COMPLETE
    assert "Update acknowledged" in after
    assert "by its deadline" in after
    assert "Acknowledge the update by" not in after


def test_a_stale_acknowledge_form_shows_what_changed(owing, signed_in, bob, alice):
    response, _ = owing
    version = response.version
    with time_machine.travel(UPDATED + timedelta(hours=1), tick=False):
        reacknowledge(response, alice, at=UPDATED + timedelta(hours=1))
        page = signed_in(bob).post(
            detail_url(response) + "acknowledge/", {"version": version, "acknowledging": "update"}
        )
    html = page.content.decode()
    assert page.status_code == 200
    assert "What changed while you were working" in html
    assert "has now acknowledged the update" in html
    assert response.entries.filter(action=EntryAction.REACKNOWLEDGED).count() == 1


def test_the_response_page_marks_an_update_not_acknowledged_in_time(owing, signed_in, bob):
    response, _ = owing
    with time_machine.travel(REACKNOWLEDGE_BY + timedelta(hours=3), tick=False):
        html = signed_in(bob).get(detail_url(response)).content.decode()
    tags = [tag.text for tag in parse(html).find_all("strong", class_="nhsuk-tag")]
    assert "Overdue" in tags
    assert "Overdue by 3 hours" in tags


def test_someone_of_another_organisation_cannot_see_or_acknowledge(owing, signed_in, charlie):
    response, _ = owing
    client = signed_in(charlie)
    assert client.get(detail_url(response) + "acknowledge/").status_code == 404
    posted = client.post(
        detail_url(response) + "acknowledge/", {"version": response.version, "acknowledging": "update"}
    )
    assert posted.status_code == 404
    response.refresh_from_db()
    assert (response.version, response.reacknowledgement_due_at) == (3, REACKNOWLEDGE_BY)


def test_an_auditor_reads_but_cannot_acknowledge(owing, signed_in):
    response, _ = owing
    client = signed_in(global_user(GlobalRole.AUDITOR))
    assert client.get(detail_url(response)).status_code == 200
    assert client.post(detail_url(response) + "acknowledge/", {"version": response.version}).status_code == 403
    response.refresh_from_db()
    assert response.version == 3


def dashboard(client, **filters) -> str:
    page = client.get("/", filters)
    assert page.status_code == 200
    return page.content.decode()


def test_the_dashboard_counts_an_update_to_acknowledge_as_open(owing, signed_in, bob, alert):
    response, _ = owing
    acknowledge_url = detail_url(response) + "acknowledge/"
    with time_machine.travel(UPDATED + timedelta(hours=1), tick=False):
        client = signed_in(bob)
        html = dashboard(client)
        assert alert.threat_id in html
        assert "Acknowledge the update by" in html
        assert parse(html).find("a", href=acknowledge_url) is not None
        assert alert.threat_id not in dashboard(client, show="closed")
        assert alert.threat_id not in dashboard(client, show="overdue")


def test_the_dashboard_marks_an_update_not_acknowledged_in_time_as_overdue(owing, signed_in, bob, alert):
    response, _ = owing
    with time_machine.travel(REACKNOWLEDGE_BY + timedelta(hours=1), tick=False):
        client = signed_in(bob)
        html = dashboard(client, show="overdue")
        assert alert.threat_id in html
        assert "Overdue by 1 hour" in [tag.text for tag in parse(html).find_all("strong", class_="nhsuk-tag")]
        reacknowledge(response, bob, at=REACKNOWLEDGE_BY + timedelta(hours=1))
        assert alert.threat_id not in dashboard(client)
        assert alert.threat_id in dashboard(client, show="closed")


def test_the_alert_responses_page_shows_the_update_to_acknowledge(owing, signed_in, bob, alert):
    with time_machine.travel(UPDATED + timedelta(hours=1), tick=False):
        html = signed_in(bob).get(f"/responses/{alert.threat_id}/").content.decode()
    assert "Acknowledge the update by" in html
    assert "Acknowledge the update<span" in html


# The update's messages --------------------------------------------------------------------------------------


def test_the_update_email_gives_the_new_deadline(owing, alert):
    _, threat_update = owing
    threat_update = ThreatUpdate.objects.select_related("alert").get(pk=threat_update.pk)
    message = render_message(alert=alert, update=threat_update, kind=MessageKind.EMAIL, for_contact=False)
    assert "must acknowledge it again by 3:00pm on Thursday 22 January 2026." in message.body
    # The alert's own deadline is only for those who have not acknowledged it at all.
    assert "If your organisation has not acknowledged the alert yet, acknowledge it now" in message.body
    assert "The deadline for acknowledging the alert is 9:00am on Wednesday 14 January 2026." in message.body


def test_the_update_email_gives_the_deadline_in_uk_time(alert, completed):
    summer = make_alert(organisations=[completed.organisation], published_at=datetime(2026, 6, 1, 9, tzinfo=UTC))
    threat_update = add_update(summer, at=datetime(2026, 6, 3, 12, tzinfo=UTC))
    message = render_message(alert=summer, update=threat_update, kind=MessageKind.EMAIL, for_contact=False)
    assert "must acknowledge it again by 1:00pm on Friday 5 June 2026." in message.body


def test_closing_the_alert_ends_what_is_owed(owing, alert, signed_in, bob):
    response, _ = owing
    csoc = global_user(GlobalRole.CSOC)
    alert_services.alert_close(alert=alert, reason="Superseded", closed_by=csoc, auditor=Auditor.for_user(csoc))
    response = Response.objects.select_related("alert").get(pk=response.pk)
    assert not response.owes_reacknowledgement
    assert not response.is_overdue(REACKNOWLEDGE_BY + timedelta(days=1))
    assert not Response.objects.filter(pk=response.pk).open().exists()
    assert Response.objects.filter(pk=response.pk).closed().exists()
    with pytest.raises(ValidationError, match="closed"):
        services.response_reacknowledge(
            response=response, user=bob, version=response.version, auditor=Auditor.for_user(bob)
        )
