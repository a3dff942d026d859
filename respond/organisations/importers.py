"""Importing ODS reference files: organisations, ICBs and regions. All files of one import in one transaction."""

import enum
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from respond.core.audit import Auditor
from respond.organisations.models import Organisation, OrganisationType, Region
from respond.organisations.ods_files import OrganisationRow, ParsedFile, parse_file
from respond.organisations.source_files import ImportFileError, SourceFile

COUNTS = ("created", "updated", "closed", "unchanged")
FOREIGN_KEYS = {"region", "parent_icb"}
BATCH = 2000


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    CLOSED = "closed"
    UNCHANGED = "unchanged"


@dataclass
class FileSummary:
    name: str
    description: str
    rows: int
    created: int = 0
    updated: int = 0
    closed: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)

    def counts_text(self) -> str:
        return ", ".join(f"{getattr(self, name)} {name}" for name in COUNTS)


@dataclass
class ImportSummary:
    files: list[FileSummary]

    @property
    def total(self) -> dict[str, int]:
        return {name: sum(getattr(file, name) for file in self.files) for name in COUNTS}

    def as_dict(self) -> dict[str, Any]:
        return {"files": [asdict(file) for file in self.files], "total": self.total}

    def lines(self) -> list[str]:
        lines = []
        for file in self.files:
            lines.append(f"{file.name}: {file.description}, {file.rows} rows")
            lines.append(f"  {file.counts_text()}")
            lines.extend(f"  {note}" for note in file.notes)
        total = self.total
        lines.append("Total: " + ", ".join(f"{total[name]} {name}" for name in COUNTS))
        return lines


@transaction.atomic
def import_ods_files(*, files: Sequence[SourceFile], auditor: Auditor, today: date | None = None) -> ImportSummary:
    """Creates or updates the organisations the files list; closes those past their close date or no longer listed.

    Every file is read and checked before anything is written; any error rolls back the whole import.
    """
    if not files:
        raise ImportFileError("Choose at least one file to import")
    parsed = [parse_file(source) for source in files]
    _check_each_code_in_one_file(parsed)
    run = _ImportRun(parsed, today=today or timezone.localdate())
    summary = run.apply()
    auditor.log(
        "organisations.ods_imported",
        object_type="organisations.Organisation",
        object_repr=", ".join(file.name for file in parsed),
        after=summary.as_dict(),
    )
    return summary


def _check_each_code_in_one_file(parsed: list[ParsedFile]) -> None:
    first_seen: dict[str, tuple[str, int]] = {}
    for file in parsed:
        for row in file.organisations:
            if row.ods_code in first_seen:
                other, line = first_seen[row.ods_code]
                raise ImportFileError(
                    f"{file.name}, line {row.line}: organisation code {row.ods_code} is also in {other} (line {line}); "
                    "import each organisation from one file only"
                )
            first_seen[row.ods_code] = (file.name, row.line)


