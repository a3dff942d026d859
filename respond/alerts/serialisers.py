"""Alerts in the shape of NHS Digital's public CyberAlert API, so that its existing consumers keep working.

The list item (`_limited=true`) copies the keys and types of a real response (data/alerts/); the full item adds
the keys NHS Digital's full response carries (as typed by the public client libraries), filled from our fields.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from markupsafe import escape

from respond.alerts.models import Alert, nvd_url


def epoch_ms(value: datetime | None) -> int | None:
    return int(value.timestamp() * 1000) if value else None


def limited_item(alert: Alert) -> dict[str, Any]:
    return {
        "threatId": alert.threat_id,
        "publishedDate": epoch_ms(alert.published_at),
        "basePath": f"{settings.SITE_URL}{alert.get_absolute_url()}",
        "title": alert.title,
        "versionedNode": False,
        "summary": str(alert.summary_html),
    }


def _section(title: str, html: str) -> dict[str, Any]:
    return {"sectionType": "website:section", "title": title, "headingLevel": "Main heading", "html": html}


def full_item(alert: Alert) -> dict[str, Any]:
    sections = [_section("Threat details", str(alert.threat_details_html))] if alert.threat_details else []
    return {
        **limited_item(alert),
        "shortsummary": alert.short_summary,
        "severity": alert.get_severity_display(),
        "threatType": alert.threat_type,
        "category": list(alert.categories),
        "threatvector": list(alert.threat_vectors),
        "threatAffects": [
            {"platformText": f"<p>{escape(row.platform)}</p>", "versionsAffected": row.version_list}
            for row in alert.affected_platforms.all()
        ],
        "sections": sections,
        "threatUpdates": [
            {"date": epoch_ms(update.created_at), "html": str(update.text_html)} for update in alert.updates.all()
        ],
        "remediationIntro": str(alert.remediation_intro_html),
        "remediationSteps": [
            {"type": row.step_type, "step": row.step, "link": row.link} for row in alert.remediation_steps.all()
        ],
        "indicatorsCompromise": (
            [{"heading": "Indicators of compromise", "content": str(alert.indicators_of_compromise_html)}]
            if alert.indicators_of_compromise
            else []
        ),
        "ncscLink": alert.ncsc_link,
        "cveIdentifiers": [
            {"cveIdentifier": cve_id, "cveStatus": "", "cveText": "", "link": nvd_url(cve_id)}
            for cve_id in alert.cve_ids
        ],
        "sourceOfThreatUpdates": list(alert.sources),
        "tlp": alert.get_tlp_display(),
        "status": alert.get_status_display(),
    }
