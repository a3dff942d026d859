"""The rows a person may export, always through these: everything for auditors and CSOC staff, otherwise only
the organisations they belong to (their own and those they respond for on behalf of another)."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from respond.alerts.models import RELEASED_STATUSES
from respond.organisations.models import Organisation
from respond.responses.models import Response, ResponseEntry


def sees_everything(user: Any) -> bool:
    return bool(user.has_perm("exports.export_everything"))


def responses_for(user: Any) -> QuerySet[Response]:
    """Responses to released alerts that asked for one, as the person may read them."""
    return Response.objects.visible_to(user).required()


def entries_for(user: Any) -> QuerySet[ResponseEntry]:
    """History entries of those responses. Filtered by joins rather than `response__in=responses_for(user)`:
    a subquery over every response would be read again for each chunk of a long export."""
    entries = ResponseEntry.objects.filter(
        response__alert__status__in=RELEASED_STATUSES, response__alert__response_required=True
    )
    if sees_everything(user):
        return entries
    return entries.filter(response__organisation_id__in=list(organisation_ids_for(user)))


def organisation_ids_for(user: Any) -> QuerySet[Organisation, int]:
    return Organisation.objects.respondable_by(user).values_list("pk", flat=True)


def exportable_organisation(user: Any, ods_code: str) -> Organisation | None:
    """The organisation with that ODS code, if this person may export its data."""
    organisation = Organisation.objects.filter(ods_code=ods_code.strip().upper()).first()
    if organisation is None or not user.has_perm("exports.export_organisation", organisation):
        return None
    return organisation


def local_day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def in_period(queryset: QuerySet[Any], field: str, start: date | None, end: date | None) -> QuerySet[Any]:
    """Rows whose `field` (a date and time) falls on the days from `start` to `end` inclusive, in UK time."""
    if start is not None:
        queryset = queryset.filter(**{f"{field}__gte": local_day_start(start)})
    if end is not None:
        queryset = queryset.filter(**{f"{field}__lt": local_day_start(end + timedelta(days=1))})
    return queryset
