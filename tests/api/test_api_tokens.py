"""API tokens: made for some of the owner's organisations, stored as a hash, and refused once revoked, expired,
or when the owner is deactivated or no longer responds for any of its organisations."""

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from respond.accounts.api_tokens import (
    api_token_create,
    api_token_revoke,
    authenticate_api_token,
    rate_limit_wait,
    secret_hash,
)
from respond.accounts.models import ApiToken, ApiTokenAccess, Membership, Role
from respond.core.audit import Auditor
from respond.core.models import AuditLog
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def make(user, organisations, *, access=ApiTokenAccess.RESPOND, days=30, name="Ticketing"):
    return api_token_create(
        user=user,
        name=name,
        organisations=organisations,
        access=access,
        valid_days=days,
        auditor=Auditor.for_user(user),
    )


def test_only_the_hash_and_prefix_are_stored(alice, trust_a):
    _token, secret = make(alice, [trust_a])
    assert secret.startswith("rca_")
    assert len(secret) > 40
    stored = ApiToken.objects.get()
    assert stored.secret_hash == secret_hash(secret) != secret
    assert secret.startswith(stored.prefix)
    assert len(stored.prefix) == 12
    assert secret not in str(AuditLog.objects.get(action="api_token.created").after)


def test_authenticates_as_its_owner_for_its_organisations(alice, trust_a):
    other = OrganisationFactory(ods_code="RCC")
    MembershipFactory(user=alice, organisation=other, role=Role.RESPONDER)
    token, secret = make(alice, [trust_a])
    auth = authenticate_api_token(secret, ip_address="10.0.0.9")
    assert auth is not None
    assert auth.user == alice
    assert auth.organisation_ids == {trust_a.pk}
    assert auth.can_respond
    token.refresh_from_db()
    assert token.last_used_ip == "10.0.0.9"
    assert token.last_used_at is not None
    assert auth.auditor().actor_label == "alice@alpha.nhs.uk via token Ticketing"


def test_unknown_or_malformed_secrets_are_refused(alice, trust_a):
    _, secret = make(alice, [trust_a])
    assert authenticate_api_token(secret[:-1] + ("A" if secret[-1] != "A" else "B"), ip_address=None) is None
    assert authenticate_api_token("not a token", ip_address=None) is None
    assert authenticate_api_token("", ip_address=None) is None


def test_organisations_must_be_the_owners(alice, trust_a, trust_b):
    with pytest.raises(ValidationError) as error:
        make(alice, [trust_a, trust_b])
    assert error.value.message_dict == {"organisations": ["Select only organisations you respond for"]}
    with pytest.raises(ValidationError) as error:
        make(alice, [])
    assert "organisations" in error.value.message_dict
    assert not ApiToken.objects.exists()


def test_expiry_is_limited_by_settings(alice, trust_a):
    with override_settings(API_TOKEN_MAX_DAYS=30), pytest.raises(ValidationError) as error:
        make(alice, [trust_a], days=31)
    assert error.value.message_dict == {"valid_days": ["A token can be valid for 1 to 30 days"]}


def test_expired_token_stops_working(alice, trust_a):
    _, secret = make(alice, [trust_a], days=7)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=7, seconds=1)):
        assert authenticate_api_token(secret, ip_address=None) is None


def test_revoked_token_stops_working(alice, trust_a):
    token, secret = make(alice, [trust_a])
    api_token_revoke(token=token, by=alice, auditor=Auditor.for_user(alice))
    assert authenticate_api_token(secret, ip_address=None) is None
    assert AuditLog.objects.filter(action="api_token.revoked").count() == 1


def test_deactivated_owner_token_stops_working(alice, trust_a):
    _, secret = make(alice, [trust_a])
    alice.is_active = False
    alice.save()
    assert authenticate_api_token(secret, ip_address=None) is None


def test_lost_membership_narrows_then_stops_the_token(bob, trust_a):
    other = OrganisationFactory(ods_code="RCC")
    MembershipFactory(user=bob, organisation=other, role=Role.RESPONDER)
    _, secret = make(bob, [trust_a, other])
    Membership.objects.filter(user=bob, organisation=trust_a).delete()
    assert authenticate_api_token(secret, ip_address=None).organisation_ids == {other.pk}
    Membership.objects.filter(user=bob, organisation=other).delete()
    assert authenticate_api_token(secret, ip_address=None) is None


def test_auditors_tokens_act_for_no_organisation(auditor):
    _, secret = make(auditor, [], access=ApiTokenAccess.READ)
    auth = authenticate_api_token(secret, ip_address=None)
    assert auth is not None
    assert auth.organisation_ids == frozenset()
    assert not auth.can_respond


def test_administrators_may_revoke_their_organisations_tokens_others_may_not(alice, bob, charlie, trust_a):
    token, secret = make(bob, [trust_a])
    assert list(ApiToken.objects.visible_to(alice)) == [token]
    assert not ApiToken.objects.visible_to(charlie).exists()
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, by=charlie, auditor=Auditor.for_user(charlie))
    assert authenticate_api_token(secret, ip_address=None) is not None
    api_token_revoke(token=token, by=alice, auditor=Auditor.for_user(alice))
    assert authenticate_api_token(secret, ip_address=None) is None


@override_settings(API_REQUESTS_PER_MINUTE=3)
def test_rate_limit_counts_per_token_in_the_shared_cache(alice, trust_a):
    token, _ = make(alice, [trust_a])
    other, _ = make(alice, [trust_a], name="Other")
    start = 1_800_000_010.0  # 10 s into a minute
    assert [rate_limit_wait(token, now=start) for _ in range(3)] == [0, 0, 0]
    assert rate_limit_wait(token, now=start) == 50
    assert rate_limit_wait(other, now=start) == 0
    assert cache.get(f"respond:api-rate:{token.pk}:{int(start) // 60}") == 4
    assert rate_limit_wait(token, now=start + 50) == 0  # the next minute
