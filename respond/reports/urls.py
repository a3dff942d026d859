"""Auditors' compliance reports, mounted at /reports/."""

from django.urls import path

from respond.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("alerts/<str:threat_id>/", views.alert, name="alert"),
    path("organisations/<str:ods_code>/", views.organisation, name="organisation"),
    path("over-time/", views.over_time, name="over_time"),
]
