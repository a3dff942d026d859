"""CSOC resets a person's authenticator app (lost phone) with `manage.py reset_mfa`."""

import io

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from respond.core.models import AuditLog
from tests.accounts.helpers import submit_password
from tests.factories import enrol_totp

pytestmark = pytest.mark.django_db


def test_after_a_reset_the_person_sets_up_a_new_app_at_sign_in(client, alice):
    enrol_totp(alice)
    RecoveryCodes.activate(alice)
    out = io.StringIO()

    call_command("reset_mfa", "--email", "ALICE@alpha.nhs.uk", stdout=out)

    assert "Removed the authenticator app and recovery codes of alice@alpha.nhs.uk." in out.getvalue()
    assert not Authenticator.objects.filter(user=alice).exists()
    entry = AuditLog.objects.get(action="mfa.reset")
    assert entry.actor_label == "system: reset_mfa"
    assert entry.after == {"authenticators_removed": 2}
    submit_password(client, alice.email)
    assert client.get(reverse("home")).url == reverse("mfa_activate_totp")


def test_an_unknown_email_changes_nothing(alice):
    enrol_totp(alice)

    with pytest.raises(CommandError, match=r"There is no account for nobody@alpha\.nhs\.uk\. Nothing was changed\."):
        call_command("reset_mfa", "--email", "nobody@alpha.nhs.uk")

    assert Authenticator.objects.filter(user=alice).exists()
    assert not AuditLog.objects.exists()
