"""CSOC pages for writing alerts, mounted at /csoc/alerts/ with the publication pages (see config.urls)."""

from django.urls import path

from respond.alerts.views import csoc

urlpatterns = [
    path("", csoc.alert_list, name="list"),
    path("new/", csoc.alert_create, name="create"),
    path("<int:pk>/", csoc.alert_detail, name="detail"),
    path("<int:pk>/edit/", csoc.alert_edit, name="edit"),
    path("<int:pk>/preview/", csoc.alert_preview, name="preview"),
    path("<int:pk>/submit/", csoc.alert_submit, name="submit"),
    path("<int:pk>/approve/", csoc.alert_approve, name="approve"),
    path("<int:pk>/close/", csoc.close, name="close"),
]
