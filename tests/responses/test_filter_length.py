"""An organisation filter of any length gets an error, not a server error: found by the generated-input tests
(tests/fuzz/test_filter_forms.py), SQLite refused a LIKE pattern of over 50,000 bytes."""

import pytest

from tests.responses.conftest import make_alert

pytestmark = pytest.mark.django_db


def test_a_very_long_filter_is_refused_with_an_error(trust_a, bob, signed_in):
    alert = make_alert(organisations=[trust_a])
    page = signed_in(bob).get(f"/responses/{alert.threat_id}/", {"q": "x" * 60_000})
    assert page.status_code == 200
    assert "Filter must be 200 characters or fewer" in page.content.decode()
