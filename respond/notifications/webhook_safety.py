"""Where a webhook may point. In production (WEBHOOK_PUBLIC_HTTPS_ONLY) only https, and only to public addresses:
the host is resolved and every address it resolves to checked, so a webhook cannot reach the service's own
network (loopback, private ranges, link-local cloud metadata). Checked when registered and again before each send,
as DNS can change in between."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class UnsafeWebhookUrl(Exception):
    pass


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_webhook_url(url: str) -> None:
    """Raises UnsafeWebhookUrl with a reason a person can act on."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeWebhookUrl("Enter a web address that starts with https://")
    if parts.username or parts.password:
        raise UnsafeWebhookUrl("Enter a web address without a user name or password in it")
    if not settings.WEBHOOK_PUBLIC_HTTPS_ONLY:
        return
    if parts.scheme != "https":
        raise UnsafeWebhookUrl("Enter a web address that starts with https://")
    try:
        resolved = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise UnsafeWebhookUrl(f"The web address's host {parts.hostname} could not be found") from error
    addresses = {str(info[4][0]) for info in resolved}
    private = sorted(address for address in addresses if not _is_public(address))
    if private:
        raise UnsafeWebhookUrl(
            f"The web address's host {parts.hostname} is a private or local address ({', '.join(private)}): "
            "webhooks can only go to addresses on the internet"
        )
