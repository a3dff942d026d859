"""The CSOC pages: who may open them, and the journey from a blank form to a published alert."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from respond.alerts.models import Alert, AlertStatus
from respond.notifications.models import Notification

pytestmark = pytest.mark.django_db

# Pages only CSOC staff may use; auditors may read the first three.
READ_PAGES = ["list", "detail", "preview"]
CHANGE_PAGES = ["create", "edit", "submit", "approve", "publish", "add_update", "change_severity", "close", "withdraw"]


def page_url(name: str, alert: Alert) -> str:
    return reverse(f"alerts_csoc:{name}", args=[] if name in ("list", "create") else [alert.pk])


@pytest.mark.parametrize("name", READ_PAGES + CHANGE_PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_people_are_sent_to_sign_in(make_draft, name, method):
    response = getattr(Client(), method)(page_url(name, make_draft()))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", READ_PAGES + CHANGE_PAGES)
@pytest.mark.parametrize("role", ["bob", "alice", "charlie"])
def test_organisation_users_are_refused(make_draft, signed_in, request, name, role):
    client = signed_in(request.getfixturevalue(role))
    alert = make_draft()
    assert client.get(page_url(name, alert)).status_code == 403
    assert client.post(page_url(name, alert)).status_code == 403


@pytest.mark.parametrize("name", READ_PAGES)
def test_auditors_can_read(make_draft, signed_in, auditor, name):
    assert signed_in(auditor).get(page_url(name, make_draft())).status_code == 200


@pytest.mark.parametrize("name", CHANGE_PAGES)
def test_auditors_cannot_change_anything(make_draft, signed_in, auditor, name):
    client = signed_in(auditor)
    alert = make_draft()
    assert client.get(page_url(name, alert)).status_code == 403
    assert client.post(page_url(name, alert), {"reason": "x", "title": "x"}).status_code == 403
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DRAFT
    assert alert.versions.count() == 1


@pytest.mark.parametrize("name", [*READ_PAGES, "create", "edit", "publish"])
def test_csoc_staff_can_open_every_page(make_draft, signed_in, csoc, name):
    assert signed_in(csoc).get(page_url(name, make_draft())).status_code == 200


def test_workflow_buttons_take_posts_only(make_draft, signed_in, csoc):
    client = signed_in(csoc)
    alert = make_draft()
    assert client.get(page_url("submit", alert)).status_code == 405
    assert client.get(page_url("approve", alert)).status_code == 405


def test_a_missing_alert_is_not_found(signed_in, csoc):
    assert signed_in(csoc).get(reverse("alerts_csoc:detail", args=[999])).status_code == 404


def form_data(**changes) -> dict:
    data = {
        "rows": "5",
        "title": "Citrix Bleed",
        "severity": "high",
        "tlp": "clear",
        "threat_type": "Vulnerability",
        "categories": "Information disclosure\nSession hijacking",
        "threat_vectors": "Network",
        "short_summary": "Session tokens can be read from NetScaler appliances.",
        "summary": "Upgrade **now**.",
        "threat_details": "",
        "remediation_intro": "",
        "indicators_of_compromise": "",
        "cve_ids": "cve-2023-4966\nCVE-2023-4967",
        "ncsc_link": "",
        "sources": "https://support.citrix.com/article/CTX579459",
        "response_required": "yes",
        "response_window_hours": "48",
        "major_incident": "yes",
        "platform-0-platform": "NetScaler ADC 14.1",
        "platform-0-versions": "Before 14.1-8.50",
        "step-0-step_type": "Upgrade",
        "step-0-step": "Upgrade to 14.1-8.50 or later.",
        "step-0-link": "https://support.citrix.com/article/CTX579459",
        "step-1-step_type": "Mitigation",
        "step-1-step": "Kill all sessions.",
        "step-1-link": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_csoc_pair_write_approve_and_publish_an_alert_in_the_browser(signed_in, csoc, dana, bob, trust_a):
    writer, approver = signed_in(csoc), signed_in(dana)
    response = writer.post(reverse("alerts_csoc:create"), form_data())
    alert = Alert.objects.get()
    assert response.status_code == 302
    assert response["Location"] == alert.get_csoc_url()
    assert alert.cve_ids == ["CVE-2023-4966", "CVE-2023-4967"]
    assert alert.categories == ["Information disclosure", "Session hijacking"]
    assert alert.major_incident
    assert alert.response_window_hours == 48
    assert [(row.step_type, row.step) for row in alert.remediation_steps.all()] == [
        ("Upgrade", "Upgrade to 14.1-8.50 or later."),
        ("Mitigation", "Kill all sessions."),
    ]

    preview = writer.get(reverse("alerts_csoc:preview", args=[alert.pk])).content.decode()
    assert "Preview" in preview
    assert "Upgrade <strong>now</strong>." in preview
    assert "Given when it is published" in preview

    writer.post(reverse("alerts_csoc:submit", args=[alert.pk]))
    refused = writer.post(reverse("alerts_csoc:approve", args=[alert.pk]))
    assert refused.status_code == 400
    assert "you cannot approve it" in refused.content.decode()
    assert "Error: " in refused.content.decode().split("</title>")[0]

    detail = approver.get(alert.get_csoc_url()).content.decode()
    assert "Approve for publication" in detail
    approver.post(reverse("alerts_csoc:approve", args=[alert.pk]))
    confirm = writer.get(reverse("alerts_csoc:publish", args=[alert.pk])).content.decode()
    assert "Yes: sent by text message as well as email" in confirm
    response = writer.post(reverse("alerts_csoc:publish", args=[alert.pk]))
    alert.refresh_from_db()
    assert response.status_code == 302
    assert alert.status == AlertStatus.PUBLISHED
    assert alert.threat_id == "CC-4405"
    assert Notification.objects.filter(alert=alert, address=bob.email).exists()

    public = Client().get(alert.get_absolute_url())
    assert public.status_code == 200
    assert "Citrix Bleed" in public.content.decode()
    detail = writer.get(alert.get_csoc_url()).content.decode()
    assert reverse("notifications:alert_progress", kwargs={"threat_id": "CC-4405"}) in detail
    assert "Published as CC-4405" in detail


def test_form_errors_are_listed_and_nothing_is_saved(signed_in, csoc, trust_a):
    response = signed_in(csoc).post(
        reverse("alerts_csoc:create"),
        form_data(
            title="",
            tlp=None,
            cve_ids="CVE-2023-4966 CVE-23-1",
            summary="<script>alert(1)</script>",
            **{"platform-1-versions": "1.0", "step-2-link": "https://example.com"},
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.split("</title>")[0].count("Error: ") == 1
    summary = page.split('class="nhsuk-error-summary"')[1].split("</div>")[0]
    for message in (
        "Enter a title",
        "Select a TLP marking",
        "“CVE-23-1” is not a CVE ID",
        "Remove the HTML",
        "Enter the name of affected platform 2",
        "Select the type of remediation step 3",
        "Enter remediation step 3",
    ):
        assert message in summary, message
    assert "<script>alert(1)</script>" not in page.replace("&lt;script&gt;", "")
    assert 'href="#id_tlp"' in summary
    assert not Alert.objects.exists()


def test_high_severity_with_no_response_is_refused_in_the_form(signed_in, csoc, trust_a):
    response = signed_in(csoc).post(reverse("alerts_csoc:create"), form_data(response_required="no"))
    assert "High severity alerts always need a response" in response.content.decode()
    assert not Alert.objects.exists()


def test_editing_keeps_rows_and_offers_spare_ones(make_draft, signed_in, csoc):
    alert = make_draft()
    client = signed_in(csoc)
    page = client.get(reverse("alerts_csoc:edit", args=[alert.pk])).content.decode()
    assert 'value="Apache ActiveMQ"' in page
    assert len(re.findall(r'name="platform-\d+-platform"', page)) == 5
    response = client.post(
        reverse("alerts_csoc:edit", args=[alert.pk]),
        form_data(title="Edited", **{"platform-0-platform": "", "platform-0-versions": ""}),
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.title == "Edited"
    assert not alert.affected_platforms.exists()
    assert alert.versions.last().summary == "Draft edited"


def test_a_published_alert_is_not_edited_again(make_published, signed_in, csoc):
    alert = make_published()
    response = signed_in(csoc).post(reverse("alerts_csoc:edit", args=[alert.pk]), form_data(title="Changed"))
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.title != "Changed"


def test_the_pages_after_publication(make_published, signed_in, csoc, bob):
    alert = make_published()
    client = signed_in(csoc)
    client.post(
        reverse("alerts_csoc:add_update", args=[alert.pk]), {"text": "Patched", "requires_reacknowledgement": "yes"}
    )
    assert alert.updates.get().requires_reacknowledgement
    assert Notification.objects.filter(alert=alert, update__isnull=False, address=bob.email).count() == 1
    refused = client.post(reverse("alerts_csoc:change_severity", args=[alert.pk]), {"severity": "high", "reason": "x"})
    assert "The severity is already high: select another" in refused.content.decode()
    client.post(reverse("alerts_csoc:change_severity", args=[alert.pk]), {"severity": "medium", "reason": "Contained"})
    client.post(reverse("alerts_csoc:close", args=[alert.pk]), {"reason": "Done"})
    empty = client.post(reverse("alerts_csoc:withdraw", args=[alert.pk]), {"reason": ""})
    assert "Enter a reason" in empty.content.decode()
    client.post(reverse("alerts_csoc:withdraw", args=[alert.pk]), {"reason": "Wrong TLP"})
    alert.refresh_from_db()
    assert (alert.severity, alert.status, alert.withdrawn_reason) == ("medium", AlertStatus.WITHDRAWN, "Wrong TLP")
    history = client.get(alert.get_csoc_url()).content.decode()
    for summary in ("Threat update added, to be acknowledged again", "Severity changed from High to Medium: Contained",
                    "Closed: Done", "Withdrawn: Wrong TLP"):  # fmt: skip
        assert summary in history


def test_the_list_groups_alerts_by_stage(make_draft, make_approved, make_published, signed_in, csoc):
    make_draft(title="A draft")
    make_approved(title="An approved one")
    make_published(title="A published one")
    page = signed_in(csoc).get(reverse("alerts_csoc:list")).content.decode()
    assert page.index("Approved, ready to publish") < page.index("An approved one") < page.index("Drafts (1)")
    assert page.index("Drafts (1)") < page.index("A draft") < page.index("Published, closed and withdrawn")
    assert page.index("Published, closed and withdrawn") < page.index("A published one")
