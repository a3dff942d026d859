"""Signatures in the Standard Webhooks style (https://www.standardwebhooks.com/), documented in docs/webhooks.md.

Headers: `webhook-id` (the event's id: the same on every retry, so receivers drop repeats), `webhook-timestamp`
(Unix seconds when this try was sent) and `webhook-signature`: `v1,` then base64 of HMAC-SHA256, keyed with the
secret's bytes (the base64 after `whsec_`), over `{webhook-id}.{webhook-timestamp}.{body}`.
"""

import base64
import hashlib
import hmac
import time

SIGNATURE_VERSION = "v1"
# Receivers should refuse a timestamp further than this from their clock (replays).
TOLERANCE_SECONDS = 5 * 60


class InvalidSignature(Exception):
    pass


def signature(*, key: bytes, webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode()}"


def signed_headers(*, key: bytes, webhook_id: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(key=key, webhook_id=webhook_id, timestamp=timestamp, body=body),
        "Content-Type": "application/json",
    }


def verify(*, key: bytes, headers: dict[str, str], body: bytes, now: float | None = None) -> None:
    """What a receiver does: raises InvalidSignature unless one of the signatures matches and the time is recent."""
    lower = {name.lower(): value for name, value in headers.items()}
    try:
        webhook_id, timestamp = lower["webhook-id"], int(lower["webhook-timestamp"])
        given = lower["webhook-signature"].split()
    except (KeyError, ValueError) as error:
        raise InvalidSignature("Missing or malformed webhook headers") from error
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE_SECONDS:
        raise InvalidSignature("The timestamp is too old or too new")
    expected = signature(key=key, webhook_id=webhook_id, timestamp=timestamp, body=body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in given):
        raise InvalidSignature("No signature matches")
