"""Chasing organisations about one alert: who can be chased, and chasing them through the notification outbox."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from respond.accounts.models import Membership, User
from respond.alerts.models import Alert, AlertStatus
from respond.core.audit import Auditor
from respond.followup.conf import chase_interval
from respond.followup.messages import chase_text
from respond.followup.models import Chase, ChaseReason
from respond.notifications.models import MessageKind, Notification
from respond.notifications.services import OutgoingMessage, Recipient, queue_composed_messages
from respond.responses.deadlines import london_date
from respond.responses.models import Response, ResponseStatus


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    mobile: str  # E.164, empty when they have not given one for text messages
    mobile_display: str
    user_id: int


@dataclass
class ChaseRow:
    response: Response
    reason: str
    administrators: list[Contact]
    last_chase: Chase | None = None


@dataclass
class ChaseList:
    not_acknowledged: list[ChaseRow]
    update_overdue: list[ChaseRow]
    reacknowledgement_overdue: list[ChaseRow] = field(default_factory=list)

    @property
    def rows(self) -> list[ChaseRow]:
        return self.not_acknowledged + self.reacknowledgement_overdue + self.update_overdue


def chaseable_responses(*, alert: Alert, now: datetime) -> Q:
    """Responses that can be chased: not acknowledged, a threat update not acknowledged again by its deadline, or
    in progress with the next update overdue."""
    return (
        Q(status=ResponseStatus.NOT_ACKNOWLEDGED)
        | Q(reacknowledgement_due_at__lt=now)
        | Q(status=ResponseStatus.IN_PROGRESS, next_update_due_on__lt=london_date(now))
    )


def _reason(response: Response, now: datetime) -> str:
    """Why the response is chased; an update to acknowledge comes before the next update (it may change it)."""
    if response.status == ResponseStatus.NOT_ACKNOWLEDGED:
        return ChaseReason.NOT_ACKNOWLEDGED
    if response.reacknowledgement_overdue(now):
        return ChaseReason.REACKNOWLEDGEMENT_OVERDUE
    return ChaseReason.UPDATE_OVERDUE


def administrators_of(organisation_ids: Iterable[int]) -> dict[int, list[Contact]]:
    """Each organisation's active administrators, with their email and their mobile number if they gave one."""
    contacts: dict[int, list[Contact]] = defaultdict(list)
    memberships = (
        Membership.objects.administrators()
        .filter(organisation_id__in=list(organisation_ids))
        .select_related("user", "user__contact_details")
        .order_by("user__full_name", "user__email")
    )
    for membership in memberships:
        user = membership.user
        details = getattr(user, "contact_details", None)
        mobile = details.mobile_number if details is not None and details.sms_opt_in else ""
        contacts[membership.organisation_id].append(
            Contact(
                name=user.full_name or user.email,
                email=user.email,
                mobile=mobile,
                mobile_display=details.mobile_display if mobile and details else "",
                user_id=user.pk,
            )
        )
    return contacts


def chase_list(*, alert: Alert, now: datetime | None = None) -> ChaseList:
    now = now or timezone.now()
    if alert.status != AlertStatus.PUBLISHED or not alert.response_required:
        return ChaseList(not_acknowledged=[], update_overdue=[], reacknowledgement_overdue=[])
    responses = list(
        Response.objects.filter(alert=alert)
        .filter(chaseable_responses(alert=alert, now=now))
        .select_related("organisation", "alert")
        .order_by("organisation__name")
    )
    organisation_ids = [response.organisation_id for response in responses]
    contacts = administrators_of(organisation_ids)
    latest: dict[int, Chase] = {}
    for chase in Chase.objects.filter(alert=alert, organisation_id__in=organisation_ids).select_related("chased_by"):
        latest.setdefault(chase.organisation_id, chase)  # newest first
    rows = [
        ChaseRow(
            response=response,
            reason=_reason(response, now),
            administrators=contacts.get(response.organisation_id, []),
            last_chase=latest.get(response.organisation_id),
        )
        for response in responses
    ]
    return ChaseList(
        not_acknowledged=[row for row in rows if row.reason == ChaseReason.NOT_ACKNOWLEDGED],
        update_overdue=[row for row in rows if row.reason == ChaseReason.UPDATE_OVERDUE],
        reacknowledgement_overdue=[row for row in rows if row.reason == ChaseReason.REACKNOWLEDGEMENT_OVERDUE],
    )


