"""In Chromium with axe: CSOC's page of an alert's messages shows the retries Notify's troubles caused, after the
messages went out, as well as the failures."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from respond.notifications import services
from respond.notifications.models import Notification, Status
from tests.browser.test_responding import become
from tests.notifications.conftest import make_alert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_csoc_sees_retries_and_the_longest_delay(page, live_server, trust_a, alice, bob, csoc):
    alert = make_alert(organisations=[trust_a])
    with transaction.atomic():
        services.notifications_for_alert(alert=alert)
    now = timezone.now()
    # Alice's email went at the third attempt, 100 seconds after the first failed; Bob's was refused.
    Notification.objects.filter(address=alice.email).update(
        status=Status.SENT, attempts=3, first_failed_at=now - timedelta(seconds=100), sent_at=now, provider_id="n-1"
    )
    Notification.objects.filter(address=bob.email).update(
        status=Status.FAILED, attempts=1, first_failed_at=now, error="GOV.UK Notify said 400: Not a valid email address"
    )

    become(page, live_server, csoc)
    page.visit(reverse("notifications:alert_progress", args=[alert.threat_id]))

    main = page.page.get_by_role("main")
    expect(page.page.get_by_role("heading", level=2, name="Retries")).to_be_visible()
    expect(main).to_contain_text("Messages tried more than once 1")
    expect(main).to_contain_text("Retries in all 2")
    expect(main).to_contain_text("Longest a message was held up by retries 1 minute 40 seconds")
    expect(page.page.get_by_role("heading", level=2, name="Failed messages")).to_be_visible()
    expect(main).to_contain_text("GOV.UK Notify said 400: Not a valid email address")
