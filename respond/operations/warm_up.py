"""Readies a web process before it answers anyone: gunicorn imports the project once (preload_app) and calls
warm_up() before forking its workers, which then share every view module and compiled template. Without it each
worker imported the views on its first request and compiled each template on the first page that used it: about
four seconds of one core per worker, paid by the first people in after a deploy or restart."""

from django.db import connections
from django.template import engines
from django.urls import get_resolver


def warm_up() -> dict[str, int]:
    """Imports every view (through the URLconf) and compiles every Jinja2 template; says how many of each."""
    views = len(get_resolver().reverse_dict)  # imports the URLconf and, through it, every view module
    environment = engines["jinja2"].env  # type: ignore[attr-defined]
    names = environment.list_templates(extensions=("html", "jinja", "txt", "xml"))
    for name in names:
        environment.get_template(name)
    connections.close_all()  # nothing above should open one; a forked worker must never share a connection
    return {"views": views, "templates": len(names)}
