from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "respond.operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from respond.operations import task_context
        from respond.operations.logs import configure_structlog

        configure_structlog()
        task_context.connect()
