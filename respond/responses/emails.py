"""The emails a submission sends: a confirmation to the person who submitted, a notice to an organisation's
administrators when someone from another organisation responded on its behalf, and a notice to an organisation's
people when its exception reached its review date. Sent by a background task once the submission is committed."""

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from respond.accounts.models import Membership, Role, User
from respond.responses.answers import answer_rows
from respond.responses.models import EntryAction, ResponseEntry


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _message(*, to: User, subject: str, template: str, context: dict) -> EmailMessage:
    body = render_to_string(
        f"responses/email/{template}.txt",
        {**context, "recipient": to, "service_name": settings.SERVICE_NAME},
    )
    return EmailMessage(subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body=body, to=[to.email])


def _entry_context(entry: ResponseEntry) -> dict:
    return {
        "entry": entry,
        "response": entry.response,
        "alert": entry.response.alert,
        "organisation": entry.response.organisation,
        "answers": answer_rows(entry, entry.status),
        "response_url": _absolute(entry.response.get_absolute_url()),
    }


def _confirmations(entries: list[ResponseEntry]) -> Iterable[EmailMessage]:
    by_submitter: dict[int, list[ResponseEntry]] = defaultdict(list)
    for entry in entries:
        if entry.submitted_by is not None:
            by_submitter[entry.submitted_by.pk].append(entry)
    for submitted in by_submitter.values():
        first = submitted[0]
        alert = first.response.alert
        many = len(submitted) > 1
        yield _message(
            to=first.submitted_by,  # type: ignore[arg-type]
            subject=f"Your response to {alert.threat_id} has been recorded",
            template="confirmation",
            context={
                **_entry_context(first),
                "entries": submitted,
                "many": many,
                "alert_url": _absolute(reverse("responses:alert", args=[alert.threat_id])),
            },
        )


def _on_behalf_notices(entries: list[ResponseEntry]) -> Iterable[EmailMessage]:
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
                to=administrator,
                subject=(
                    f"{submitter_organisation.name if submitter_organisation else 'Someone'} responded to "
                    f"{entry.response.alert.threat_id} on behalf of {entry.response.organisation.name}"
                ),
                template="on_behalf",
                context=_entry_context(entry),
            )


def _reopened_notices(entries: list[ResponseEntry]) -> Iterable[EmailMessage]:
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
                to=person,
                subject=(
                    f"Update your response to {entry.response.alert.threat_id}: the exception's review date has come"
                ),
                template="reopened",
                context=_entry_context(entry),
            )


# The task is here, with what it sends, so that the services queue it without importing the tasks module (which
# imports the services: tasks call services, never the other way).
@task
def send_response_emails(entry_ids: list[int]) -> int:
    """Sends every email about these history entries. Returns how many were sent."""
    entries = list(
        ResponseEntry.objects.filter(pk__in=entry_ids)
        .select_related("response__alert", "response__organisation", "submitted_by", "submitted_by_organisation")
        .order_by("response__organisation__name", "pk")
    )
    messages = [*_confirmations(entries), *_on_behalf_notices(entries), *_reopened_notices(entries)]
    if not messages:
        return 0
    return mailers.default.send_messages(messages) or 0
