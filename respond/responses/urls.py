"""Responding to alerts, mounted at /responses/. The start page ("Your alerts") is core's home, which renders
respond.responses.views.dashboard."""

from django.urls import path

from respond.responses.views import bulk, export, responding

app_name = "responses"

urlpatterns = [
    path("organisations/<str:ods_code>/responses.csv", export.current_csv, name="csv"),
    path("organisations/<str:ods_code>/history.csv", export.history_csv, name="history_csv"),
    path("<str:threat_id>/", responding.alert_responses, name="alert"),
    path("<str:threat_id>/bulk/", bulk.bulk_response, name="bulk"),
    path("<str:threat_id>/<str:ods_code>/", responding.response_detail, name="detail"),
    path("<str:threat_id>/<str:ods_code>/acknowledge/", responding.acknowledge, name="acknowledge"),
    path("<str:threat_id>/<str:ods_code>/update/", responding.update, name="update"),
]
