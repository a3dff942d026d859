"""RSS and Atom feeds of published TLP:CLEAR alerts. Restricted alerts never appear, whoever asks."""

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from respond.alerts.models import Alert

FEED_SIZE = 50


class AlertsRssFeed(Feed):
    title = "NHS cyber alerts"
    link = reverse_lazy("alerts:list")
    description = "High severity cyber alerts for health and care organisations, newest first."

    def items(self) -> QuerySet[Alert]:
        return Alert.objects.public().order_by("-published_at", "-pk")[:FEED_SIZE]

    def item_title(self, item: Alert) -> str:
        return f"{item.threat_id}: {item.title}"

    def item_description(self, item: Alert) -> str:
        return str(item.summary_html)

    def item_link(self, item: Alert) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Alert) -> str:
        return item.threat_id or ""

    item_guid_is_permalink = False

    def item_pubdate(self, item: Alert) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Alert) -> datetime | None:
        return item.last_updated_at

    def item_categories(self, item: Alert) -> list[str]:
        return [f"Severity: {item.get_severity_display()}", *item.categories]


class AlertsAtomFeed(AlertsRssFeed):
    feed_type = Atom1Feed
    subtitle = AlertsRssFeed.description
