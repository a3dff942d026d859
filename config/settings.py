"""Settings, all read from environment variables (documented in docs/configuration.md)."""

import json
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from respond.operations.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# "development" (make run), "test" (pytest) or "production".
ENVIRONMENT = env("APP_ENV", "development")
if ENVIRONMENT not in {"development", "test", "production"}:
    raise ImproperlyConfigured("APP_ENV must be development, test or production")
PRODUCTION = ENVIRONMENT == "production"

INSECURE_DEV_SECRET_KEY = "insecure-development-key-never-use-in-production"
SECRET_KEY = env("SECRET_KEY", "" if PRODUCTION else INSECURE_DEV_SECRET_KEY)
# Earlier SECRET_KEYs, comma-separated, after rotating it: what was signed or encrypted with them is still read.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
DEBUG = env_bool("DEBUG", ENVIRONMENT == "development")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")

if PRODUCTION:
    if len(SECRET_KEY) < 50 or SECRET_KEY == INSECURE_DEV_SECRET_KEY:
        raise ImproperlyConfigured("Production needs SECRET_KEY: a random string of 50 or more characters.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Production needs ALLOWED_HOSTS: the host names the service answers to.")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production.")

# Covering indexes (Index(include=...)) speed up PostgreSQL; SQLite, the embedded default, has none and does without.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SERVICE_NAME = "Respond to a cyber alert"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_tasks_db",
    "crontask",
    "respond.core",
    "respond.organisations",
    "respond.accounts",
    "respond.alerts",
    "respond.notifications",
    "respond.responses",
    "respond.reports",
    "respond.followup",
    "respond.exports",
    "respond.groups",
    "respond.demo",
    "respond.api",
    "respond.exchange",
    "respond.operations",
]

MIDDLEWARE = [
    "respond.operations.middleware.RequestObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "respond.accounts.middleware.SessionLifetimeMiddleware",
    "respond.accounts.middleware.MfaRequiredMiddleware",
    "respond.core.middleware.UnstorableTextMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "config.jinja2.environment",
            # A folder for compiled templates, shared by the processes that use it: a web process then warms up
            # (respond.operations.warm_up) by loading its 200-odd templates instead of compiling them, about 2 s
            # of CPU less a start. Off (empty) unless set; the tests' process sets set it.
            "bytecode_cache_dir": env("JINJA2_BYTECODE_CACHE_DIR"),
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.messages.context_processors.messages",
                "respond.accounts.context_processors.service",
            ],
        },
    },
    {
        # django-allauth's email bodies and any page we have not restyled yet.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # A database cache, so that rate limits and cached report figures hold across several web processes. Room
    # for every alert's figures: past MAX_ENTRIES, a third of the entries are deleted (checked every 100 writes:
    # respond.core.cache, Django's database cache with a set() in one statement).
    CACHES = {
        "default": {
            "BACKEND": "respond.core.cache.DatabaseCache",
            "LOCATION": "cache",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# Background tasks (django.tasks): the database queue by default, RQ on Redis when REDIS_URL is set. Periodic jobs
# have a queue of their own, listed first, so they never wait behind delivery (respond.core.queues).
if REDIS_URL:
    INSTALLED_APPS += ["django_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["scheduled", "default"]}}
    RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 300} for name in ("scheduled", "default")}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["scheduled", "default"]}}
