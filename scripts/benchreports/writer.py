"""The incident case: a thread recording responses continuously (about 20 a second), through the services, while
the pages are timed."""

import random
import threading
import time
from datetime import timedelta

WRITES_PER_SECOND = 20.0


class Writer(threading.Thread):
    """Acknowledges, or records "in progress", for organisations of published alerts, as each organisation's
    administrator, at a steady rate, until stopped. The national alert gets half of the writes."""

    def __init__(self, rate: float = WRITES_PER_SECOND, seed: int = 16) -> None:
        super().__init__(daemon=True)
        self.rate, self.rng = rate, random.Random(seed)
        self.stopping = threading.Event()
        self.writes = self.refused = 0
        self.seconds = 0.0
        self.pairs = self._pairs()
        self.error: BaseException | None = None

    @staticmethod
    def _pairs() -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(response id, administrator's user id): of the national alert, and of the other published alerts."""
        from django.db.models import Count

        from respond.accounts.models import Membership, Role
        from respond.alerts.models import Alert, AlertStatus
        from respond.responses.models import Response

        admins = dict(Membership.objects.filter(role=Role.ADMINISTRATOR).values_list("organisation_id", "user_id"))
        published = Alert.objects.filter(status=AlertStatus.PUBLISHED, response_required=True)
        national = published.annotate(n=Count("organisations")).order_by("-n").values_list("pk", flat=True).first()
        rows = Response.objects.filter(alert__in=published).values_list("pk", "organisation_id", "alert_id")
        big, other = [], []
        for pk, organisation_id, alert_id in rows:
            if organisation_id in admins:
                (big if alert_id == national else other).append((pk, admins[organisation_id]))
        return big, other

    def write_one(self) -> None:
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        from respond.accounts.models import User
        from respond.core.audit import Auditor
        from respond.responses import services
        from respond.responses.answers import Answers
        from respond.responses.models import Response, ResponseStatus

        big, other = self.pairs
        response_id, user_id = self.rng.choice(big if big and (self.rng.random() < 0.5 or not other) else other)
        response = Response.objects.select_related("alert", "organisation").get(pk=response_id)
        user = User.objects.get(pk=user_id)
        auditor = Auditor.for_user(user)
        try:
            if response.status == ResponseStatus.NOT_ACKNOWLEDGED:
                services.response_acknowledge(response=response, user=user, version=response.version, auditor=auditor)
            else:
                today = timezone.localdate()
                answers = Answers(
                    actions="Patching the affected servers",
                    expected_completion_on=today + timedelta(days=14),
                    next_update_due_on=today + timedelta(days=7),
                )
                services.response_update(
                    response=response,
                    user=user,
                    version=response.version,
                    status=ResponseStatus.IN_PROGRESS,
                    answers=answers,
                    auditor=auditor,
                )
            self.writes += 1
        except (ValidationError, services.ConflictError):
            self.refused += 1

    def run(self) -> None:
        from django.db import connection

        started = time.perf_counter()
        try:
            while not self.stopping.is_set():
                due = started + (self.writes + self.refused) / self.rate
                self.stopping.wait(max(0.0, due - time.perf_counter()))
                if not self.stopping.is_set():
                    self.write_one()
        except BaseException as error:
            self.error = error
        finally:
            self.seconds = time.perf_counter() - started
            connection.close()

    def stop(self) -> float:
        """Stops, and says how many writes a second were made."""
        self.stopping.set()
        self.join(30)
        if self.error is not None:
            raise SystemExit(f"The writer thread failed: {self.error!r}")
        return self.writes / self.seconds if self.seconds else 0.0
