"""The summary rows the reports read (respond.responses.summaries) are kept right by every write, in its own
transaction: after a random mix of writes through every service that writes responses, or changes what their
figures depend on, they are exactly what rebuild_summaries works out from the responses; and two writers at once
never lose each other's increments (PostgreSQL)."""

import random
import threading
from collections import Counter, defaultdict
from datetime import timedelta
from functools import partial

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from respond.accounts.models import Role
from respond.alerts.models import RELEASED_STATUSES, Alert, Severity
from respond.core.audit import Auditor
from respond.organisations.models import OrganisationType
from respond.publication import services as publication
from respond.reports.over_time import _figures_elsewhere
from respond.reports.over_time_filters import ALL, BY_REGION, BY_TYPE, OverTimeFilters, month_start
from respond.reports.over_time_summaries import figures_from_summaries
from respond.reports.statistics import Medians
from respond.responses import services, summaries
from respond.responses.answers import Answers
from respond.responses.models import NotApplicableReason, Response, ResponseStatus
from respond.responses.summary_models import AlertCounts, DelayKind, Grouping, MonthCounts, MonthDelays, MonthMedians
from respond.responses.tasks import move_organisations_figures
from tests.factories import MembershipFactory, OrganisationFactory, RegionFactory, global_user, member
from tests.reports.reference_medians import median_of_counts
from tests.responses.conftest import make_alert

pytestmark = pytest.mark.django_db

STATUSES = [
    ResponseStatus.IN_PROGRESS,
    ResponseStatus.COMPLETE,
    ResponseStatus.NOT_APPLICABLE,
    ResponseStatus.UNABLE_TO_IMPLEMENT,
]


def answers_for(status):
    """Valid answers to the status's questions, today."""
    today = timezone.localdate()
    return {
        ResponseStatus.IN_PROGRESS: Answers(
            actions="Patching", expected_completion_on=today + timedelta(days=9), next_update_due_on=today
        ),
        ResponseStatus.COMPLETE: Answers(completed_on=today, completion_summary="Patched"),
        ResponseStatus.NOT_APPLICABLE: Answers(not_applicable_reason=NotApplicableReason.NOT_IN_USE),
        ResponseStatus.UNABLE_TO_IMPLEMENT: Answers(
            unable_reason="No fix", mitigations="Isolated", risk_owner="SIRO", review_on=today + timedelta(days=30)
        ),
    }.get(status, Answers())


def organisations(count):
    regions = [RegionFactory(code=f"Y5{number}", name=f"Region {number}") for number in range(3)]
    types = [OrganisationType.NHS_TRUST, OrganisationType.FOUNDATION_TRUST, OrganisationType.CSU]
    return [
        OrganisationFactory(
            ods_code=f"S{number:03d}",
            organisation_type=types[number % 3],
            region=regions[number % 4] if number % 4 < 3 else None,
        )
        for number in range(count)
    ]


def responder_for(orgs):
    person = member(orgs[0], Role.RESPONDER, email="sam@summaries.nhs.uk")
    for organisation in orgs[1:]:
        MembershipFactory(user=person, organisation=organisation, role=Role.RESPONDER)
    return person


def submit_one(rng, response, person):
    """Acknowledges, or records a status, for one organisation, as a person would."""
    response.refresh_from_db()
    auditor = Auditor.for_user(person)
    if response.status == ResponseStatus.NOT_ACKNOWLEDGED and rng.random() < 0.6:
        services.response_acknowledge(response=response, user=person, version=response.version, auditor=auditor)
        return
    status = rng.choice(STATUSES)
    services.response_update(
        response=response,
        user=person,
        version=response.version,
        status=status,
        answers=answers_for(status),
        auditor=auditor,
    )


