"""The "API tokens" page: make a token (shown once), see last use, revoke; administrators see their
organisation's tokens."""

import re

import pytest

from respond.accounts.api_tokens import authenticate_api_token
from respond.accounts.models import ApiToken
from tests.api.conftest import token_for
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_make_a_token_shown_once(signed_in, bob, trust_a):
    client = signed_in(bob)
    page = client.post(
        "/api-tokens/",
        {"name": "ServiceNow", "organisations": [str(trust_a.pk)], "access": "respond", "valid_days": "30"},
    )
    assert page.status_code == 200
    secret = re.search(r"rca_[A-Za-z0-9_-]+", page.content.decode()).group(0)
    auth = authenticate_api_token(secret, ip_address="192.0.2.5")
    assert auth.user == bob
    assert auth.organisation_ids == {trust_a.pk}
    listing = client.get("/api-tokens/").content.decode()
    assert "ServiceNow" in listing
    assert secret not in listing
    assert "192.0.2.5" in listing


def test_errors_keep_what_was_typed(signed_in, bob, trust_a):
    other = OrganisationFactory(ods_code="RQQ")
    page = signed_in(bob).post(
        "/api-tokens/", {"name": "Jira", "organisations": [str(other.pk)], "access": "", "valid_days": "365"}
    )
    html = page.content.decode()
    assert "Select only organisations you respond for" in html
    assert "Select what the token may do" in html
    assert "Select how long the token should work for" in html
    assert 'value="Jira"' in html
    assert not ApiToken.objects.exists()


def test_revoke_own_and_administrators_revoke_their_organisations(signed_in, alice, bob, charlie, trust_a):
    secret = token_for(bob, [trust_a], name="Bobs Jira")
    token = ApiToken.objects.get()
    as_alice, as_charlie = signed_in(alice), signed_in(charlie)
    assert "Bobs Jira" in as_alice.get("/api-tokens/").content.decode()
    assert "Bobs Jira" not in as_charlie.get("/api-tokens/").content.decode()
    assert as_charlie.post(f"/api-tokens/{token.pk}/revoke/").status_code == 404
    assert authenticate_api_token(secret, ip_address=None) is not None
    assert as_alice.post(f"/api-tokens/{token.pk}/revoke/").status_code == 302
    assert authenticate_api_token(secret, ip_address=None) is None


def test_docs_page_uses_our_own_swagger_ui_under_the_csp(client):
    page = client.get("/api/v1/docs")
    html = page.content.decode()
    assert page.status_code == 200
    assert "/static/swagger-ui/swagger-ui-bundle.js" in html
    assert "/static/js/api-docs.js" in html
    assert "cdn" not in html.lower()
    assert "<script>" not in html  # no inline script: the CSP allows only our files
    assert "script-src 'self'" in page["Content-Security-Policy"]


def test_footer_links_to_the_api_documentation(client):
    assert 'href="/api/v1/docs"' in client.get("/accessibility-statement/").content.decode()
