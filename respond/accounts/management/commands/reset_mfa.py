from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from respond.accounts.models import User
from respond.accounts.services import authenticators_reset
from respond.core.audit import Auditor


class Command(BaseCommand):
    help = (
        "Remove a person's authenticator app and recovery codes, for example when they have lost their phone. "
        "They set up a new app the next time they sign in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"There is no account for {email}. Nothing was changed.")
        removed = authenticators_reset(user=user, reset_by_auditor=Auditor.system("reset_mfa"))
        if removed:
            self.stdout.write(f"Removed the authenticator app and recovery codes of {user.email}.")
        else:
            self.stdout.write(f"{user.email} had no authenticator app set up.")
        self.stdout.write("They will set up a new authenticator app the next time they sign in.")
