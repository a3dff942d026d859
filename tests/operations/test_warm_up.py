"""A web process is warmed up before it forks its workers: every template compiled, every view imported."""

import runpy
import sys
from pathlib import Path

from django.template import engines

from respond.operations.warm_up import warm_up

ROOT = Path(__file__).resolve().parents[2]


def test_warm_up_compiles_every_template_and_imports_every_view():
    environment = engines["jinja2"].env
    environment.cache.clear()
    counts = warm_up()
    cached = {name for _, name in environment.cache}
    assert counts["templates"] == len(cached) > 100
    assert {"layout.html", "responses/bulk.html", "reports/over_time.html"} <= cached
    assert counts["views"] > 50
    assert "respond.responses.views.bulk" in sys.modules


def test_gunicorn_preloads_the_project_and_warms_it_up_before_forking():
    settings = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    assert settings["preload_app"] is True
    logged = []

    class Server:
        class log:
            @staticmethod
            def info(message, values):
                logged.append(message % values)

    settings["when_ready"](Server())
    assert len(logged) == 1
    assert logged[0].startswith("Warmed up:")
