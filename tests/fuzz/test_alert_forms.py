"""Generated input for alert authoring (a new draft, and editing one) and the changes to a published alert: a
threat update, a change of severity, closing and withdrawing."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from respond.alerts.models import RemediationType, Severity, Tlp
from tests.fuzz.forms import text_or_plain
from tests.fuzz.harness import example, shown_after, submit
from tests.fuzz.strategies import budget, field_value, nasty_text, plain_text
from tests.responses.conftest import make_alert

pytestmark = pytest.mark.django_db

SEVERITIES = [str(value) for value in Severity.values]
VALID_ALERT = {
    "title": "Critical vulnerability in Example VPN",
    "severity": Severity.HIGH.value,
    "tlp": Tlp.CLEAR.value,
    "short_summary": "Example VPN before 9.1 lets an attacker run code remotely.",
    "summary": "A **critical** flaw.",
    "response_required": "yes",
    "response_window_hours": "48",
    "major_incident": "no",
    "rows": "1",
}
# Any field of the form, each sent anything or a value it accepts.
alert_fields = st.fixed_dictionaries(
    {},
    optional={
        "title": st.one_of(nasty_text, plain_text),
        "severity": field_value(*SEVERITIES),
        "tlp": field_value(*Tlp.values),
        "threat_type": text_or_plain,
        "categories": text_or_plain,
        "threat_vectors": text_or_plain,
        "short_summary": text_or_plain,
        "summary": text_or_plain,
        "threat_details": text_or_plain,
        "remediation_intro": text_or_plain,
        "indicators_of_compromise": text_or_plain,
        "cve_ids": field_value("CVE-2023-46604", "cve-2024-1234567\nCVE-2023-4966"),
        "ncsc_link": field_value("https://www.ncsc.gov.uk/news/x", "www.ncsc.gov.uk"),
        "sources": text_or_plain,
        "response_required": field_value("yes", "no"),
        "response_window_hours": field_value("1", "48", "720", "721", "0"),
        "major_incident": field_value("yes", "no"),
        "scope_organisation_types": field_value("nhs_trust", "icb"),
        "rows": field_value("0", "1", "3", "-1"),
        "platform-0-platform": text_or_plain,
        "platform-0-versions": text_or_plain,
        "step-0-step_type": field_value(*RemediationType.values),
        "step-0-step": text_or_plain,
        "step-0-link": field_value("https://example.com/fix"),
    },
)


@pytest.fixture
def draft_page(as_csoc, trust_a):
    return as_csoc


@budget
@given(changes=alert_fields)
def test_writing_a_new_alert(draft_page, changes):
    client = draft_page
    with example():
        outcome = submit(client, "/csoc/alerts/new/", {**VALID_ALERT, **changes})
        if outcome.valid:
            shown_after(client, outcome, " ".join(outcome_title(changes).split()))


def outcome_title(changes: dict) -> str:
    return changes.get("title", VALID_ALERT["title"]).strip()


@pytest.fixture
def published(as_csoc, trust_a):
    return as_csoc, make_alert(organisations=[trust_a])


@budget
@given(text=text_or_plain, again=field_value("yes", "no"))
def test_adding_a_threat_update(published, text, again):
    client, alert = published
    with example():
        outcome = submit(
            client, f"/csoc/alerts/{alert.pk}/updates/new/", {"text": text, "requires_reacknowledgement": again}
        )
        if outcome.valid:
            assert alert.updates.get().text == text.strip()  # type: ignore[attr-defined]


@budget
@given(severity=field_value(*SEVERITIES), reason=text_or_plain)
def test_changing_the_severity(published, severity, reason):
    client, alert = published
    with example():
        outcome = submit(client, f"/csoc/alerts/{alert.pk}/severity/", {"severity": severity, "reason": reason})
        if outcome.valid:
            alert.refresh_from_db()
            assert alert.severity == severity


@budget
@given(action=st.sampled_from(["close", "withdraw"]), reason=text_or_plain)
def test_closing_or_withdrawing(published, action, reason):
    client, alert = published
    with example():
        outcome = submit(client, f"/csoc/alerts/{alert.pk}/{action}/", {"reason": reason})
        if outcome.valid:
            alert.refresh_from_db()
            assert alert.status in ("closed", "withdrawn")
