"""`manage.py seed_demo`: real organisations, one demo user per role, each able to sign in with an app code."""

import io
import os
import re
import subprocess
import sys

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from respond.accounts.models import GlobalRole, Membership, Role, User
from respond.alerts.models import Alert, AlertStatus
from respond.core.models import AuditLog
from respond.demo.accounts import DEMO_PASSWORD, DEMO_USERS
from respond.organisations.models import Organisation
from respond.responses.models import Response, ResponseEntry
from tests.accounts.helpers import submit_code, submit_password, totp_code

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "mandated": Organisation.objects.mandated().count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "authenticators": Authenticator.objects.count(),
        "account changes": AuditLog.objects.filter(actor_label="system: seed_demo").count(),
        "alerts": Alert.objects.count(),
        "responses": Response.objects.count(),
        "response entries": ResponseEntry.objects.count(),
    }


def test_seed_demo_loads_organisations_and_a_user_for_each_role(settings):
    settings.SITE_URL = (
        "http://127.0.0.1:8765"  # as `make run PORT=8765` gives it (see tests/core/test_served_address.py)
    )
    output = seed()

    assert Organisation.objects.get(ods_code="R0A").name.upper() == "MANCHESTER UNIVERSITY NHS FOUNDATION TRUST"
    assert Organisation.objects.filter(ods_code="0DF").exists()
    assert Organisation.objects.mandated().count() > 300

    admin = User.objects.get(email="admin@r0a.demo.invalid")
    assert admin.memberships.get().role == Role.ADMINISTRATOR
    assert admin.organisation.ods_code == "R0A"
    responder = User.objects.get(email="responder@r0a.demo.invalid")
    assert responder.memberships.get().role == Role.RESPONDER
    lead = User.objects.get(email="responder@0df.demo.invalid")
    assert lead.organisation.ods_code == "0DF"
    on_behalf = [m for m in lead.memberships.select_related("organisation") if m.on_behalf]
    assert sorted(m.organisation.ods_code for m in on_behalf) == ["RD1", "RN3", "RNZ"]
    assert all(m.role == Role.RESPONDER for m in on_behalf)
    auditor = User.objects.get(email="auditor@england.demo.invalid")
    assert auditor.global_role == GlobalRole.AUDITOR
    assert auditor.organisation.name == "NHS England"
    assert not auditor.memberships.exists()
    assert User.objects.get(email="csoc@england.demo.invalid").is_csoc

    for demo in DEMO_USERS:
        assert demo.email in output
        assert demo.totp_secret in output
        assert f"oathtool --totp -b {demo.totp_secret}" in output
    assert DEMO_PASSWORD in output
    # Every link printed is at the address served.
    links = re.findall(r"https?://\S+", output)
    assert "http://127.0.0.1:8765/account/login/" in links
    assert any(link.startswith("http://127.0.0.1:8765/invitations/") for link in links), links
    assert all(link.startswith("http://127.0.0.1:8765/") for link in links), links


def test_seed_demo_publishes_alerts_with_responses_to_try():
    output = seed()

    published = Alert.objects.filter(status__in=[AlertStatus.PUBLISHED, AlertStatus.CLOSED])
    assert published.count() >= 3
    assert all(alert.approved_by != alert.created_by for alert in published)
    first = published.filter(response_required=True).order_by("published_at").first()
    assert first is not None
    # Every organisation asked to respond has a response, and the demo users have answered some of them.
    assert Response.objects.filter(alert=first).count() == first.organisations.count()
    assert ResponseEntry.objects.filter(submitted_by__email="responder@0df.demo.invalid").exists()
    assert first.threat_id in output


def test_every_demo_user_signs_in_with_the_password_and_a_code_from_the_secret():
    seed()

    for demo in DEMO_USERS:
        client = Client()
        assert submit_password(client, demo.email, DEMO_PASSWORD).url == reverse("mfa_authenticate")
        assert submit_code(client, totp_code(demo.totp_secret)).url == reverse("home"), demo.email
        assert client.get(reverse("home")).status_code == 200


def test_running_it_again_changes_nothing():
    seed()
    before = counts()
    user_rows = list(User.objects.order_by("pk").values())
    secrets = list(Authenticator.objects.order_by("pk").values_list("data", flat=True))

    output = seed()

    assert counts() == before
    assert list(User.objects.order_by("pk").values()) == user_rows
    assert list(Authenticator.objects.order_by("pk").values_list("data", flat=True)) == secrets
    assert "Demo users: 0 created or completed, 6 already in place." in output
    assert "Demo alerts: 0 published now" in output
    assert "demo responses: 0 of" in output


def test_a_demo_user_who_lost_their_app_gets_it_back():
    seed()
    Authenticator.objects.filter(user__email="csoc@england.demo.invalid").delete()

    seed()

    client = Client()
    submit_password(client, "csoc@england.demo.invalid", DEMO_PASSWORD)
    assert submit_code(client, totp_code("D2HTQVJACYVBWEGGHP45WBKQUG6LU7X2")).url == reverse("home")


def test_it_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="never runs with APP_ENV=production"):
        call_command("seed_demo", stdout=io.StringIO())

    assert Organisation.objects.count() == 0
    assert User.objects.count() == 0


def test_the_command_line_refuses_app_env_production(tmp_path):
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": "x" * 64,
        "ALLOWED_HOSTS": "cyber-alerts.example.nhs.uk",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
    }
    env.pop("DEBUG", None)
    # Without the system checks (2 s of CPU): the refusal is the command's own; the checks in production are
    # tests/core/test_production_settings.py's.
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--skip-checks"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 1
    assert "never runs with APP_ENV=production" in result.stderr