# Queued by every worker when it starts, and when it takes tasks again after a Redis outage (respond.core.queues).
TASKS_AT_WORKER_START = ["respond.notifications.tasks.sweep_notifications"]
# Periodic jobs (`manage.py crontask`). With Redis, a lock there lets only one scheduler run at a time, however
# many are started; every job is also idempotent, so a second scheduler would do no harm, only waste.
# The active scheduler's Redis lock lasts SCHEDULER_LOCK_SECONDS unless renewed (it renews it every half of that):
# how soon a standby takes over from one that died.
SCHEDULER_LOCK_SECONDS = env_int("SCHEDULER_LOCK_SECONDS", 10)
CRONTASK = {
    "REDIS_URL": REDIS_URL or None,
    "LOCK_TIMEOUT": SCHEDULER_LOCK_SECONDS,
    "LOCK_REFRESH_INTERVAL": max(1, SCHEDULER_LOCK_SECONDS // 2),
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if ENVIRONMENT == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# In the tests, every run of a kept statement (respond.core.kept_statements) is checked against the statement Django
# writes afresh for the same values: a value put somewhere the stand-ins did not show fails the test that ran it.
KEPT_STATEMENTS_CHECKED = ENVIRONMENT == "test"

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: email + password, no open sign-up, MFA mandatory (see MfaRequiredMiddleware).
ACCOUNT_ADAPTER = "respond.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "respond.accounts.adapters.SocialAccountAdapter"
MFA_ADAPTER = "respond.accounts.adapters.MfaAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SERVICE_NAME}] "
ACCOUNT_RATE_LIMITS = {
    "login": env("LOGIN_RATE_LIMIT", "30/m/ip"),
    "login_failed": env("LOGIN_FAILED_RATE_LIMIT", "10/m/ip,5/5m/key"),
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
}
# Invitations to join an organisation, and requests to respond on behalf of one (per person, per hour).
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)
INVITATIONS_PER_HOUR = env_int("INVITATIONS_PER_HOUR", 20)
ACCESS_REQUESTS_PER_HOUR = env_int("ACCESS_REQUESTS_PER_HOUR", 10)
# API tokens: the longest a token may be valid for (also the default), and requests per token per minute.
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 90)
API_REQUESTS_PER_MINUTE = env_int("API_REQUESTS_PER_MINUTE", 300)
# Passkeys (WebAuthn) can be the second factor, alongside or instead of an authenticator app. The relying party is
# SITE_URL's host (see MfaAdapter): a passkey works only at https://that host, or http://localhost outside production.
# Origins are always checked: MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN would turn that off, so it stays False everywhere.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
# After a password, having the passkey is the second factor; its PIN or fingerprint is asked for when it has one.
MFA_WEBAUTHN_USER_VERIFICATION = "preferred"
# Signing in with a passkey instead of a password stays off (as does signing up with one): a password comes first.
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_PASSKEY_SIGNUP_ENABLED = False
MFA_TOTP_ISSUER = SERVICE_NAME
MFA_RECOVERY_CODE_COUNT = 10
# allauth would refuse to set up an authenticator app while an email address is unverified (against someone
# signing up with another person's address). Nobody signs up here: CSOC creates accounts for known addresses.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# The same forms with plain-English labels and error messages.
ACCOUNT_FORMS = {
    "login": "respond.accounts.forms.SignInForm",
    "reset_password": "respond.accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "respond.accounts.forms.ResetPasswordKeyForm",
    "change_password": "respond.accounts.forms.ChangePasswordForm",
    "reauthenticate": "respond.accounts.forms.ReauthenticateForm",
}
MFA_FORMS = {
    "authenticate": "respond.accounts.forms.AuthenticateForm",
    "reauthenticate": "respond.accounts.forms.MfaReauthenticateForm",
    "activate_totp": "respond.accounts.forms.ActivateTotpForm",
    "add_webauthn": "respond.accounts.forms.AddPasskeyForm",
    "edit_webauthn": "respond.accounts.forms.RenamePasskeyForm",
    "authenticate_webauthn": "respond.accounts.forms.AuthenticatePasskeyForm",
    "reauthenticate_webauthn": "respond.accounts.forms.ReauthenticatePasskeyForm",
}
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_LOGIN_ON_GET = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_STORE_TOKENS = False

# Single sign-on through any OpenID Connect provider (NHSmail runs one).
OIDC_ISSUER = env("OIDC_ISSUER").rstrip("/")
OIDC_CLIENT_ID = env("OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = env("OIDC_CLIENT_SECRET")
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", "NHSmail")


def openid_connect_providers(*, issuer: str, client_id: str, client_secret: str, name: str) -> dict:
    """SOCIALACCOUNT_PROVIDERS for one OpenID Connect provider, signed in to at /account/oidc/nhsmail/login/."""
    return {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "nhsmail",
                    "name": name,
                    "client_id": client_id,
                    "secret": client_secret,
                    "settings": {
                        "server_url": f"{issuer}/.well-known/openid-configuration",
                        "scope": ["openid", "email", "profile"],
                    },
                }
            ],
        }
    }


SOCIALACCOUNT_PROVIDERS: dict = {}
# Single sign-on is on when OIDC_CLIENT_ID is set.
if OIDC_CLIENT_ID:
    if not OIDC_ISSUER or not OIDC_CLIENT_SECRET:
        raise ImproperlyConfigured("Single sign-on needs OIDC_ISSUER and OIDC_CLIENT_SECRET with OIDC_CLIENT_ID.")
    # allauth trusts an ID token from the token endpoint without checking its signature (OpenID Connect
    # Core 3.1.3.7 allows this over TLS), so in production the provider must be reached over HTTPS.
    if PRODUCTION and not OIDC_ISSUER.startswith("https://"):
        raise ImproperlyConfigured("OIDC_ISSUER must be an https:// URL in production.")
    SOCIALACCOUNT_PROVIDERS = openid_connect_providers(
        issuer=OIDC_ISSUER, client_id=OIDC_CLIENT_ID, client_secret=OIDC_CLIENT_SECRET, name=OIDC_PROVIDER_NAME
    )

