""" "Your alerts", the start page: every alert the person's organisations must respond to, each organisation's
status, the deadline and time left, overdue markers, next update due, and filters."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from respond.accounts.models import GlobalRole, Role
from respond.alerts import services as alert_services
from respond.alerts.models import AlertStatus
from respond.core.audit import Auditor
from respond.publication import services as publication
from respond.responses.models import Response, ResponseStatus
from tests.alerts.conftest import make_content
from tests.core.html import parse
from tests.factories import MembershipFactory, OrganisationFactory, global_user, member
from tests.responses.conftest import acknowledge, make_alert, response_of, update

pytestmark = pytest.mark.django_db


def tags(html: str) -> list[str]:
    return [tag.text for tag in parse(html).find_all("strong", class_="nhsuk-tag")]


def dashboard(client, **filters) -> str:
    page = client.get("/", filters)
    assert page.status_code == 200
    return page.content.decode()


@time_machine.travel(datetime(2025, 6, 2, 9, tzinfo=UTC), tick=False)
def test_the_start_page_lists_what_each_organisation_owes(signed_in, trust_a, trust_b, lee):
    alert = make_alert(organisations=[trust_a, trust_b], published_at=timezone.now() - timedelta(hours=2))
    acknowledge(response_of(alert, trust_a), lee)
    html = dashboard(signed_in(lee))
    assert "<h1>Your alerts</h1>" in html
    assert parse(html).find("input", name="show", value="open").has("checked")
    assert f"{alert.threat_id}: {alert.title}" in html
    assert "Alpha Hospitals NHS Trust" in html
    assert "Beta Hospitals NHS Trust" in html
    assert "1 day 22 hours left" in html
    assert tags(html).count("In progress") == 1
    assert tags(html).count("Not yet acknowledged") == 1
    due = timezone.localdate() + timedelta(days=3)
    assert f"{due.day} {due:%B %Y} (due in 3 days)" in html
    assert f'href="/responses/{alert.threat_id}/RBB/acknowledge/"' in html
    assert f'href="/responses/{alert.threat_id}/RAA/update/"' in html


def test_alerts_for_other_organisations_are_not_listed(signed_in, trust_a, trust_b, bob):
    theirs = make_alert(organisations=[trust_b], title="Only for Beta")
    mine = make_alert(organisations=[trust_a], title="For Alpha")
    html = dashboard(signed_in(bob))
    assert mine.title in html
    assert theirs.title not in html


def test_withdrawn_alerts_and_alerts_needing_no_response_are_not_listed(signed_in, trust_a, bob):
    make_alert(organisations=[trust_a], title="Withdrawn one", status=AlertStatus.WITHDRAWN)
    make_alert(organisations=[trust_a], title="For information", response_required=False)
    html = dashboard(signed_in(bob))
    assert "Withdrawn one" not in html
    assert "For information" not in html
    assert "Your organisations have no open alerts to respond to." in html


def test_overdue_markers(signed_in, trust_a, bob):
    missed = make_alert(
        organisations=[trust_a], title="Missed window", published_at=timezone.now() - timedelta(hours=50)
    )
    response_of(missed, trust_a)
    html = dashboard(signed_in(bob))
    assert "Overdue by 2 hours" in html
    assert "Overdue" in tags(html)


def test_filters(signed_in, trust_a, trust_b, lee):
    with time_machine.travel(datetime(2025, 6, 2, 9, tzinfo=UTC), tick=False):
        done = make_alert(organisations=[trust_a], title="Done already")
        update(
            response_of(done, trust_a),
            lee,
            ResponseStatus.COMPLETE,
            completed_on=date(2025, 6, 2),
            completion_summary="Ok",
        )
        late = make_alert(organisations=[trust_b], title="Slipping behind")
        acknowledge(response_of(late, trust_b), lee)
        Response.objects.filter(alert=late).update(next_update_due_on=date(2025, 6, 1))
        fresh = make_alert(organisations=[trust_a], title="Brand new")
        response_of(fresh, trust_a)
        client = signed_in(lee)
        open_page = dashboard(client)
        overdue_page = dashboard(client, show="overdue")
        closed_page = dashboard(client, show="closed")
        all_page = dashboard(client, show="all")
        only_a = dashboard(client, show="all", organisation="RAA")
    assert [title in open_page for title in ("Done already", "Slipping behind", "Brand new")] == [False, True, True]
    assert [title in overdue_page for title in ("Done already", "Slipping behind", "Brand new")] == [False, True, False]
    assert "overdue by 1 day" in overdue_page
    assert [title in closed_page for title in ("Done already", "Slipping behind", "Brand new")] == [True, False, False]
    assert [title in all_page for title in ("Done already", "Slipping behind", "Brand new")] == [True, True, True]
    assert [title in only_a for title in ("Done already", "Slipping behind", "Brand new")] == [True, False, True]


def test_a_closed_alert_is_under_closed(signed_in, trust_a, bob):
    alert = make_alert(organisations=[trust_a], title="Closed by CSOC")
    response_of(alert, trust_a)
    alert.status = AlertStatus.CLOSED
    alert.save()
    client = signed_in(bob)
    assert "Closed by CSOC" not in dashboard(client)
    closed = dashboard(client, show="closed")
    assert "Closed by CSOC" in closed
    assert "Alert closed" in closed


def test_a_bad_filter_is_explained(signed_in, trust_a, bob):
    html = dashboard(signed_in(bob), show="everything")
    assert "<title>Error: " in html


def test_someone_with_no_organisation_is_told_how_to_get_access(signed_in, auditor):
    html = dashboard(signed_in(auditor))
    assert "You do not respond for any organisation yet" in html


def test_csoc_staff_and_auditors_see_every_alerts_responses_in_numbers(signed_in, trust_a, trust_b, bob, csoc):
    alert = make_alert(organisations=[trust_a, trust_b])
    acknowledge(response_of(alert, trust_a), bob)
    html = dashboard(signed_in(csoc))
    assert "Responses to alerts" in html
    assert f'href="/responses/{alert.threat_id}/"' in html
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">2</td>' in html
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">1</td>' in html


def test_an_alert_published_through_the_workflow_appears(signed_in, trust_a, bob, csoc):

    approver = global_user(GlobalRole.CSOC)
    alert = alert_services.alert_create(content=make_content(), created_by=csoc, auditor=Auditor.for_user(csoc))
    alert_services.alert_submit_for_approval(alert=alert, submitted_by=csoc, auditor=Auditor.for_user(csoc))
    alert_services.alert_approve(alert=alert, approved_by=approver, auditor=Auditor.for_user(approver))
    publication.alert_publish(alert=alert, published_by=csoc, auditor=Auditor.for_user(csoc))
    html = dashboard(signed_in(bob))
    assert f"{alert.threat_id}: {alert.title}" in html
    assert Response.objects.filter(alert=alert, organisation=trust_a).exists()


def _start_page_queries(client, *, cached: bool = False) -> int:
    """The queries of the start page worked out afresh, or (`cached`) as the cache gives it again."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if cached:
        dashboard(client)
    else:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        dashboard(client)
    return len(queries.captured_queries)


