"""The JSON API, mounted at /api/cyber-alerts/: the paths of NHS Digital's CyberAlert API, with or without a slash."""

from django.urls import re_path

from respond.alerts.views import api

app_name = "alerts_api"

PUBLIC_URL_NAMES = {"alerts_api:index", "alerts_api:page", "alerts_api:single"}

urlpatterns = [
    re_path(r"^$", api.index, name="index"),
    re_path(r"^page/?$", api.page, name="page"),
    re_path(r"^single/?$", api.single, name="single"),
]
