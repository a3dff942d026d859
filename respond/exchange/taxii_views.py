"""A read-only TAXII 2.1 server: discovery at /taxii2/, one API root (/taxii2/alerts/), its collections
(respond.exchange.taxii_collections), their objects, manifests and versions. Errors are TAXII error messages.

Every answer is `application/taxii+json;version=2.1`; a request that accepts neither that nor anything gets 406.
"""

import base64
import binascii
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from respond.accounts.api_tokens import TokenAuth, rate_limit_wait
from respond.exchange.taxii_auth import BadCredentials, token_for
from respond.exchange.taxii_collections import PUBLIC_ID, Collection, collections_for
from respond.exchange.taxii_objects import CollectionObjects, Entry, Selection

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_CONTENT_LENGTH = 10 * 1024 * 1024


class TaxiiError(Exception):
    def __init__(self, status: int, title: str, description: str = "", headers: dict[str, str] | None = None):
        super().__init__(title)
        self.status, self.title, self.description, self.headers = status, title, description, headers or {}


def taxii_response(body: dict[str, Any], *, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    response = JsonResponse(body, status=status, content_type=TAXII_MEDIA_TYPE, json_dumps_params={"indent": None})
    for name, value in (headers or {}).items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    response["Vary"] = "Authorization, Accept"
    return response


def _accepts_taxii(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "").strip()
    if not accept:
        return True
    for item in accept.split(","):
        media, *params = (part.strip().lower() for part in item.split(";"))
        version = next((p.split("=", 1)[1].strip() for p in params if p.startswith("version=")), "2.1")
        if media in ("application/taxii+json", "application/*", "*/*") and version == "2.1":
            return True
    return False


View = Callable[..., HttpResponse]


def taxii_view(view: View) -> View:
    """Content negotiation, authentication (an invalid token is 401, never a quiet public answer), the token's
    rate limit, read-only methods, and TAXII error messages."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            if request.method not in ("GET", "HEAD"):
                raise TaxiiError(405, "Method not allowed", "This TAXII server is read-only", {"Allow": "GET, HEAD"})
            if not _accepts_taxii(request):
                raise TaxiiError(406, "Not acceptable", f"This server answers only with {TAXII_MEDIA_TYPE}")
            try:
                token = token_for(request)
            except BadCredentials as error:
                raise TaxiiError(401, "Unauthorised", str(error), CHALLENGE) from error
            if token is not None and (wait := rate_limit_wait(token.token)):
                raise TaxiiError(429, "Too many requests", "Slow down", {"Retry-After": str(wait)})
            return view(request, token, *args, **kwargs)
        except TaxiiError as error:
            body = {"title": error.title, "description": error.description, "http_status": str(error.status)}
            return taxii_response(body, status=error.status, headers=error.headers)

    return wrapped


CHALLENGE = {"WWW-Authenticate": 'Basic realm="TAXII", Bearer realm="TAXII"'}


def _root_url() -> str:
    return settings.SITE_URL + reverse("taxii:api_root")


@taxii_view
def discovery(request: HttpRequest, token: TokenAuth | None) -> HttpResponse:
    return taxii_response(
        {
            "title": f"{settings.SERVICE_NAME}: cyber alerts over TAXII",
            "description": "The CSOC's cyber alerts as STIX 2.1. TLP:CLEAR alerts are public; restricted alerts "
            "need an API token of an organisation they were sent to (HTTP Basic, with the token as the password).",
            "contact": settings.SITE_URL,
            "default": _root_url(),
            "api_roots": [_root_url()],
        }
    )


@taxii_view
def api_root(request: HttpRequest, token: TokenAuth | None) -> HttpResponse:
    return taxii_response(
        {
            "title": "Cyber alerts",
            "description": "Published cyber alerts, one STIX report with its vulnerabilities, indicators and "
            "courses of action each.",
            "versions": [TAXII_MEDIA_TYPE],
            "max_content_length": MAX_CONTENT_LENGTH,
        }
    )


@taxii_view
def collections(request: HttpRequest, token: TokenAuth | None) -> HttpResponse:
    return taxii_response({"collections": [collection.as_taxii() for collection in collections_for(token)]})


def _collection(token: TokenAuth | None, collection_id: str) -> Collection:
    for collection in collections_for(token):
        if collection.id == collection_id:
            return collection
    if token is None and collection_id != PUBLIC_ID:
        # Every other collection needs a token: the same answer whether or not it exists.
        raise TaxiiError(401, "Unauthorised", "This collection needs an API token", CHALLENGE)
    raise TaxiiError(404, "Collection not found", "No such collection, or not one this token may read")


@taxii_view
def collection(request: HttpRequest, token: TokenAuth | None, collection_id: str) -> HttpResponse:
    return taxii_response(_collection(token, collection_id).as_taxii())


def _timestamp(request: HttpRequest, name: str) -> datetime | None:
    value = request.GET.get(name)
    if value is None:
        return None
    parsed = parse_datetime(value.strip())
    if parsed is None or parsed.tzinfo is None:
        raise TaxiiError(400, "Bad request", f"{name} must be a timestamp like 2026-01-31T09:30:00.000Z")
    return parsed


def _limit(request: HttpRequest) -> int:
    value = request.GET.get("limit")
    if value is None:
        return DEFAULT_LIMIT
    if not value.isdigit() or int(value) < 1:
        raise TaxiiError(400, "Bad request", "limit must be a whole number, 1 or more")
    return min(int(value), MAX_LIMIT)


def _next_key(request: HttpRequest) -> str | None:
    value = request.GET.get("next")
    if value is None:
        return None
    try:
        key = base64.urlsafe_b64decode(value.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise TaxiiError(400, "Bad request", "next is not one this server gave") from error
    if "|" not in key:
        raise TaxiiError(400, "Bad request", "next is not one this server gave")
    return key


def _listed(request: HttpRequest, name: str) -> frozenset[str]:
    return frozenset(",".join(request.GET.getlist(name)).split(",")) - {""}


def _selection(request: HttpRequest, *, object_id: str | None = None) -> Selection | None:
    """The request's added_after, next and match filters, or None when it can match nothing."""
    added_after = _timestamp(request, "added_after")
    ids, types, spec_versions = (
        _listed(request, "match[id]"),
        _listed(request, "match[type]"),
        _listed(request, "match[spec_version]"),
    )
    versions = _listed(request, "match[version]") - {"last", "first", "all"}
    if object_id is not None:
        ids = frozenset({object_id})
    for version in versions:
        if parse_datetime(version) is None:
            raise TaxiiError(400, "Bad request", "match[version] must be last, first, all or a timestamp")
    _limit(request)
    after_key = _next_key(request)
    if spec_versions and "2.1" not in spec_versions:
        return None
    # One version of each object is kept, so first, last and all are the same.
    return Selection(added_after=added_after, after_key=after_key, ids=ids, types=types, versions=versions)


def _page(
    request: HttpRequest, found: CollectionObjects, selection: Selection | None
) -> tuple[list[Entry], bool, dict[str, str]]:
    limit = _limit(request)
    page, more = found.page(selection, limit=limit) if selection is not None else ([], False)
    headers = {}
    if page:
        headers = {"X-TAXII-Date-Added-First": page[0].date_added, "X-TAXII-Date-Added-Last": page[-1].date_added}
    return page, more, headers


def _objects(request: HttpRequest, collection: Collection) -> CollectionObjects:
    return CollectionObjects(collection.alerts(), added_after=_timestamp(request, "added_after"))


def _holds(found: CollectionObjects, object_id: str) -> bool:
    return bool(found.page(Selection(ids=frozenset({object_id})), limit=1)[0])


def _envelope_key(page: list[Entry], more: bool) -> dict[str, Any]:
    return {"more": more, "next": base64.urlsafe_b64encode(page[-1].key.encode()).decode()} if more else {"more": False}


@taxii_view
def objects(request: HttpRequest, token: TokenAuth | None, collection_id: str) -> HttpResponse:
    found = _objects(request, _collection(token, collection_id))
    page, more, headers = _page(request, found, _selection(request))
    body = {**_envelope_key(page, more), "objects": [entry.object for entry in page]}
    return taxii_response(body if page else {"more": False}, headers=headers)


@taxii_view
def manifest(request: HttpRequest, token: TokenAuth | None, collection_id: str) -> HttpResponse:
    found = _objects(request, _collection(token, collection_id))
    page, more, headers = _page(request, found, _selection(request))
    body = {**_envelope_key(page, more), "objects": [entry.manifest() for entry in page]}
    return taxii_response(body if page else {"more": False}, headers=headers)


@taxii_view
def object_detail(request: HttpRequest, token: TokenAuth | None, collection_id: str, object_id: str) -> HttpResponse:
    found = _objects(request, _collection(token, collection_id))
    if "added_after" not in request.GET and not _holds(found, object_id):
        raise TaxiiError(404, "Object not found", f"{object_id} is not in this collection")
    page, more, headers = _page(request, found, _selection(request, object_id=object_id))
    body = {**_envelope_key(page, more), "objects": [entry.object for entry in page]}
    return taxii_response(body if page else {"more": False}, headers=headers)


@taxii_view
def object_versions(request: HttpRequest, token: TokenAuth | None, collection_id: str, object_id: str) -> HttpResponse:
    found = _objects(request, _collection(token, collection_id))
    if not _holds(found, object_id):
        raise TaxiiError(404, "Object not found", f"{object_id} is not in this collection")
    selection = Selection(
        added_after=_timestamp(request, "added_after"), after_key=_next_key(request), ids=frozenset({object_id})
    )
    page, more, headers = _page(request, found, selection)
    return taxii_response({"more": more, "versions": [entry.version for entry in page]}, headers=headers)
