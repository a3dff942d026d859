"""Tokens for the API tests, and a client that sends them. Alerts and responders come from the responses tests."""

import pytest
from django.test import Client

from respond.accounts.api_tokens import api_token_create
from respond.accounts.models import ApiTokenAccess
from respond.core.audit import Auditor
from tests.responses.conftest import alert, csu, dummy_tasks, lee  # noqa: F401 - fixtures shared with these tests


def token_for(user, organisations, *, access=ApiTokenAccess.RESPOND, name="Ticketing", days=30) -> str:
    _, secret = api_token_create(
        user=user,
        name=name,
        organisations=organisations,
        access=access,
        valid_days=days,
        auditor=Auditor.for_user(user),
    )
    return secret


class ApiClient:
    """Django's test client, sending a token and JSON."""

    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, **headers):
        return self.client.get(f"/api/v1{path}", headers={**self.headers, **headers})

    def post(self, path: str, data=None, *, raw: str | None = None, **headers):
        import json

        body = raw if raw is not None else json.dumps(data, default=str)
        return self.client.post(
            f"/api/v1{path}", body, content_type="application/json", headers={**self.headers, **headers}
        )


@pytest.fixture
def api():
    """api(user, organisations, access=...) -> a client with a new token of the user's."""

    def _api(user, organisations=(), **kwargs) -> ApiClient:
        return ApiClient(token_for(user, list(organisations), **kwargs))

    return _api
