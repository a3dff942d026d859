"""A local HTTP server that speaks GOV.UK Notify's v2 API, for tests and the fan-out benchmark.

The real notifications-python-client talks to it. It checks what Notify checks (the JWT: HS256 signed with
the API key's secret, `iss` = the service id, `iat` within 30 seconds; the request shapes; the template and
its personalisation; the address), answers with Notify's JSON, and records every message it accepts so a
test can assert that each was sent exactly once. It can be told to answer 429 or 500, to be slow, to time
out, or to accept a message and then fail to answer (the case where the sender cannot know it was sent).

    with NotifyServer() as notify:
        settings.NOTIFY_API_KEY, settings.NOTIFY_BASE_URL = notify.api_key, notify.url
        notify.fail_every(7, 429)
        ...
        assert notify.references() == expected
"""

import json
import re
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

TOKEN_BOUND_SECONDS = 30
UK_MOBILE = re.compile(r"^\+447\d{9}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FAULTS = {"status", "timeout", "accept_then_timeout", "accept_then_500"}


@dataclass
class Fault:
    kind: str  # one of FAULTS
    status: int = 500


@dataclass
class Record:
    """A message Notify accepted."""

    id: str
    type: str  # "email" or "sms"
    to: str
    reference: str | None
    template_id: str
    personalisation: dict[str, Any]
    created_at: str
    status: str = "created"

    def as_notify_json(self, server: "NotifyServer") -> dict[str, Any]:
        return {
            "id": self.id,
            "reference": self.reference,
            "email_address": self.to if self.type == "email" else None,
            "phone_number": self.to if self.type == "sms" else None,
            "line_1": None,
            "line_2": None,
            "line_3": None,
            "line_4": None,
            "line_5": None,
            "line_6": None,
            "postcode": None,
            "postage": None,
            "type": self.type,
            "status": self.status,
            "template": {"id": self.template_id, "version": 1, "uri": f"{server.url}/v2/template/{self.template_id}"},
            "body": self.personalisation.get("body", ""),
            "subject": self.personalisation.get("subject") if self.type == "email" else None,
            "created_at": self.created_at,
            "created_by_name": None,
            "sent_at": None,
            "completed_at": None,
            "scheduled_for": None,
            "one_click_unsubscribe": None,
            "is_cost_data_ready": False,
            "cost_in_pounds": None,
            "cost_details": {},
        }


@dataclass
class Seen:
    """One request, whatever the answer."""

    method: str
    path: str
    status: int
    at: float


@dataclass
class _State:
    records: list[Record] = field(default_factory=list)
    requests: list[Seen] = field(default_factory=list)
    faults: deque[Fault] = field(default_factory=deque)
    every: list[tuple[int, Fault]] = field(default_factory=list)
    sends: int = 0
    rejected: dict[str, str] = field(default_factory=dict)
    window: deque[float] = field(default_factory=deque)


class NotifyServer:
    def __init__(
        self,
        *,
        latency: float = 0.0,
        timeout_seconds: float = 5.0,
        rate_limit_per_minute: int | None = None,
        email_template_id: str | None = None,
        sms_template_id: str | None = None,
    ) -> None:
        self.service_id = str(uuid.uuid4())
        self.secret = str(uuid.uuid4())
        self.api_key = f"respond_test-{self.service_id}-{self.secret}"
        self.email_template_id = email_template_id or str(uuid.uuid4())
        self.sms_template_id = sms_template_id or str(uuid.uuid4())
        self.latency = latency
        self.timeout_seconds = timeout_seconds  # how long a "timeout" fault keeps the client waiting
        self.rate_limit_per_minute = rate_limit_per_minute
        self._state = _State()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    # Running ------------------------------------------------------------------------------------------------

    def start(self) -> "NotifyServer":
        handler = type("Handler", (_Handler,), {"notify": self})
        httpd = _Server(("127.0.0.1", 0), handler)
        httpd.daemon_threads = True
        httpd.request_queue_size = 256
        self._httpd = httpd
        # Shutting down waits for the serving loop's next poll: half a second by default, at the end of every test.
        threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="notify-server", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "NotifyServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start the server first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def client_environment(self) -> dict[str, str]:
        """The settings that point a service process's Notify client at this server."""
        return {
            "NOTIFY_API_KEY": self.api_key,
            "NOTIFY_BASE_URL": self.url,
            "NOTIFY_EMAIL_TEMPLATE_ID": self.email_template_id,
            "NOTIFY_SMS_TEMPLATE_ID": self.sms_template_id,
        }

    # Telling it what to do ------------------------------------------------------------------------------------

    def fail_next(self, count: int, kind: str = "status", status: int = 500) -> None:
        """The next `count` sends get this fault."""
        assert kind in FAULTS
        with self._lock:
            self._state.faults.extend(Fault(kind, status) for _ in range(count))

    def fail_every(self, n: int, status: int = 500, kind: str = "status") -> None:
        """Every nth send gets this fault; several such rules can apply (the first that matches wins).
        n=0 removes them all."""
        assert kind in FAULTS
        with self._lock:
            if n:
                self._state.every.append((n, Fault(kind, status)))
            else:
                self._state.every.clear()

    def reject(self, address: str, message: str) -> None:
        """Sends to this address get a 400 ValidationError, as Notify gives for an address it will not take."""
        with self._lock:
            self._state.rejected[address] = message

    # What happened ---------------------------------------------------------------------------------------------

    @property
    def records(self) -> list[Record]:
        with self._lock:
            return list(self._state.records)

    @property
    def requests(self) -> list[Seen]:
        with self._lock:
            return list(self._state.requests)

    def references(self) -> Counter[str | None]:
        """How many accepted messages carry each reference: exactly once means every count is 1."""
        return Counter(record.reference for record in self.records)

    def receipt(self, record: Record, status: str = "delivered") -> dict[str, Any]:
        """The delivery-status callback Notify would send for this message."""
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        return {
            "id": record.id,
            "reference": record.reference,
            "to": record.to,
            "status": status,
            "created_at": record.created_at,
            "completed_at": now,
            "sent_at": now,
            "notification_type": record.type,
            "template_id": record.template_id,
            "template_version": 1,
        }

    # Used by the handler -------------------------------------------------------------------------------------

    def _seen(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self._state.requests.append(Seen(method, path, status, time.time()))

    def _over_rate_limit(self) -> bool:
        if self.rate_limit_per_minute is None:
            return False
        now = time.monotonic()
        with self._lock:
            window = self._state.window
            while window and window[0] <= now - 60:
                window.popleft()
            if len(window) >= self.rate_limit_per_minute:
                return True
            window.append(now)
            return False

    def _next_fault(self) -> Fault | None:
        with self._lock:
            self._state.sends += 1
            if self._state.faults:
                return self._state.faults.popleft()
            for n, fault in self._state.every:
                if self._state.sends % n == 0:
                    return fault
            return None

    def _rejection(self, address: str) -> str | None:
        with self._lock:
            return self._state.rejected.get(address)

    def _accept(self, record: Record) -> None:
        with self._lock:
            self._state.records.append(record)

    def _find(self, *, reference: str | None = None, notification_id: str | None = None) -> list[Record]:
        with self._lock:
            return [
                record
                for record in reversed(self._state.records)
                if (reference is None or record.reference == reference)
                and (notification_id is None or record.id == notification_id)
            ]


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away (a worker killed mid-request): nothing to report


def _errors(status: int, error: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"status_code": status, "errors": [{"error": error, "message": message}]}


class _Handler(BaseHTTPRequestHandler):
    notify: NotifyServer
    protocol_version = "HTTP/1.1"  # keep-alive, as requests uses
    disable_nagle_algorithm = True  # else each small reply waits ~40 ms for the client's delayed ACK

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.notify.latency:
            time.sleep(self.notify.latency)
        path = urlsplit(self.path).path
        status, body = self._authorise()
        if status == 200:
            if self.notify._over_rate_limit():
                limit = self.notify.rate_limit_per_minute
                message = f"Exceeded rate limit for key type LIVE of {limit} requests per 60 seconds"
                status, body = _errors(429, "RateLimitError", message)
            elif method == "POST" and path in ("/v2/notifications/email", "/v2/notifications/sms"):
                status, body = self._send(path.rsplit("/", 1)[1], raw)
                if status == 0:
                    self.notify._seen(method, path, 0)
                    return  # the client was left waiting: no answer
            elif method == "GET" and path == "/v2/notifications":
                status, body = self._list()
            elif method == "GET" and path.startswith("/v2/notifications/"):
                status, body = self._one(path.rsplit("/", 1)[1])
            else:
                status, body = _errors(404, "NotFound", "The requested URL was not found on the server.")
        self.notify._seen(method, path, status)
        self._reply(status, body)

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting

    def _authorise(self) -> tuple[int, dict[str, Any]]:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return _errors(401, "AuthError", "Unauthorized: authentication token must be provided")
        token = header.removeprefix("Bearer ").strip()
        try:
            if jwt.get_unverified_header(token).get("alg") != "HS256":
                return _errors(403, "AuthError", "Invalid token: algorithm used is not HS256")
            claims = jwt.decode(token, key=self.notify.secret, algorithms=["HS256"], options={"verify_iat": False})
        except jwt.InvalidSignatureError:
            return _errors(403, "AuthError", "Invalid token: API key not found")
        except jwt.PyJWTError:
            return _errors(403, "AuthError", "Invalid token: signature, api token is not valid")
        if claims.get("iss") != self.notify.service_id:
            return _errors(403, "AuthError", "Invalid token: service not found")
        if "iat" not in claims:
            return _errors(403, "AuthError", "Invalid token: iat field not provided")
        if abs(time.time() - int(claims["iat"])) > TOKEN_BOUND_SECONDS:
            return _errors(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds")
        return 200, {}

    def _send(self, kind: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        try:
            payload = json.loads(raw)
        except ValueError:
            return _errors(400, "ValidationError", "Invalid JSON supplied in POST data")
        address_field, template_id = (
            ("email_address", self.notify.email_template_id)
            if kind == "email"
            else ("phone_number", self.notify.sms_template_id)
        )
        problem = self._problem(payload, address_field, template_id, kind)
        if problem:
            return _errors(400, *problem)
        rejection = self.notify._rejection(payload[address_field])
        if rejection:
            return _errors(400, "BadRequestError", rejection)
        fault = self.notify._next_fault()
        if fault and fault.kind == "status":
            return _errors(fault.status, "RateLimitError" if fault.status == 429 else "Exception", "Injected fault")
        if fault and fault.kind == "timeout":
            time.sleep(self.notify.timeout_seconds)
            return 0, {}
        record = Record(
            id=str(uuid.uuid4()),
            type=kind,
            to=payload[address_field],
            reference=payload.get("reference"),
            template_id=template_id,
            personalisation=payload.get("personalisation") or {},
            created_at=datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        )
        self.notify._accept(record)
        if fault and fault.kind == "accept_then_timeout":
            time.sleep(self.notify.timeout_seconds)
            return 0, {}
        if fault and fault.kind == "accept_then_500":
            return _errors(500, "Exception", "Internal server error")
        content: dict[str, Any] = {"body": record.personalisation.get("body", "")}
        if kind == "email":
            content.update(
                subject=record.personalisation.get("subject", ""),
                from_email="cyber.alerts@notifications.service.gov.uk",
                one_click_unsubscribe_url=None,
            )
        else:
            content["from_number"] = "NHSCSOC"
        return 201, {
            "id": record.id,
            "reference": record.reference,
            "content": content,
            "uri": f"{self.notify.url}/v2/notifications/{record.id}",
            "template": {"id": template_id, "version": 1, "uri": f"{self.notify.url}/v2/template/{template_id}"},
            "scheduled_for": None,
        }

    @staticmethod
    def _problem(payload: Any, address_field: str, template_id: str, kind: str) -> tuple[str, str] | None:
        if not isinstance(payload, dict):
            return "ValidationError", "Invalid JSON supplied in POST data"
        for required in (address_field, "template_id"):
            if not payload.get(required):
                return "ValidationError", f"{required} is a required property"
        if payload["template_id"] != template_id:
            return "BadRequestError", "Template not found"
        address = payload[address_field]
        if kind == "email" and not EMAIL.match(address):
            return "ValidationError", "email_address Not a valid email address"
        if kind == "sms" and not UK_MOBILE.match(address):
            return "ValidationError", "phone_number Not a UK mobile number"
        personalisation = payload.get("personalisation") or {}
        for placeholder in ("subject", "body") if kind == "email" else ("body",):
            if not personalisation.get(placeholder):
                return "BadRequestError", f"Missing personalisation: {placeholder}"
        reference = payload.get("reference")
        if reference is not None and (not isinstance(reference, str) or len(reference) > 1000):
            return "ValidationError", "reference must be a string of 1000 characters or fewer"
        return None

    def _list(self) -> tuple[int, dict[str, Any]]:
        query = parse_qs(urlsplit(self.path).query)
        reference = query.get("reference", [None])[0]
        records = self.notify._find(reference=reference)
        return 200, {
            "notifications": [record.as_notify_json(self.notify) for record in records[:250]],
            "links": {"current": f"{self.notify.url}/v2/notifications?{urlsplit(self.path).query}"},
        }

    def _one(self, notification_id: str) -> tuple[int, dict[str, Any]]:
        try:
            uuid.UUID(notification_id)
        except ValueError:
            return _errors(400, "ValidationError", "notification_id is not a valid UUID")
        found = self.notify._find(notification_id=notification_id)
        if not found:
            return _errors(404, "NoResultFound", "No result found")
        return 200, found[0].as_notify_json(self.notify)
