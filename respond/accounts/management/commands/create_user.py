from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from respond.accounts.models import GlobalRole, Role
from respond.accounts.services import find_organisation, user_create
from respond.core.audit import Auditor
from respond.organisations.models import Organisation


class Command(BaseCommand):
    help = (
        "Create a user and email them a link to set their password; they set up an authenticator app when they "
        "first sign in. Give either --organisation and --role, or --global-role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True, help="Their full name")
        parser.add_argument("--organisation", default="", metavar="ODS_CODE", help="Their organisation's ODS code")
        parser.add_argument("--role", default="", help="Their role in it: administrator or responder")
        parser.add_argument("--global-role", default="", help="A role across the service: auditor or csoc")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation: Organisation | None = None
        role, global_role = options["role"].strip().lower(), options["global_role"].strip().lower()
        try:
            if options["organisation"]:
                organisation = find_organisation(options["organisation"])
            user = user_create(
                email=options["email"],
                full_name=options["name"],
                organisation=organisation,
                role=role,
                global_role=global_role,
                created_by_auditor=Auditor.system("create_user"),
            )
        except ValidationError as error:
            raise CommandError("Nothing was created. " + " ".join(error.messages)) from error
        label = Role(role).label if role else GlobalRole(global_role).label
        self.stdout.write(f"Created {user.display_name}, {user.email}: {label}.")
        self.stdout.write(f"We emailed {user.email} a link to set their password.")
