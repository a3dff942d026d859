"""Auditors' compliance reports, mounted at /reports/."""

app_name = "reports"

urlpatterns: list = []
