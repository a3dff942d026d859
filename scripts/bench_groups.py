"""A closed incident group at incident scale: `make bench-groups` (POSTS=2000 MEMBERS=300).

Sets up one group with POSTS posts (a reply on every fifth, indicators on every tenth, a pinned situation report)
and MEMBERS members from as many organisations, then, signed in as a member through the real middleware (MFA
session included), counts the SQL queries of the group's page (its first, a middle and its last page) and of
its members page, and times REQUESTS requests of the group page. The query counts must be the same for every
page: they must not grow with posts or members. The last line printed is
`RESULT posts=<n> members=<n> queries_page=<n> queries_members=<n> p95_ms=<ms>`.

Like bench_bulk, it never touches the configured database: a new SQLite file under var/bench/, or a fresh
<name>_bench database on the PostgreSQL server DATABASE_URL names.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench_bulk import throwaway_database_url  # noqa: E402 - after the path is set
from benchreports.pages import signed_in_client  # noqa: E402


def set_up(*, posts: int, members: int):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    from respond.accounts.models import GlobalRole, Membership, Role, User
    from respond.core.audit import Auditor
    from respond.groups.models import GroupMember, Indicator, IndicatorType, Marking, MemberStatus, Post
    from respond.groups.services import group_open
    from respond.organisations.models import Organisation, OrganisationType

    moderator = User.objects.create_user("csoc@bench.invalid", full_name="Casey CSOC", global_role=GlobalRole.CSOC)
    group = group_open(
        name="Benchmark incident group",
        purpose="Benchmark.",
        alerts=[],
        default_marking=Marking.AMBER_STRICT,
        moderators=[],
        opened_by=moderator,
        auditor=Auditor.for_user(moderator),
    )
    Organisation.objects.bulk_create(
        Organisation(
            ods_code=f"ZG{n:04d}", name=f"Benchmark NHS Trust {n}", organisation_type=OrganisationType.NHS_TRUST
        )
        for n in range(members)
    )
    organisations = list(Organisation.objects.filter(ods_code__startswith="ZG").order_by("ods_code"))
    User.objects.bulk_create(
        User(email=f"member{n}@bench.invalid", full_name=f"Member {n}", organisation=organisation)
        for n, organisation in enumerate(organisations)
    )
    people = list(User.objects.filter(email__startswith="member").order_by("email"))
    by_email = {person.email: person for person in people}
    Membership.objects.bulk_create(
        Membership(user=by_email[f"member{n}@bench.invalid"], organisation=organisation, role=Role.ADMINISTRATOR)
        for n, organisation in enumerate(organisations)
    )
    now = timezone.now()
    GroupMember.objects.bulk_create(
        GroupMember(
            group=group,
            user=by_email[f"member{n}@bench.invalid"],
            email=f"member{n}@bench.invalid",
            organisation=organisation,
            status=MemberStatus.ACTIVE,
            answered_at=now,
        )
        for n, organisation in enumerate(organisations)
    )
    start = now - timedelta(days=3)
    Post.objects.bulk_create(
        Post(
            group=group,
            author=people[n % len(people)],
            title=f"Post {n}",
            body=f"Situation at trust {n}: **contained**.",
            marking=Marking.AMBER_STRICT,
            pinned=n == 0,
            created_at=start + timedelta(seconds=n * 60),
        )
        for n in range(posts)
    )
    threads = list(Post.objects.filter(group=group).order_by("id"))
    Post.objects.bulk_create(
        Post(group=group, parent=post, author=moderator, body="Noted.", marking=Marking.AMBER_STRICT,
             created_at=post.created_at + timedelta(seconds=30))
        for post in threads[::5]
    )  # fmt: skip
    Indicator.objects.bulk_create(
        Indicator(post=post, indicator_type=IndicatorType.IPV4, value=f"192.0.2.{n % 250}", position=0)
        for n, post in enumerate(threads[::10])
    )
    return group, people[0]


def count_queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return len(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--requests", type=int, default=50, help="timed requests of the group page (default 50)")
    args = parser.parse_args()
    if args.posts < 1 or args.members < 1 or args.requests < 1:
        parser.error("--posts, --members and --requests must be 1 or more")

    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = throwaway_database_url(os.environ.get("DATABASE_URL", ""))
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("APP_ENV", "development")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse

    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    group, member = set_up(posts=args.posts, members=args.members)
    print(f"Set up one group: {args.posts} posts, {args.members} members from {args.members} organisations.")
    client = signed_in_client(member.pk)
    detail = reverse("groups:detail", args=[group.pk])
    last_page = -(-args.posts // settings.GROUP_POSTS_PER_PAGE)
    client.get(detail)  # templates compiled, connections opened
    page_counts = {
        page: count_queries(client, f"{detail}?page={page}") for page in (1, max(1, last_page // 2), last_page)
    }
    members_count = count_queries(client, reverse("groups:members", args=[group.pk]))
    print(f"Queries by page of the group: {page_counts}; members page: {members_count}")
    if len(set(page_counts.values())) != 1:
        raise SystemExit("The group's pages do not all run the same number of queries")
    timings = []
    for request in range(args.requests):
        started = time.perf_counter()
        response = client.get(f"{detail}?page={1 + request % last_page}")
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"The group page answered {response.status_code}")
    p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) > 1 else timings[0]
    print(f"Group page: median {statistics.median(timings):.1f} ms over {args.requests} requests")
    print(
        f"RESULT posts={args.posts} members={args.members} queries_page={page_counts[1]} "
        f"queries_members={members_count} p95_ms={p95:.1f}"
    )


if __name__ == "__main__":
    main()
