"""One scenario: publish an alert over HTTP, inject the fault mid-fan-out while people respond, wait for the
service to recover and the outbox to drain, then check and count (faulttest.checks)."""

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection

from faulttest.checks import Messages, Responses, check_responses, count_messages, from_database
from faulttest.faults import FAULTS
from faulttest.workload import Probe, Responders
from faulttest.world import World

# After the fault ends, people keep responding this long once the service has recovered: writes work again.
RESPONDING_AFTER_RECOVERY_SECONDS = 3


@dataclass
class Outcome:
    scenario: str
    messages: Messages
    responses: Responses
    recovered_s: float | None  # None: not within the scenario's time
    errors: int
    dropped: int
    unavailable: int
    extra: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def result_line(self) -> str:
        recovered = f"{self.recovered_s:.1f}" if self.recovered_s is not None else "never"
        extra = "".join(f" {key}={value:.1f}" for key, value in self.extra.items())
        return (
            f"RESULT scenario={self.scenario} expected={self.messages.expected} sent={self.messages.sent} "
            f"lost={self.messages.lost} late={self.messages.late} duplicates={self.messages.duplicates} "
            f"recovered_s={recovered} "
            f"responses_saved={self.responses.saved} responses_lost={self.responses.lost + self.responses.doubled} "
            f"half_written={self.responses.half_written} errors={self.errors} dropped={self.dropped} "
            f"unavailable={self.unavailable}{extra}"
        )


def responder_sessions(count: int) -> list[tuple[str, str]]:
    """A responder of each of the first `count` organisations (loadtest.dataset.build_people: 100 a one)."""
    from loadtest.dataset import session_cookie

    from respond.accounts.models import User

    sessions = []
    for n in range(count):
        user = User.objects.get(email=f"person{n * 100}@load.nhs.uk")
        sessions.append((f"L{n:04d}", session_cookie(user.pk)))
    return sessions


def run_scenario(world: World, name: str, options: dict, *, responders: int, drain: float) -> Outcome:
    from loadtest.dataset import approved_alert, publish_over_http

    from respond.alerts.models import Alert
    from respond.notifications.models import Notification, Status

    print(f"\n== {name}", flush=True)
    alert_id = from_database(lambda: approved_alert(f"Fault test: {name}", major_incident=False))
    web_urls = [web.url for web in world.webs]
    probe = Probe(web_urls).start()
    publish_over_http(web_urls[0], alert_id)
    threat_id = Alert.objects.get(pk=alert_id).threat_id
    expected = set(map(str, Notification.objects.filter(alert_id=alert_id).values_list("pk", flat=True)))
    print(f"  published {threat_id} to {len(expected)} addresses", flush=True)
    people = Responders(name, threat_id, web_urls, responder_sessions(responders), settings.SESSION_COOKIE_NAME)
    people.start()
    deadline = time.monotonic() + drain * 60

    def accepted() -> int:
        return sum(1 for reference in world.notify.references() if reference in expected)

    def wait_for(fraction: float) -> None:
        while accepted() < fraction * len(expected):
            if time.monotonic() > deadline:
                raise SystemExit(f"{name}: the fan-out never reached {fraction:.0%}")
            time.sleep(0.05)

    fault_ended = FAULTS[name](world, wait_for, options)
    connection.close()  # ours may have died with PostgreSQL
    recovered_at = wait_for_recovery(world, probe, fault_ended, expected, deadline, options)
    if recovered_at is not None:
        time.sleep(RESPONDING_AFTER_RECOVERY_SECONDS)
    people.stop()
    pending = Notification.objects.filter(alert_id=alert_id, status__in=[Status.QUEUED, Status.SENDING])
    while from_database(pending.exists) and time.monotonic() < deadline:
        time.sleep(0.5)
    probe.stop()

    messages = from_database(lambda: count_messages(alert_id, world.notify.references()))
    responses = from_database(lambda: check_responses(alert_id, people.attempts))
    outcomes = [attempt.outcome for attempt in people.attempts]
    outcome = Outcome(
        scenario=name,
        messages=messages,
        responses=responses,
        recovered_s=recovered_at - fault_ended if recovered_at is not None else None,
        errors=probe.outcomes["error"] + outcomes.count("error") + outcomes.count("invalid"),
        dropped=probe.outcomes["dropped"] + outcomes.count("dropped"),
        unavailable=probe.outcomes["unavailable"] + outcomes.count("unavailable"),
        extra={key: value for key, value in options.items() if key.endswith("_s")},
        problems=[*probe.errors[:5], *people.errors[:5]],
    )
    for problem in outcome.problems:
        print(f"  {problem}")
    return outcome


def wait_for_recovery(
    world: World, probe: Probe, since: float, expected: set[str], deadline: float, times: dict[str, float]
) -> float | None:
    """When every web process's /readyz answered 200 after `since` and Notify received this alert's messages again
    (or had them all); None if not before the deadline. Each one's seconds go in `times` (ready_s, sending_s)."""
    while time.monotonic() < deadline:
        if "ready_s" not in times and all(probe.ready.get(web.url, 0) > since for web in world.webs):
            times["ready_s"] = time.time() - since
        if "sending_s" not in times:
            resumed = [seen.at for seen in world.notify.requests if seen.at > since and seen.status == 201]
            if resumed:
                times["sending_s"] = min(resumed) - since
            elif all(world.notify.references().get(reference) for reference in expected):
                times["sending_s"] = 0.0
        if "ready_s" in times and "sending_s" in times:
            return since + max(times["ready_s"], times["sending_s"])
        time.sleep(0.1)
    return None


def totals_line(outcomes: list[Outcome], *, web_restarts: int, crashed: int, seconds: float) -> tuple[str, bool]:
    """The last line, and whether every goal was met."""
    total = {
        "expected": sum(o.messages.expected for o in outcomes),
        "sent": sum(o.messages.sent for o in outcomes),
        "lost": sum(o.messages.lost for o in outcomes),
        "late": sum(o.messages.late for o in outcomes),
        "duplicates": sum(o.messages.duplicates for o in outcomes),
        "responses_saved": sum(o.responses.saved for o in outcomes),
        "responses_lost": sum(o.responses.lost + o.responses.doubled for o in outcomes),
        "half_written": sum(o.responses.half_written for o in outcomes),
        "errors": sum(o.errors for o in outcomes),
        "dropped": sum(o.dropped for o in outcomes),
    }
    never = [o.scenario for o in outcomes if o.recovered_s is None]
    recovered = max((o.recovered_s or 0.0 for o in outcomes), default=0.0)
    met = (
        not never
        and web_restarts == 0
        and not any(total[key] for key in ("lost", "late", "duplicates", "responses_lost"))
    )
    met = met and not total["half_written"] and not total["errors"]
    figures = " ".join(f"{key}={value}" for key, value in total.items())
    line = (
        f"RESULT scenarios={len(outcomes)} {figures} recovered_s_max={recovered:.1f} "
        f"not_recovered={len(never)} web_restarts={web_restarts} crashed={crashed} seconds={seconds:.0f}"
    )
    return line, met
