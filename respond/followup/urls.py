"""Chasing organisations that have not responded, mounted at /follow-up/."""

from django.urls import path

from respond.followup import views

app_name = "followup"

urlpatterns = [
    path("alerts/<str:threat_id>/chase/", views.chase, name="chase"),
]
