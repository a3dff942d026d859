"""Where a webhook may point. In production (WEBHOOK_PUBLIC_HTTPS_ONLY) only https, and only to public addresses:
the host is resolved and every address it resolves to checked, so a webhook cannot reach the service's own
network (loopback, private ranges, link-local cloud metadata). Checked when registered and again before each send,
as DNS can change in between; and each send connects to the address it checked (`vetted_address`, which the
webhook transport pins), so a name that resolves to a public address for the check and to a private one a moment
later (DNS rebinding) still cannot reach inside."""

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from django.conf import settings


class UnsafeWebhookUrl(Exception):
    pass


class HostNotFound(UnsafeWebhookUrl):
    """The host resolves to no address (now): worth another try when sending."""


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _checked_parts(url: str) -> SplitResult:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeWebhookUrl("Enter a web address that starts with https://")
    if parts.username or parts.password:
        raise UnsafeWebhookUrl("Enter a web address without a user name or password in it")
    if settings.WEBHOOK_PUBLIC_HTTPS_ONLY and parts.scheme != "https":
        raise UnsafeWebhookUrl("Enter a web address that starts with https://")
    return parts


def _resolved(parts: SplitResult) -> list[str]:
    """Every address the host resolves to, in the resolver's order; refused if any is not public (production)."""
    assert parts.hostname is not None  # _checked_parts
    try:
        resolved = socket.getaddrinfo(
            parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), proto=socket.IPPROTO_TCP
        )
    except (OSError, UnicodeError) as error:
        raise HostNotFound(f"The web address's host {parts.hostname} could not be found") from error
    addresses = list(dict.fromkeys(str(info[4][0]) for info in resolved))
    private = sorted(address for address in addresses if not _is_public(address))
    if private and settings.WEBHOOK_PUBLIC_HTTPS_ONLY:
        raise UnsafeWebhookUrl(
            f"The web address's host {parts.hostname} is a private or local address ({', '.join(private)}): "
            "webhooks can only go to addresses on the internet"
        )
    return addresses


def check_webhook_url(url: str) -> None:
    """Raises UnsafeWebhookUrl with a reason a person can act on. Outside production, any host will do, found or
    not yet (a receiver being set up)."""
    parts = _checked_parts(url)
    if settings.WEBHOOK_PUBLIC_HTTPS_ONLY:
        _resolved(parts)


def vetted_address(url: str) -> str:
    """The one address a send to this URL connects to: the host resolved once and every address it resolves to
    checked (UnsafeWebhookUrl if one is private, in production, or if it resolves to none)."""
    return _resolved(_checked_parts(url))[0]
