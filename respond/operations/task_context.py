"""The request id, user id and organisations of a request, carried into the tasks it enqueues: kept in the cache
(Redis or the database, which every worker reads) under the task's id when it is enqueued, and bound to the log
context of the worker that runs it."""

import contextlib
from typing import Any

import structlog
from django.core.cache import cache

logger = structlog.stdlib.get_logger("respond.tasks")
CARRIED = ("request_id", "user_id", "organisation_ids")
KEEP_SECONDS = 24 * 60 * 60


def _key(task_result: Any) -> str:
    return f"task-context:{task_result.id}"


def remember_context(sender: Any, task_result: Any, **kwargs: Any) -> None:
    context = {key: value for key, value in structlog.contextvars.get_contextvars().items() if key in CARRIED}
    if context:
        with contextlib.suppress(Exception):  # the context is for logs only: never fail an enqueue for it
            cache.set(_key(task_result), context, KEEP_SECONDS)


def bind_context(sender: Any, task_result: Any, **kwargs: Any) -> None:
    structlog.contextvars.clear_contextvars()
    try:
        context = cache.get(_key(task_result)) or {}
    except Exception:
        context = {}
    structlog.contextvars.bind_contextvars(task_id=str(task_result.id), task=task_result.task.module_path, **context)
    logger.info("task started")


def clear_context(sender: Any, task_result: Any, **kwargs: Any) -> None:
    structlog.contextvars.clear_contextvars()


def connect() -> None:
    """Both signal sets: Django's own (the database backend) and the django-tasks backport's (the RQ backend)."""
    from django.tasks import signals

    modules = [signals]
    try:
        from django_tasks import signals as backport_signals

        modules.append(backport_signals)
    except ImportError:  # pragma: no cover
        pass
    for module in modules:
        module.task_enqueued.connect(remember_context, dispatch_uid=f"respond-remember-{module.__name__}")
        module.task_started.connect(bind_context, dispatch_uid=f"respond-bind-{module.__name__}")
        module.task_finished.connect(clear_context, dispatch_uid=f"respond-clear-{module.__name__}")