@dataclass
class ChaseOutcome:
    chased: list[Chase] = field(default_factory=list)
    # Organisation names, with why they were not chased.
    too_soon: list[Chase] = field(default_factory=list)  # the recent chase that blocks each
    nothing_owed: int = 0
    no_administrators: list[str] = field(default_factory=list)


def chase_organisations(
    *, alert: Alert, organisation_ids: Iterable[int], chased_by: User, auditor: Auditor, now: datetime | None = None
) -> ChaseOutcome:
    """Sends each organisation's administrators a chase about the alert: by email, and by text message too for a
    major incident. An organisation chased about the alert within CHASE_INTERVAL_MINUTES is not chased again:
    its response row is locked first, so a double submission or two auditors at once cannot both send."""
    now = now or timezone.now()
    outcome = ChaseOutcome()
    wanted = sorted(set(organisation_ids))
    if not wanted or alert.status != AlertStatus.PUBLISHED or not alert.response_required:
        outcome.nothing_owed = len(wanted)
        return outcome
    with transaction.atomic():
        # Locked in a fixed order, so two chases of overlapping organisations cannot deadlock.
        locked = list(
            Response.objects.select_for_update(of=("self",))
            .filter(alert=alert, organisation_id__in=wanted)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        responses = list(
            Response.objects.filter(pk__in=locked)
            .filter(chaseable_responses(alert=alert, now=now))
            .select_related("organisation", "alert")
            .order_by("organisation__name")
        )
        outcome.nothing_owed = len(wanted) - len(responses)
        recent: dict[int, Chase] = {}
        for chase in Chase.objects.filter(
            alert=alert,
            organisation_id__in=[r.organisation_id for r in responses],
            chased_at__gt=now - chase_interval(),
        ).select_related("chased_by", "organisation"):
            recent.setdefault(chase.organisation_id, chase)
        contacts = administrators_of(r.organisation_id for r in responses)
        to_chase: list[tuple[Response, str, list[Contact]]] = []
        for response in responses:
            if response.organisation_id in recent:
                outcome.too_soon.append(recent[response.organisation_id])
            elif not contacts.get(response.organisation_id):
                outcome.no_administrators.append(response.organisation.name)
            else:
                to_chase.append((response, _reason(response, now), contacts[response.organisation_id]))
        messages: list[OutgoingMessage] = []
        for response, reason, administrators in to_chase:
            text = chase_text(response=response, reason=reason)
            organisation_id = response.organisation_id
            messages.append(
                OutgoingMessage(
                    kind=MessageKind.CHASE_EMAIL,
                    subject=text.subject,
                    body=text.email,
                    recipients=[Recipient(c.email, c.user_id, organisation_id) for c in administrators],
                )
            )
            messages.append(
                OutgoingMessage(
                    kind=MessageKind.CHASE_SMS,
                    body=text.sms,
                    recipients=[Recipient(c.mobile, c.user_id, organisation_id) for c in administrators if c.mobile]
                    if alert.major_incident
                    else [],
                )
            )
        stored = queue_composed_messages(messages=messages)
        chases = [
            Chase(
                alert=alert,
                organisation=response.organisation,
                reason=reason,
                chased_by=chased_by,
                chased_at=now,
                email_message=stored[2 * index],
                sms_message=stored[2 * index + 1],
            )
            for index, (response, reason, _) in enumerate(to_chase)
        ]
        Chase.objects.bulk_create(chases)
        if chases:
            auditor.log(
                "followup.chased",
                alert,
                after={
                    "organisations": [chase.organisation.ods_code for chase in chases],
                    "text_messages": alert.major_incident,
                },
            )
        outcome.chased = chases
    return outcome


@dataclass
class ChaseRecord:
    chase: Chase
    messages: list[Notification]


def chase_history(*, alert: Alert, limit: int = 200) -> list[ChaseRecord]:
    """The alert's chases, newest first, each with its messages and their delivery status (from the outbox)."""
    chases = list(
        Chase.objects.filter(alert=alert).select_related("organisation", "chased_by", "chased_by__organisation")[:limit]
    )
    composed_ids = [
        message_id for chase in chases for message_id in (chase.email_message_id, chase.sms_message_id) if message_id
    ]
    by_message: dict[int, list[Notification]] = defaultdict(list)
    for notification in (
        Notification.objects.filter(composed_id__in=composed_ids).select_related("user").order_by("address", "kind")
    ):
        by_message[notification.composed_id].append(notification)  # type: ignore[index]
    return [
        ChaseRecord(
            chase=chase,
            messages=by_message.get(chase.email_message_id or 0, []) + by_message.get(chase.sms_message_id or 0, []),
        )
        for chase in chases
    ]
