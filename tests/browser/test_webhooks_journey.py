"""In Chromium, with axe on every page: an administrator adds a webhook (a mistake first), sends a test event to a
real local receiver and sees the attempt; a reader downloads an alert's STIX bundle from its page."""

import json
import re

import pytest
from playwright.sync_api import expect

from respond.notifications.models import WebhookEndpoint
from tests.browser.test_access_journey import become
from tests.notifications.conftest import deliver_everything
from tests.responses.conftest import make_alert
from tests.support.webhook_receiver import WebhookReceiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def recorded_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def test_an_administrator_adds_a_webhook_and_sends_a_test_event(page, live_server, alice, settings):
    browser = page.page
    become(page, live_server, alice)
    page.visit("/access/")
    page.click(browser.get_by_role("link", name="Manage the webhooks of Alpha Hospitals NHS Trust"))
    expect(browser.get_by_role("main")).to_contain_text("has no webhooks")
    page.click(browser.get_by_role("button", name="Add a webhook"))
    settings.WEBHOOK_PUBLIC_HTTPS_ONLY = True
    browser.get_by_label("Web address (URL)").fill("http://tickets.example.nhs.uk/hook")
    browser.get_by_label("Description (optional)").fill("ServiceNow")
    page.click(browser.get_by_role("button", name="Add webhook"))
    expect(browser).to_have_title(re.compile(r"^Error: "))
    expect(browser.get_by_role("alert")).to_contain_text("Enter a web address that starts with https://")
    expect(browser.get_by_label("Description (optional)")).to_have_value("ServiceNow")

    settings.WEBHOOK_PUBLIC_HTTPS_ONLY = False
    browser.get_by_label("Web address (URL)").fill("http://127.0.0.1:9/hook")
    page.click(browser.get_by_role("button", name="Add webhook"))
    expect(browser.get_by_role("main")).to_contain_text("No events have been sent to this webhook yet")
    endpoint = WebhookEndpoint.objects.get()
    expect(browser.get_by_role("main")).to_contain_text(endpoint.secret)

    with WebhookReceiver(endpoint.secret) as receiver:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url)
        page.click(browser.get_by_role("button", name="Send a test event"))
        expect(browser.get_by_role("main")).to_contain_text("Test event queued")
        deliver_everything()
        assert receiver.event_types() == ["webhook.test"]
    page.visit(f"/organisations/RAA/webhooks/{endpoint.pk}/")
    expect(browser.get_by_role("table")).to_contain_text("Delivered (200)")
    page.click(browser.get_by_role("link", name="Webhooks"))
    expect(browser.get_by_role("table")).to_contain_text("ServiceNow")


def test_a_reader_downloads_an_alerts_stix_bundle(page, live_server, trust_a):
    alert = make_alert(organisations=[trust_a])
    browser = page.page
    page.visit(f"/cyber-alerts/{alert.threat_id}/")
    link = browser.get_by_role("link", name="Download this alert as a STIX 2.1 bundle (JSON)")
    with browser.expect_download() as download:
        link.click()
    bundle = json.loads(download.value.path().read_text())
    assert download.value.suggested_filename == f"{alert.threat_id}.stix.json"
    assert any(obj["type"] == "report" and obj["name"].startswith(alert.threat_id) for obj in bundle["objects"])