def assert_over_time_reads_what_the_responses_give(at_least=10):
    """Compliance over time read from the summaries: the counts the responses give, and the medians of their
    delays in whole minutes (worked out here from the responses, one by one)."""
    filters = OverTimeFilters()
    counts, medians = figures_from_summaries(filters)
    assert counts == _figures_elsewhere(filters)[0]
    delays = defaultdict(list)
    reported = Response.objects.filter(
        organisation__alerts=F("alert"), alert__status__in=RELEASED_STATUSES, alert__response_required=True
    ).select_related("alert", "organisation__region")
    for response in reported:
        published = response.alert.published_at
        month = month_start(timezone.localtime(published))
        region = response.organisation.region.name if response.organisation.region else None
        keys = [
            (ALL, month, None),
            (BY_REGION, month, region),
            (BY_TYPE, month, response.organisation.organisation_type),
        ]
        for key in keys:
            if response.acknowledged_at:
                delays[key, "a"].append((response.acknowledged_at - published) // timedelta(minutes=1))
            if response.status == ResponseStatus.COMPLETE:
                delays[key, "c"].append((response.closed_at - published) // timedelta(minutes=1))
    expected = {
        key: Medians(
            median_of_counts(Counter(delays[key, "a"]).items()), median_of_counts(Counter(delays[key, "c"]).items())
        )
        for key in {key for key, _kind in delays}
    }
    assert medians == expected
    assert len(expected) > at_least


def change_alert(alert, change):
    """A change to an alert's scope or responses made outside the services (no service takes an organisation out
    of scope or deletes a response), inside alert_figures_change, as any such change must be."""
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        with summaries.alert_figures_change(locked):
            change()


def test_maintained_summaries_are_what_the_responses_add_up_to_after_a_random_mix_of_writes():
    rng = random.Random(16)
    orgs = organisations(12)
    person = responder_for(orgs)
    csoc = global_user("csoc")
    start = timezone.now() - timedelta(days=70)
    alerts = []
    for number in range(5):
        with time_machine.travel(start + timedelta(days=14 * number), tick=False):
            scope = rng.sample(orgs, rng.randint(4, 12))
            severity = Severity.MEDIUM if number in (1, 3) else Severity.HIGH
            alerts.append(make_alert(organisations=scope, severity=severity))
    done = Counter()
    for step in range(120):
        alert = rng.choice(alerts)
        alert.refresh_from_db()
        if alert.status != "published":
            continue
        roll = rng.random()
        with time_machine.travel(alert.published_at + timedelta(hours=rng.uniform(1, 120)), tick=False):
            in_scope = Response.objects.filter(alert=alert, organisation__alerts=alert)
            responses = list(in_scope.select_related("alert", "organisation"))
            if roll < 0.55:
                submit_one(rng, rng.choice(responses), person)
                done["single"] += 1
            elif roll < 0.8:
                chosen = rng.sample(responses, rng.randint(1, len(responses)))
                status = rng.choice([services.ACKNOWLEDGE, *STATUSES])
                if status == services.ACKNOWLEDGE:
                    chosen = [r for r in chosen if r.status == ResponseStatus.NOT_ACKNOWLEDGED] or None
                if chosen:
                    done["bulk"] += 1
                    services.bulk_response_submit(
                        user=person,
                        alert=alert,
                        organisations=[r.organisation for r in chosen],
                        status=status,
                        answers=answers_for(status),
                        auditor=Auditor.for_user(person),
                    )
            elif roll < 0.87:
                done["update"] += 1
                publication.threat_update_add(
                    alert=alert,
                    text=f"Update {step}",
                    requires_reacknowledgement=True,
                    added_by=csoc,
                    auditor=Auditor.for_user(csoc),
                )
            elif roll < 0.95 and alert.severity == Severity.MEDIUM:
                done["severity"] += 1
                publication.alert_change_severity(
                    alert=alert,
                    severity=Severity.HIGH,
                    reason="Exploited",
                    changed_by=csoc,
                    auditor=Auditor.for_user(csoc),
                )
            elif roll < 0.96 and len(responses) > 1:
                done["left scope"] += 1
                leaving = rng.choice(responses).organisation
                change_alert(alert, partial(alert.organisations.remove, leaving))
            elif roll < 0.975 and (unanswered := [r for r in responses if not r.entries.exists()]):
                done["deleted"] += 1  # a response with history is never deleted (history is append-only)
                gone = rng.choice(unanswered)
                change_alert(alert, gone.delete)
            elif roll < 0.98:
                done["withdrawn"] += 1
                publication.alert_withdraw(
                    alert=alert, reason="Sent in error", withdrawn_by=csoc, auditor=Auditor.for_user(csoc)
                )
            else:
                done["reopened"] += services.expire_unable_to_implement(now=timezone.now() + timedelta(days=90))
    assert set(done) == {"single", "bulk", "update", "severity", "left scope", "deleted", "withdrawn", "reopened"}, done
    assert summaries.differences() == []
    services.open_missing_responses()  # as the sweep does: a deleted response of an organisation in scope comes back
    assert summaries.differences() == []
    assert_over_time_reads_what_the_responses_give(at_least=5)
    maintained = summaries.stored()
    assert all(maintained[model] for model in summaries.SUMMARIES)
    call_command("rebuild_summaries")
    assert summaries.stored() == maintained
    call_command("rebuild_summaries", "--check")


def test_the_check_says_when_the_summaries_differ(trust_a, trust_b):
    make_alert(organisations=[trust_a, trust_b])
    call_command("rebuild_summaries", "--check")
    AlertCounts.objects.update(in_scope=5)  # as a write that bypassed the services would leave them
    with pytest.raises(CommandError, match="differ"):
        call_command("rebuild_summaries", "--check")
    call_command("rebuild_summaries")
    assert summaries.differences() == []


@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_lose_no_increment():
    """Two bulk responses for different organisations of the same alert, and single responses, at the same time:
    their increments land on the same summary rows, and every one counts."""
    if connection.vendor != "postgresql":
        pytest.skip("Truly concurrent transactions need PostgreSQL: SQLite lets one writer in at a time")
    orgs = organisations(40)
    for organisation in orgs:  # one type and region, so that every write adds to the same rows
        organisation.organisation_type, organisation.region = OrganisationType.NHS_TRUST, None
        organisation.save()
    person = responder_for(orgs)
    alert = make_alert(organisations=orgs)
    halves = [orgs[0:20:2] + orgs[20:30], orgs[1:20:2] + orgs[30:40]]
    ready = threading.Barrier(2)
    errors = []

    def write(half):
        try:
            ready.wait(5)
            for chunk in (half[:5], half[5:10]):
                services.bulk_response_submit(
                    user=person,
                    alert=alert,
                    organisations=chunk,
                    status=services.ACKNOWLEDGE,
                    answers=Answers(),
                    auditor=Auditor.for_user(person),
                )
            for organisation in half[10:]:
                response = Response.objects.select_related("alert").get(alert=alert, organisation=organisation)
                services.response_acknowledge(
                    response=response, user=person, version=response.version, auditor=Auditor.for_user(person)
                )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(half,)) for half in halves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert AlertCounts.objects.get(alert=alert).acknowledged == 40
    # The rows every writer adds to, for every organisation.
    everyone = MonthDelays.objects.filter(grouping=Grouping.ALL, kind=DelayKind.ACKNOWLEDGE)
    assert everyone.aggregate(total=Sum("count"))["total"] == 40
    assert MonthCounts.objects.get(grouping=Grouping.ALL).acknowledged == 40
    assert MonthMedians.objects.get(grouping=Grouping.ALL, kind=DelayKind.ACKNOWLEDGE).total == 40
    assert summaries.differences() == []


@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_keep_the_middle_delays_exact():
    """Writers of the same months' groups at once, with delays of many lengths (alerts published minutes apart):
    each moves the middle delays from where the other left them, and the medians are those of every delay."""
    if connection.vendor != "postgresql":
        pytest.skip("Truly concurrent transactions need PostgreSQL: SQLite lets one writer in at a time")
    orgs = organisations(24)
    person = responder_for(orgs)
    now = timezone.now()
    alerts = [make_alert(organisations=orgs, published_at=now - timedelta(minutes=7 * n + 1)) for n in range(6)]
    pairs = [(alert, organisation) for alert in alerts for organisation in orgs]
    random.Random(16).shuffle(pairs)
    ready = threading.Barrier(2)
    errors = []

    def write(half):
        try:
            ready.wait(5)
            for index in range(0, len(half), 6):
                chunk = half[index : index + 6]
                if index % 12:
                    for alert, organisation in chunk:
                        response = Response.objects.select_related("alert").get(alert=alert, organisation=organisation)
                        services.response_acknowledge(
                            response=response, user=person, version=response.version, auditor=Auditor.for_user(person)
                        )
                    continue
                by_alert = defaultdict(list)
                for alert, organisation in chunk:
                    by_alert[alert].append(organisation)
                for alert, chosen in by_alert.items():
                    services.bulk_response_submit(
                        user=person,
                        alert=alert,
                        organisations=chosen,
                        status=services.ACKNOWLEDGE,
                        answers=Answers(),
                        auditor=Auditor.for_user(person),
                    )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(pairs[number::2],)) for number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    acknowledged = MonthMedians.objects.filter(grouping=Grouping.ALL, kind=DelayKind.ACKNOWLEDGE)
    assert acknowledged.aggregate(total=Sum("total"))["total"] == len(pairs)
    assert summaries.differences() == []
    assert_over_time_reads_what_the_responses_give(at_least=5)


