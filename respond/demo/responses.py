"""Demo responses for `make run`, so the dashboards have something to show: every state, written through the real
services by the demo users (respond.demo.accounts), after the demo alerts (respond.demo.alerts) exist.

- the oldest demo alert is moved back five days, so its window has closed: R0A acknowledged it late, RNZ has not
  (overdue), and RD1 and RN3 received a bulk response from the CSU 0DF responder;
- the others are fresh: R0A acknowledged in time and completed one, found another not applicable, has yet to
  acknowledge a third; the CSU responder recorded "unable to implement" (with a review date) for RD1, an update
  in progress for RN3, and a bulk "not applicable" for RD1, RN3 and RNZ;
- the one R0A completed then gets its update asking for a new acknowledgement (respond.demo.alerts holds it back
  until now): the CSU responder acknowledges it for RD1 and RN3 in bulk, and R0A still owes it.

Safe to run again: a response that already has history is left alone, and so is an update already added or
acknowledged.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from respond.accounts.models import User
from respond.alerts.models import Alert, AlertStatus
from respond.core.audit import Auditor
from respond.demo.alerts import demo_alerts, missing_deferred_updates, seed_demo_updates
from respond.organisations.models import Organisation
from respond.responses import services
from respond.responses.answers import Answers
from respond.responses.models import NotApplicableReason, Response, ResponseStatus
from respond.responses.summaries import alert_figures_change

ADMIN = "admin@r0a.demo.invalid"
RESPONDER = "responder@r0a.demo.invalid"
LEAD = "responder@0df.demo.invalid"
AGED_BY = timedelta(days=5)


class DemoResponsesError(Exception):
    pass


def _not_responded(alert: Alert, responses: list[Response]) -> bool:
    return not any(response.version > 0 for response in responses)


def _update_not_added(alert: Alert, responses: list[Response]) -> bool:
    return bool(missing_deferred_updates(alert))


def _owing_reacknowledgement(alert: Alert, responses: list[Response]) -> bool:
    return all(response.owes_reacknowledgement for response in responses)


@dataclass(frozen=True)
class Step:
    description: str
    alert_index: int
    ods_codes: tuple[str, ...]
    apply: Callable[[Alert, list[Response], dict[str, User]], object]
    # Whether the step is still to do: by default, while none of its responses has history.
    pending: Callable[[Alert, list[Response]], bool] = _not_responded


def _acknowledge(email: str) -> Callable[[Alert, list[Response], dict[str, User]], object]:
    def apply(alert: Alert, responses: list[Response], users: dict[str, User]) -> object:
        user = users[email]
        return services.response_acknowledge(
            response=responses[0], user=user, version=responses[0].version, auditor=Auditor.for_user(user)
        )

    return apply


def _update(email: str, status: str, **answers: object) -> Callable[[Alert, list[Response], dict[str, User]], object]:
    def apply(alert: Alert, responses: list[Response], users: dict[str, User]) -> object:
        user = users[email]
        response = Response.objects.select_related("alert", "organisation").get(pk=responses[0].pk)
        return services.response_update(
            response=response,
            user=user,
            version=response.version,
            status=status,
            answers=Answers(**answers),  # type: ignore[arg-type]
            auditor=Auditor.for_user(user),
        )

    return apply


def _bulk(email: str, status: str, **answers: object) -> Callable[[Alert, list[Response], dict[str, User]], object]:
    def apply(alert: Alert, responses: list[Response], users: dict[str, User]) -> object:
        user = users[email]
        return services.bulk_response_submit(
            user=user,
            alert=alert,
            organisations=[response.organisation for response in responses],
            status=status,
            answers=Answers(**answers),  # type: ignore[arg-type]
            auditor=Auditor.for_user(user),
        )

    return apply


def _then(*steps: Callable[[Alert, list[Response], dict[str, User]], object]) -> Callable[..., object]:
    def apply(alert: Alert, responses: list[Response], users: dict[str, User]) -> object:
        for step in steps:
            step(alert, responses, users)
        return None

    return apply


def demo_steps() -> list[Step]:
    today = timezone.localdate()
    return [
        Step("R0A acknowledged late", 0, ("R0A",), _acknowledge(RESPONDER)),
        Step(
            "RD1 and RN3: bulk acknowledgement by the CSU, late", 0, ("RD1", "RN3"), _bulk(LEAD, services.ACKNOWLEDGE)
        ),
        Step(
            "R0A acknowledged in time, then complete",
            1,
            ("R0A",),
            _then(
                _acknowledge(ADMIN),
                _update(
                    RESPONDER,
                    ResponseStatus.COMPLETE,
                    completed_on=today,
                    completion_summary="Upgraded both brokers to 5.18.3 and checked the logs for the indicators.",
                ),
            ),
        ),
        Step(
            "RD1 and RN3: bulk acknowledgement by the CSU, in time",
            1,
            ("RD1", "RN3"),
            _bulk(LEAD, services.ACKNOWLEDGE),
        ),
        Step(
            "An update asking R0A, RD1 and RN3, who acknowledged, to acknowledge again",
            1,
            ("R0A", "RD1", "RN3"),
            lambda alert, responses, users: seed_demo_updates(alert=alert),
            pending=_update_not_added,
        ),
        Step(
            "RD1 and RN3: the update acknowledged in bulk by the CSU; R0A still owes it",
            1,
            ("RD1", "RN3"),
            _bulk(LEAD, services.REACKNOWLEDGE),
            pending=_owing_reacknowledgement,
        ),
        Step(
            "R0A: not applicable",
            2,
            ("R0A",),
            _update(RESPONDER, ResponseStatus.NOT_APPLICABLE, not_applicable_reason=NotApplicableReason.NOT_IN_USE),
        ),
        Step(
            "RD1: unable to implement, to be reviewed in 30 days",
            2,
            ("RD1",),
            _update(
                LEAD,
                ResponseStatus.UNABLE_TO_IMPLEMENT,
                unable_reason="The supplier of the pathology system has not certified the fixed version yet.",
                mitigations="The affected server is reachable only from the pathology network, with extra logging.",
                risk_owner="Sam Patel, Senior Information Risk Owner (SIRO)",
                review_on=today + timedelta(days=30),
            ),
        ),
        Step(
            "RN3: acknowledged, then in progress",
            2,
            ("RN3",),
            _then(
                _acknowledge(LEAD),
                _update(
                    LEAD,
                    ResponseStatus.IN_PROGRESS,
                    actions="Testing the vendor's fix on the staging environment before the change board.",
                    expected_completion_on=today + timedelta(days=7),
                    next_update_due_on=today + timedelta(days=2),
                ),
            ),
        ),
        Step(
            "RD1, RN3 and RNZ: bulk not applicable by the CSU",
            3,
            ("RD1", "RN3", "RNZ"),
            _bulk(LEAD, ResponseStatus.NOT_APPLICABLE, not_applicable_reason=NotApplicableReason.PATCHED_BEFORE),
        ),
    ]


def _demo_alerts() -> list[Alert]:
    titles = [demo.content.title for demo in demo_alerts()]
    return list(
        Alert.objects.filter(title__in=titles, status=AlertStatus.PUBLISHED, response_required=True).order_by(
            "published_at", "pk"
        )
    )


def _age(alert: Alert) -> None:
    """Moves a demo alert's publication back, once and before anyone responded, so that its window has closed."""
    target = timezone.now() - AGED_BY
    if alert.published_at and alert.published_at > target and not alert.responses.filter(version__gt=0).exists():
        with alert_figures_change(alert):  # its delays are counted from its publication
            Alert.objects.filter(pk=alert.pk).update(published_at=target)
        alert.refresh_from_db()


