"""Responses: one organisation's response with its history, recording one, and one for many organisations.

Writes go through respond.responses.services, as the pages' do: the same validation, history, audit log,
emails and cache versions. The token's organisations narrow what its owner may respond for."""

from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Header, Router

from respond.accounts.api_tokens import TokenAuth
from respond.accounts.models import Membership
from respond.api import scope
from respond.api.auth import require_respond_access, token_auth
from respond.api.errors import ApiError
from respond.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    BulkResponseIn,
    BulkResponseOut,
    BulkResultOut,
    EntryOut,
    MyOrganisationOut,
    OrganisationOut,
    ResponseIn,
    ResponseOut,
    ResponseStateOut,
)
from respond.organisations.models import Organisation
from respond.responses import services
from respond.responses.answers import Answers
from respond.responses.models import Response, ResponseEntry

router = Router(tags=["Responses"])


def response_state(response: Response, now: datetime) -> ResponseStateOut:
    organisation = response.organisation
    return ResponseStateOut(
        organisation=OrganisationOut(ods_code=organisation.ods_code, name=organisation.name),
        status=response.status,
        version=response.version,
        deadline_at=response.deadline_at,
        acknowledged_at=response.acknowledged_at,
        acknowledged_within_window=response.acknowledged_within_window,
        next_update_due_on=response.next_update_due_on,
        review_on=response.review_on,
        reacknowledgement_due_at=response.reacknowledgement_due_at,
        overdue=response.is_overdue(now),
    )


def _entry(entry: ResponseEntry) -> EntryOut:
    return EntryOut(
        version=entry.version,
        action=entry.action,
        status=entry.status,
        created_at=entry.created_at,
        submitted_by=entry.submitter_text,
        on_behalf=entry.is_on_behalf,
        api_token_name=entry.api_token_name,
        bulk_id=entry.bulk_id,
        **{name: getattr(entry, name) for name in Answers.__dataclass_fields__},
    )


def _response_out(response: Response, http: HttpResponse) -> ResponseOut:
    entries = list(
        response.entries.select_related("submitted_by", "submitted_by_organisation").order_by("-version")  # type: ignore[attr-defined]
    )
    for entry in entries:
        entry.response = response
    # The version is the response's ETag: send it back in If-Match so that a change made meanwhile is a 409.
    http["ETag"] = f'"{response.version}"'
    state = response_state(response, timezone.now())
    return ResponseOut(
        **state.model_dump(), threat_id=response.alert.threat_id or "", history=[_entry(e) for e in entries]
    )


def _response_or_404(auth: TokenAuth, threat_id: str, ods_code: str) -> Response:
    alert = scope.alert_or_404(auth, threat_id, response_required=True)
    services.open_missing_responses(alert=alert, organisations=Organisation.objects.filter(ods_code=ods_code.upper()))
    response = (
        scope.responses(auth)
        .select_related("alert", "organisation", "reacknowledgement_update")
        .filter(alert=alert, organisation__ods_code=ods_code.upper())
        .first()
    )
    if response is None:
        raise Http404("No such response, or not one this token can read")
    return response


def _version(if_match: str | None, current: int) -> int:
    """The version the client based its change on (If-Match); without one, the current version."""
    if if_match is None:
        return current
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise ApiError(
            400, "If-Match must be the response's ETag", [{"field": "If-Match", "message": 'For example "3"'}]
        )
    return int(text)


