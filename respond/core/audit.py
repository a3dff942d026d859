"""Explicit audit logging: services call an Auditor; nothing is written by signals."""

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.http import HttpRequest

from respond.core.models import AuditLog

SECRET_FIELD_MARKERS = ("password", "secret", "token", "key", "code", "otp")
SAFE_FIELDS_WITH_MARKER = {"ods_code", "postcode", "region_code", "country_code"}


@functools.cache  # a handful of field names, asked about for every row of a bulk change
def is_secret_field(name: str) -> bool:
    lowered = name.lower()
    return lowered not in SAFE_FIELDS_WITH_MARKER and any(marker in lowered for marker in SECRET_FIELD_MARKERS)


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    return value


def snapshot(obj: models.Model | Mapping[str, Any] | None, fields: Iterable[str] | None = None) -> dict | None:
    """A JSON-safe copy of an object's concrete fields (or a mapping), with secrets left out."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        data = dict(obj)
    else:
        names = fields or [field.attname for field in obj._meta.concrete_fields]
        data = {name: getattr(obj, name) for name in names}
    return {name: _json_value(value) for name, value in data.items() if not is_secret_field(name)}


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR is the proxy's address behind gunicorn + a load balancer; the proxy is trusted to
    # set X-Forwarded-For, and its last hop is the one it saw.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


@dataclass(frozen=True)
class AuditChange:
    """One object's change, for Auditor.log_many."""

    obj: models.Model
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    object_repr: str = ""


@dataclass(frozen=True)
class Auditor:
    # Any person (respond.accounts builds on this module): labelled by their username, the email address.
    actor: AbstractBaseUser | None
    actor_label: str
    ip_address: str | None = None
    # Set when acting through an API token: its name goes in the history of what is written.
    api_token_name: str = ""

    @property
    def actor_id(self) -> int | None:
        return self.actor.pk if self.actor is not None else None

    @classmethod
    def from_request(cls, request: HttpRequest) -> "Auditor":
        user = request.user if request.user.is_authenticated else None
        label = user.get_username() if user is not None else "anonymous"
        return cls(actor=user, actor_label=label, ip_address=client_ip(request))  # type: ignore[arg-type]

    @classmethod
    def system(cls, job: str) -> "Auditor":
        return cls(actor=None, actor_label=f"system: {job}")

    @classmethod
    def for_user(cls, user: AbstractBaseUser) -> "Auditor":
        return cls(actor=user, actor_label=user.get_username())

    def log(
        self,
        action: str,
        obj: models.Model | None = None,
        *,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        object_type: str = "",
        object_id: str = "",
        object_repr: str = "",
    ) -> AuditLog:
        if obj is not None:
            object_type = object_type or obj._meta.label
            object_id = object_id or str(obj.pk)
            object_repr = object_repr or str(obj)
        return AuditLog.objects.create(
            actor_id=self.actor_id,
            actor_label=self.actor_label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:300],
            before=snapshot(before),
            after=snapshot(after),
            ip_address=self.ip_address,
        )

    def log_many(self, action: str, changes: Iterable[AuditChange]) -> list[AuditLog]:
        """One row per change, all written in one query: for operations on many objects at once."""
        rows = [
            AuditLog(
                actor_id=self.actor_id,
                actor_label=self.actor_label,
                action=action,
                object_type=change.obj._meta.label,
                object_id=str(change.obj.pk),
                object_repr=(change.object_repr or str(change.obj))[:300],
                before=snapshot(change.before),
                after=snapshot(change.after),
                ip_address=self.ip_address,
            )
            for change in changes
        ]
        return AuditLog.objects.bulk_create(rows)
