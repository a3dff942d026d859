from django.urls import path

from respond.accounts.views import lead_administrators

app_name = "lead_administrators"

urlpatterns = [
    path("", lead_administrators.nominate, name="nominate"),
    path("coverage/", lead_administrators.coverage, name="coverage"),
    path("coverage.csv", lead_administrators.coverage_download, name="coverage_csv"),
    path("organisations.json", lead_administrators.organisation_suggestions, name="organisation_suggestions"),
]
