"""Timing pages and counting their queries, with the test client signed in."""

import statistics
import time
from dataclasses import dataclass, field
from datetime import date

from benchreports import LEAD_ORGANISATIONS, SMALL_USER_ORGANISATIONS

# Measurement -------------------------------------------------------------------------------------------------------


def signed_in_client(user_id: int):  # type: ignore[no-untyped-def]
    """A test client signed in as the user with a multi-factor session, as tests/conftest.py's sign_in does."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.test import Client

    from respond.accounts.models import User

    user = User.objects.get(pk=user_id)
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        authenticator = TOTP.activate(user, "JBSWY3DPEHPK3PXP").instance
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "id": authenticator.pk, "type": "totp"},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
    return client


def url_or_none(name: str, **kwargs: str) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


@dataclass
class PageResult:
    label: str
    url_name: str
    measured: bool = False
    note: str = ""
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    queries_small: int = 0
    queries_big: int = 0
    # The same, as the cache gives the page again (the counts above are of the page worked out afresh).
    cached_queries_small: int = 0
    cached_queries_big: int = 0
    # Worked out afresh (the cache emptied before each request): what a change to the data costs the next view.
    afresh_p50_ms: float = 0.0
    afresh_p95_ms: float = 0.0
    afresh_ratio: float = 0.0
    # While a thread records responses continuously (benchreports.writer): the incident case.
    under_writes_p50_ms: float = 0.0
    under_writes_p95_ms: float = 0.0
    under_writes_ratio: float = 0.0
    writes_per_s: float = 0.0
    small_case: str = ""
    big_case: str = ""
    ratio: float = 0.0
    baseline_p95_ms: float = 0.0
    slowest: list[tuple[float, str]] = field(default_factory=list)
    counts_in_result: bool = True

    @property
    def queries_grow(self) -> bool:
        grow = self.queries_big > self.queries_small or self.cached_queries_big > self.cached_queries_small
        return self.measured and self.counts_in_result and grow


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


class Timer:
    """Times GETs, each followed by a GET of the baseline (the bare one-query view, signed in as the auditor), so
    that both see the same load on the machine; a page's ratio is to the baseline samples taken alongside it."""

    BASELINE = "/__bench__/baseline"

    def __init__(self, baseline_client, requests: int) -> None:  # type: ignore[no-untyped-def]
        self.baseline_client, self.requests = baseline_client, requests
        self.baseline_samples: list[float] = []

    @staticmethod
    def _get_ms(client, url: str) -> float:  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        check(response, url)
        return elapsed

    def time(self, client, url: str, result: "PageResult", warm_up: int = 3) -> None:  # type: ignore[no-untyped-def]
        for _ in range(warm_up):
            self._get_ms(client, url)
            self._get_ms(self.baseline_client, self.BASELINE)
        page, baseline = [], []
        for _ in range(self.requests):
            page.append(self._get_ms(client, url))
            baseline.append(self._get_ms(self.baseline_client, self.BASELINE))
        self.baseline_samples += baseline
        result.p50_ms, result.p95_ms = statistics.median(page), percentile(page, 0.95)
        result.baseline_p95_ms = percentile(baseline, 0.95)
        result.ratio = result.p95_ms / result.baseline_p95_ms

    def time_afresh(self, client, url: str, result: "PageResult") -> None:  # type: ignore[no-untyped-def]
        """The page worked out afresh: the cache (report figures, rendered parts) emptied before each request."""
        from django.core.cache import cache

        samples, baseline = [], []
        for _ in range(max(5, self.requests // 2)):
            cache.clear()
            samples.append(self._get_ms(client, url))
            baseline.append(self._get_ms(self.baseline_client, self.BASELINE))
        self.baseline_samples += baseline
        result.afresh_p50_ms, result.afresh_p95_ms = statistics.median(samples), percentile(samples, 0.95)
        result.afresh_ratio = result.afresh_p95_ms / percentile(baseline, 0.95)

    def time_under_writes(self, client, url: str, result: "PageResult") -> None:  # type: ignore[no-untyped-def]
        """The page while a thread records about 20 responses a second, each through the services."""
        from benchreports.writer import Writer

        writer = Writer()
        writer.start()
        try:
            for _ in range(3):
                self._get_ms(client, url)
            samples, baseline = [], []
            for _ in range(max(5, self.requests // 2)):
                samples.append(self._get_ms(client, url))
                baseline.append(self._get_ms(self.baseline_client, self.BASELINE))
        finally:
            result.writes_per_s = writer.stop()
        self.baseline_samples += baseline
        result.under_writes_p50_ms, result.under_writes_p95_ms = statistics.median(samples), percentile(samples, 0.95)
        result.under_writes_ratio = result.under_writes_p95_ms / percentile(baseline, 0.95)


def check(response, url: str) -> None:  # type: ignore[no-untyped-def]
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}, not 200")


def count_queries(client, url: str, *, cached: bool = False) -> tuple[int, list[tuple[float, str]]]:  # type: ignore[no-untyped-def]
    """The page's queries worked out afresh (the cache emptied first), or as the cache gives it again."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # A first request either way: a session's first use costs a query more, which is not the page's.
    check(client.get(url), url)
    if not cached:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        check(client.get(url), url)
    slowest = sorted(((float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries), reverse=True)[:3]
    return len(captured.captured_queries), slowest


def measure_one(  # type: ignore[no-untyped-def]
    timer: Timer,
    clients: tuple,
    label: str,
    url_name: str,
    big: tuple[dict, str, str],
    small: tuple[dict, str, str],
    under_writes: bool = True,
) -> PageResult:
    """`clients`: (big case's, small case's). `big` and `small`: (URL kwargs, query string, what the case is).
    Times the big case; counts the queries of both."""
    result = PageResult(label, url_name)
    big_path, small_path = url_or_none(url_name, **big[0]), url_or_none(url_name, **small[0])
    if big_path is None or small_path is None:
        result.note = f"not measured: {url_name} does not exist"
        return result
    big_url, small_url = big_path + big[1], small_path + small[1]
    result.queries_big, result.slowest = count_queries(clients[0], big_url)
    result.queries_small, _ = count_queries(clients[1], small_url)
    result.cached_queries_big, _ = count_queries(clients[0], big_url, cached=True)
    result.cached_queries_small, _ = count_queries(clients[1], small_url, cached=True)
    timer.time(clients[0], big_url, result)
    timer.time_afresh(clients[0], big_url, result)
    if under_writes:
        timer.time_under_writes(clients[0], big_url, result)
    result.small_case, result.big_case = small[2], big[2]
    result.measured = True
    return result


@dataclass
class Cases:
    big_alert: str
    big_alert_orgs: int
    small_alert: str
    small_alert_orgs: int
    busy_org: str
    busy_org_alerts: int
    quiet_org: str
    quiet_org_alerts: int
    index_last_page: int
    index_last_page_alerts: int
    region_code: str
    first_entry_on: date


def choose_cases() -> Cases:
    from django.db.models import Count, Min, Q

    from respond.alerts.models import Alert
    from respond.organisations.models import Organisation, Region
    from respond.reports.views import ALERTS_PER_PAGE
    from respond.responses.models import Response, ResponseEntry

    sizes = list(
        Alert.objects.filter(response_required=True)
        .annotate(n=Count("organisations"))
        .order_by("-n", "-published_at")
        .values_list("threat_id", "n")
    )
    big = sizes[0]
    small = min(sizes, key=lambda size: (abs(size[1] - 150), size[0]))
    # Both with an open "unable to implement" exception, so that the page lists exceptions in both cases.
    open_exception = Q(responses__status="unable_to_implement", responses__alert__status="published")
    per_org = sorted(
        Organisation.objects.annotate(n=Count("responses"), exceptions=Count("responses", filter=open_exception))
        .filter(n__gt=0)
        .values_list("ods_code", "n", "exceptions"),
        key=lambda row: (row[2] == 0, -row[1], row[0]),
    )
    with_exceptions = [row for row in per_org if row[2]] or per_org
    quiet = min(with_exceptions, key=lambda size: (abs(size[1] - 30), size[0]))
    released = Alert.objects.released().filter(response_required=True).count()
    last_page = max(1, -(-released // ALERTS_PER_PAGE))
    region = Region.objects.filter(code__startswith="Y").order_by("code").values_list("code", flat=True).first() or ""
    first = ResponseEntry.objects.aggregate(first=Min("created_at"))["first"]
    del Response
    return Cases(
        big[0],
        big[1],
        small[0],
        small[1],
        per_org[0][0],
        per_org[0][1],
        quiet[0],
        quiet[1],
        last_page,
        released - (last_page - 1) * ALERTS_PER_PAGE,
        region,
        first.date() if first else date.today(),
    )


def measure_pages(
    users: dict[str, int], cases: Cases, requests: int, only: list[str] | None = None
) -> tuple[PageResult, list[PageResult]]:
    """Every page, or those whose URL name (reports:over_time) or label holds one of `only`'s words."""
    auditor = signed_in_client(users["auditor"])
    baseline_client = signed_in_client(users["auditor"])
    lead, small_user = signed_in_client(users["lead"]), signed_in_client(users["small"])
    timer = Timer(baseline_client, requests)
    both = (auditor, auditor)

    def chosen(label: str, url_name: str) -> bool:
        return not only or any(word.lower() in f"{url_name} {label}".lower() for word in only)

    def measure_page(timer, clients, label, url_name, *cases, **options):  # type: ignore[no-untyped-def]
        if not chosen(label, url_name):
            return PageResult(label, url_name, note="not measured: not chosen (--pages)", counts_in_result=False)
        return measure_one(timer, clients, label, url_name, *cases, **options)

    pages = [
        measure_page(
            timer,
            both,
            "Per-alert report",
            "reports:alert",
            ({"threat_id": cases.big_alert}, "", f"{cases.big_alert}, {cases.big_alert_orgs} orgs"),
            ({"threat_id": cases.small_alert}, "", f"{cases.small_alert}, {cases.small_alert_orgs} orgs"),
        ),
        measure_page(
            timer,
            both,
            "Per-organisation report",
            "reports:organisation",
            ({"ods_code": cases.busy_org}, "", f"{cases.busy_org}, {cases.busy_org_alerts} alerts"),
            ({"ods_code": cases.quiet_org}, "", f"{cases.quiet_org}, {cases.quiet_org_alerts} alerts"),
        ),
        # The same page for the lead organisation's user and for a user of 20 of its organisations.
        measure_page(
            timer,
            (lead, small_user),
            f"Your alerts ({LEAD_ORGANISATIONS} organisations)",
            "home",
            ({}, "", f"{LEAD_ORGANISATIONS} orgs"),
            ({}, "", f"{SMALL_USER_ORGANISATIONS} orgs"),
        ),
        measure_page(
            timer,
            both,
            "Reports: all alerts",
            "reports:index",
            ({}, "", "page 1, 20 alerts"),
            ({}, f"?page={cases.index_last_page}", f"last page, {cases.index_last_page_alerts} alerts"),
        ),
        measure_page(
            timer,
            both,
            "Reports: over time",
            "reports:over_time",
            ({}, "", "all regions, 12 months"),
            ({}, f"?region={cases.region_code}", f"region {cases.region_code}"),
        ),
    ]
    # Not a goal: what the NHS.UK layout costs on its own, to read the ratios against.
    static = measure_page(
        timer,
        both,
        "(Static page in the layout, no data)",
        "accessibility",
        ({}, "", ""),
        ({}, "", ""),
        under_writes=False,
    )
    static.counts_in_result = False
    pages.append(static)
    baseline = PageResult("Baseline: bare view, one query", "bench_baseline", measured=True, ratio=1.0)
    samples = timer.baseline_samples
    baseline.p50_ms, baseline.p95_ms = statistics.median(samples), percentile(samples, 0.95)
    baseline.queries_big = baseline.queries_small = count_queries(auditor, Timer.BASELINE)[0]
    baseline.cached_queries_big = baseline.cached_queries_small = baseline.queries_big
    return baseline, pages
