"""Public alert pages and feeds, mounted at /cyber-alerts/."""

from django.urls import path

from respond.alerts.views import feeds, public

app_name = "alerts"

# Reachable without signing in (the lead adds these to the URL-walk test's public routes).
PUBLIC_URL_NAMES = {"alerts:list", "alerts:detail", "alerts:feed_rss", "alerts:feed_atom"}

urlpatterns = [
    path("", public.alert_list, name="list"),
    path("feed/rss/", feeds.AlertsRssFeed(), name="feed_rss"),
    path("feed/atom/", feeds.AlertsAtomFeed(), name="feed_atom"),
    path("<str:threat_id>/", public.alert_detail, name="detail"),
]
