"""Structured JSON logs (structlog over the standard library's logging, so Django's own and every library's log
lines come out as JSON too), each carrying the request id, user id and organisation of the request that led to it,
in the web process and in the tasks that request enqueued.

Nothing personal or secret is logged: request lines name the view and its URL pattern, never the path (which can
hold a token), and a last processor blanks out anything shaped like an email address, a phone number or a secret
token, wherever in the event it is. Alert content is never passed to a logger.
"""

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any


def _import_structlog_without_rich() -> None:
    """structlog imports rich, when it is installed, for pretty tracebacks in its development console renderer; we
    never show them (format_exc_info below renders every exception as plain text first), and production installs
    no rich. In development and test environments, where the linting and fuzzing tools bring rich in, that import
    cost every Django process (web, worker, scheduler, manage.py) about 0.4 s of CPU at start: it is hidden from
    structlog's import, and importable again for anything that wants it afterwards."""
    if "structlog" in sys.modules or "rich" in sys.modules:
        return
    sys.modules["rich"] = None  # type: ignore[assignment]  # `import rich` raises ImportError: structlog does without
    try:
        import structlog  # noqa: F401
    finally:
        del sys.modules["rich"]


_import_structlog_without_rich()

import structlog  # noqa: E402

EMAIL = re.compile(r"[^\s@<>\"'(),;:]+@[^\s@<>\"'(),;:]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<![\w.-])(?:\+\d|0)(?:[ -]?\d){9,13}(?![\w-])")
# Bearer and API tokens, JWTs, Notify API keys: long runs of token characters, or anything after "Bearer".
TOKEN = re.compile(
    r"(?i)bearer\s+\S+|eyJ[\w-]+\.[\w-]+\.[\w-]*|\b[\w-]*-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\b[A-Za-z0-9_-]{40,}\b"
)
SECRET_KEYS = {"password", "token", "secret", "authorization", "cookie", "api_key", "email", "phone", "address"}


def scrub_text(text: str) -> str:
    text = TOKEN.sub("[token]", text)
    text = EMAIL.sub("[email]", text)
    return PHONE.sub("[phone]", text)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            key: "[redacted]" if any(word in str(key).lower() for word in SECRET_KEYS) else _scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def scrub(logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> Mapping[str, Any]:
    """The last processor before rendering: nothing shaped like personal data or a secret gets out."""
    return _scrub(dict(event_dict))


SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.ExtraAdder(),
]


def structured_formatter(*, json: bool = True) -> structlog.stdlib.ProcessorFormatter:
    """The formatter of every log line, whoever logs it (structlog or the standard library)."""
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=SHARED_PROCESSORS,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            scrub,
            renderer,
        ],
    )


def logging_config(*, level: str, json: bool) -> dict[str, Any]:
    """settings.LOGGING: every log line through structlog's formatter."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": {"()": "respond.operations.logs.structured_formatter", "json": json}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # One line a request comes from respond.operations.middleware, without the path.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "WARNING"},
        },
    }


def configure_structlog() -> None:
    structlog.configure(
        processors=[
            *SHARED_PROCESSORS[:-1],
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> Any:
    return structlog.stdlib.get_logger(name)


logging.captureWarnings(True)
