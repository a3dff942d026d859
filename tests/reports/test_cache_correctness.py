"""Cached pages are correct by construction (respond.core.versions): the database raises the versions of whatever
a write changes, so a page shows every write at once, however it was written.

Which tables feed the cache is read, not listed by hand: every cached fragment (and cached value) is rendered
afresh while its queries are captured, and each table they read must have version triggers. Then each of those
tables is written in every way the ORM allows (and by raw SQL), and after each write the pages given from the
cache must be the pages worked out afresh, and show the change."""

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from itertools import count

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Model, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from respond.alerts.models import (
    Alert,
    AlertStatus,
    AlertVersion,
    RemediationStep,
    RemediationType,
    Severity,
    ThreatUpdate,
    Tlp,
)
from respond.core.models import DataVersion
from respond.core.version_triggers import tables_raising_versions
from respond.exchange import taxii_objects
from respond.exchange.models import BuiltStixObjects, KeptStixObject
from respond.organisations.models import Organisation, OrganisationType, Region
from respond.reports import views as report_views
from respond.reports.services import reported_years
from respond.responses.models import Response, ResponseStatus
from respond.responses.summary_models import AlertCounts, AlertDelays, DelayKind
from respond.responses.views import dashboard
from tests.reports.conftest import Compliance
from tests.responses.conftest import response_of

pytestmark = pytest.mark.django_db
ScopeLink = Alert.organisations.through
# The versions themselves, and the database cache's table: read while rendering, but not what a page shows.
NOT_DATA = {DataVersion._meta.db_table, settings.CACHES["default"]["LOCATION"]}
# Compliance over time is not versioned: worked out at most every five minutes, as the page says.
NOT_VERSIONED = {"_over_time_content.html"}


# Which tables the cached fragments read ----------------------------------------------------------------------------


def tables_in(queries: list[dict[str, str]]) -> set[str]:
    known = set(connection.introspection.table_names())
    return {name for query in queries for name in re.findall(r'"([a-z0-9_]+)"', query["sql"]) if name in known}


@pytest.fixture
def fragment_tables(monkeypatch) -> dict[str, set[str]]:
    """{kind of fragment: the tables read while rendering it}, for the fragments rendered while it is in use."""
    read: dict[str, set[str]] = {}

    def wrap(real: Callable) -> Callable:
        def capturing(kind: str, state: object, render: Callable[[], str]):
            def traced() -> str:
                with CaptureQueriesContext(connection) as queries:
                    html = render()
                read.setdefault(kind, set()).update(tables_in(queries.captured_queries))
                return html

            return real(kind, state, traced)

        return capturing

    monkeypatch.setattr(report_views, "cached_fragment", wrap(report_views.cached_fragment))
    monkeypatch.setattr(dashboard, "cached_fragment", wrap(dashboard.cached_fragment))
    real_built = taxii_objects._built

    def built(alerts: list[Alert]) -> dict:
        with CaptureQueriesContext(connection) as queries:
            objects = real_built(alerts)
        read.setdefault("stix-objects", set()).update(tables_in(queries.captured_queries))
        return objects

    monkeypatch.setattr(taxii_objects, "_built", built)
    return read


def stix_entries() -> list[taxii_objects.Entry]:
    """Every object of a collection of all the alerts, as TAXII serves them (made fresh first)."""
    entries, _ = taxii_objects.CollectionObjects(Alert.objects.all()).page(taxii_objects.Selection(), limit=10**6)
    return entries


def pages(compliance: Compliance) -> list[str]:
    return [
        reverse("home"),
        reverse("reports:index"),
        reverse("reports:index") + "?severity=high",
        reverse("reports:alert", args=[compliance.x.threat_id]),
        reverse("reports:alert", args=[compliance.x.threat_id]) + "?show=late",
        reverse("reports:alert", args=[compliance.z.threat_id]),
        reverse("reports:organisation", args=[compliance.trust_a.ods_code]),
        reverse("reports:organisation", args=[compliance.trust_a.ods_code]) + "?show=exceptions",
    ]


