"""Indicators of compromise read from an alert's Markdown, each as a STIX pattern.

CSOC writes them as lists or tables, often defanged (`hxxp://`, `example[.]com`, `1.2.3[.]4`). We take each
address, domain, URL, email address and file hash we recognise; anything else stays in the report's text only.
"""

import ipaddress
import re
from dataclasses import dataclass

DEFANGED = [
    (re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]", re.IGNORECASE), "."),
    (re.compile(r"\[:\]"), ":"),
    (re.compile(r"\[@\]|\[at\]", re.IGNORECASE), "@"),
    (re.compile(r"\bhxxp(s?)\b", re.IGNORECASE), r"http\1"),
    (re.compile(r"\bfxp\b", re.IGNORECASE), "ftp"),
]
# Markdown that wraps a value: code spans, emphasis, table bars, link brackets and angle brackets.
WRAPPING = re.compile(r"[`*|<>\[\]()\"',;]")
URL = re.compile(r"^(?:https?|ftp)://[^\s]+$", re.IGNORECASE)
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
DOMAIN = re.compile(r"^(?=.{4,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
HEX = re.compile(r"^[A-Fa-f0-9]+$")
HASH_BY_LENGTH = {32: "MD5", 40: "SHA-1", 64: "SHA-256", 128: "SHA-512"}
# Words that look like domains in prose ("e.g.", file names): only these endings count as a domain's.
FILE_ENDINGS = {"exe", "dll", "js", "ps1", "bat", "zip", "txt", "doc", "docx", "xls", "xlsx", "pdf", "php", "jsp"}


@dataclass(frozen=True)
class Indicator:
    kind: str  # "ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr" or a hash algorithm
    value: str

    @property
    def pattern(self) -> str:
        value = self.value.replace("\\", "\\\\").replace("'", "\\'")
        if self.kind in HASH_BY_LENGTH.values():
            algorithm = self.kind if self.kind == "MD5" else f"'{self.kind}'"
            return f"[file:hashes.{algorithm} = '{value}']"
        return f"[{self.kind}:value = '{value}']"

    @property
    def label(self) -> str:
        names = {
            "ipv4-addr": "IPv4 address",
            "ipv6-addr": "IPv6 address",
            "domain-name": "Domain",
            "url": "URL",
            "email-addr": "Email address",
        }
        return f"{names.get(self.kind, self.kind + ' hash')} {self.value}"


def refang(text: str) -> str:
    for pattern, replacement in DEFANGED:
        text = pattern.sub(replacement, text)
    return text


def classify(token: str) -> Indicator | None:
    token = token.strip().rstrip(".:")
    if not token:
        return None
    if URL.match(token):
        return Indicator("url", token)
    try:
        network = ipaddress.ip_network(token, strict=False)
    except ValueError:
        network = None
    if network is not None and ("/" in token or network.num_addresses == 1):
        value = str(network.network_address) if network.num_addresses == 1 and "/" not in token else str(network)
        return Indicator("ipv4-addr" if network.version == 4 else "ipv6-addr", value)
    if EMAIL.match(token):
        return Indicator("email-addr", token.lower())
    if HEX.match(token) and len(token) in HASH_BY_LENGTH:
        return Indicator(HASH_BY_LENGTH[len(token)], token.lower())
    if DOMAIN.match(token) and token.rsplit(".", 1)[-1].lower() not in FILE_ENDINGS:
        return Indicator("domain-name", token.lower())
    return None


def indicators_in(markdown: str) -> list[Indicator]:
    """Each recognised indicator once, in the order written."""
    found: dict[Indicator, None] = {}
    for line in refang(markdown).splitlines():
        for token in WRAPPING.sub(" ", line).split():
            indicator = classify(token)
            if indicator is not None:
                found.setdefault(indicator, None)
    return list(found)
