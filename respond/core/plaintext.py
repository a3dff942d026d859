"""Plain-text message templates (emails through SMTP and Notify, text messages): one way to load and render them
for every app that writes messages. Nothing here is HTML, so nothing is autoescaped."""

from pathlib import Path

from django.conf import settings
from jinja2 import Environment, FileSystemLoader, StrictUndefined


class MessageTemplates:
    """The templates in one app's `message_templates` folder; an unknown variable is an error, not a blank."""

    def __init__(self, app_folder: Path) -> None:
        self.environment = Environment(
            loader=FileSystemLoader(app_folder / "message_templates"),
            autoescape=False,  # noqa: S701 - plain text for email and SMS, never HTML
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, template: str, **context: object) -> str:
        context.setdefault("service_name", settings.SERVICE_NAME)
        return self.environment.get_template(template).render(**context).strip() + "\n"