def acknowledge_all(alert, orgs):
    person = responder_for(orgs)
    for organisation in orgs:
        response = Response.objects.select_related("alert").get(alert=alert, organisation=organisation)
        services.response_acknowledge(
            response=response, user=person, version=response.version, auditor=Auditor.for_user(person)
        )


def test_the_figures_of_organisations_that_moved_follow_them_and_only_theirs_are_read(trust_a, trust_b):
    alert = make_alert(organisations=[trust_a, trust_b])
    acknowledge_all(alert, [trust_a, trust_b])
    assert move_organisations_figures.call() == 0  # nobody moved: one query
    trust_a.organisation_type = OrganisationType.CSU
    trust_a.save()  # as an ODS import does: the organisation alone changes
    assert summaries.differences() != []  # still counted as a trust until moved
    with CaptureQueriesContext(connection) as captured:
        assert move_organisations_figures.call() == 1
    read = [query["sql"] for query in captured if 'FROM "responses_response"' in query["sql"]]
    assert read
    assert all(f'"organisation_id" IN ({trust_a.pk})' in query for query in read)  # trust_b's are not read
    assert summaries.differences() == []
    assert move_organisations_figures.call() == 0


def test_a_region_renamed_to_another_regions_name_moves_its_organisations_into_that_group():
    first, second = RegionFactory(code="Y81", name="North"), RegionFactory(code="Y82", name="South")
    orgs = [OrganisationFactory(ods_code="N1", region=first), OrganisationFactory(ods_code="S1", region=second)]
    alert = make_alert(organisations=orgs)
    acknowledge_all(alert, orgs)
    second.name = first.name
    second.save()
    assert summaries.differences() != []  # the later region's organisations now count in the first one's group
    assert move_organisations_figures.call() == 1
    assert summaries.differences() == []


