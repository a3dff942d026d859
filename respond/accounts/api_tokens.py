"""Personal API tokens: creating and revoking them, and authenticating a request that carries one.

`authenticate_api_token` is the one way in for every machine interface (the REST API, TAXII): it returns who
the token acts as and for which organisations, or None. A token acts for the organisations chosen when it was
made that its owner still responds for; it stops working once none are left, when it expires or is revoked,
or when its owner's account is deactivated.
"""

import hashlib
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from respond.accounts.models import ApiToken, ApiTokenAccess, User
from respond.core.audit import Auditor
from respond.organisations.models import Organisation

SECRET_PREFIX = "rca_"
PREFIX_LENGTH = len(SECRET_PREFIX) + 8
# Last use is written at most this often per token and address, so that a busy token is not a write per request.
LAST_USED_PRECISION = timedelta(minutes=1)
RATE_WINDOW_SECONDS = 60


def secret_hash(secret: str) -> str:
    # The secret is 256 random bits, so a plain SHA-256 cannot be reversed by guessing; no salt is needed.
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class TokenAuth:
    """A request authenticated by a token: its owner, and the organisations it may act for now."""

    token: ApiToken
    user: User
    organisation_ids: frozenset[int]
    ip_address: str | None

    @property
    def can_respond(self) -> bool:
        return self.token.can_respond

    def organisations(self) -> "Iterable[Organisation]":
        return Organisation.objects.filter(pk__in=self.organisation_ids)

    def auditor(self) -> Auditor:
        """Writes through the token are logged "by <user> via token <name>"."""
        return Auditor(
            actor=self.user,
            actor_label=f"{self.user.email} via token {self.token.name}",
            ip_address=self.ip_address,
            api_token_name=self.token.name,
        )


def max_days() -> int:
    return settings.API_TOKEN_MAX_DAYS


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    organisations: Iterable[Organisation],
    access: str,
    valid_days: int,
    auditor: Auditor,
) -> tuple[ApiToken, str]:
    """Makes a token for `user`; returns it with its secret, which is shown once and never stored."""
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Enter a name for the token"]
    elif len(name) > 100:
        errors["name"] = ["Name must be 100 characters or fewer"]
    if access not in ApiTokenAccess.values:
        errors["access"] = ["Select what the token may do"]
    if not 1 <= valid_days <= max_days():
        errors["valid_days"] = [f"A token can be valid for 1 to {max_days()} days"]
    chosen = {organisation.pk for organisation in organisations}
    theirs = set(Organisation.objects.respondable_by(user).filter(pk__in=chosen).values_list("pk", flat=True))
    if chosen - theirs:
        errors["organisations"] = ["Select only organisations you respond for"]
    elif not chosen and not (user.is_csoc or user.is_auditor):
        errors["organisations"] = ["Select at least one organisation the token may act for"]
    if errors:
        raise ValidationError(errors)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        secret_hash=secret_hash(secret),
        access=access,
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    token.organisations.set(sorted(chosen))
    auditor.log(
        "api_token.created",
        token,
        after={"name": name, "access": access, "expires_at": token.expires_at, "organisations": sorted(chosen)},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User, auditor: Auditor) -> None:
    """Stops the token working at once. Its owner, or an administrator of an organisation it acts for."""
    if not ApiToken.objects.visible_to(by).filter(pk=token.pk).exists():
        raise PermissionDenied("You cannot revoke this token")
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.revoked_by = by
    token.save(update_fields=["revoked_at", "revoked_by"])
    auditor.log("api_token.revoked", token, after={"name": token.name, "owner": token.user.email})


def authenticate_api_token(secret: str, *, ip_address: str | None) -> TokenAuth | None:
    """Who a presented secret acts as, or None if it is unknown, revoked, expired, its owner deactivated or no
    longer responding for any organisation it was made for. Records when and from where it was last used."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    now = timezone.now()
    token = ApiToken.objects.usable(now=now).select_related("user").filter(secret_hash=secret_hash(secret)).first()
    if token is None:
        return None
    chosen = token.organisations.values("pk")
    organisation_ids = frozenset(
        Organisation.objects.respondable_by(token.user).filter(pk__in=chosen).values_list("pk", flat=True)
    )
    if not organisation_ids and (token.organisations.exists() or not (token.user.is_csoc or token.user.is_auditor)):
        return None
    stale = token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION
    if stale or token.last_used_ip != ip_address:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip_address)
    return TokenAuth(token=token, user=token.user, organisation_ids=organisation_ids, ip_address=ip_address)


def rate_limit_wait(token: ApiToken, *, now: float | None = None) -> int:
    """Counts one request by the token in this minute; returns 0, or the seconds to wait once over the limit.
    Counted in Django's cache, shared by every web process."""
    now = time.time() if now is None else now
    window = int(now) // RATE_WINDOW_SECONDS
    key = f"respond:api-rate:{token.pk}:{window}"
    try:
        count = cache.incr(key)
    except ValueError:  # the minute's first request (or its count expired)
        count = 1 if cache.add(key, 1, timeout=RATE_WINDOW_SECONDS + 5) else cache.incr(key)
    if count <= settings.API_REQUESTS_PER_MINUTE:
        return 0
    return max(1, (window + 1) * RATE_WINDOW_SECONDS - int(now))


def token_expiry_choices() -> list[int]:
    """The validity periods offered, in days, never past the maximum."""
    return sorted({days for days in (7, 30, 90, 180, 365) if days < max_days()} | {max_days()})
