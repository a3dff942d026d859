import pytest

from tests.notifications.conftest import notify, site_url  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def files_in_tmp(group_files):
    return group_files


@pytest.fixture(autouse=True)
def dummy_tasks(settings):
    """Enqueued tasks are recorded, not run: tests that deliver run the worker themselves."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
