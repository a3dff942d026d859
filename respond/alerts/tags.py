"""An alert's severity as a tag: one definition for the templates (the severity_tag macro of alerts/_macros.html
calls it) and for the tables and cards written in Python (respond.reports.tables, respond.responses.views.tables)."""

from markupsafe import Markup

from respond.alerts.models import Alert
from respond.core.components import tag

SEVERITY_COLOURS = {"high": "red", "medium": "orange", "low": "yellow"}


def severity_tag(alert: Alert) -> Markup:
    return tag({"text": alert.get_severity_display(), "colour": SEVERITY_COLOURS.get(alert.severity, "blue")})
