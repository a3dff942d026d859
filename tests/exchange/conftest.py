from tests.alerts.conftest import dana, make_approved, make_draft, make_published  # noqa: F401 - shared fixtures
