"""Each organisation's compliance over the alerts it had to respond to, one row per organisation. The figures
are defined, and worked out, as the reports pages do (respond.reports.statistics)."""

from collections.abc import Iterator
from itertools import batched
from typing import Any

from django.db.models import Count, Q, QuerySet

from respond.alerts.models import AlertStatus
from respond.exports import lookups
from respond.exports.table import Row, Table
from respond.reports.statistics import count_annotations, grouped_medians, hours, percent
from respond.responses.models import Response, ResponseStatus

CHUNK = 2000
COMPLIANCE_HEADERS = [
    "ODS code",
    "Organisation",
    "Organisation type",
    "Region",
    "Alerts in scope",
    "Acknowledged within the window",
    "Acknowledged late",
    "Not acknowledged",
    "Acknowledged within the window (%)",
    "Median hours to acknowledge",
    "Open remediations",
    "Open exceptions",
]
# Still owed on an alert that is still open: not yet acknowledged, or in progress.
OPEN_REMEDIATION = Q(
    alert__status=AlertStatus.PUBLISHED, status__in=[ResponseStatus.NOT_ACKNOWLEDGED, ResponseStatus.IN_PROGRESS]
)
# "Unable to implement" on an alert that is still open: a risk accepted, to be reviewed.
OPEN_EXCEPTION = Q(alert__status=AlertStatus.PUBLISHED, status=ResponseStatus.UNABLE_TO_IMPLEMENT)


def compliance_table(responses: QuerySet[Response], name: str) -> Table:
    counts = (
        responses.values("organisation_id", "organisation__name")
        .annotate(
            **count_annotations(""),
            open_remediations=Count("pk", filter=OPEN_REMEDIATION),
            open_exceptions=Count("pk", filter=OPEN_EXCEPTION),
        )
        .order_by("organisation__name", "organisation_id")
    )
    return Table(name=name, headers=COMPLIANCE_HEADERS, chunks=_chunks(responses, counts), wide_columns=(1,))


def _chunks(responses: QuerySet[Response], counts: QuerySet[Any, Any]) -> Iterator[list[Row]]:
    organisations = lookups.organisations()
    medians = grouped_medians(responses, ("organisation_id",))
    for chunk in batched(counts.iterator(chunk_size=CHUNK), CHUNK):
        organisations.load(row["organisation_id"] for row in chunk)
        out: list[Row] = []
        for row in chunk:
            late, in_scope = row["late"], row["in_scope"]
            within = row["acknowledged"] - late
            median = medians.get((row["organisation_id"],))
            median_hours = hours(median.acknowledge) if median else None
            within_percent = percent(within, in_scope)
            out.append(
                [
                    *organisations[row["organisation_id"]],
                    in_scope,
                    within,
                    late,
                    in_scope - row["acknowledged"],
                    "" if within_percent is None else within_percent,
                    "" if median_hours is None else median_hours,
                    row["open_remediations"],
                    row["open_exceptions"],
                ]
            )
        yield out
