"""Demo alerts for `make run`, built from real NHS Digital cyber alerts (data/alerts/, November 2023).

Titles, summaries and CVEs come from NHS Digital's alerts; affected versions and fixes from the vendors'
public advisories. Each alert goes through the real workflow (draft, approval, publication), so notifications
are written as for any alert. Safe to run again: an alert whose title already exists is left alone.

An update asking organisations to acknowledge the alert again waits for the demo responses (respond.demo.responses
adds it with seed_demo_updates once some have acknowledged), so that they owe a new acknowledgement.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from respond.accounts.models import GlobalRole, User
from respond.alerts import services
from respond.alerts.content import AlertContent, PlatformContent, StepContent
from respond.alerts.models import Alert, AlertStatus, RemediationType, Severity, ThreatUpdate, Tlp
from respond.core.audit import Auditor
from respond.publication import services as publication

SOURCE = Path("data/alerts/nhs-digital-cyberalert-page-2023-11.json")


class DemoDataError(Exception):
    pass


@dataclass(frozen=True)
class DemoUpdate:
    text: str
    requires_reacknowledgement: bool = False

    @property
    def after_responses(self) -> bool:
        """Added once the demo organisations have acknowledged: only then does it ask anything of them."""
        return self.requires_reacknowledgement


@dataclass(frozen=True)
class DemoAlert:
    source_threat_id: str  # NHS Digital's threat ID of the original: ours are allocated afresh
    content: AlertContent
    updates: list[DemoUpdate] = field(default_factory=list)
    closed_reason: str = ""


def _summary(threat_id: str) -> str:
    """The original's summary, as plain text: the JSON carries it as HTML."""
    items = json.loads((Path(settings.BASE_DIR) / SOURCE).read_text())["items"]
    html = next(item["summary"] for item in items if item["threatId"] == threat_id)
    return html.removeprefix("<p>").removesuffix("</p>").replace("&nbsp;", " ").strip()


