"""The Jinja2 environment: project templates first, then the NHS.UK frontend macros."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemBytecodeCache, PackageLoader
from jinja2.runtime import Macro
from markupsafe import Markup

from respond.alerts.tags import severity_tag
from respond.core.components import date_text, datetime_text, html_attributes, indent, once, summary_list, tag
from respond.core.components import url as cached_url


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, kwargs=kwargs) if kwargs else cached_url(name, *args)


def rendered_once(macro: Macro, params: Any) -> Markup:
    """Markup of an nhsuk-frontend macro that every page calls with the same few sets of parameters (the header
    and footer): a macro imported without context depends on its parameters alone (components.once)."""
    return once((macro.name, repr(params)), lambda: Markup(macro(params)))  # noqa: S704 - the macro's own output


def environment(**options: Any) -> Environment:
    options["loader"] = ChoiceLoader([options["loader"], PackageLoader("nhsuk_frontend_jinja")])
    options["undefined"] = ChainableUndefined
    options.setdefault("extensions", []).append("jinja2.ext.do")
    options.pop("autoescape", None)
    if bytecode_cache_dir := options.pop("bytecode_cache_dir", ""):
        Path(bytecode_cache_dir).mkdir(parents=True, exist_ok=True)
        # Keyed by template and checked against its source: a template edited since is compiled again.
        options["bytecode_cache"] = FileSystemBytecodeCache(bytecode_cache_dir)
    env = Environment(autoescape=True, **options)
    env.globals.update(
        static=static,
        url=url,
        get_messages=get_messages,
        service_name=settings.SERVICE_NAME,
        tag=tag,
        alert_severity_tag=severity_tag,  # what the severity_tag macro (alerts/_macros.html) writes
        summary_list=summary_list,
        html_attributes=html_attributes,
        rendered_once=rendered_once,
    )
    env.filters.update(datetime=datetime_text, date=date_text, indent=indent)
    return env
