from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from respond.core.audit import Auditor
from respond.organisations.importers import import_ods_files
from respond.organisations.source_files import ImportFileError, SourceFile


class Command(BaseCommand):
    help = (
        "Import NHS organisations from ODS files: the etr, ect and eccg extracts, the sub-ICB to ICB to region "
        "lookup and the CSU list. All files are imported together, or none is if any has a problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            files = [SourceFile.from_path(path) for path in options["files"]]
            summary = import_ods_files(files=files, auditor=Auditor.system("import_ods"))
        except ImportFileError as error:
            raise CommandError(f"{error}. Nothing was imported.") from error
        for line in summary.lines():
            self.stdout.write(line)
