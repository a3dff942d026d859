"""A group's indicators (and one post's) as STIX 2.1 bundles for members: valid for the OASIS validator, each
indicator with its post's TLP 2.0 marking, the same ids every time, deleted posts left out, each download
audited like the CSV, and linked from the group's pages."""

import json

import pytest
from django.urls import reverse

from respond.core.audit import Auditor
from respond.core.models import AuditLog
from respond.exchange.markings import TLP_2_MARKINGS
from respond.groups.models import Marking
from respond.groups.posts import post_delete
from tests.support.stix import stix_errors

pytestmark = pytest.mark.django_db

EVERY_KIND = "\n".join(
    [
        "192.0.2.10",
        "2001:db8::1",
        "evil[.]example.com",
        "hxxps://evil.example.com/drop?x='1'",
        "d41d8cd98f00b204e9800998ecf8427e",
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ]
)
RED = TLP_2_MARKINGS["red"].id
AMBER_STRICT = TLP_2_MARKINGS["amber+strict"].id


def _bundle(response) -> dict:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/stix+json;version=2.1"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    return json.loads(response.content)


def _of_type(bundle: dict, kind: str) -> list[dict]:
    return [obj for obj in bundle["objects"] if obj["type"] == kind]


def test_members_download_the_groups_indicators_as_valid_stix(signed_in, write, group, mel, morgan):
    first = write(group, mel, title="Every kind", marking=Marking.RED, indicators=EVERY_KIND)
    write(group, morgan, body="Also seen", parent=first, marking=Marking.AMBER_STRICT, indicators="198.51.100.7")
    gone = write(group, mel, title="Withdrawn", indicators="203.0.113.99")
    post_delete(post=gone, deleted_by=morgan, auditor=Auditor.for_user(morgan))
    client = signed_in(mel)
    url = reverse("group_stix:group_indicators", args=[group.pk])

    response = client.get(url)
    bundle = _bundle(response)
    assert response["Content-Disposition"] == f'attachment; filename="group-{group.pk}-indicators.stix.json"'
    assert stix_errors(bundle) == []
    indicators = _of_type(bundle, "indicator")
    assert [obj["pattern"] for obj in indicators] == [
        "[ipv4-addr:value = '192.0.2.10']",
        "[ipv6-addr:value = '2001:db8::1']",
        "[domain-name:value = 'evil.example.com']",
        "[url:value = 'https://evil.example.com/drop?x=\\'1\\'']",
        "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
        "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
        "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
        "[ipv4-addr:value = '198.51.100.7']",
    ]
    assert [obj["object_marking_refs"] for obj in indicators] == [[RED]] * 7 + [[AMBER_STRICT]]
    assert all("Every kind" in obj["description"] and group.name in obj["description"] for obj in indicators)
    (grouping,) = _of_type(bundle, "grouping")
    assert grouping["object_refs"] == [obj["id"] for obj in indicators]
    assert grouping["object_marking_refs"] == [AMBER_STRICT]  # the group's default
    assert grouping["name"] == f"Indicators shared in {group.name}"
    definitions = {obj["id"] for obj in _of_type(bundle, "marking-definition")}
    assert {RED, AMBER_STRICT} <= definitions
    assert "203.0.113.99" not in response.content.decode()

    assert client.get(url).content == response.content  # the same ids (and bundle) every time
    entries = AuditLog.objects.filter(action="group.indicators_downloaded", actor=mel)
    assert [entry.after for entry in entries] == [{"format": "stix"}] * 2


def test_one_posts_indicators(signed_in, write, group, mel, morgan):
    first = write(group, mel, title="First", indicators="192.0.2.1\nevil.example.com")
    reply = write(group, morgan, body="More", parent=first, marking=Marking.RED, indicators="192.0.2.2")
    client = signed_in(morgan)

    bundle = _bundle(client.get(reverse("group_stix:post_indicators", args=[group.pk, first.pk])))
    assert stix_errors(bundle) == []
    assert [obj["name"] for obj in _of_type(bundle, "indicator")] == [
        "IPv4 address 192.0.2.1",
        "Domain evil.example.com",
    ]
    assert _of_type(bundle, "grouping")[0]["name"] == f"Indicators of a post in “First” in {group.name}"
    reply_response = client.get(reverse("group_stix:post_indicators", args=[group.pk, reply.pk]))
    assert reply_response["Content-Disposition"] == (
        f'attachment; filename="group-{group.pk}-post-{reply.pk}-indicators.stix.json"'
    )
    reply_bundle = _bundle(reply_response)
    assert [obj["object_marking_refs"] for obj in _of_type(reply_bundle, "indicator")] == [[RED]]
    # The same indicator has the same id whether downloaded with its post or with the whole group.
    whole = _bundle(client.get(reverse("group_stix:group_indicators", args=[group.pk])))
    reply_ids = {obj["id"] for obj in _of_type(reply_bundle, "indicator")}
    assert reply_ids < {obj["id"] for obj in _of_type(whole, "indicator")}
    assert AuditLog.objects.get(action="group.indicators_downloaded", after__post=first.pk).actor == morgan

    post_delete(post=first, deleted_by=morgan, auditor=Auditor.for_user(morgan))
    assert client.get(reverse("group_stix:post_indicators", args=[group.pk, first.pk])).status_code == 404


def test_a_group_without_indicators_gives_a_valid_empty_bundle(signed_in, group, mel):
    bundle = _bundle(signed_in(mel).get(reverse("group_stix:group_indicators", args=[group.pk])))
    assert stix_errors(bundle) == []
    assert not _of_type(bundle, "indicator")
    assert not _of_type(bundle, "grouping")


def test_the_pages_link_to_the_bundles(signed_in, write, group, mel):
    post = write(group, mel, title="Linked", indicators="192.0.2.1")
    client = signed_in(mel)
    group_page = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert reverse("group_stix:group_indicators", args=[group.pk]) in group_page
    thread = client.get(reverse("groups:post", args=[group.pk, post.pk])).content.decode()
    assert reverse("group_stix:post_indicators", args=[group.pk, post.pk]) in thread
