"""The group's page, its members page and a thread run as many SQL queries with many posts, replies and members
as with few (scripts/bench_groups.py measures the same at 2,000 posts and 300 members)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from respond.accounts.models import Role
from tests.factories import OrganisationFactory, member
from tests.groups.setup import join, text_file, write_post

pytestmark = pytest.mark.django_db


def grow(group, *, posts: int, members: int, moderator):
    for _ in range(members):
        organisation = OrganisationFactory()
        join(group, member(organisation, Role.ADMINISTRATOR), organisation)
    first = None
    for number in range(posts):
        post = write_post(group, moderator, title=f"Post {number}", indicators=f"192.0.2.{number}")
        first = first or post
        write_post(group, moderator, body="A reply", parent=first, uploads=[text_file()], indicators="198.51.100.1")
    return first


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_query_counts_do_not_grow_with_posts_replies_or_members(signed_in, group, mel, morgan):
    client = signed_in(mel)
    first = grow(group, posts=2, members=1, moderator=morgan)
    urls = {
        "group": reverse("groups:detail", args=[group.pk]),
        "members": reverse("groups:members", args=[group.pk]),
        "thread": reverse("groups:post", args=[group.pk, first.pk]),
    }
    for url in urls.values():
        client.get(url)  # the session's first request may write it
    few = {name: queries(client, url) for name, url in urls.items()}
    grow(group, posts=22, members=6, moderator=morgan)
    many = {name: queries(client, url) for name, url in urls.items()}
    many["group page 2"] = queries(client, urls["group"] + "?page=2")
    assert many == {**few, "group page 2": few["group"]}
