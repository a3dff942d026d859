"""Requests to respond on behalf of another organisation: made by anyone signed in, decided by that organisation's
administrators. Deciding locks the request, so that two administrators deciding at once cannot both succeed."""

from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from respond.accounts.emails import send_access_decision_email, send_access_request_email
from respond.accounts.models import AccessRequest, AccessRequestStatus, Membership, Role, User
from respond.accounts.ratelimit import take
from respond.accounts.services import membership_add
from respond.core.audit import Auditor
from respond.organisations.models import Organisation

MAX_REASON_LENGTH = 2000


class AlreadyDecided(ValidationError):
    pass


def _on(moment: datetime | None) -> str:
    if moment is None:
        return "an unknown date"
    return f"{timezone.localtime(moment):%-d %B %Y at %-I:%M%p}".replace("AM", "am").replace("PM", "pm")


def _clean_reason(reason: str, *, required: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": required})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError({"reason": f"Reason must be {MAX_REASON_LENGTH} characters or fewer"})
    return reason


@transaction.atomic
def access_request_create(
    *, requester: User, organisation: Organisation, reason: str, auditor: Auditor, notify: bool = True
) -> AccessRequest:
    """Asks to respond for `organisation`; every administrator of it is emailed. Raises ValidationError (or
    RateLimitExceeded), and then writes nothing."""
    reason = _clean_reason(reason, required="Enter why you need to respond for this organisation")
    if not organisation.active:
        raise ValidationError(f"{organisation} has closed")
    if Membership.objects.filter(user=requester, organisation=organisation).exists():
        raise ValidationError(f"You can already respond for {organisation.name}")
    pending = AccessRequest.objects.pending().filter(requester=requester, organisation=organisation).first()
    if pending is not None:
        raise ValidationError(
            f"You asked to respond for {organisation.name} on {_on(pending.created_at)}. "
            "Wait for its administrators to decide, or withdraw that request."
        )
    if not Membership.objects.administrators().filter(organisation=organisation).exists():
        raise ValidationError(
            f"{organisation.name} has no administrator in this service yet, so nobody could approve your request. "
            "Ask them to register a lead administrator with the CSOC."
        )
    take(user=requester, action="access_request", per_hour=settings.ACCESS_REQUESTS_PER_HOUR, what="access requests")
    try:
        with transaction.atomic():
            access_request = AccessRequest.objects.create(requester=requester, organisation=organisation, reason=reason)
    except IntegrityError as error:  # the same request, sent twice at once
        raise ValidationError(f"You have already asked to respond for {organisation.name}") from error
    auditor.log(
        "access_request.created",
        access_request,
        after={"requester": requester.email, "organisation": organisation.ods_code, "reason": reason},
    )
    if notify:
        transaction.on_commit(partial(send_access_request_email, access_request_id=access_request.pk), robust=True)
    return access_request


def _lock_pending(access_request: AccessRequest) -> AccessRequest:
    # No joins in the locking query: when PostgreSQL rechecks a row it waited for, it does not re-read joined rows
    # (the decided_by of a request just approved would read as empty). Related rows load afterwards, as committed.
    locked = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    if locked.status == AccessRequestStatus.PENDING:
        return locked
    by = locked.decided_by.display_name if locked.decided_by else "Someone"
    when = _on(locked.decided_at)
    messages = {
        AccessRequestStatus.APPROVED: f"{by} already approved this request on {when}",
        AccessRequestStatus.DENIED: f"{by} already denied this request on {when}",
        AccessRequestStatus.WITHDRAWN: f"{locked.requester.display_name} withdrew this request on {when}",
    }
    raise AlreadyDecided(messages[AccessRequestStatus(locked.status)], code="already_decided")


def _decide(access_request: AccessRequest, *, status: str, decided_by: User, role: str = "", reason: str = "") -> None:
    access_request.status = status
    access_request.decided_by = decided_by
    access_request.decided_at = timezone.now()
    access_request.role_granted = role
    access_request.decision_reason = reason
    access_request.save(update_fields=["status", "decided_by", "decided_at", "role_granted", "decision_reason"])


@transaction.atomic
def access_request_approve(
    *, access_request: AccessRequest, role: str, decided_by: User, auditor: Auditor
) -> AccessRequest:
    """Gives the requester `role` in the organisation and tells them."""
    if role not in Role.values:
        raise ValidationError({"decision": "Select whether to approve the request, and with which role"})
    access_request = _lock_pending(access_request)
    requester, organisation = access_request.requester, access_request.organisation
    if not requester.is_active:
        raise ValidationError(f"The account of {requester.display_name} is closed. Deny the request instead.")
    if Membership.objects.filter(user=requester, organisation=organisation).exists():
        raise ValidationError(
            f"{requester.display_name} can already respond for {organisation.name}. Deny the request instead."
        )
    membership_add(user=requester, organisation=organisation, role=role, added_by_auditor=auditor)
    _decide(access_request, status=AccessRequestStatus.APPROVED, decided_by=decided_by, role=role)
    auditor.log(
        "access_request.approved",
        access_request,
        after={"requester": requester.email, "organisation": organisation.ods_code, "role": role},
    )
    transaction.on_commit(partial(send_access_decision_email, access_request_id=access_request.pk), robust=True)
    return access_request


@transaction.atomic
def access_request_deny(
    *, access_request: AccessRequest, reason: str, decided_by: User, auditor: Auditor
) -> AccessRequest:
    """Refuses the request; the requester is told the reason."""
    reason = _clean_reason(reason, required="Enter why you are denying the request")
    access_request = _lock_pending(access_request)
    _decide(access_request, status=AccessRequestStatus.DENIED, decided_by=decided_by, reason=reason)
    auditor.log(
        "access_request.denied",
        access_request,
        after={
            "requester": access_request.requester.email,
            "organisation": access_request.organisation.ods_code,
            "reason": reason,
        },
    )
    transaction.on_commit(partial(send_access_decision_email, access_request_id=access_request.pk), robust=True)
    return access_request


@transaction.atomic
def access_request_withdraw(*, access_request: AccessRequest, auditor: Auditor) -> AccessRequest:
    access_request = _lock_pending(access_request)
    _decide(access_request, status=AccessRequestStatus.WITHDRAWN, decided_by=access_request.requester)
    auditor.log(
        "access_request.withdrawn",
        access_request,
        after={"requester": access_request.requester.email, "organisation": access_request.organisation.ods_code},
    )
    return access_request
