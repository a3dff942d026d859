"""A closed incident group's indicators as STIX 2.1, mounted beside the group's pages under /groups/ (the
exchange builds STIX and sits above groups, so the route lives here). Members only, 404 for anyone else."""

from django.urls import path

from respond.exchange import views

app_name = "group_stix"

stix = views.group_indicators_stix
urlpatterns = [
    path("<int:group_id>/indicators.stix.json", stix, name="group_indicators"),
    path("<int:group_id>/posts/<int:post_id>/indicators.stix.json", stix, name="post_indicators"),
]
