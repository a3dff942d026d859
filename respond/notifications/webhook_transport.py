"""Sending a webhook to the address its URL was vetted at (respond.notifications.webhook_safety.vetted_address).

requests would resolve the host again when it connects, and a name can resolve to a public address for the check
and to a private one a moment later (DNS rebinding). Here only the TCP connection goes to the pinned address:
everything else is done for the URL's own host, as usual: the Host header, the name sent in TLS (SNI) and the name
the certificate must be valid for. No proxy from the environment is used (it would connect wherever it resolves).
"""

import socket

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.connection import create_connection


def _pinned_connection_class[C: HTTPConnection](base: type[C], address: str) -> type[C]:
    class Pinned(base):  # type: ignore[valid-type,misc]
        def _new_conn(self) -> socket.socket:
            try:
                return create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as error:
                raise ConnectTimeoutError(self, f"Connection to {self.host} ({address}) timed out") from error
            except OSError as error:
                raise NewConnectionError(self, f"Failed to connect to {self.host} ({address}): {error}") from error

    return Pinned


class PinnedAddressAdapter(HTTPAdapter):
    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().init_poolmanager(*args, **kwargs)
        address = self.address

        class PinnedHttpPool(HTTPConnectionPool):
            ConnectionCls = _pinned_connection_class(HTTPConnection, address)

        class PinnedHttpsPool(HTTPSConnectionPool):
            ConnectionCls = _pinned_connection_class(HTTPSConnection, address)

        self.poolmanager.pool_classes_by_scheme = {"http": PinnedHttpPool, "https": PinnedHttpsPool}


def post_pinned(url: str, *, address: str, body: bytes, headers: dict[str, str]) -> requests.Response:
    """POSTs to the URL over a connection to `address`; redirects are not followed (the signature is for this URL)."""
    with requests.Session() as session:
        session.trust_env = False
        adapter = PinnedAddressAdapter(address)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session.post(
            url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
            verify=settings.WEBHOOK_CA_BUNDLE or True,
        )
