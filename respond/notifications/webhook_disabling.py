"""Turning off a webhook that keeps failing, and telling its organisation's administrators by email.

Called while the deliverer records a batch, below respond.notifications.services (which imports the tasks, which
import the deliverer): so the email's outbox rows are written here, and the delivery chain that is running picks
them up (or the per-minute sweep does)."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from respond.accounts.models import Membership
from respond.notifications.models import ComposedMessage, MessageKind, Notification, WebhookEndpoint


def disable_failing_webhooks(*, endpoint_ids: list[int]) -> list[WebhookEndpoint]:
    threshold = settings.WEBHOOK_DISABLE_AFTER_FAILURES
    failing = list(
        WebhookEndpoint.objects.select_for_update()
        .filter(pk__in=endpoint_ids, enabled=True, consecutive_failures__gte=threshold)
        .select_related("organisation")
    )
    now = timezone.now()
    for endpoint in failing:
        reason = f"Turned off after {endpoint.consecutive_failures} failed attempts in a row"
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=False, disabled_at=now, disabled_reason=reason)
        _email_administrators(endpoint, reason)
    return failing


def _email_administrators(endpoint: WebhookEndpoint, reason: str) -> None:
    organisation = endpoint.organisation
    page = settings.SITE_URL + reverse(
        "notifications:webhook", kwargs={"ods_code": organisation.ods_code, "pk": endpoint.pk}
    )
    composed = ComposedMessage.objects.create(
        kind=MessageKind.WEBHOOK_DISABLED_EMAIL,
        subject=f"Webhook turned off for {organisation.name}",
        body=(
            f"We have turned off the webhook that sends {organisation.name}'s alert events to {endpoint.url}.\n\n"
            f"{reason}. The last attempts are listed on its page, with what your system answered:\n\n{page}\n\n"
            "Once your system can take events again, turn the webhook back on there. Alerts still reach you by email."
        ),
    )
    recipients: dict[str, int] = {}
    administrators = Membership.objects.administrators().filter(organisation=organisation)
    for user_id, email in administrators.values_list("user_id", "user__email"):
        recipients.setdefault(email.strip().lower(), user_id)
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification.of_composed(composed, address=address, now=now, user_id=user_id, organisation=organisation)
        for address, user_id in recipients.items()
    )
