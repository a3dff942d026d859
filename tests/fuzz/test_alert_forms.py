"""Generated input for alert authoring (a new draft, and editing one) and the changes to a published alert: a
threat update, a change of severity, closing and withdrawing."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from respond.alerts.models import Alert, RemediationType, Severity, Tlp
from respond.alerts.validation import parse_cve_ids
from respond.core.markdown import render_markdown
from tests.fuzz.forms import text_or_plain
from tests.fuzz.harness import assert_shown, example, html_text, page_text, shown_after, submit
from tests.fuzz.strategies import accepted_text, budget, field_value, nasty_text, plain_text, submissions
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
# A valid alert with any of its fields sent anything or a value it accepts.
changed_alert = st.fixed_dictionaries(
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
).map(lambda changes: {**VALID_ALERT, **changes})


def _cve_ids(ids: list[tuple[int, int]]) -> st.SearchStrategy[str]:
    written = [f"{prefix}-{year}-{number:04d}" for (year, number), prefix in ids]
    return st.sampled_from([" ", ",", ";", "\n", ", "]).map(lambda separator: separator.join(written))


cve_ids = st.lists(
    st.tuples(st.tuples(st.integers(1999, 2026), st.integers(1, 9_999_999)), st.sampled_from(["CVE", "cve"])),
    max_size=4,
).flatmap(_cve_ids)
optional_text = st.one_of(st.just(""), accepted_text(1000))
optional_markdown = st.one_of(st.just(""), accepted_text(markdown=True))

# An alert as CSOC means it, with awkward text everywhere text may go: most of these are accepted.
meant_alert = st.fixed_dictionaries(
    {
        "title": accepted_text(300),
        "severity": st.sampled_from(SEVERITIES),
        "tlp": st.sampled_from(Tlp.values),
        "threat_type": st.one_of(st.just(""), accepted_text(100)),
        "categories": optional_text,
        "threat_vectors": optional_text,
        "short_summary": accepted_text(500),
        "summary": accepted_text(markdown=True),
        "threat_details": optional_markdown,
        "remediation_intro": optional_markdown,
        "indicators_of_compromise": optional_markdown,
        "cve_ids": cve_ids,
        "ncsc_link": st.sampled_from(["", "https://www.ncsc.gov.uk/news/x", "www.ncsc.gov.uk/report/y?z=1"]),
        "sources": optional_text,
        "response_required": st.just("yes"),
        "response_window_hours": st.integers(1, 720).map(str),
        "major_incident": st.sampled_from(["yes", "no"]),
        "scope_organisation_types": st.lists(st.sampled_from(["nhs_trust", "icb"]), unique=True),
        "rows": st.just("1"),
        "platform-0-platform": st.one_of(st.just(""), accepted_text(200)),
        "step-0-step_type": st.sampled_from(RemediationType.values),
        "step-0-step": accepted_text(2000),
        "step-0-link": st.sampled_from(["", "https://example.com/fix", "example.com/a?b=<c>"]),
    }
)


@pytest.fixture
def draft_page(as_csoc, trust_a):
    return as_csoc


def _shown_alert(data: dict) -> list[str]:
    """What the draft's page shows of an alert as typed: its text, its Markdown as rendered, its CVE IDs."""
    shown = [data["title"], data["short_summary"], html_text(render_markdown(data["summary"]))]
    shown += [data[name] for name in ("threat_type", "platform-0-platform") if data.get(name, "").strip()]
    shown += [line for name in ("categories", "sources") for line in data.get(name, "").splitlines() if line.strip()]
    return [*shown, *parse_cve_ids(data.get("cve_ids", ""))]


@budget
@given(data=submissions(meant_alert, changed_alert))
def test_writing_a_new_alert(draft_page, data):
    client = draft_page
    with example():
        outcome = submit(client, "/csoc/alerts/new/", data)
        if outcome.valid:  # the draft's page names it; its preview shows it as it will be published
            shown_after(client, outcome, data["title"])
            preview = client.get(f"{outcome.location}preview/")
            assert_shown(page_text(preview), *_shown_alert(data), where="the preview")


@pytest.fixture
def published(as_csoc, trust_a):
    return as_csoc, make_alert(organisations=[trust_a])


@budget
@given(
    data=submissions(
        st.fixed_dictionaries(
            {"text": accepted_text(markdown=True), "requires_reacknowledgement": st.sampled_from(["yes", "no"])}
        ),
        {"text": text_or_plain, "requires_reacknowledgement": field_value("yes", "no")},
    )
)
def test_adding_a_threat_update(published, data):
    client, alert = published
    with example():
        outcome = submit(client, f"/csoc/alerts/{alert.pk}/updates/new/", data)
        if outcome.valid:
            assert alert.updates.get().text == data["text"].strip()  # type: ignore[attr-defined]
            shown = page_text(client.get(alert.get_absolute_url()))
            assert_shown(shown, html_text(render_markdown(data["text"].strip())), where="the alert's page")


@budget
@given(
    data=submissions(
        st.fixed_dictionaries({"severity": st.sampled_from(SEVERITIES[1:]), "reason": accepted_text()}),
        {"severity": field_value(*SEVERITIES), "reason": text_or_plain},
    )
)
def test_changing_the_severity(published, data):
    client, alert = published  # a high severity alert
    with example():
        outcome = submit(client, f"/csoc/alerts/{alert.pk}/severity/", data)
        if outcome.valid:
            assert Alert.objects.get(pk=alert.pk).severity == data["severity"]
            shown_after(client, outcome, data["reason"])


@budget
@given(action=st.sampled_from(["close", "withdraw"]), reason=st.one_of(text_or_plain, accepted_text()))
def test_closing_or_withdrawing(published, action, reason):
    client, alert = published
    with example():
        outcome = submit(client, f"/csoc/alerts/{alert.pk}/{action}/", {"reason": reason})
        if outcome.valid:
            assert Alert.objects.get(pk=alert.pk).status == {"close": "closed", "withdraw": "withdrawn"}[action]
            shown_after(client, outcome, reason)
