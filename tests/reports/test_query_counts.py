"""Each report runs the same number of SQL queries however many organisations, alerts and responses there are:
measured with N organisations and alerts, then again with 3N."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from respond.accounts.models import Role
from respond.organisations.models import OrganisationType
from respond.responses.models import ResponseStatus
from respond.responses.summary_models import MonthMedians
from tests.factories import MembershipFactory, OrganisationFactory, RegionFactory
from tests.reports.conftest import X_PUBLISHED, at
from tests.responses.conftest import acknowledge, make_alert, response_of, update

pytestmark = pytest.mark.django_db

TYPES = [OrganisationType.NHS_TRUST, OrganisationType.ICB, OrganisationType.CSU]
# Each page's queries, signed in with MFA: the session, the user, their second factor and the page's own. Worked
# out afresh (the cache emptied), a report also reads the versions of its data and stores its rendered content
# (one query in the database cache: respond.core.cache); viewed again, it reads that from the cache.
MOST_QUERIES = 14
MOST_QUERIES_AGAIN = 10


class Data:
    """Organisations of several types and regions; alerts over several months, each acknowledged by some of its
    organisations (in time, late), with some completed and some exceptions."""

    def __init__(self, responder):
        self.responder = responder
        self.organisations = []
        self.alerts = []
        self.regions = [RegionFactory(code=f"Y{60 + n}", name=f"Region {n}") for n in range(3)]

    def grow(self, *, organisations: int, alerts: int) -> None:
        for _ in range(organisations):
            number = len(self.organisations)
            organisation = OrganisationFactory(
                organisation_type=TYPES[number % len(TYPES)], region=self.regions[number % len(self.regions)]
            )
            MembershipFactory(user=self.responder, organisation=organisation, role=Role.RESPONDER)
            self.organisations.append(organisation)
        for _ in range(alerts):
            published = X_PUBLISHED - timedelta(days=20 * len(self.alerts))
            alert = make_alert(organisations=self.organisations, published_at=published)
            for index, organisation in enumerate(self.organisations):
                if index % 3 == 2:
                    continue  # never acknowledged
                with at(published + timedelta(hours=1 if index % 3 == 0 else 60)):
                    response = acknowledge(response_of(alert, organisation), self.responder)
                if index == 0 and len(self.alerts) % 2:
                    with at(published + timedelta(hours=70)):
                        update(
                            response,
                            self.responder,
                            ResponseStatus.UNABLE_TO_IMPLEMENT,
                            unable_reason="No fix",
                            mitigations="Switched off",
                            risk_owner="The SIRO",
                            review_on=(published + timedelta(days=30)).date(),
                        )
                elif index % 2 == 0:
                    with at(published + timedelta(hours=70)):
                        update(
                            response,
                            self.responder,
                            ResponseStatus.COMPLETE,
                            completed_on=(published + timedelta(hours=70)).date(),
                            completion_summary="Patched",
                        )
            self.alerts.append(alert)


def query_counts(client, data: Data, *, again: bool = False) -> dict[str, int]:
    """Each page's queries worked out afresh (the cache emptied), or (`again`) viewed again."""
    first, last = data.alerts[0], data.organisations[0]
    pages = {
        "index": reverse("reports:index"),
        "alert": reverse("reports:alert", args=[first.threat_id]),
        "organisation": reverse("reports:organisation", args=[last.ods_code]),
        "over time": reverse("reports:over_time") + "?date_from_day=1&date_from_month=1&date_from_year=2020",
    }
    counts = {}
    for name, url in pages.items():
        client.get(url)  # the session's first use costs a query or two more
        if not again:
            cache.clear()  # the reports would come from the cache: measure them worked out
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200, name
        counts[name] = len(context.captured_queries)
        sql = " ".join(query["sql"] for query in context.captured_queries)
        if connection.vendor == "postgresql" and name == "organisation" and not again:
            # Medians are worked out by the database, not from rows read into Python.
            assert "PERCENTILE_CONT" in sql, name
        if name == "over time" and not again:
            # Whole months, no other filter: the medians are read from the summaries, in the database.
            assert MonthMedians._meta.db_table in sql, name
        if name == "alert" and not again:
            # The figures are read from the summary rows each response write keeps (respond.responses.summaries).
            assert "delays" in sql, name
    return counts


def test_query_counts_do_not_grow_with_organisations_and_alerts(signed_in, auditor, trust_a):
    client = signed_in(auditor)
    data = Data(responder=MembershipFactory(organisation=trust_a).user)
    data.grow(organisations=4, alerts=3)
    small, small_again = query_counts(client, data), query_counts(client, data, again=True)
    data.grow(organisations=8, alerts=6)  # 3N organisations and alerts
    large, large_again = query_counts(client, data), query_counts(client, data, again=True)
    assert large == small
    assert large_again == small_again
    assert max(large.values()) <= MOST_QUERIES, large
    assert max(large_again.values()) <= MOST_QUERIES_AGAIN, large_again
    print(f"query counts: {large}, viewed again: {large_again}")