def seed_demo_responses() -> list[tuple[str, bool]]:
    """Each demo step, and whether it was applied now (False: that response already had history)."""
    alerts = _demo_alerts()
    steps = demo_steps()
    needed = max(step.alert_index for step in steps) + 1
    if len(alerts) < needed:
        raise DemoResponsesError(f"Demo responses need {needed} published demo alerts: seed the demo alerts first.")
    users = {
        user.email: user
        for user in User.objects.filter(email__in=[ADMIN, RESPONDER, LEAD]).select_related("organisation")
    }
    if len(users) < 3:
        raise DemoResponsesError("Demo responses need the demo users: seed them first.")
    _age(alerts[0])
    # Every organisation asked to respond has a response, "not yet acknowledged" until it does.
    for alert in alerts:
        services.open_missing_responses(alert=alert)
    done: list[tuple[str, bool]] = []
    for step in steps:
        alert = alerts[step.alert_index]
        organisations = Organisation.objects.filter(ods_code__in=step.ods_codes)
        responses = list(
            Response.objects.filter(alert=alert, organisation__in=organisations)
            .select_related("alert", "organisation")
            .order_by("organisation__ods_code")
        )
        if len(responses) != len(step.ods_codes) or not step.pending(alert, responses):
            done.append((step.description, False))
            continue
        with transaction.atomic():
            step.apply(alert, responses, users)
        done.append((step.description, True))
    return done
