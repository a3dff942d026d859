"""Content-Security-Policy and the other security headers, on real pages."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.core.html import parse


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


@pytest.fixture
def csoc_client(signed_in, csoc):
    return signed_in(csoc)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["accessibility", "privacy", "cookies", "home", "core:audit_log"])
def test_strict_policy_with_a_nonce_on_every_page(csoc_client, url_name):
    response = csoc_client.get(reverse(url_name))
    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    csp = policy(response)
    nonces = [value for value in csp["script-src"] if value.startswith("'nonce-")]
    assert len(nonces) == 1
    assert csp["script-src"] == ["'self'", nonces[0]]
    nonce = nonces[0].removeprefix("'nonce-").removesuffix("'")
    assert csp["default-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    # The only other origin: the NHS asset server, for the frontend's Frutiger font.
    assert csp["font-src"] == ["'self'", "https://assets.nhs.uk"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]

    page = parse(response.content)
    # The nhsuk template's js-enabled script is the first thing in <body>.
    body_script = page.find("body").find("script")
    assert "js-enabled" in body_script.text
    assert body_script.get("nonce") == nonce
    for script in page.find_all("script"):
        assert script.get("src") or script.get("nonce") == nonce, script.text[:80]
    assert not [element.tag for element in page.iter() if element.has("style")]
    assert not page.find_all("style")
    assert not [name for element in page.iter() for name in element.attrs if name.startswith("on")]


@pytest.mark.django_db
def test_nonce_changes_with_every_request(client):
    nonces = set()
    for _ in range(3):
        response = client.get(reverse("accessibility"))
        nonce = parse(response.content).find("body").find("script").get("nonce")
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        nonces.add(nonce)
    assert len(nonces) == 3


@pytest.mark.django_db
def test_other_security_headers(client):
    response = client.get(reverse("accessibility"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src|nonce)=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def test_no_template_relies_on_inline_script_or_style():
    """The policy would block them: scripts need a src or the nonce, and styles belong in the stylesheet."""
    offenders = []
    for template in sorted(Path(settings.BASE_DIR, "respond").glob("*/jinja2/**/*.html")):
        source = template.read_text()
        offenders += [f"{template}: {match.group(0)}" for match in INLINE_SCRIPT.finditer(source)]
        offenders += [f"{template}: {match.group(0)}" for match in INLINE_STYLE.finditer(source)]
    assert offenders == []
