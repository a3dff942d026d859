"""Single sign-on settings: switched on by OIDC_CLIENT_ID, refused when incomplete or, in production, not HTTPS."""

import os
import subprocess
import sys
from pathlib import Path

import pytest


def import_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {name: value for name, value in os.environ.items() if not name.startswith("OIDC_")}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(sorted(s.SOCIALACCOUNT_PROVIDERS))"],
        cwd=Path(__file__).resolve().parents[2],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


PRODUCTION_ENV = {"APP_ENV": "production", "SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "respond.example", "DEBUG": "0"}


@pytest.mark.parametrize(
    ("env", "error"),
    [
        (
            {"APP_ENV": "test", "OIDC_CLIENT_ID": "client"},
            "needs OIDC_ISSUER and OIDC_CLIENT_SECRET with OIDC_CLIENT_ID",
        ),
        (
            {"APP_ENV": "test", "OIDC_CLIENT_ID": "client", "OIDC_ISSUER": "https://idp.example"},
            "needs OIDC_ISSUER and OIDC_CLIENT_SECRET with OIDC_CLIENT_ID",
        ),
        (
            {**PRODUCTION_ENV, "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s", "OIDC_ISSUER": "http://idp.example"},
            "OIDC_ISSUER must be an https:// URL in production",
        ),
    ],
    ids=["only-client-id", "no-secret", "http-in-production"],
)
def test_incomplete_or_insecure_sso_settings_are_refused(env, error):
    result = import_settings(**env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert error in result.stderr


def test_complete_sso_settings_configure_the_provider():
    result = import_settings(
        **PRODUCTION_ENV, OIDC_CLIENT_ID="c", OIDC_CLIENT_SECRET="s", OIDC_ISSUER="https://idp.example/"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['openid_connect']"
