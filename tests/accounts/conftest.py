import pytest
from django.test import Client

from respond.accounts.models import User
from tests.accounts.access_helpers import signed_in_client


@pytest.fixture
def client_of():
    """client_of(user) -> that person's test client, signed in with MFA: the same one each time in a test, unless
    fresh=True (a new session, for after moving the clock)."""
    clients: dict[int, Client] = {}

    def _client(user: User, *, fresh: bool = False) -> Client:
        if fresh or user.pk not in clients:
            clients[user.pk] = signed_in_client(user)
        return clients[user.pk]

    return _client
