"""Chasing organisations that have not responded, mounted at /follow-up/."""

app_name = "followup"

urlpatterns: list = []
