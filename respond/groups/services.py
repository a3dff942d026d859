"""Opening and closing groups, and who is in them. Keyword-only; each call is one transaction.

Audit entries name the group and the people, never what is said in the group (see respond.groups.posts).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from respond.accounts.invitations import invitation_send
from respond.accounts.models import Invitation, Membership, Role, User
from respond.alerts.models import Alert
from respond.core.audit import AuditChange, Auditor
from respond.groups import notices
from respond.groups.models import (
    GROUP_DEFAULT_MARKINGS,
    Digest,
    GroupMember,
    IncidentGroup,
    MemberRole,
    MemberStatus,
)
from respond.organisations.models import Organisation


def _member_snapshot(member: GroupMember) -> dict:
    return {
        "group": member.group_id,
        "email": member.email,
        "organisation": member.organisation.ods_code if member.organisation_id else None,  # type: ignore[union-attr]
        "role": member.role,
        "status": member.status,
    }


@transaction.atomic
def group_open(
    *,
    name: str,
    purpose: str,
    alerts: Sequence[Alert],
    default_marking: str,
    moderators: Sequence[User],
    opened_by: User,
    auditor: Auditor,
) -> IncidentGroup:
    """Opens a group with its moderators (CSOC staff, the opener among them) as members from the start."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter the group's name"
    if not purpose.strip():
        errors["purpose"] = "Enter the group's purpose"
    if default_marking not in GROUP_DEFAULT_MARKINGS:
        errors["default_marking"] = "Select TLP:AMBER+STRICT or TLP:RED"
    not_csoc = [user.display_name for user in moderators if not user.is_csoc]
    if not_csoc:
        errors["moderators"] = f"Moderators must be CSOC staff: {', '.join(not_csoc)} is not"
    if not opened_by.is_csoc:
        errors["name"] = "Only CSOC staff can open a group"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    group = IncidentGroup.objects.create(
        name=" ".join(name.split()), purpose=purpose.strip(), default_marking=default_marking, created_by=opened_by
    )
    group.alerts.set(alerts)
    everyone = {opened_by.pk: opened_by, **{user.pk: user for user in moderators}}
    members = GroupMember.objects.bulk_create(
        GroupMember(
            group=group,
            user=user,
            email=user.email.lower(),
            role=MemberRole.MODERATOR,
            status=MemberStatus.ACTIVE,
            invited_by=opened_by,
            invited_at=now,
            answered_at=now,
        )
        for user in everyone.values()
    )
    auditor.log(
        "group.opened",
        group,
        after={"name": group.name, "alerts": [alert.pk for alert in alerts], "default_marking": default_marking},
    )
    auditor.log_many("group.member_joined", [AuditChange(m, after=_member_snapshot(m)) for m in members])
    return group


@dataclass
class Invitee:
    """Someone to invite: a user, or an email address (with a name and organisation) without an account yet."""

    email: str
    user: User | None = None
    organisation: Organisation | None = None
    full_name: str = ""


@dataclass
class InviteOutcome:
    invited: list[GroupMember] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    without_administrators: list[Organisation] = field(default_factory=list)


def administrators_of(organisations: Sequence[Organisation]) -> tuple[list[Invitee], list[Organisation]]:
    """Each organisation's administrators as invitees, and the organisations that have none."""
    memberships = (
        Membership.objects.administrators()
        .filter(organisation__in=organisations)
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__email")
    )
    invitees = [Invitee(email=m.user.email, user=m.user, organisation=m.organisation) for m in memberships]
    covered = {invitee.organisation.pk for invitee in invitees if invitee.organisation}
    return invitees, [organisation for organisation in organisations if organisation.pk not in covered]


@transaction.atomic
def members_invite(
    *, group: IncidentGroup, invitees: Sequence[Invitee], invited_by: User, auditor: Auditor
) -> InviteOutcome:
    """Invites people (told by email, and by text message where they opted in) to answer the invitation.

    An address without an account also gets an account invitation to the organisation given (as responder):
    the account it makes signs in with MFA like every other. Someone already invited or in the group is skipped;
    someone who declined, left or was removed is invited again."""
    if group.is_closed:
        raise ValidationError("This group is closed: nobody can be invited")
    now = timezone.now()
    outcome = InviteOutcome()
    existing = {m.email: m for m in GroupMember.objects.select_for_update().filter(group=group)}
    for invitee in invitees:
        email = invitee.email.strip().lower()
        user = invitee.user or User.objects.filter(email__iexact=email).first()
        if user is not None and not user.is_active:
            outcome.already.append(f"{email} (account closed)")
            continue
        member = existing.get(email)
        if member is not None and member.status in {MemberStatus.ACTIVE, MemberStatus.INVITED}:
            outcome.already.append(member.name)
            continue
        if user is None and not Invitation.objects.open().filter(email=email, expires_at__gt=now).exists():
            if invitee.organisation is None:
                raise ValidationError({"email": f"Give the organisation {email} works for"})
            invitation_send(
                email=email,
                full_name=invitee.full_name,
                organisation=invitee.organisation,
                role=Role.RESPONDER,
                invited_by=invited_by,
                auditor=auditor,
            )
        if member is None:
            member = GroupMember(group=group, email=email)
        member.user = user
        member.organisation = invitee.organisation
        member.role = MemberRole.MEMBER
        member.status = MemberStatus.INVITED
        member.invited_by = invited_by
        member.invited_at = now
        member.answered_at = member.ended_at = None
        member.save()
        existing[email] = member
        outcome.invited.append(member)
    auditor.log_many("group.member_invited", [AuditChange(m, after=_member_snapshot(m)) for m in outcome.invited])
    notices.queue_invitations(group=group, members=outcome.invited)
    return outcome


