"""Demo data: one closed incident group for the demo major-incident alert (Citrix NetScaler), so that a newcomer sees it
after `make run`. CSOC's demo users moderate it; the demo administrator and responders are members; it has a
pinned situation report, a post with indicators and a file, and a reply. Safe to run again."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from respond.accounts.models import User
from respond.alerts.models import Alert
from respond.core.audit import Auditor
from respond.demo.alerts import demo_alerts
from respond.groups import posts, services
from respond.groups.models import GroupMember, IncidentGroup, Marking, MemberStatus

DEMO_GROUP_NAME = "NetScaler session hijacking incident group"
MODERATORS = ("csoc@england.demo.invalid", "csoc.approver@england.demo.invalid")
MEMBERS = ("admin@r0a.demo.invalid", "responder@r0a.demo.invalid", "responder@0df.demo.invalid")
SITUATION_REPORT = """\
**Situation at 09:00.** Three trusts report session hijacking on NetScaler gateways after patching:
patching alone does not end sessions that were already stolen.

1. Patch to the fixed builds.
2. Kill every active and persistent session (`kill icaconnection -all`, `kill aaa session -all`).
3. Report anything unusual here, with indicators.
"""
IOC_FILE = b"timestamp,source_ip,url\n2026-12-06T08:14:02Z,198.51.100.23,/oauth/idp/.well-known/openid-configuration\n"


@transaction.atomic
def seed_demo_group() -> tuple[IncidentGroup | None, bool]:
    """The demo group, and whether it was made now (None when the demo alert or users are missing)."""
    existing = IncidentGroup.objects.filter(name=DEMO_GROUP_NAME).first()
    if existing is not None:
        return existing, False
    major = next(demo.content for demo in demo_alerts() if demo.content.major_incident)
    alert = Alert.objects.released().filter(title=major.title).first()
    people = {user.email: user for user in User.objects.filter(email__in=MODERATORS + MEMBERS)}
    if alert is None or len(people) < len(MODERATORS + MEMBERS):
        return None, False
    moderator = people[MODERATORS[0]]
    auditor = Auditor.system("seed_demo")
    group = services.group_open(
        name=DEMO_GROUP_NAME,
        purpose="Organisations affected by **CVE-2023-4966** (Citrix Bleed) share what they see, and CSOC shares "
        "intelligence that cannot be published.",
        alerts=[alert],
        default_marking=Marking.AMBER_STRICT,
        moderators=[people[MODERATORS[1]]],
        opened_by=moderator,
        auditor=auditor,
    )
    now = timezone.now()
    for email in MEMBERS:
        user = people[email]
        GroupMember.objects.create(
            group=group,
            user=user,
            email=user.email,
            organisation=user.organisation,
            status=MemberStatus.ACTIVE,
            invited_by=moderator,
            invited_at=now,
            answered_at=now,
        )
        auditor.log("group.member_joined", group, after={"email": user.email, "why": "demo data"})
    report = posts.post_create(
        group=group,
        author=moderator,
        draft=posts.Draft(title="Situation report: session hijacking after patching", body=SITUATION_REPORT,
                          marking=Marking.AMBER_STRICT),
        auditor=auditor,
    )  # fmt: skip
    posts.post_pin(post=report, pinned=True, auditor=auditor)
    sighting = posts.post_create(
        group=group,
        author=people[MEMBERS[0]],
        draft=posts.Draft(
            title="Suspicious logins at R0A",
            body="We see logins from these addresses using sessions from before the patch. Log extract attached.",
            marking=Marking.RED,
            indicators="198.51.100.23\n203.0.113.77\nnetscaler-update[.]example",
        ),
        uploads=[SimpleUploadedFile("r0a-gateway-log.csv", IOC_FILE, content_type="text/csv")],
        auditor=auditor,
    )
    posts.post_create(
        group=group,
        author=people[MEMBERS[2]],
        draft=posts.Draft(body="Same first address seen at 0DF at 08:20. Sessions killed.", marking=Marking.RED),
        parent=sighting,
        auditor=auditor,
    )
    return group, True
