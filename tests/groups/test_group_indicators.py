"""Indicators of compromise on posts: recognised one a line (every bad line named), and downloadable by members
as CSV that a spreadsheet cannot run as a formula."""

import csv
import io

import pytest
from django.urls import reverse

from respond.core.models import AuditLog
from respond.groups.indicators import IndicatorErrors, parse_indicators
from respond.groups.models import Post

pytestmark = pytest.mark.django_db


def test_each_kind_is_recognised_and_defanged_values_restored():
    typed = "\n".join(
        [
            "192.0.2.10",
            "2001:db8::1",
            "evil[.]Example.com",
            "hxxps://evil.example.com/drop?x=1",
            "d41d8cd98f00b204e9800998ecf8427e",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
            "",
            "192.0.2.10",
        ]
    )
    found = [(item.indicator_type, item.value) for item in parse_indicators(typed)]
    assert found == [
        ("ipv4", "192.0.2.10"),
        ("ipv6", "2001:db8::1"),
        ("domain", "evil.example.com"),
        ("url", "https://evil.example.com/drop?x=1"),
        ("md5", "d41d8cd98f00b204e9800998ecf8427e"),
        ("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ]


def test_every_line_that_is_not_an_indicator_is_named():
    with pytest.raises(IndicatorErrors) as caught:
        parse_indicators("192.0.2.1\nnot an indicator\n\n999.1.1.1\nabc123")
    assert caught.value.problems == [
        "Line 2: “not an indicator” is not an IP address, domain, URL or MD5, SHA-1 or SHA-256 hash",
        "Line 4: “999.1.1.1” is not an IP address, domain, URL or MD5, SHA-1 or SHA-256 hash",
        "Line 5: “abc123” is not an IP address, domain, URL or MD5, SHA-1 or SHA-256 hash",
    ]


def test_a_post_with_a_bad_indicator_is_refused_whole(signed_in, group, mel):
    response = signed_in(mel).post(
        reverse("groups:new_post", args=[group.pk]),
        {"title": "IoCs", "body": "See below", "marking": "red", "indicators": "192.0.2.1\nnope"},
    )
    assert response.status_code == 200
    assert "Line 2: “nope”" in response.content.decode()
    assert not Post.objects.exists()


def test_members_download_the_indicators_as_formula_safe_csv(signed_in, write, group, mel, morgan):
    write(group, mel, title='=HYPERLINK("http://x")', indicators="192.0.2.1\nevil.example.com")
    deleted = write(group, mel, title="Gone", indicators="198.51.100.200")
    from respond.core.audit import Auditor
    from respond.groups.posts import post_delete

    post_delete(post=deleted, deleted_by=morgan, auditor=Auditor.for_user(morgan))
    response = signed_in(morgan).get(reverse("groups:indicators_csv", args=[group.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="group-{group.pk}-indicators.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Type", "Value", "TLP", "Post", "Posted at"]
    assert [row[:4] for row in rows[1:]] == [
        ["IPv4 address", "192.0.2.1", "TLP:AMBER+STRICT", '\'=HYPERLINK("http://x")'],
        ["Domain name", "evil.example.com", "TLP:AMBER+STRICT", '\'=HYPERLINK("http://x")'],
    ]
    assert AuditLog.objects.filter(action="group.indicators_downloaded", actor=morgan).exists()
