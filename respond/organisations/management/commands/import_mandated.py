from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from respond.core.audit import Auditor
from respond.organisations.mandated import import_mandated_list
from respond.organisations.source_files import ImportFileError, SourceFile


class Command(BaseCommand):
    help = (
        "Import the full list of organisations that must respond to high-severity alerts (XLSX or CSV with a "
        "'Code' or 'ODS code' column). Organisations not on the list stop being mandated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            file = SourceFile.from_path(options["file"])
            summary = import_mandated_list(file=file, auditor=Auditor.system("import_mandated"))
        except ImportFileError as error:
            raise CommandError(f"{error}. Nothing was changed.") from error
        for line in summary.lines():
            self.stdout.write(line)