# Sessions: an idle timeout (renewed on every request) and an absolute limit.
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 15 * 60)
SESSION_ABSOLUTE_TIMEOUT_SECONDS = env_int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_SECONDS
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "assets" / "build"]
STATIC_ROOT.mkdir(exist_ok=True)
# Outside production, serve straight from the build folder so a rebuild shows at once.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG


def group_files_storage() -> dict[str, Any]:
    """Local disk (the default) or an S3-compatible store, chosen by GROUP_FILES_STORAGE; any backend option can
    be added or changed with GROUP_FILES_STORAGE_OPTIONS (a JSON object)."""
    kind = env("GROUP_FILES_STORAGE", "local")
    extra = json.loads(env("GROUP_FILES_STORAGE_OPTIONS", "") or "{}")
    if kind == "local":
        options = {
            "location": str(VAR_DIR / "group-files"),
            "directory_permissions_mode": 0o700,
            "file_permissions_mode": 0o600,
        }
        return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": options | extra}
    if kind != "s3":
        raise ImproperlyConfigured(f"GROUP_FILES_STORAGE must be local or s3, not {kind!r}")
    if not env("GROUP_FILES_S3_BUCKET"):
        raise ImproperlyConfigured("GROUP_FILES_STORAGE=s3 needs GROUP_FILES_S3_BUCKET: the bucket to keep files in.")
    options = {
        "bucket_name": env("GROUP_FILES_S3_BUCKET"),
        "location": env("GROUP_FILES_S3_PREFIX", "group-files"),
        "endpoint_url": env("GROUP_FILES_S3_ENDPOINT_URL") or None,
        "region_name": env("GROUP_FILES_S3_REGION") or None,
        "addressing_style": env("GROUP_FILES_S3_ADDRESSING_STYLE") or None,
        # Without these, boto3 finds credentials itself (AWS_ACCESS_KEY_ID..., a profile or the instance's role).
        "access_key": env("GROUP_FILES_S3_ACCESS_KEY_ID") or None,
        "secret_key": env("GROUP_FILES_S3_SECRET_ACCESS_KEY") or None,
        "default_acl": None,  # the bucket's own (private): files are never served by URL
        "file_overwrite": False,
    }
    chosen = {name: value for name, value in options.items() if value is not None}
    return {"BACKEND": "respond.core.file_storage.StreamingS3Storage", "OPTIONS": chosen | extra}


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
    # Closed incident groups' files: never served directly, only streamed to members (respond.groups.files).
    "group_files": group_files_storage(),
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Email (Django 6.1 MAILERS). SMTP by default; `make run` prints mail to the console unless EMAIL_HOST is set.
EMAIL_BACKEND_PATH = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
if not env("EMAIL_BACKEND") and not env("EMAIL_HOST") and ENVIRONMENT == "development":
    EMAIL_BACKEND_PATH = "django.core.mail.backends.console.EmailBackend"
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": (
            {
                "host": env("EMAIL_HOST", "127.0.0.1"),
                "port": env_int("EMAIL_PORT", 25),
                "username": env("EMAIL_HOST_USER") or None,
                "password": env("EMAIL_HOST_PASSWORD") or None,
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "timeout": env_int("EMAIL_TIMEOUT", 10),
            }
            if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Respond to a cyber alert <no-reply@cyber-alerts.invalid>")
# Emails the apps below notifications write to its outbox, in their own transaction (respond.core.outbox): sent by
# the outbox's workers through GOV.UK Notify or SMTP, as alert emails are.
OUTBOX_EMAIL_WRITER = "respond.notifications.services.queue_keyed_emails"

# Alerts: four-eyes publication, and the first number of the CC-NNNN threat id sequence.
ALERT_PUBLISH_REQUIRES_APPROVAL = env_bool("ALERT_PUBLISH_REQUIRES_APPROVAL", True)
ALERT_THREAT_ID_START = env_int("ALERT_THREAT_ID_START", 4405)

