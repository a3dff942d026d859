"""The TAXII objects endpoint runs as many queries for many alerts as for one: with each alert's objects already
built and kept, and with none kept and the cache empty (cold: as after a change to every alert, or a new server)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from respond.accounts.api_tokens import authenticate_api_token
from respond.alerts.models import Tlp
from respond.exchange.models import BuiltStixObjects, KeptStixObject
from respond.exchange.taxii_collections import collections_for
from tests.exchange.test_taxii_server import TAXII, token_for
from tests.responses.conftest import make_alert

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("cold", [False, True], ids=["objects kept", "cold cache"])
def test_the_objects_endpoint_runs_as_many_queries_however_many_alerts(client, trust_a, alice, cold):
    secret = token_for(alice, [trust_a])
    headers = {"HTTP_ACCEPT": TAXII, "HTTP_AUTHORIZATION": f"Bearer {secret}"}

    own = collections_for(authenticate_api_token(secret, ip_address=None))[1]
    url = f"/taxii2/alerts/collections/{own.id}/objects/"

    def queries() -> int:
        if cold:
            cache.clear()
            BuiltStixObjects.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, **headers)
        assert response.status_code == 200
        return len(captured)

    make_alert(organisations=[trust_a], tlp=Tlp.AMBER, indicators_of_compromise="- evil.example.com")
    queries()  # the token's first use is written down; later uses within the minute are not
    few = queries()
    for number in range(8):
        make_alert(organisations=[trust_a], tlp=Tlp.GREEN if number % 2 else Tlp.CLEAR, cve_ids=["CVE-2024-0001"])
    queries()  # the new alerts' objects are built and kept (and thrown away again when cold)
    assert queries() == few
    assert BuiltStixObjects.objects.count() == 9


def test_a_page_reads_only_its_own_objects_however_big_the_collection(client, trust_a, alice):
    secret = token_for(alice, [trust_a])
    headers = {"HTTP_ACCEPT": TAXII, "HTTP_AUTHORIZATION": f"Bearer {secret}"}
    own = collections_for(authenticate_api_token(secret, ip_address=None))[1]
    url = f"/taxii2/alerts/collections/{own.id}/objects/?limit=3"

    def page_read() -> tuple[str, int]:
        client.get(url, **headers)  # objects built and kept
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, **headers)
        assert response.status_code == 200
        body = response.json()
        assert len(body["objects"]) == 3
        assert body["more"] is True
        [read] = [query["sql"] for query in captured if "exchange_keptstixobject" in query["sql"]]
        return read, len(captured)

    for _ in range(2):
        make_alert(organisations=[trust_a], tlp=Tlp.AMBER, cve_ids=["CVE-2024-0001"])
    small, small_queries = page_read()
    for _ in range(8):
        make_alert(organisations=[trust_a], tlp=Tlp.GREEN, cve_ids=["CVE-2024-0001"])
    big, big_queries = page_read()
    assert KeptStixObject.objects.count() == 20  # two objects an alert
    # The database returns at most one object more than the page (to tell whether there are more).
    for read in (small, big):
        assert "ORDER BY" in read
        assert "LIMIT 4" in read
    assert big_queries == small_queries
