from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "respond.core"
    label = "core"

    def ready(self) -> None:
        from respond.core import lookups  # noqa: F401 - registers the any_of lookup