def demo_alerts() -> list[DemoAlert]:
    return [
        DemoAlert(
            "CC-4404",
            AlertContent(
                title="Apache ActiveMQ RCE Vulnerability CVE-2023-46604",
                severity=Severity.HIGH,
                tlp=Tlp.CLEAR,
                short_summary=_summary("CC-4404"),
                summary=_summary("CC-4404") + ".",
                threat_type="Vulnerability",
                categories=["Remote code execution"],
                threat_vectors=["Network"],
                threat_details=(
                    "The Java OpenWire protocol marshaller in Apache ActiveMQ is vulnerable to remote code "
                    "execution. An attacker with network access to a Java-based OpenWire broker or client could "
                    "manipulate serialised class types to make it instantiate any class on the classpath, and so run "
                    "arbitrary shell commands."
                ),
                remediation_intro="Affected organisations should review the Apache advisory and apply the updates.",
                cve_ids=["CVE-2023-46604"],
                sources=["https://activemq.apache.org/security-advisories.data/CVE-2023-46604-announcement.txt"],
                affected_platforms=[
                    PlatformContent(
                        "Apache ActiveMQ",
                        "5.18.0 before 5.18.3\n5.17.0 before 5.17.6\n5.16.0 before 5.16.7\nBefore 5.15.16",
                    ),
                    PlatformContent(
                        "Apache ActiveMQ Legacy OpenWire Module",
                        "5.18.0 before 5.18.3\n5.17.0 before 5.17.6\n5.16.0 before 5.16.7\n5.8.0 before 5.15.16",
                    ),
                ],
                remediation_steps=[
                    StepContent(
                        RemediationType.UPGRADE,
                        "Upgrade Apache ActiveMQ to version 5.15.16, 5.16.7, 5.17.6 or 5.18.3, or later.",
                        "https://activemq.apache.org/security-advisories.data/CVE-2023-46604-announcement.txt",
                    )
                ],
            ),
        ),
        DemoAlert(
            "CC-4392",
            AlertContent(
                title="Citrix Releases Critical Security Updates for NetScaler ADC and NetScaler Gateway",
                severity=Severity.HIGH,
                tlp=Tlp.CLEAR,
                major_incident=True,
                short_summary=_summary("CC-4392"),
                summary=(
                    _summary("CC-4392") + ".\n\nCVE-2023-4966 lets an unauthenticated attacker read sensitive "
                    "information, including session tokens, from appliances configured as a gateway or AAA virtual "
                    "server. It is being exploited."
                ),
                threat_type="Vulnerability",
                categories=["Information disclosure", "Denial of service"],
                threat_vectors=["Network"],
                threat_details=(
                    "- **CVE-2023-4966** (critical): sensitive information disclosure when the appliance is "
                    "configured as a Gateway (VPN virtual server, ICA Proxy, CVPN, RDP Proxy) or AAA virtual server.\n"
                    "- **CVE-2023-4967** (high): denial of service in the same configurations.\n\n"
                    "NetScaler ADC and NetScaler Gateway 12.1 are end of life and also vulnerable."
                ),
                remediation_intro="Upgrade affected appliances now, then end every active and persistent session.",
                cve_ids=["CVE-2023-4966", "CVE-2023-4967"],
                sources=["https://support.citrix.com/article/CTX579459"],
                affected_platforms=[
                    PlatformContent("NetScaler ADC and NetScaler Gateway 14.1", "Before 14.1-8.50"),
                    PlatformContent("NetScaler ADC and NetScaler Gateway 13.1", "Before 13.1-49.15"),
                    PlatformContent("NetScaler ADC and NetScaler Gateway 13.0", "Before 13.0-92.19"),
                    PlatformContent("NetScaler ADC 13.1-FIPS", "Before 13.1-37.164"),
                    PlatformContent("NetScaler ADC 12.1-FIPS and 12.1-NDcPP", "Before 12.1-55.300"),
                ],
                remediation_steps=[
                    StepContent(
                        RemediationType.UPGRADE,
                        "Upgrade to 14.1-8.50, 13.1-49.15, 13.0-92.19, 13.1-37.164 (FIPS) or 12.1-55.300 "
                        "(FIPS and NDcPP), or later. Upgrade 12.1 appliances to a supported version.",
                        "https://support.citrix.com/article/CTX579459",
                    )
                ],
            ),
            updates=[
                DemoUpdate(
                    "Citrix has seen CVE-2023-4966 exploited, and stolen session tokens can outlive the upgrade. "
                    "After upgrading, end all sessions from the command line:\n\n"
                    "```\nkill aaa session -all\nkill icaconnection -all\nkill rdp connection -all\n"
                    "kill pcoipConnection -all\nclear lb persistentSessions\n```",
                    requires_reacknowledgement=True,
                )
            ],
        ),
        DemoAlert(
            "CC-4399",
            AlertContent(
                title="F5 Releases Security Update for Critical Vulnerability in BIG-IP",
                severity=Severity.HIGH,
                tlp=Tlp.AMBER,
                short_summary=_summary("CC-4399"),
                summary=_summary("CC-4399") + ".",
                threat_type="Vulnerability",
                categories=["Remote code execution", "Authentication bypass"],
                threat_vectors=["Network"],
                threat_details=(
                    "Undisclosed requests may bypass authentication of the BIG-IP Configuration utility, letting an "
                    "attacker with network access to the management port or self IP addresses run arbitrary system "
                    "commands.\n\nThis demonstration copy is marked TLP:AMBER to show how a restricted alert "
                    "appears; NHS Digital's original was public."
                ),
                remediation_intro="Apply F5's hotfix. Until you can, restrict access to the Configuration utility.",
                cve_ids=["CVE-2023-46747"],
                sources=["https://my.f5.com/manage/s/article/K000137353"],
                affected_platforms=[
                    PlatformContent(
                        "BIG-IP (all modules)",
                        "17.1.0\n16.1.0 to 16.1.4\n15.1.0 to 15.1.10\n14.1.0 to 14.1.5\n13.1.0 to 13.1.5",
                    )
                ],
                remediation_steps=[
                    StepContent(
                        RemediationType.UPGRADE,
                        "Install the engineering hotfix for your BIG-IP version.",
                        "https://my.f5.com/manage/s/article/K000137353",
                    ),
                    StepContent(
                        RemediationType.MITIGATION,
                        "Block Configuration utility access through self IP addresses, and allow management "
                        "interface access only from trusted networks.",
                    ),
                ],
            ),
        ),
        DemoAlert(
            "CC-4401",
            AlertContent(
                title=(
                    "Atlassian Releases Security Updates for Critical Vulnerabilities in Confluence Data Center "
                    "and Confluence Server"
                ),
                severity=Severity.HIGH,
                tlp=Tlp.CLEAR,
                short_summary=_summary("CC-4401"),
                summary=_summary("CC-4401") + ".",
                threat_type="Vulnerability",
                categories=["Improper authorisation", "Broken access control"],
                threat_vectors=["Network"],
                threat_details=(
                    "- **CVE-2023-22518**: improper authorisation, letting an unauthenticated attacker reset "
                    "Confluence and create an administrator account.\n"
                    "- **CVE-2023-22515**: broken access control in Confluence 8.0.0 to 8.5.1, letting an attacker "
                    "create administrator accounts."
                ),
                remediation_intro="Upgrade to a fixed version. Atlassian Cloud sites are not affected.",
                cve_ids=["CVE-2023-22518", "CVE-2023-22515"],
                sources=["https://confluence.atlassian.com/security/"],
                affected_platforms=[
                    PlatformContent(
                        "Confluence Data Center and Confluence Server",
                        "All versions before 7.19.16\n8.3 before 8.3.4\n8.4 before 8.4.4\n8.5 before 8.5.3\n"
                        "8.6 before 8.6.1",
                    )
                ],
                remediation_steps=[
                    StepContent(
                        RemediationType.UPGRADE,
                        "Upgrade to 7.19.16, 8.3.4, 8.4.4, 8.5.3 or 8.6.1, or later.",
                        "https://confluence.atlassian.com/security/",
                    ),
                    StepContent(
                        RemediationType.MITIGATION,
                        "If you cannot upgrade at once, back up your instance and block access to it from the "
                        "internet until you can.",
                    ),
                ],
            ),
        ),
        DemoAlert(
            "CC-4345",
            AlertContent(
                title="Apple Releases Security Updates for Multiple Products",
                severity=Severity.MEDIUM,
                tlp=Tlp.CLEAR,
                response_required=False,
                short_summary=_summary("CC-4345"),
                summary=_summary("CC-4345") + ".",
                threat_type="Vulnerability",
                categories=["Remote code execution", "Privilege escalation"],
                threat_vectors=["Web content", "Local"],
                cve_ids=["CVE-2023-32434", "CVE-2023-32435", "CVE-2023-32439"],
                sources=["https://support.apple.com/en-gb/HT201222"],
                affected_platforms=[
                    PlatformContent("iOS and iPadOS", "Before 16.5.1\nBefore 15.7.7"),
                    PlatformContent("macOS", "Ventura before 13.4.1\nMonterey before 12.6.7\nBig Sur before 11.7.8"),
                    PlatformContent("watchOS", "Before 9.5.2\nBefore 8.8.1"),
                    PlatformContent("Safari", "Before 16.5.1"),
                ],
                remediation_steps=[
                    StepContent(
                        RemediationType.UPGRADE,
                        "Install the latest updates on every affected device.",
                        "https://support.apple.com/en-gb/HT201222",
                    )
                ],
            ),
            closed_reason="Later Apple security updates include these fixes; see Apple's security releases page.",
        ),
    ]


