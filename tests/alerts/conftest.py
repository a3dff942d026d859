"""Alerts in every state, written through the real services. csoc writes; dana (also CSOC) approves."""

from dataclasses import replace

import pytest

from respond.accounts.models import GlobalRole, User
from respond.alerts import services
from respond.alerts.content import AlertContent, PlatformContent, StepContent
from respond.alerts.models import Alert, RemediationType, Severity, Tlp
from respond.core.audit import Auditor
from respond.publication import services as publication
from tests.factories import global_user


def make_content(**changes) -> AlertContent:
    content = AlertContent(
        title="Apache ActiveMQ RCE Vulnerability CVE-2023-46604",
        severity=Severity.HIGH,
        tlp=Tlp.CLEAR,
        short_summary="A critical vulnerability lets a remote attacker run shell commands on a broker.",
        summary="A **critical** vulnerability. See [Apache](https://activemq.apache.org/).",
        threat_type="Vulnerability",
        categories=["Remote code execution"],
        threat_vectors=["Network"],
        threat_details="The OpenWire protocol marshaller is vulnerable.",
        remediation_intro="Upgrade now.",
        indicators_of_compromise="- `ClassPathXmlApplicationContext` in broker logs",
        cve_ids=["CVE-2023-46604"],
        ncsc_link="https://www.ncsc.gov.uk/news/example",
        sources=["https://activemq.apache.org/security-advisories", "Apache Software Foundation"],
        affected_platforms=[PlatformContent("Apache ActiveMQ", "5.18.0 before 5.18.3\nBefore 5.15.16")],
        remediation_steps=[
            StepContent(RemediationType.UPGRADE, "Upgrade to 5.18.3 or later.", "https://activemq.apache.org/")
        ],
    )
    return replace(content, **changes)


@pytest.fixture
def dana() -> User:
    """A second member of the CSOC team: the approver."""
    return global_user(GlobalRole.CSOC, email="dana@csoc.nhs.uk", full_name="Dana Approver")


@pytest.fixture
def make_draft(csoc, trust_a):
    """Drafts in scope of Trust A at least (the only mandated organisation unless a test adds Trust B)."""

    def _make(**changes) -> Alert:
        return services.alert_create(content=make_content(**changes), created_by=csoc, auditor=Auditor.for_user(csoc))

    return _make


@pytest.fixture
def make_approved(make_draft, csoc, dana):
    def _make(**changes) -> Alert:
        alert = make_draft(**changes)
        services.alert_submit_for_approval(alert=alert, submitted_by=csoc, auditor=Auditor.for_user(csoc))
        services.alert_approve(alert=alert, approved_by=dana, auditor=Auditor.for_user(dana))
        return alert

    return _make


@pytest.fixture
def make_published(make_approved, csoc):
    """Publishes to every mandated organisation: Trust A, and Trust B when the test asks for it."""

    def _make(**changes) -> Alert:
        alert = make_approved(**changes)
        return publication.alert_publish(alert=alert, published_by=csoc, auditor=Auditor.for_user(csoc))

    return _make