def test_every_table_a_cached_page_reads_raises_versions(compliance, signed_in, auditor, fragment_tables):
    reader, responder = signed_in(auditor), signed_in(compliance.responder)
    for url in [*pages(compliance), reverse("reports:over_time")]:
        assert (responder if url == reverse("home") else reader).get(url).status_code == 200
    stix_entries()
    assert set(fragment_tables) == {
        "stix-objects",
        "your-alerts",
        "_index_content.html",
        "_alert_content.html",
        "_organisation_content.html",
        "_over_time_content.html",
    }
    with CaptureQueriesContext(connection) as queries:
        reported_years()  # cached on its own, for the filter's choices
    read = set().union(*(tables for kind, tables in fragment_tables.items() if kind not in NOT_VERSIONED))
    read |= tables_in(queries.captured_queries)
    raising = tables_raising_versions(connection)
    assert read - NOT_DATA - raising == set(), "a cached page reads tables whose writes raise no version"
    assert {subject.model._meta.db_table for subject in SUBJECTS} == raising  # each is written below


# Writing each of them in every way ---------------------------------------------------------------------------------

numbers = count(1)


@dataclass(frozen=True)
class Subject:
    """A model whose table raises versions: a row of it the pages show, how to change it so that they show
    the change, and a new row that they show (or that no page shows: an organisation in scope of nothing)."""

    model: type[Model]
    existing: Callable[[Compliance], Model]
    change: Callable[[Model, Compliance], list[str]]  # changes the row in memory; the fields it changed
    new: Callable[[Compliance], Model]
    new_is_shown: bool = True


def _response_change(response: Response, compliance: Compliance) -> list[str]:
    statuses = [ResponseStatus.IN_PROGRESS, ResponseStatus.NOT_APPLICABLE, ResponseStatus.UNABLE_TO_IMPLEMENT]
    response.status = next(status for status in statuses if status != response.status)
    response.version += 1
    return ["status", "version"]


def _new_response(compliance: Compliance) -> Response:
    # Trust B is not in scope of alert Z, yet a response row shows in its history and on "Your alerts".
    return Response(alert=compliance.z, organisation=compliance.trust_b, status=ResponseStatus.IN_PROGRESS)


def _rename(field: str) -> Callable[[Model, Compliance], list[str]]:
    def change(row: Model, compliance: Compliance) -> list[str]:
        setattr(row, field, f"{getattr(row, field).split(' #')[0]} #{next(numbers)}")
        return [field]

    return change


def _new_alert(compliance: Compliance) -> Alert:
    return Alert(
        threat_id=f"CC-{next(numbers) + 9000}",
        title=f"Newly published alert {next(numbers)}",
        severity=Severity.HIGH,
        tlp=Tlp.CLEAR,
        short_summary="A flaw.",
        summary="A flaw.",
        status=AlertStatus.PUBLISHED,
        published_at=timezone.now() - timedelta(minutes=5),
        response_required=True,
        created_by=compliance.x.created_by,
        published_by=compliance.x.created_by,
    )


def _move_link(link: Model, compliance: Compliance) -> list[str]:
    """Alert Z's one organisation in scope becomes another (never Trust A: see SUBJECTS)."""
    others = [compliance.trust_b, compliance.icb]
    link.organisation_id = next(o.pk for o in others if o.pk != link.organisation_id)  # type: ignore[attr-defined]
    return ["organisation_id"]


def _counts_change(counts: AlertCounts, compliance: Compliance) -> list[str]:
    counts.in_scope += 7
    return ["in_scope"]


def _delays_change(delays: AlertDelays, compliance: Compliance) -> list[str]:
    # Enough responses at a new delay that the median is that delay.
    delays.minutes, delays.count = 100_000 + 1440 * next(numbers), 1_000
    return ["minutes", "count"]


def _step(compliance: Compliance) -> RemediationStep:
    return RemediationStep(alert=compliance.z, position=next(numbers), step_type=RemediationType.UPGRADE, step="Patch")


def _update(compliance: Compliance) -> ThreatUpdate:
    return ThreatUpdate(alert=compliance.z, text="A second flaw.", created_by=compliance.z.created_by)


