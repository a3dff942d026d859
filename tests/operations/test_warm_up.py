"""A web process is warmed up before it forks its workers: every template compiled, every view imported."""

import runpy
import sys
from pathlib import Path

from django.template import engines
from jinja2 import FileSystemLoader

from config.jinja2 import environment as jinja2_environment
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
    assert settings["control_socket_disable"] is True  # no socket shared by every web process on the machine
    logged = []

    class Server:
        class log:
            @staticmethod
            def info(message, values):
                logged.append(message % values)

    settings["when_ready"](Server())
    assert len(logged) == 1
    assert logged[0].startswith("Warmed up:")


def test_with_a_bytecode_cache_folder_templates_compiled_once_are_loaded_and_edited_ones_compiled_again(tmp_path):
    templates, cache = tmp_path / "templates", tmp_path / "bytecode"
    templates.mkdir()
    (templates / "page.html").write_text("<p>{{ greeting }}, first</p>")

    def render() -> tuple[str, int]:
        """A new process's environment renders the page: what it shows, and how many templates it compiled."""
        environment = jinja2_environment(loader=FileSystemLoader(templates), bytecode_cache_dir=str(cache))
        compiled = []
        compile_template = environment.compile
        environment.compile = lambda *args, **kwargs: compiled.append(args) or compile_template(*args, **kwargs)
        return environment.get_template("page.html").render(greeting="Hello"), len(compiled)

    assert render() == ("<p>Hello, first</p>", 1)
    assert len(list(cache.iterdir())) == 1
    assert render() == ("<p>Hello, first</p>", 0)  # loaded from the folder
    (templates / "page.html").write_text("<p>{{ greeting }}, edited</p>")
    assert render() == ("<p>Hello, edited</p>", 1)
    assert jinja2_environment(loader=FileSystemLoader(templates)).bytecode_cache is None  # off unless a folder is set
