from django.urls import path

from respond.accounts.views import api_tokens

app_name = "api_tokens"

urlpatterns = [
    path("", api_tokens.index, name="index"),
    path("<int:pk>/revoke/", api_tokens.revoke, name="revoke"),
]
