"""Works out every summary of the responses again from the responses themselves (respond.responses.summaries):
after loading data some other way than through the services (a restore, a bulk load). Response writes wait while
it runs; organisations that changed type or region need no rebuild (a scheduled task moves their figures). With
--check, changes nothing and says whether the summaries agree with the responses."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from respond.responses import summaries


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="only compare; exit 1 when they differ")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            problems = summaries.differences()
            for problem in problems[:20]:
                self.stdout.write(problem)
            if problems:
                raise CommandError(f"{len(problems)} summary rows differ from what the responses add up to")
            self.stdout.write("The summaries agree with the responses.")
            return
        summaries.rebuild()
        self.stdout.write("Summaries worked out again from the responses.")
