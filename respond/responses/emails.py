"""The emails a submission sends: a confirmation to the person who submitted, a notice to an organisation's
administrators when someone from another organisation responded on its behalf, and a notice to an organisation's
people when its exception reached its review date.

Written in the submission's transaction, to the notifications outbox (respond.core.outbox), each under a key made
from its history entry: sent by the outbox's workers once the submission commits, exactly once, and never for a
submission rolled back."""

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from respond.accounts.models import Membership, Role, User
from respond.core.outbox import OutboxEmail, queue_emails
from respond.responses.answers import answer_rows
from respond.responses.models import EntryAction, ResponseEntry


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _message(
    *, key: str, to: User, subject: str, template: str, context: dict, organisation_id: int | None = None
) -> OutboxEmail:
    body = render_to_string(
        f"responses/email/{template}.txt",
        {**context, "recipient": to, "service_name": settings.SERVICE_NAME},
    )
    return OutboxEmail(
        key=key,
        to=to.email,
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=body,
        user_id=to.pk,
        organisation_id=organisation_id,
    )


def _entry_context(entry: ResponseEntry) -> dict:
    return {
        "entry": entry,
        "response": entry.response,
        "alert": entry.response.alert,
        "organisation": entry.response.organisation,
        "answers": answer_rows(entry, entry.status),
        "response_url": _absolute(entry.response.get_absolute_url()),
    }


def _confirmations(entries: list[ResponseEntry]) -> Iterable[OutboxEmail]:
    by_submitter: dict[int, list[ResponseEntry]] = defaultdict(list)
    for entry in entries:
        if entry.submitted_by is not None:
            by_submitter[entry.submitted_by.pk].append(entry)
    for submitted in by_submitter.values():
        first = submitted[0]
        alert = first.response.alert
        many = len(submitted) > 1
        yield _message(
            key=f"response-entry:{first.pk}:confirmation",
            to=first.submitted_by,  # type: ignore[arg-type]
            organisation_id=None if many else first.response.organisation_id,
            subject=f"Your response to {alert.threat_id} has been recorded",
            template="confirmation",
            context={
                **_entry_context(first),
                "entries": submitted,
                "many": many,
                "alert_url": _absolute(reverse("responses:alert", args=[alert.threat_id])),
            },
        )


def _on_behalf_notices(entries: list[ResponseEntry]) -> Iterable[OutboxEmail]:
    on_behalf = [entry for entry in entries if entry.is_on_behalf]
    administrators: dict[int, list[User]] = defaultdict(list)
    memberships = Membership.objects.filter(
        organisation_id__in={entry.response.organisation_id for entry in on_behalf},
        role=Role.ADMINISTRATOR,
        user__is_active=True,
    ).select_related("user")
    for membership in memberships:
        administrators[membership.organisation_id].append(membership.user)
    for entry in on_behalf:
        for administrator in administrators[entry.response.organisation_id]:
            if administrator.pk == entry.submitted_by_id:
                continue
            submitter_organisation = entry.submitted_by_organisation
            yield _message(
                key=f"response-entry:{entry.pk}:on-behalf:{administrator.pk}",
                to=administrator,
                organisation_id=entry.response.organisation_id,
                subject=(
                    f"{submitter_organisation.name if submitter_organisation else 'Someone'} responded to "
                    f"{entry.response.alert.threat_id} on behalf of {entry.response.organisation.name}"
                ),
                template="on_behalf",
                context=_entry_context(entry),
            )


def _reopened_notices(entries: list[ResponseEntry]) -> Iterable[OutboxEmail]:
    reopened = [entry for entry in entries if entry.action == EntryAction.REOPENED]
    people: dict[int, list[User]] = defaultdict(list)
    memberships = Membership.objects.filter(
        organisation_id__in={entry.response.organisation_id for entry in reopened}, user__is_active=True
    ).select_related("user")
    for membership in memberships:
        people[membership.organisation_id].append(membership.user)
    for entry in reopened:
        for person in people[entry.response.organisation_id]:
            yield _message(
                key=f"response-entry:{entry.pk}:reopened:{person.pk}",
                to=person,
                organisation_id=entry.response.organisation_id,
                subject=(
                    f"Update your response to {entry.response.alert.threat_id}: the exception's review date has come"
                ),
                template="reopened",
                context=_entry_context(entry),
            )


def queue_response_emails(entries: Iterable[ResponseEntry]) -> None:
    """Writes every email about these new history entries to the outbox, inside the caller's transaction. Each
    entry has its response (with its alert and organisation), submitter and submitter's organisation loaded, so
    that rendering them reads nothing more; the people told are read in a query or two, however many entries."""
    ordered = sorted(entries, key=lambda entry: (entry.response.organisation.name, entry.pk))
    queue_emails([*_confirmations(ordered), *_on_behalf_notices(ordered), *_reopened_notices(ordered)])