def _recorded_change(compliance: Compliance) -> AlertVersion:
    return AlertVersion(
        alert=compliance.z, number=next(numbers), snapshot={}, summary="Edited", created_by=compliance.z.created_by
    )


def _saved(make: Callable[[Compliance], Model]) -> Callable[[Compliance], Model]:
    """The first row of its kind of alert Z, made if there is none yet."""

    def existing(compliance: Compliance) -> Model:
        row = make(compliance)
        found = type(row)._default_manager.filter(alert=compliance.z).order_by("pk").first()
        if found is None:
            row.save()
        return found or row

    return existing


def _recorded_at(row: AlertVersion, compliance: Compliance) -> list[str]:
    """When the alert last changed (its STIX objects' `modified`): moved to another time since its publication,
    before now, when a new recorded change is made."""
    row.created_at = compliance.z.published_at + timedelta(seconds=next(numbers))
    return ["created_at"]


SUBJECTS = [
    Subject(
        Response,
        existing=lambda c: response_of(c.x, c.csu),
        change=_response_change,
        new=_new_response,
    ),
    Subject(Alert, existing=lambda c: c.z, change=_rename("title"), new=_new_alert),
    Subject(
        ScopeLink,
        existing=lambda c: ScopeLink.objects.filter(alert=c.z).first(),
        change=_move_link,
        # Alpha (Trust A) sorts first: the report lists as many organisations as the summaries count in scope.
        new=lambda c: ScopeLink(alert=c.z, organisation=c.trust_a),
    ),
    Subject(
        Organisation,
        existing=lambda c: c.csu,
        change=_rename("name"),
        new=lambda c: Organisation(
            ods_code=f"ZZ{next(numbers)}", name="In scope of nothing", organisation_type=OrganisationType.NHS_TRUST
        ),
        new_is_shown=False,
    ),
    Subject(
        Region,
        existing=lambda c: Region.objects.get(code="Y56"),  # London
        change=_rename("name"),
        new=lambda c: Region(code=f"Y{next(numbers) + 800}", name="Of no organisation"),
        new_is_shown=False,
    ),
    Subject(RemediationStep, existing=_saved(_step), change=_rename("step"), new=_step),
    Subject(ThreatUpdate, existing=_saved(_update), change=_rename("text"), new=_update),
    Subject(AlertVersion, existing=_saved(_recorded_change), change=_recorded_at, new=_recorded_change),
    Subject(
        AlertCounts,
        existing=lambda c: AlertCounts.objects.filter(alert=c.x).order_by("pk").first(),
        change=_counts_change,
        new=lambda c: AlertCounts(
            alert_id=c.x.pk, organisation_type=f"Zebra {next(numbers)}", region_key=0, in_scope=3
        ),
    ),
    Subject(
        AlertDelays,
        existing=lambda c: AlertDelays.objects.filter(alert=c.x, kind=DelayKind.ACKNOWLEDGE).order_by("pk").first(),
        change=_delays_change,
        new=lambda c: AlertDelays(
            alert_id=c.x.pk, kind=DelayKind.ACKNOWLEDGE, minutes=500_000 + 1440 * next(numbers), count=5_000
        ),
    ),
]


def _values(row: Model, fields: list[str]) -> dict[str, object]:
    return {row._meta.get_field(name).attname: getattr(row, row._meta.get_field(name).attname) for name in fields}


def _fields(row: Model) -> dict[str, object]:
    return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields if not field.primary_key}


