"""The periodic-job scheduler (django-crontask), exactly one active however many are started: the others wait on
the lock (respond.core.scheduler_lock) and the first to take it after the active one dies carries on. An active
scheduler that loses the lock to another (after a database restart, or a Redis outage the other outlasted) stands
by again: it starts itself afresh, since crontask's scheduler cannot be started twice in one process."""

import os
import sys
import time
from typing import Any

from crontask import utils as crontask_utils
from django.core.management import call_command
from django.core.management.base import BaseCommand

from respond.core.scheduler_lock import HeldLock, scheduler_lock

STANDBY_POLL_SECONDS = 2.0


class Command(BaseCommand):
    help = "Run the periodic-job scheduler; a second one started waits as a standby."
    # Like the web process, a long-running role starts without Django's system checks (about 3 s of CPU a start,
    # most of it importing every view for the URL checks): `migrate` runs them once per release, before any starts.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        lock = scheduler_lock()
        announced = False
        while not lock.try_acquire():
            if not announced:
                self.stdout.write("Standing by: another scheduler is active.", ending="\n")
                self.stdout.flush()
                announced = True
            time.sleep(STANDBY_POLL_SECONDS)
        self.stdout.write("Scheduler lock taken.")
        self.stdout.flush()
        # crontask's command takes `crontask.utils.lock` as its lock: it is ours, already held.
        held = HeldLock(lock)
        crontask_utils.lock = held  # type: ignore[assignment]
        # Our heartbeat (respond.core.tasks) goes on the periodic jobs' queue; crontask's own would wait behind
        # delivery.
        call_command("crontask", no_heartbeat=True)
        if held.lost:
            self.stdout.write("Scheduler lock lost: standing by again.")
            self.stdout.flush()
            os.execv(sys.executable, [sys.executable, *sys.argv])  # noqa: S606 - this command, afresh