def test_a_new_organisation_and_its_first_response_need_no_move(trust_a):
    newcomer = OrganisationFactory()
    alert = make_alert(organisations=[trust_a, newcomer])
    acknowledge_all(alert, [newcomer])
    assert move_organisations_figures.call() == 0
    assert summaries.differences() == []


@pytest.mark.django_db(transaction=True)
def test_moving_an_organisation_while_its_responses_are_written_loses_nothing():
    """PostgreSQL: a move and response writes of the same organisation at the same moment."""
    if connection.vendor != "postgresql":
        pytest.skip("Truly concurrent transactions need PostgreSQL: SQLite lets one writer in at a time")
    orgs = organisations(30)
    person = responder_for(orgs)
    alerts = [make_alert(organisations=orgs) for _ in range(3)]
    for organisation in orgs:
        organisation.organisation_type = OrganisationType.CSU
        organisation.save()
    ready = threading.Barrier(2)
    errors = []

    def move():
        try:
            ready.wait(5)
            move_organisations_figures.call()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    def write():
        try:
            ready.wait(5)
            for alert in alerts:
                services.bulk_response_submit(
                    user=person,
                    alert=alert,
                    organisations=orgs,
                    status=services.ACKNOWLEDGE,
                    answers=Answers(),
                    auditor=Auditor.for_user(person),
                )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=move), threading.Thread(target=write)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    move_organisations_figures.call()  # any the first move did not see
    assert summaries.differences() == []
    assert (
        AlertCounts.objects.filter(organisation_type=OrganisationType.CSU).aggregate(n=Sum("acknowledged"))["n"] == 90
    )
