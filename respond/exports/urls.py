"""CSV and XLSX exports and the deadline calendar feed, mounted at /exports/."""

app_name = "exports"

urlpatterns: list = []
