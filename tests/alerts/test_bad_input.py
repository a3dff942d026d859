"""Bad input gets a clear error, and nothing is saved or published."""

import pytest
from django.core.exceptions import ValidationError

from respond.alerts import services
from respond.alerts.models import Alert, AlertStatus
from respond.alerts.validation import parse_cve_ids
from respond.core.audit import Auditor
from respond.notifications.models import Notification
from respond.organisations.models import OrganisationType
from respond.publication import services as publication
from tests.alerts.conftest import make_content
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CVE-2023-46604", ["CVE-2023-46604"]),
        ("cve-2023-4966, CVE-2023-4967\nCVE-2023-4966", ["CVE-2023-4966", "CVE-2023-4967"]),
        ("  CVE-1999-0001 ; CVE-2024-1234567 ", ["CVE-1999-0001", "CVE-2024-1234567"]),
        ("", []),
    ],
)
def test_cve_ids_are_normalised(text, expected):
    assert parse_cve_ids(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("CVE-23-1234", "“CVE-23-1234” is not a CVE ID"),
        ("CVE-2023-123", "“CVE-2023-123” is not a CVE ID"),
        ("2023-46604", "“2023-46604” is not a CVE ID"),
        ("CVE-2023-46604x", "“CVE-2023-46604X” is not a CVE ID"),
        ("CVE-1998-0001", "“CVE-1998-0001” has the year 1998"),
        ("<script>", "“<SCRIPT>” is not a CVE ID"),
    ],
)
def test_invalid_cve_ids_are_named_in_the_error(text, message):
    with pytest.raises(ValidationError) as error:
        parse_cve_ids(f"CVE-2023-46604 {text}")
    assert len(error.value.messages) == 1
    assert error.value.messages[0].startswith(message)


def test_a_draft_with_invalid_cve_ids_is_not_saved(csoc, trust_a):
    with pytest.raises(ValidationError) as error:
        services.alert_create(
            content=make_content(cve_ids=["CVE-2023-1"]), created_by=csoc, auditor=Auditor.for_user(csoc)
        )
    assert list(error.value.message_dict) == ["cve_ids"]
    assert not Alert.objects.exists()


def test_a_missing_tlp_marking_is_refused(csoc, trust_a):
    with pytest.raises(ValidationError) as error:
        services.alert_create(content=make_content(tlp=""), created_by=csoc, auditor=Auditor.for_user(csoc))
    assert error.value.message_dict == {"tlp": ["Select a TLP marking"]}
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        "Click <a href='https://evil.example' onclick='steal()'>here</a>",
        "<img src=x onerror=alert(1)>",
        "[Patch now](javascript:alert(document.cookie))",
        "<iframe src='https://evil.example'></iframe>",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
    ],
)
def test_markdown_with_html_or_script_links_is_refused(csoc, trust_a, markdown):
    with pytest.raises(ValidationError) as error:
        services.alert_create(
            content=make_content(summary=markdown, threat_details=markdown),
            created_by=csoc,
            auditor=Auditor.for_user(csoc),
        )
    assert set(error.value.message_dict) == {"summary", "threat_details"}
    assert any(
        message.startswith(("Remove the HTML", "Change the link")) for message in error.value.message_dict["summary"]
    )
    assert not Alert.objects.exists()


def test_a_scope_that_matches_no_organisation_cannot_be_submitted_or_published(make_draft, csoc, dana):
    region = RegionFactory(code="Y56", name="London")
    alert = make_draft(scope_organisation_types=[OrganisationType.CSU], scope_regions=[region])
    with pytest.raises(ValidationError, match="No organisation matches this alert's scope"):
        services.alert_submit_for_approval(alert=alert, submitted_by=csoc, auditor=Auditor.for_user(csoc))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DRAFT


def test_a_scope_emptied_after_approval_stops_publication(make_approved, csoc, trust_a):
    alert = make_approved()
    trust_a.mandated = False
    trust_a.save()
    with pytest.raises(ValidationError, match="No organisation matches"):
        publication.alert_publish(alert=alert, published_by=csoc, auditor=Auditor.for_user(csoc))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.APPROVED
    assert alert.threat_id is None
    assert not Notification.objects.exists()


def test_a_high_severity_alert_must_ask_for_a_response(csoc, trust_a):
    with pytest.raises(ValidationError) as error:
        services.alert_create(
            content=make_content(response_required=False), created_by=csoc, auditor=Auditor.for_user(csoc)
        )
    assert error.value.message_dict == {"response_required": ["High severity alerts always need a response"]}


def test_rows_and_links_are_checked(csoc, trust_a):
    from respond.alerts.content import PlatformContent, StepContent

    content = make_content(
        ncsc_link="javascript:alert(1)",
        affected_platforms=[PlatformContent("", "1.0")],
        remediation_steps=[StepContent("Reboot", "", "ftp://example.com")],
    )
    with pytest.raises(ValidationError) as error:
        services.alert_create(content=content, created_by=csoc, auditor=Auditor.for_user(csoc))
    assert error.value.message_dict == {
        "ncsc_link": ["Enter the NCSC link as a web address starting https://"],
        "affected_platforms": ["Enter the name of affected platform 1"],
        "remediation_steps": [
            "Select the type of remediation step 1",
            "Enter remediation step 1",
            "Enter the link of remediation step 1 as a web address",
        ],
    }
