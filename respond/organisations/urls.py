from django.urls import path

from respond.organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("import/", views.import_organisations, name="import"),
    path("<str:ods_code>/", views.organisation_detail, name="detail"),
]