def _csoc_staff() -> list[User]:
    return list(User.objects.filter(global_role=GlobalRole.CSOC, is_active=True).order_by("pk"))


def _author(author: User | None, staff: list[User]) -> User:
    author = author or (staff[0] if staff else None)
    if author is None:
        raise DemoDataError("Demo alerts need a CSOC user to write them: seed the demo users first.")
    return author


def _csoc_users(author: User | None, approver: User | None) -> tuple[User, User]:
    staff = _csoc_staff()
    author = _author(author, staff)
    if not services.publish_requires_approval():
        return author, approver or author
    approver = approver or next((user for user in staff if user.pk != author.pk), None)
    if approver is None:
        raise DemoDataError(
            "Demo alerts need a second CSOC user to approve them (ALERT_PUBLISH_REQUIRES_APPROVAL is on): "
            "add one to the demo users."
        )
    return author, approver


def seed_demo_alerts(*, author: User | None = None, approver: User | None = None) -> list[tuple[Alert, bool]]:
    """Publishes the demo alerts that are not there yet. Returns each alert, and whether it was created now."""
    author, approver = _csoc_users(author, approver)
    auditor = Auditor.system("seed_demo")
    seeded: list[tuple[Alert, bool]] = []
    for demo in demo_alerts():
        existing = Alert.objects.filter(title=demo.content.title).first()
        if existing is not None:
            seeded.append((existing, False))
            continue
        with transaction.atomic():
            alert = services.alert_create(content=demo.content, created_by=author, auditor=auditor)
            if services.publish_requires_approval():
                services.alert_submit_for_approval(alert=alert, submitted_by=author, auditor=auditor)
                services.alert_approve(alert=alert, approved_by=approver, auditor=auditor)
            publication.alert_publish(alert=alert, published_by=author, auditor=auditor)
            for update in demo.updates:
                if update.after_responses:
                    continue
                publication.threat_update_add(
                    alert=alert,
                    text=update.text,
                    requires_reacknowledgement=update.requires_reacknowledgement,
                    added_by=author,
                    auditor=auditor,
                )
            if demo.closed_reason:
                services.alert_close(alert=alert, reason=demo.closed_reason, closed_by=author, auditor=auditor)
        seeded.append((alert, True))
    return seeded