class _ImportRun:
    def __init__(self, parsed: list[ParsedFile], *, today: date) -> None:
        self.parsed = parsed
        self.today = today
        self.summaries = {
            id(file): FileSummary(name=file.name, description=file.description, rows=file.rows) for file in parsed
        }
        self.lookups = [file for file in parsed if file.sub_icb_links]
        self.links = {link.sub_icb_code: link for file in self.lookups for link in file.sub_icb_links}
        codes = {row.ods_code for file in parsed for row in file.organisations} | set(self.links)
        self.organisations = {
            organisation.ods_code: organisation
            for organisation in Organisation.objects.filter(ods_code__in=codes)
            | Organisation.objects.filter(organisation_type=OrganisationType.ICB)
        }
        self.regions = {region.code: region for region in Region.objects.all()}
        self.touched: set[str] = set()
        # New organisations, created together at the end of each file (one INSERT a row took minutes for 64,000).
        self.new: list[Organisation] = []
        self.regions_named_by_code: dict[int, list[str]] = {}

    def apply(self) -> ImportSummary:
        # ICBs and regions first, so that trusts and sub-ICB locations can point at them.
        for file in self.lookups:
            self._apply_regions(file)
            self._apply_organisations(file)
        for file in self.parsed:
            if not file.sub_icb_links:
                self._apply_organisations(file)
        for file in self.lookups:
            self._apply_links(file)
        self._close_unlisted()
        for file_id, codes in self.regions_named_by_code.items():
            self.summaries[file_id].notes.append(
                f"Regions created: {', '.join(codes)}, named by their codes until the region lookup names them"
            )
        return ImportSummary(files=[self.summaries[id(file)] for file in self.parsed])

    def _apply_regions(self, file: ParsedFile) -> None:
        outcomes = dict.fromkeys(("created", "updated", "unchanged"), 0)
        for row in file.regions:
            region = self.regions.get(row.code)
            if region is None:
                self.regions[row.code] = Region.objects.create(code=row.code, ons_code=row.ons_code, name=row.name)
                outcomes["created"] += 1
            elif (region.ons_code, region.name) != (row.ons_code, row.name):
                region.ons_code, region.name = row.ons_code, row.name
                region.save(update_fields=["ons_code", "name"])
                outcomes["updated"] += 1
            else:
                outcomes["unchanged"] += 1
        counts = ", ".join(f"{number} {name}" for name, number in outcomes.items())
        self.summaries[id(file)].notes.append(f"Regions: {counts}")

    def _apply_organisations(self, file: ParsedFile) -> None:
        summary = self.summaries[id(file)]
        added_closed = 0
        for row in file.organisations:
            outcome, organisation = self._apply_row(row, file)
            summary.count(outcome)
            added_closed += outcome == Outcome.CREATED and not organisation.active
        if added_closed:
            summary.notes.append(f"{added_closed} of those created had already closed, so were added as inactive")
        if file.skipped:
            summary.notes.append(f"{file.skipped} rows skipped: {file.skipped_reason}")
        # Created before the next file, whose organisations may point at these (ICBs).
        Organisation.objects.bulk_create(self.new, batch_size=BATCH)
        self.new = []

    def _apply_row(self, row: OrganisationRow, file: ParsedFile) -> tuple[Outcome, Organisation]:
        region_code, icb_code = row.region_code, row.icb_code
        link = self.links.get(row.ods_code)
        if row.organisation_type == OrganisationType.SUB_ICB_LOCATION and link is not None:
            region_code, icb_code = link.region_code, link.icb_code
        values: dict[str, Any] = {"name": row.name, "organisation_type": row.organisation_type, "active": True}
        if region_code is not None:
            values["region"] = self._region(region_code, file)
        if icb_code is not None:
            values["parent_icb"] = self._icb(icb_code)
        if row.details is not None:
            details = row.details
            values.update(vars(details))  # not asdict(), which deep-copies: a tenth of a large import's time
            values["active"] = details.close_date is None or details.close_date > self.today
        self.touched.add(row.ods_code)
        return self._save(row.ods_code, values)

    def _apply_links(self, file: ParsedFile) -> None:
        summary = self.summaries[id(file)]
        not_imported = 0
        for link in file.sub_icb_links:
            if link.sub_icb_code in self.touched:
                continue
            organisation = self.organisations.get(link.sub_icb_code)
            if organisation is None or organisation.organisation_type != OrganisationType.SUB_ICB_LOCATION:
                not_imported += 1
                continue
            values = {"region": self._region(link.region_code, file), "parent_icb": self._icb(link.icb_code)}
            outcome, _ = self._save(link.sub_icb_code, values)
            summary.count(outcome)
        if not_imported:
            summary.notes.append(
                f"{not_imported} sub-ICB locations in the lookup are not imported yet, so were not linked "
                "to their ICB (import eccg.csv)"
            )

    def _save(self, ods_code: str, values: dict[str, Any]) -> tuple[Outcome, Organisation]:
        organisation = self.organisations.get(ods_code)
        if organisation is None:
            organisation = Organisation(ods_code=ods_code, **values)
            self.new.append(organisation)
            self.organisations[ods_code] = organisation
            return Outcome.CREATED, organisation
        was_active = organisation.active
        changed = [name for name, value in values.items() if _current(organisation, name) != _comparable(value)]
        if not changed:
            return Outcome.UNCHANGED, organisation
        for name in changed:
            setattr(organisation, name, values[name])
        organisation.save(update_fields=[*changed, "updated_at"])
        return (Outcome.CLOSED if was_active and not organisation.active else Outcome.UPDATED), organisation

    def _region(self, code: str, file: ParsedFile) -> Region | None:
        if not code:
            return None
        if code not in self.regions:
            # Named by its code until the lookup (which has region names) is imported.
            self.regions[code] = Region.objects.create(code=code, name=code)
            self.regions_named_by_code.setdefault(id(file), []).append(code)
        return self.regions[code]

    def _icb(self, code: str) -> Organisation | None:
        icb = self.organisations.get(code) if code else None
        return icb if icb is not None and icb.organisation_type == OrganisationType.ICB else None

    def _close_unlisted(self) -> None:
        """Each file is the full list of its types: organisations of those types it does not list have closed."""
        listed: dict[OrganisationType, set[str]] = {}
        last_file: dict[OrganisationType, ParsedFile] = {}
        for file in self.parsed:
            for kind in file.covers:
                listed.setdefault(kind, set()).update(row.ods_code for row in file.organisations)
                last_file[kind] = file
        for kind, codes in listed.items():
            unlisted = Organisation.objects.filter(organisation_type=kind, active=True).exclude(ods_code__in=codes)
            closed = sorted(unlisted.values_list("ods_code", flat=True))
            if closed:
                unlisted.update(active=False, updated_at=timezone.now())
                summary = self.summaries[id(last_file[kind])]
                summary.closed += len(closed)
                summary.notes.append(
                    f"{kind.label}: {len(closed)} no longer listed, so marked inactive ({_some(closed)})"
                )


def _current(organisation: Organisation, name: str) -> Any:
    return getattr(organisation, f"{name}_id" if name in FOREIGN_KEYS else name)


def _comparable(value: Any) -> Any:
    return value.pk if isinstance(value, Region | Organisation) else value


def _some(codes: list[str], limit: int = 20) -> str:
    shown = ", ".join(codes[:limit])
    return f"{shown} and {len(codes) - limit} more" if len(codes) > limit else shown