def test_the_start_page_costs_the_same_queries_however_many_alerts_and_organisations(signed_in, csu):
    """Each page shows 10 alerts with up to 10 organisations each: their rows and totals come in one query
    each, not one per alert."""
    few = member(csu, Role.RESPONDER, email="few@csu.nhs.uk", full_name="Fay Few")
    many = member(csu, Role.RESPONDER, email="many@csu.nhs.uk", full_name="Manny Many")
    organisations = [OrganisationFactory() for _ in range(12)]
    for organisation in organisations:
        MembershipFactory(user=many, organisation=organisation, role=Role.RESPONDER)
    MembershipFactory(user=few, organisation=organisations[0], role=Role.RESPONDER)
    for _ in range(12):
        make_alert(organisations=organisations)
    few_client, many_client = signed_in(few), signed_in(many)
    html = dashboard(many_client)
    assert "See all 12 of your organisations' responses" in html
    dashboard(few_client)  # the log's organisations are read once a session: not what this test counts
    assert _start_page_queries(few_client) == _start_page_queries(many_client)
    with time_machine.travel(timezone.now(), tick=False):  # the page is keyed by the minute: stay in one
        assert _start_page_queries(few_client, cached=True) == _start_page_queries(many_client, cached=True)


def organisation_names(html: str, alert) -> list[str]:
    """The organisations of an alert's rows, in order."""
    card = parse(html).find("section", **{"aria-labelledby": f"alert-{alert.pk}"})
    return [row.find("a").text for row in card.find_all("tr", class_="nhsuk-table__row")]


def test_an_alerts_first_rows_go_by_name_and_its_figures_count_every_organisation(signed_in, csu):
    """The first ten rows shown are those of the organisations first by name (not by when they joined), and the
    figures beside them count every one of the person's organisations' responses, shown or not."""
    many = member(csu, Role.RESPONDER, email="many@csu.nhs.uk", full_name="Manny Many")
    names = [f"Trust {letter}" for letter in "LKJIHGFEDCBA"]  # made in the reverse of their names' order
    organisations = [OrganisationFactory(name=name) for name in names]
    for organisation in organisations:
        MembershipFactory(user=many, organisation=organisation, role=Role.RESPONDER)
    alert = make_alert(organisations=organisations)
    trust_l = organisations[0]
    update(
        response_of(alert, trust_l), many, ResponseStatus.COMPLETE, completed_on=date.today(), completion_summary="Ok"
    )
    for organisation in organisations[1:]:
        response_of(alert, organisation)
    client = signed_in(many)
    every = dashboard(client, show="all")
    assert organisation_names(every, alert) == [f"Trust {letter}" for letter in "ABCDEFGHIJ"]
    assert "See all 12 of your organisations' responses" in every
    open_page = dashboard(client)
    assert organisation_names(open_page, alert) == [f"Trust {letter}" for letter in "ABCDEFGHIJ"]
    assert "See all 11 of your organisations' responses" in open_page
    closed = dashboard(client, show="closed")
    assert organisation_names(closed, alert) == ["Trust L"]
    # Eleven of the person's organisations have still to acknowledge it, though none of them is shown.
    assert "Acknowledge by" in closed
    assert "See all" not in closed
