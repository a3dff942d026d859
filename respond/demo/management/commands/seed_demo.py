from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from respond.core.audit import Auditor
from respond.demo.accounts import DEMO_ACCESS_REQUEST, DEMO_INVITATION, DEMO_PASSWORD, seed_demo_access, seed_demo_users
from respond.demo.alerts import DemoDataError, seed_demo_alerts
from respond.demo.groups import seed_demo_group
from respond.demo.responses import DemoResponsesError, seed_demo_responses
from respond.organisations.models import Organisation

ODS_FILES = ("etr.csv", "ect.csv", "eccg.csv", "sub-icb-to-icb-to-region-2023.csv", "csu-list-2023.csv")
MANDATED_LIST = Path("data/demo/mandated-organisations.xlsx")


class Command(BaseCommand):
    help = (
        "Load demo data: the real NHS organisations (from data/ods), the list of mandated organisations and one "
        "user for each role, each with a known password and authenticator secret, published alerts and responses "
        "to them. Safe to run again. "
        "Refuses to run in production."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo creates users with published passwords, so it never runs with APP_ENV=production."
            )
        data = Path(settings.BASE_DIR) / "data"
        call_command("import_ods", *(str(data / "ods" / name) for name in ODS_FILES), stdout=self.stdout)
        call_command("import_mandated", str(Path(settings.BASE_DIR) / MANDATED_LIST), stdout=self.stdout)
        auditor = Auditor.system("seed_demo")
        try:
            seeded = seed_demo_users(auditor=auditor)
        except Organisation.DoesNotExist as error:
            raise CommandError(str(error)) from error
        access = seed_demo_access(auditor=auditor)
        try:
            alerts = seed_demo_alerts()
            responses = seed_demo_responses()
            group, group_created = seed_demo_group()
        except (DemoDataError, DemoResponsesError) as error:
            raise CommandError(str(error)) from error
        created = sum(1 for _, changed in seeded if changed)
        self.stdout.write(f"\nDemo users: {created} created or completed, {len(seeded) - created} already in place.\n")
        rows = [("Role", "Email", "Password", "TOTP secret", "Security code")]
        rows += [
            (demo.description, demo.email, DEMO_PASSWORD, demo.totp_secret, f"oathtool --totp -b {demo.totp_secret}")
            for demo, _ in seeded
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
        for index, row in enumerate(rows):
            self.stdout.write("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self._describe_access(access.invitation_url, access.access_request_created)
        published = ", ".join(alert.threat_id or "" for alert, _ in alerts)
        self.stdout.write(
            f"\nDemo alerts: {sum(1 for _, new in alerts if new)} published now ({published} in all); "
            f"demo responses: {sum(1 for _, new in responses if new)} of {len(responses)} given now."
        )
        if group is not None:
            self.stdout.write(
                f"Demo closed incident group: {group.name} ({'opened now' if group_created else 'already open'}), "
                f"at {settings.SITE_URL}{group.get_absolute_url()} for the CSOC and R0A/0DF demo users."
            )
        self.stdout.write(
            f"\nSign in at {settings.SITE_URL}/account/login/ with an email and the password, then enter the code "
            "from an authenticator app set up with the TOTP secret, or from the oathtool command."
        )

    def _describe_access(self, invitation_url: str | None, access_request_created: bool) -> None:
        earlier = "made on an earlier run"
        self.stdout.write("\nFor the R0A administrator to try, on Manage access:")
        self.stdout.write(f"  an invitation to {DEMO_INVITATION['email']}: {'made' if invitation_url else earlier}")
        self.stdout.write(
            f"  a request by {DEMO_ACCESS_REQUEST['requester']} to respond for R0A: "
            f"{'made' if access_request_created else earlier}"
        )
        if invitation_url:
            self.stdout.write(f"  accept the invitation, as {DEMO_INVITATION['full_name']}, at {invitation_url}")
