"""CSV and XLSX exports and the deadline calendar feed, mounted at /exports/. `fmt` is csv or xlsx."""

from django.urls import path

from respond.exports.views import calendar, downloads

app_name = "exports"

urlpatterns = [
    path("", downloads.index, name="index"),
    path("alerts/<str:threat_id>/responses.<str:fmt>", downloads.alert_responses, name="alert_responses"),
    path(
        "organisations/<str:ods_code>/responses.<str:fmt>",
        downloads.organisation_responses,
        name="organisation_responses",
    ),
    path("history.<str:fmt>", downloads.history, name="history"),
    path("compliance.<str:fmt>", downloads.compliance, name="compliance"),
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
]