@router.get(
    "/organisations",
    response={200: list[MyOrganisationOut], **READ_ERRORS},
    summary="The organisations you may answer for",
)
def organisation_list(request: HttpRequest) -> list[MyOrganisationOut]:
    auth = token_auth(request)
    memberships = (
        Membership.objects.filter(user=auth.user, organisation__in=scope.respondable_organisations(auth))
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return [
        MyOrganisationOut(ods_code=m.organisation.ods_code, name=m.organisation.name, role=m.role)  # type: ignore[arg-type]
        for m in memberships
    ]


@router.get(
    "/alerts/{threat_id}/responses/{ods_code}",
    response={200: ResponseOut, **READ_ERRORS},
    summary="One organisation's response and its history",
)
def response_detail(request: HttpRequest, threat_id: str, ods_code: str, http: HttpResponse) -> ResponseOut:
    return _response_out(_response_or_404(token_auth(request), threat_id, ods_code), http)


@router.post(
    "/alerts/{threat_id}/responses/{ods_code}",
    response={200: ResponseOut, **WRITE_ERRORS},
    summary="Record a response for one organisation",
)
def response_record(
    request: HttpRequest,
    threat_id: str,
    ods_code: str,
    payload: ResponseIn,
    http: HttpResponse,
    if_match: str | None = Header(default=None, alias="If-Match"),
) -> ResponseOut:
    """The same statuses, follow-up answers and checks as the form. Send the ETag of the response you read in
    `If-Match`: if it has changed since, nothing is recorded and you get 409."""
    auth = token_auth(request)
    response = _response_or_404(auth, threat_id, ods_code)
    require_respond_access(auth)
    if not scope.respondable_responses(auth).filter(pk=response.pk).exists():
        raise ApiError(403, f"This token cannot respond for {response.organisation.name}")
    version = _version(if_match, response.version)
    user, auditor = auth.user, auth.auditor()
    if payload.status == services.ACKNOWLEDGE:
        services.response_acknowledge(
            response=response,
            user=user,
            version=version,
            auditor=auditor,
            next_update_due_on=payload.next_update_due_on,
        )
    elif payload.status == services.REACKNOWLEDGE:
        services.response_reacknowledge(response=response, user=user, version=version, auditor=auditor)
    else:
        answers = Answers.from_data(payload.model_dump(exclude={"status"}))
        services.response_update(
            response=response, user=user, version=version, status=payload.status, answers=answers, auditor=auditor
        )
    response.refresh_from_db()
    return _response_out(response, http)


@router.post(
    "/alerts/{threat_id}/responses",
    response={200: BulkResponseOut, **WRITE_ERRORS},
    summary="Record one response for many organisations",
)
def bulk_response(request: HttpRequest, threat_id: str, payload: BulkResponseIn) -> BulkResponseOut:
    """All or nothing: if any organisation cannot be answered for, nothing is recorded and each is reported
    under `organisations.<ODS code>`."""
    auth = token_auth(request)
    alert = scope.alert_or_404(auth, threat_id, response_required=True)
    require_respond_access(auth)
    codes = list(dict.fromkeys(code.strip().upper() for code in payload.organisations))
    in_token = {o.ods_code: o for o in scope.respondable_organisations(auth).filter(ods_code__in=codes)}
    asked = set(alert.organisations.filter(pk__in=[o.pk for o in in_token.values()]).values_list("ods_code", flat=True))
    errors = [
        {"field": f"organisations.{code}", "message": f"This token cannot respond for {code}"}
        for code in codes
        if code not in in_token
    ]
    errors += [
        {"field": f"organisations.{code}", "message": f"{code} is not asked to respond to {alert.threat_id}"}
        for code in codes
        if code in in_token and code not in asked
    ]
    if errors:
        outside = any(code not in in_token for code in codes)
        raise ApiError(
            403 if outside else 422, "Nothing was recorded: some organisations cannot be answered for", errors
        )
    versions = None
    if payload.versions is not None:
        unknown = [code for code in payload.versions if code.upper() not in in_token]
        if unknown:
            raise ApiError(
                422,
                "Nothing was recorded: versions given for organisations not in the request",
                [{"field": f"versions.{code}", "message": "Not one of the organisations"} for code in unknown],
            )
        versions = {in_token[code.upper()].pk: version for code, version in payload.versions.items()}
    entries = services.bulk_response_submit(
        user=auth.user,
        alert=alert,
        organisations=list(in_token.values()),
        status=payload.status,
        answers=Answers.from_data(payload.model_dump(exclude={"status", "organisations", "versions"})),
        auditor=auth.auditor(),
        expected_versions=versions,
    )
    by_response = {entry.response_id: entry for entry in entries}
    rows = Response.objects.filter(pk__in=by_response).values_list("organisation__ods_code", "status", "version")
    return BulkResponseOut(
        results=[BulkResultOut(ods_code=code, status=status, version=version) for code, status, version in sorted(rows)]
    )
