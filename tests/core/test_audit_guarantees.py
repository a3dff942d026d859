"""What the audit log promises: rows are never changed or deleted, secrets never stored, and the address is kept."""

import pytest
from django.test import RequestFactory

from respond.core.audit import Auditor, client_ip, snapshot
from respond.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(alice):
    return Auditor.for_user(alice).log("membership.role_changed", alice, before={"role": "responder"})


def test_an_entry_cannot_be_changed_saved_again_or_deleted(entry):
    entry.action = "something.else"
    with pytest.raises(PermissionError, match="append-only"):
        entry.save()
    with pytest.raises(PermissionError, match="append-only"):
        entry.delete()
    with pytest.raises(PermissionError, match="append-only"):
        AuditLog.objects.filter(pk=entry.pk).update(action="something.else")
    with pytest.raises(PermissionError, match="append-only"):
        AuditLog.objects.all().delete()

    entry.refresh_from_db()
    assert entry.action == "membership.role_changed"
    assert AuditLog.objects.count() == 1


def test_secrets_are_left_out_of_snapshots_but_ods_codes_are_kept(alice):
    entry = Auditor.for_user(alice).log(
        "user.updated",
        alice,
        before={"password": "old-hash", "totp_secret": "ABC", "email": "a@example.nhs.uk"},
        after={"invitation_token": "t0k3n", "recovery_codes": ["1"], "ods_code": "RAA", "api_key": "k"},
    )

    entry.refresh_from_db()
    assert entry.before == {"email": "a@example.nhs.uk"}
    assert entry.after == {"ods_code": "RAA"}
    # A model's own fields: the password hash never reaches the log.
    assert "password" not in snapshot(alice)
    assert snapshot(alice)["email"] == alice.email


def test_the_address_of_the_request_is_recorded(alice):
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.5")
    request.user = alice

    entry = Auditor.from_request(request).log("membership.removed", alice)

    entry.refresh_from_db()
    assert entry.ip_address == "10.0.0.5"
    assert entry.actor == alice
    assert entry.actor_label == alice.email


def test_behind_the_proxy_the_address_it_saw_is_recorded():
    # The load balancer appends the address it saw; anything before it was sent by the client and is not trusted.
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")

    assert client_ip(request) == "203.0.113.7"