@transaction.atomic
def invitation_answer(*, member: GroupMember, user: User, accept: bool, auditor: Auditor) -> GroupMember:
    member = GroupMember.objects.select_for_update().select_related("group").get(pk=member.pk)
    if member.status != MemberStatus.INVITED or member.group.is_closed:
        raise ValidationError("This invitation has already been answered or the group has closed")
    if member.user_id not in (None, user.pk) or member.email != user.email.lower():
        raise ValidationError("This invitation is for someone else")
    member.user = user
    member.status = MemberStatus.ACTIVE if accept else MemberStatus.DECLINED
    member.answered_at = timezone.now()
    member.digest_sent_up_to = member.answered_at
    member.save(update_fields=["user", "status", "answered_at", "digest_sent_up_to"])
    auditor.log(
        "group.member_joined" if accept else "group.invitation_declined", member, after=_member_snapshot(member)
    )
    return member


def _end(member: GroupMember, *, status: str, action: str, auditor: Auditor) -> GroupMember:
    member = GroupMember.objects.select_for_update().get(pk=member.pk)
    if member.status not in {MemberStatus.ACTIVE, MemberStatus.INVITED}:
        raise ValidationError(f"{member.name} is no longer in the group")
    if member.is_moderator and member.status == MemberStatus.ACTIVE:
        others = GroupMember.objects.current().filter(group_id=member.group_id, role=MemberRole.MODERATOR)
        if not others.exclude(pk=member.pk).exists():
            raise ValidationError("A group needs a moderator: make someone else a moderator first")
    before = _member_snapshot(member)
    member.status = status
    member.ended_at = timezone.now()
    member.save(update_fields=["status", "ended_at"])
    auditor.log(action, member, before=before, after=_member_snapshot(member))
    return member


@transaction.atomic
def member_remove(*, member: GroupMember, auditor: Auditor) -> GroupMember:
    """A moderator removes a member, or withdraws an invitation."""
    return _end(member, status=MemberStatus.REMOVED, action="group.member_removed", auditor=auditor)


@transaction.atomic
def member_leave(*, member: GroupMember, auditor: Auditor) -> GroupMember:
    return _end(member, status=MemberStatus.LEFT, action="group.member_left", auditor=auditor)


@transaction.atomic
def member_change_role(*, member: GroupMember, role: str, auditor: Auditor) -> GroupMember:
    member = GroupMember.objects.select_for_update(of=("self",)).select_related("user").get(pk=member.pk)
    if role not in MemberRole.values:
        raise ValidationError("Select moderator or member")
    if role == MemberRole.MODERATOR and not (member.user is not None and member.user.is_csoc):
        raise ValidationError(f"Only CSOC staff can moderate: {member.name} is not")
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError(f"{member.name} is not a member now")
    if member.role == role:
        return member
    if role == MemberRole.MEMBER:
        others = GroupMember.objects.current().filter(group_id=member.group_id, role=MemberRole.MODERATOR)
        if not others.exclude(pk=member.pk).exists():
            raise ValidationError("A group needs a moderator: make someone else a moderator first")
    before = _member_snapshot(member)
    member.role = role
    member.save(update_fields=["role"])
    auditor.log("group.member_role_changed", member, before=before, after=_member_snapshot(member))
    return member


@transaction.atomic
def digest_choose(*, member: GroupMember, digest: str, auditor: Auditor) -> GroupMember:
    if digest not in Digest.values:
        raise ValidationError("Select how often to be emailed")
    member.digest = digest
    member.digest_sent_up_to = timezone.now()
    member.save(update_fields=["digest", "digest_sent_up_to"])
    auditor.log("group.digest_chosen", member, after={"digest": digest})
    return member


@transaction.atomic
def group_close(*, group: IncidentGroup, closed_by: User, auditor: Auditor) -> IncidentGroup:
    group = IncidentGroup.objects.select_for_update().get(pk=group.pk)
    if group.is_closed:
        raise ValidationError("This group is already closed")
    group.closed_at = timezone.now()
    group.closed_by = closed_by
    group.save(update_fields=["closed_at", "closed_by"])
    auditor.log("group.closed", group, after={"closed_at": group.closed_at})
    return group


def retention() -> timedelta:
    return timedelta(days=settings.GROUP_RETENTION_DAYS)


def groups_due_for_archive(*, now: datetime) -> QuerySet[IncidentGroup]:
    return IncidentGroup.objects.filter(archived_at__isnull=True, closed_at__lte=now - retention())


@transaction.atomic
def groups_archive(*, now: datetime) -> int:
    """Archives groups closed longer than the retention period: content kept, shown to nobody."""
    due = list(groups_due_for_archive(now=now).select_for_update())
    if not due:
        return 0
    IncidentGroup.objects.filter(pk__in=[group.pk for group in due]).update(archived_at=now)
    Auditor.system("groups.archive").log_many(
        "group.archived", [AuditChange(group, after={"archived_at": now}) for group in due]
    )
    return len(due)