def deferred_updates(alert: Alert) -> list[DemoUpdate]:
    """The demo alert's updates that wait for the demo responses, oldest first; none for any other alert."""
    demo = next((demo for demo in demo_alerts() if demo.content.title == alert.title), None)
    return [update for update in demo.updates if update.after_responses] if demo else []


def missing_deferred_updates(alert: Alert) -> list[DemoUpdate]:
    """Those not added yet (an update is stored stripped)."""
    added = set(alert.updates.values_list("text", flat=True))
    return [update for update in deferred_updates(alert) if update.text.strip() not in added]


def seed_demo_updates(*, alert: Alert, author: User | None = None) -> list[tuple[ThreatUpdate, bool]]:
    """Adds the demo alert's updates that wait for the demo responses, through the real workflow: every
    organisation that has acknowledged it then owes a new acknowledgement. Safe to run again: an update the alert
    already has is left alone. Returns each update, and whether it was added now."""
    missing = missing_deferred_updates(alert)
    if missing and alert.status != AlertStatus.PUBLISHED:
        raise DemoDataError(f"{alert.threat_id} is {alert.get_status_display().lower()}: updates need it published.")
    seeded: list[tuple[ThreatUpdate, bool]] = []
    for update in deferred_updates(alert):
        existing = alert.updates.filter(text=update.text.strip()).first()
        if existing is not None:
            seeded.append((existing, False))
            continue
        added = publication.threat_update_add(
            alert=alert,
            text=update.text,
            requires_reacknowledgement=update.requires_reacknowledgement,
            added_by=_author(author, _csoc_staff()),
            auditor=Auditor.system("seed_demo"),
        )
        seeded.append((added, True))
    return seeded