def _raw(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _raw_update(row: Model, fields: list[str]) -> None:
    quote, table = connection.ops.quote_name, row._meta.db_table
    columns = [row._meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    values = [field.get_db_prep_value(getattr(row, field.attname), connection) for field in columns]
    _raw(f"UPDATE {quote(table)} SET {assignments} WHERE {quote(row._meta.pk.column)} = %s", [*values, row.pk])


def _save(row: Model, fields: list[str]) -> None:
    row.save()


def _queryset_update(row: Model, fields: list[str]) -> None:
    type(row)._default_manager.filter(pk=row.pk).update(**_values(row, fields))


def _bulk_update(row: Model, fields: list[str]) -> None:
    type(row)._default_manager.bulk_update([row], fields)


def _update_or_create(row: Model, fields: list[str]) -> None:
    type(row)._default_manager.update_or_create(pk=row.pk, defaults=_values(row, fields))


UPDATES = {
    "save": _save,
    "QuerySet.update": _queryset_update,
    "bulk_update": _bulk_update,
    "update_or_create": _update_or_create,
    "raw SQL UPDATE": _raw_update,
}


def _create_by_save(row: Model) -> Model:
    row.save()
    return row


CREATES = {
    "save of a new row": _create_by_save,
    "create": lambda row: type(row)._default_manager.create(**_fields(row)),
    "bulk_create": lambda row: type(row)._default_manager.bulk_create([row])[0],
}
DELETES = {
    "delete": lambda row: row.delete(),
    "QuerySet.delete": lambda row: type(row)._default_manager.filter(pk=row.pk).delete(),
    "raw SQL DELETE": lambda row: _raw(
        f"DELETE FROM {connection.ops.quote_name(row._meta.db_table)} WHERE {row._meta.pk.column} = %s",
        [row.pk],
    ),
}


def _main(html: bytes) -> str:
    text = html.decode()
    return text[text.index("<main") : text.index("</main>")]


@dataclass
class Pages:
    """The pages that show the compliance data, as an auditor and a responder get them."""

    compliance: Compliance
    reader: object
    responder: object
    # The pages last worked out afresh, and the versions' total then: while no version has changed since, they
    # are what the cache gives (what the next check's first view would get again, at three dozen renders a check).
    afresh: tuple[int, dict[str, str]] | None = None

    def get(self) -> dict[str, str]:
        got = {}
        for url in pages(self.compliance):
            client = self.responder if url == reverse("home") else self.reader
            page = client.get(url)  # type: ignore[attr-defined]
            assert page.status_code == 200, url
            got[url] = _main(page.content)
        entries = stix_entries()
        got["STIX objects (TAXII)"] = json.dumps([entry.object for entry in entries], sort_keys=True)
        return got

    def check(self, write: Callable[[], object], *, shown: bool, what: str) -> object:
        """Does the write between two views of the pages (the first fills the cache): the second must be what
        the pages are worked out afresh, and differ from the first if the change is shown."""
        before = self.afresh[1] if self.afresh and self.afresh[0] == _versions_total() else self.get()
        raised = _versions_total()
        result = write()
        assert _versions_total() > raised, f"{what}: raised no version"
        cached = self.get()
        cache.clear()
        BuiltStixObjects.objects.all().delete()  # the STIX objects kept of each alert
        KeptStixObject.objects.all().delete()
        afresh = self.get()
        self.afresh = (_versions_total(), afresh)
        stale = [url for url in afresh if cached[url] != afresh[url]]
        assert not stale, f"{what}: pages from the cache are not the pages worked out afresh: {stale}"
        if shown:
            assert cached != before, f"{what}: no page shows the change"
        elif cached != before:
            raise AssertionError(f"{what}: shown on {[url for url in before if cached[url] != before[url]]}")
        return result


def _versions_total() -> int:
    return DataVersion.objects.aggregate(total=Sum("number"))["total"] or 0


@contextmanager
def still() -> Iterator[None]:
    """Time stands still: the pages that show times left would otherwise change with the minute."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda subject: subject.model.__name__)
def test_every_write_shows_on_the_cached_pages_at_once(subject, compliance, signed_in, auditor):
    views = Pages(compliance, reader=signed_in(auditor), responder=signed_in(compliance.responder))
    name = subject.model.__name__
    with still():
        for way, update in UPDATES.items():
            row = subject.existing(compliance)
            fields = subject.change(row, compliance)
            views.check(lambda: update(row, fields), shown=True, what=f"{name} {way}")  # noqa: B023 - called at once
        for (creating, create), (deleting, delete) in zip(CREATES.items(), DELETES.items(), strict=True):
            new = subject.new(compliance)
            row = views.check(lambda: create(new), shown=subject.new_is_shown, what=f"{name} {creating}")  # noqa: B023
            views.check(lambda: delete(row), shown=subject.new_is_shown, what=f"{name} {deleting}")  # noqa: B023
