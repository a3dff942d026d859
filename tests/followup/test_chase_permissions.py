"""Only auditors and CSOC staff can open the chase page or chase; anyone else's post changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from respond.alerts.models import AlertStatus
from respond.followup.models import Chase
from respond.notifications.models import Notification
from tests.followup.conftest import make_alert

pytestmark = pytest.mark.django_db

# role: (GET status, POST status); "sign in" is a redirect to the sign-in page.
EXPECTED = {
    "anonymous": ("sign in", "sign in"),
    "bob": (403, 403),
    "alice": (403, 403),
    "charlie": (403, 403),
    "auditor": (200, 302),
    "csoc": (200, 302),
}


@pytest.fixture
def client_for(request, signed_in, trust_a, trust_b, alice, bob, charlie):
    def _client(role: str) -> Client:
        return Client() if role == "anonymous" else signed_in(request.getfixturevalue(role))

    return _client


def outcome(response) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(reverse("account_login")):
        return "sign in"
    return response.status_code


@pytest.mark.parametrize("role", list(EXPECTED))
def test_who_can_see_and_use_the_chase_page(role, client_for, trust_a, trust_b):
    alert = make_alert(organisations=[trust_a, trust_b])
    url = reverse("followup:chase", args=[alert.threat_id])
    client = client_for(role)

    seen = outcome(client.get(url))
    posted = outcome(client.post(url, {"organisations": [trust_a.pk, trust_b.pk]}))

    assert (seen, posted) == EXPECTED[role]
    chased = Chase.objects.exists() and Notification.objects.exists()
    assert chased == (posted == 302)


@pytest.mark.parametrize("role", ["auditor", "csoc"])
def test_unpublished_and_unknown_alerts_are_not_found(role, client_for, trust_a):
    draft = make_alert(organisations=[trust_a], status=AlertStatus.DRAFT, threat_id=None, published_at=None)
    client = client_for(role)
    assert client.get(reverse("followup:chase", args=["CC-1"])).status_code == 404
    assert client.get(f"/follow-up/alerts/{draft.pk}/chase/").status_code == 404


def test_the_page_is_not_cached(client_for, trust_a):
    alert = make_alert(organisations=[trust_a])
    response = client_for("auditor").get(reverse("followup:chase", args=[alert.threat_id]))
    assert "no-store" in response["Cache-Control"]
