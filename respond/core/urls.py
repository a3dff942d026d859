from django.urls import path

from respond.core import views

app_name = "core"

urlpatterns = [
    path("", views.csoc_tools, name="csoc_tools"),
    path("audit-log/", views.audit_log, name="audit_log"),
]
