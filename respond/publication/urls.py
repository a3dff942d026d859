"""The publication pages, mounted under /csoc/alerts/ with respond.alerts.csoc_urls (see config.urls)."""

from django.urls import path

from respond.publication import views

urlpatterns = [
    path("<int:pk>/publish/", views.alert_publish, name="publish"),
    path("<int:pk>/updates/new/", views.add_update, name="add_update"),
    path("<int:pk>/severity/", views.change_severity, name="change_severity"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
