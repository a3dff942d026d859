"""The benchmark's own PostgreSQL database, Django set up against it, and COPY into its tables."""

import os
import sys
from urllib.parse import urlsplit, urlunsplit

from benchreports import DEFAULT_DATABASE_URL, ROOT

# Database ----------------------------------------------------------------------------------------------------------


def bench_database_url(configured: str) -> str:
    """The benchmark's database: on DATABASE_URL's PostgreSQL server, named respond_bench* (it is dropped)."""
    configured = configured or DEFAULT_DATABASE_URL
    if not configured.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "bench_reports needs PostgreSQL: it loads a million rows with COPY, and timings on the embedded SQLite "
            f"database would not tell how production behaves. Set DATABASE_URL (default {DEFAULT_DATABASE_URL})."
        )
    parts = urlsplit(configured)
    name = parts.path.lstrip("/")
    if not name.startswith("respond_bench"):
        name = "respond_bench"
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_comment(url: str) -> str | None:
    import psycopg

    parts = urlsplit(url)
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as server:
        row = server.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [parts.path.lstrip("/")],
        ).fetchone()
    return None if row is None else (row[0] or "")


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    assert name.startswith("respond_bench")
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def set_up_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)  # cache and task queue in the benchmark database, never a shared Redis
    os.environ["APP_ENV"] = "test"
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["LOG_LEVEL"] = "ERROR"
    import django
    from django.conf import settings

    django.setup()
    settings.KEPT_STATEMENTS_CHECKED = False  # as in production: the tests' check compiles each statement again
    settings.ROOT_URLCONF = "bench_reports_urls"
    sys.modules["bench_reports_urls"] = _bench_urlconf()


def _bench_urlconf():  # type: ignore[no-untyped-def]
    """The project's URLs plus the baseline: a bare view doing one single-row query, behind the same middleware."""
    import types

    from django.http import HttpResponse
    from django.urls import include, path

    from respond.organisations.models import Organisation

    def baseline(request):  # type: ignore[no-untyped-def]
        name = Organisation.objects.filter(pk=1).values_list("name", flat=True).first()
        return HttpResponse(f"<p>{name}</p>")

    from config import urls as project

    module = types.ModuleType("bench_reports_urls")
    module.urlpatterns = [path("__bench__/baseline", baseline, name="bench_baseline"), path("", include(project))]  # type: ignore[attr-defined]
    for handler in ("handler400", "handler403", "handler404", "handler500"):
        setattr(module, handler, getattr(project, handler))
    return module


# Loading -----------------------------------------------------------------------------------------------------


def copy_rows(model, columns: list[str], rows) -> int:  # type: ignore[no-untyped-def]
    """COPY rows (tuples in `columns` order, by field name) into the model's table; every other column gets its
    field's default, so a column added later with a default does not break the benchmark."""
    from django.db import connection

    fields = {f.name: f for f in model._meta.concrete_fields}
    rest = [f for name, f in fields.items() if name not in columns and not (f.primary_key and f.get_default() is None)]
    defaults = tuple(f.get_db_prep_value(f.get_default(), connection) for f in rest)
    names = [fields[name].column for name in columns] + [f.column for f in rest]
    statement = f'COPY "{model._meta.db_table}" ({", ".join(f'"{name}"' for name in names)}) FROM STDIN'
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row + defaults)
            count += 1
    return count


def reset_sequence(model) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        # The table name comes from the model, never from input.
        sql = f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), COALESCE(MAX(id), 1)) FROM \"{table}\""  # noqa: S608
        cursor.execute(sql)
