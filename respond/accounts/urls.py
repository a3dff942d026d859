from django.urls import path

from respond.accounts import views

app_name = "accounts"

urlpatterns = [
    path("new/", views.create_user, name="create_user"),
]
