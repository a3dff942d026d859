"""An alert's tags: its severity, one definition for the templates (the severity_tag macro of alerts/_macros.html
calls it) and for the tables and cards written in Python (respond.reports.tables, respond.responses.views.tables),
which also say when an alert is closed."""

from markupsafe import Markup

from respond.alerts.models import Alert
from respond.core.components import tag

SEVERITY_COLOURS = {"high": "red", "medium": "orange", "low": "yellow"}
ALERT_CLOSED = tag({"text": "Alert closed", "colour": "grey"})


def severity_tag(alert: Alert) -> Markup:
    return tag({"text": alert.get_severity_display(), "colour": SEVERITY_COLOURS.get(alert.severity, "blue")})
