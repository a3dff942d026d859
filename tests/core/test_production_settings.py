"""Production settings refuse to start half-configured, and pass Django's deployment checks."""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION_HOST = "example.nhs.uk"


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' (see tests/browser/fixtures.py), never production's.
        if key
        not in {
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DEBUG",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update({"APP_ENV": "production", "DJANGO_SETTINGS_MODULE": "config.settings", **env})
    return subprocess.run(
        [sys.executable, *args], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=120
    )


def secret_key() -> str:
    return secrets.token_urlsafe(48)[:64]


# One production process for both tests below (a Django start is about 2 s of CPU): it prints its security settings,
# then runs the deployment checks as `manage.py check --deploy --fail-level WARNING` does.
SETTINGS_THEN_DEPLOYMENT_CHECKS = """
import json, django
django.setup()
from django.conf import settings as s
from django.core.management import call_command
print("SETTINGS " + json.dumps({name: getattr(s, name) for name in [
    "DEBUG", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY",
]}), flush=True)
call_command("check", "--deploy", "--fail-level", "WARNING")
"""


@pytest.fixture(scope="module")
def production_process() -> subprocess.CompletedProcess[str]:
    return run("-c", SETTINGS_THEN_DEPLOYMENT_CHECKS, SECRET_KEY=secret_key(), ALLOWED_HOSTS=PRODUCTION_HOST)


def test_deployment_checks_pass(production_process):
    assert production_process.returncode == 0, production_process.stdout + production_process.stderr
    assert "no issues" in production_process.stdout


def test_production_turns_on_hsts_and_secure_cookies(production_process):
    lines = [line for line in production_process.stdout.splitlines() if line.startswith("SETTINGS ")]
    assert len(lines) == 1, production_process.stderr
    values = json.loads(lines[0].removeprefix("SETTINGS "))
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    for cookie_setting in (
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
    ):
        assert values[cookie_setting] is True, cookie_setting


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ALLOWED_HOSTS": PRODUCTION_HOST}, "Production needs SECRET_KEY"),
        ({"ALLOWED_HOSTS": PRODUCTION_HOST, "SECRET_KEY": "too-short"}, "Production needs SECRET_KEY"),
        (
            {"ALLOWED_HOSTS": PRODUCTION_HOST, "SECRET_KEY": "insecure-development-key-never-use-in-production"},
            "Production needs SECRET_KEY",
        ),
        ({"SECRET_KEY": "x" * 30 + secrets.token_urlsafe(30)}, "Production needs ALLOWED_HOSTS"),
        (
            {"SECRET_KEY": secrets.token_urlsafe(48), "ALLOWED_HOSTS": PRODUCTION_HOST, "DEBUG": "true"},
            "DEBUG must be off in production",
        ),
    ],
)
def test_production_refuses_to_start_half_configured(env, message):
    result = run("-c", "import django; django.setup()", **env)
    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr
    assert message in result.stderr