# GOV.UK Notify and the notification outbox (read through respond.notifications.conf).
NOTIFY_API_KEY = env("NOTIFY_API_KEY")
NOTIFY_BASE_URL = env("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_EMAIL_TEMPLATE_ID = env("NOTIFY_EMAIL_TEMPLATE_ID")
NOTIFY_SMS_TEMPLATE_ID = env("NOTIFY_SMS_TEMPLATE_ID")
NOTIFY_CALLBACK_BEARER_TOKEN = env("NOTIFY_CALLBACK_BEARER_TOKEN")
NOTIFY_RATE_LIMIT_PER_MINUTE = env_int("NOTIFY_RATE_LIMIT_PER_MINUTE", 3000)
NOTIFY_TIMEOUT_SECONDS = env_float("NOTIFY_TIMEOUT_SECONDS", 10)
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 10)
NOTIFY_RETRY_BASE_SECONDS = env_float("NOTIFY_RETRY_BASE_SECONDS", 5)
NOTIFY_RETRY_MAX_SECONDS = env_float("NOTIFY_RETRY_MAX_SECONDS", 600)
NOTIFY_LEASE_SECONDS = env_float("NOTIFY_LEASE_SECONDS", 30)
NOTIFY_LEASE_RENEWAL_SECONDS = env_float("NOTIFY_LEASE_RENEWAL_SECONDS", 5)
NOTIFY_LOOKUP_RATE_PER_MINUTE = env_int("NOTIFY_LOOKUP_RATE_PER_MINUTE", 0)
NOTIFY_SEND_CONCURRENCY = env_int("NOTIFY_SEND_CONCURRENCY", 10)
NOTIFY_BATCH_SIZE = env_int("NOTIFY_BATCH_SIZE", 100)
NOTIFY_PARALLEL_TASKS = env_int("NOTIFY_PARALLEL_TASKS", 2)
NOTIFY_TASK_TIME_LIMIT_SECONDS = env_float("NOTIFY_TASK_TIME_LIMIT_SECONDS", 120)

# Webhooks to organisations' ticketing systems (respond.notifications.webhooks): only https to public addresses in
# production; the request timeout; how many failed attempts in a row disable a webhook. WEBHOOK_CA_BUNDLE: a file
# of CA certificates to trust for receivers' https instead of the usual public ones (empty: the usual ones).
WEBHOOK_PUBLIC_HTTPS_ONLY = PRODUCTION or env_bool("WEBHOOK_PUBLIC_HTTPS_ONLY", False)
WEBHOOK_TIMEOUT_SECONDS = env_float("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_CA_BUNDLE = env("WEBHOOK_CA_BUNDLE")
WEBHOOK_DISABLE_AFTER_FAILURES = env_int("WEBHOOK_DISABLE_AFTER_FAILURES", 15)

# Follow-up: reminder hours before a deadline (comma-separated), how long a missed run still reports a missed
# deadline or reopened exception, and how soon an organisation chased about an alert may be chased again.
REMINDER_HOURS_BEFORE_DEADLINE = env("REMINDER_HOURS_BEFORE_DEADLINE", "24,4")
REMINDER_CATCH_UP_HOURS = env_int("REMINDER_CATCH_UP_HOURS", 48)
CHASE_INTERVAL_MINUTES = env_int("CHASE_INTERVAL_MINUTES", 60)

# Closed incident groups (respond.groups).
GROUP_FILE_MAX_BYTES = env_int("GROUP_FILE_MAX_BYTES", 10 * 1024 * 1024)
GROUP_FILE_TYPES = env_list("GROUP_FILE_TYPES", "pdf,csv,txt,xlsx,png,jpg,jpeg,gif,json")
GROUP_RETENTION_DAYS = env_int("GROUP_RETENTION_DAYS", 365)
GROUP_POSTS_PER_PAGE = env_int("GROUP_POSTS_PER_PAGE", 20)

# Responses: when the next update is due after acknowledging an alert, in days.
RESPONSE_NEXT_UPDATE_DAYS = env_int("RESPONSE_NEXT_UPDATE_DAYS", 3)

# Security headers. A strict Content-Security-Policy: no inline script or style without a nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    # NHS.UK frontend loads the Frutiger font from the NHS asset server.
    "font-src": [CSP.SELF, "https://assets.nhs.uk"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF, *([OIDC_ISSUER] if OIDC_ISSUER else [])],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "respond.core.views.csrf_failure"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 63072000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("BEHIND_HTTPS_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Operations: /readyz fails while a task queue's oldest task has waited longer than this; /metrics answers only
# with this bearer token (and is off without one); logs are JSON lines (LOG_FORMAT=console for people).
READY_MAX_QUEUE_LAG_SECONDS = env_float("READY_MAX_QUEUE_LAG_SECONDS", 300)
METRICS_BEARER_TOKEN = env("METRICS_BEARER_TOKEN")
LOGGING = logging_config(
    level=env("LOG_LEVEL", "INFO"),
    json=env("LOG_FORMAT", "console" if ENVIRONMENT == "development" else "json") != "console",
)
