"""A local HTTP server standing in for an organisation's ticketing system: it checks each webhook the way the
Standard Webhooks spec tells receivers to (its own HMAC-SHA256 code, written from the spec, not ours), and keeps
each event once by its `webhook-id`, as an idempotent receiver does.

    with WebhookReceiver(secret) as receiver:
        receiver.answer_next(500, 500)  # then 200s
        ...
        assert receiver.event_types() == ["alert.published"]
"""

import base64
import hashlib
import hmac
import json
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Delivery:
    webhook_id: str
    timestamp: int
    body: bytes
    signature_valid: bool
    status: int  # what we answered
    host: str  # the Host header


class WebhookReceiver:
    def __init__(self, secret: str, *, tls: ssl.SSLContext | None = None) -> None:
        """With `tls`, it answers https, and keeps the name each client asked for in TLS (SNI) in server_names."""
        self.key = base64.b64decode(secret.removeprefix("whsec_"))
        self.deliveries: list[Delivery] = []
        self.events: dict[str, dict[str, Any]] = {}  # by webhook-id: each event once
        self._answers: deque[int | str] = deque()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver._receive(self, body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.server_names: list[str | None] = []
        if tls is not None:
            tls.sni_callback = lambda _socket, name, _context: self.server_names.append(name)  # type: ignore[assignment,func-returns-value]
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
            self.url = f"https://127.0.0.1:{self.port}/hooks"

    def __enter__(self) -> "WebhookReceiver":
        # A short poll: shutting down waits for the next one (half a second by default).
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer_next(self, *answers: int | str) -> None:
        """Status codes for the next requests, in order, or "timeout" (answer after the sender gave up)."""
        with self._lock:
            self._answers.extend(answers)

    def _verify(self, headers: Any, body: bytes) -> tuple[str, int, bool]:
        webhook_id = headers.get("webhook-id", "")
        timestamp = int(headers.get("webhook-timestamp", "0"))
        signed = f"{webhook_id}.{timestamp}.".encode() + body
        expected = "v1," + base64.b64encode(hmac.new(self.key, signed, hashlib.sha256).digest()).decode()
        given = headers.get("webhook-signature", "").split(" ")
        fresh = abs(time.time() - timestamp) <= 300
        return webhook_id, timestamp, fresh and any(hmac.compare_digest(expected, value) for value in given)

    def _receive(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        webhook_id, timestamp, valid = self._verify(handler.headers, body)
        with self._lock:
            answer = self._answers.popleft() if self._answers else 200
            status = 401 if not valid else 200 if answer == "timeout" else int(answer)
            # Kept on arrival: a receiver that answers too late has still taken the event.
            self.deliveries.append(
                Delivery(webhook_id, timestamp, body, valid, status, handler.headers.get("Host", ""))
            )
            if 200 <= status < 300:
                self.events.setdefault(webhook_id, json.loads(body))
        if answer == "timeout":
            time.sleep(1.5)
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.end_headers()
            handler.wfile.write(b'{"ok": true}' if status < 300 else b'{"error": "no"}')
        except OSError:
            pass  # the sender stopped waiting

    def event_types(self) -> list[str]:
        return [event["type"] for event in self.events.values()]
