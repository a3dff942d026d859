"""Parsing ODS reference files into typed rows. Nothing here touches the database.

Three layouts are recognised from their content:
- an ODS extract (etr, ect, eccg): no header, 27 columns;
- the sub-ICB location -> ICB -> NHS England region lookup (ONS), with a header naming SICBL23CDH, ICB23CDH...;
- the list of Commissioning Support Units, with a header starting "Code, Organisation Name".
"""

import enum
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import PurePath

from respond.organisations.models import OrganisationType
from respond.organisations.source_files import ImportFileError, SourceFile, is_ods_code

ODS_COLUMNS = 27
# Far more rows than any ODS file has (the largest, etr, has a few hundred): a longer file is the wrong one.
MAX_ROWS = 100_000
MAX_NAME = 200
MAX_ADDRESS = 400
MAX_POSTCODE = 10

# Column 14 (organisation sub-type) of an eccg extract: C = sub-ICB location, H = commissioning hub.
SUB_ICB_SUBTYPE = "C"
CARE_TRUST_SUBTYPE = "T"


class Extract(enum.StrEnum):
    ETR = "etr"
    ECT = "ect"
    ECCG = "eccg"


EXTRACT_DESCRIPTIONS = {
    Extract.ETR: "NHS Trusts (ODS extract etr)",
    Extract.ECT: "Care Trusts (ODS extract ect)",
    Extract.ECCG: "Sub-ICB locations (ODS extract eccg)",
}
EXTRACT_COVERS = {
    Extract.ETR: frozenset({OrganisationType.NHS_TRUST, OrganisationType.FOUNDATION_TRUST}),
    Extract.ECT: frozenset({OrganisationType.CARE_TRUST}),
    Extract.ECCG: frozenset({OrganisationType.SUB_ICB_LOCATION}),
}
LOOKUP_DESCRIPTION = "Sub-ICB location to ICB to region lookup"
CSU_DESCRIPTION = "Commissioning Support Units list"

# The lookup's columns carry the year (SICBL23CDH in 2023, SICBL24CDH in 2024): match any year.
LOOKUP_COLUMNS = {
    "sub_icb": re.compile(r"SICBL\d\dCDH"),
    "icb": re.compile(r"ICB\d\dCDH"),
    "icb_name": re.compile(r"ICB\d\dNM"),
    "region_ons": re.compile(r"NHSER\d\dCD"),
    "region": re.compile(r"NHSER\d\dCDH"),
    "region_name": re.compile(r"NHSER\d\dNM"),
}


@dataclass(frozen=True)
class OdsDetails:
    address: str
    postcode: str
    open_date: date | None
    close_date: date | None


@dataclass(frozen=True)
class OrganisationRow:
    """One organisation as a file describes it. None means "the file does not say": leave as it is."""

    line: int
    ods_code: str
    name: str
    organisation_type: OrganisationType
    region_code: str | None = None
    icb_code: str | None = None
    details: OdsDetails | None = None


@dataclass(frozen=True)
class RegionRow:
    code: str
    ons_code: str
    name: str


@dataclass(frozen=True)
class SubIcbLink:
    line: int
    sub_icb_code: str
    icb_code: str
    region_code: str


@dataclass
class ParsedFile:
    name: str
    description: str
    covers: frozenset[OrganisationType]  # this file is the full list of organisations of these types
    rows: int = 0  # data rows read, header excluded
    organisations: list[OrganisationRow] = field(default_factory=list)
    regions: list[RegionRow] = field(default_factory=list)
    sub_icb_links: list[SubIcbLink] = field(default_factory=list)
    skipped: int = 0
    skipped_reason: str = ""


def parse_file(source: SourceFile) -> ParsedFile:
    if source.is_blank:
        raise ImportFileError(f"{source.name} is empty")
    rows = list(islice(source.csv_rows(), MAX_ROWS + 1))
    if not rows:
        raise ImportFileError(f"{source.name} is empty")
    if len(rows) > MAX_ROWS:
        raise ImportFileError(f"{source.where(rows[-1][0])}: the file has more than {MAX_ROWS:,} rows")
    first_line, header = rows[0]
    cells = [cell.strip() for cell in header]
    if _lookup_columns(cells):
        return _parse_lookup(source, rows)
    if [cell.lower() for cell in cells[:2]] == ["code", "organisation name"]:
        return _parse_csu_list(source, rows)
    if len(header) == ODS_COLUMNS or _extract_from_name(source.name):
        return _parse_extract(source, rows)
    raise ImportFileError(
        f"{source.where(first_line)}: unknown file layout. Expected an ODS extract (etr, ect or eccg: "
        f"{ODS_COLUMNS} columns, no header row), the sub-ICB to ICB to region lookup, or the CSU list "
        f"(its first line has {len(header)} {'column' if len(header) == 1 else 'columns'})"
    )


def _check_code(source: SourceFile, line: int, code: str, what: str = "organisation code") -> str:
    if not code:
        raise ImportFileError(f"{source.where(line)}: the {what} is empty")
    if not is_ods_code(code.upper()):
        raise ImportFileError(f"{source.where(line)}: {what} '{code}' must be 1 to 10 letters and digits only")
    return code.upper()


def _check_length(source: SourceFile, line: int, what: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise ImportFileError(f"{source.where(line)}: the {what} is longer than {limit} characters")
    return value


def _parse_date(source: SourceFile, line: int, what: str, value: str) -> date | None:
    if not value:
        return None
    try:
        if len(value) != 8 or not value.isdigit():
            raise ValueError
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise ImportFileError(f"{source.where(line)}: {what} '{value}' is not a date in the form YYYYMMDD") from None


def _check_unique(source: SourceFile, seen: dict[str, int], code: str, line: int) -> None:
    if code in seen:
        raise ImportFileError(
            f"{source.where(line)}: organisation code {code} is listed twice (also on line {seen[code]})"
        )
    seen[code] = line


def _extract_from_name(name: str) -> Extract | None:
    match = re.match(r"(eccg|ect|etr)(?![a-z])", PurePath(name).stem.lower())
    return Extract(match.group(1)) if match else None


def _extract_from_content(rows: list[list[str]]) -> Extract | None:
    subtypes = {row[13].strip().upper() for row in rows if len(row) == ODS_COLUMNS}
    if subtypes == {""}:
        return Extract.ETR
    if subtypes == {CARE_TRUST_SUBTYPE}:
        return Extract.ECT
    if SUB_ICB_SUBTYPE in subtypes and "" not in subtypes and CARE_TRUST_SUBTYPE not in subtypes:
        return Extract.ECCG
    return None


def _parse_extract(source: SourceFile, rows: list[tuple[int, list[str]]]) -> ParsedFile:
    for line, row in rows:
        if len(row) != ODS_COLUMNS:
            raise ImportFileError(f"{source.where(line)}: expected {ODS_COLUMNS} columns, found {len(row)}")
    by_name = _extract_from_name(source.name)
    by_content = _extract_from_content([row for _, row in rows])
    if by_name and by_content and by_name != by_content:
        raise ImportFileError(
            f"{source.name} is named as an {by_name} extract but its organisation sub-types (column 14) "
            f"are those of an {by_content} extract"
        )
    extract = by_name or by_content
    if extract is None:
        raise ImportFileError(
            f"{source.name}: cannot tell which ODS extract this is from its name or content; "
            "name it etr.csv, ect.csv or eccg.csv"
        )
    parsed = ParsedFile(
        name=source.name, description=EXTRACT_DESCRIPTIONS[extract], covers=EXTRACT_COVERS[extract], rows=len(rows)
    )
    seen: dict[str, int] = {}
    for line, raw in rows:
        row = [cell.strip() for cell in raw]
        code = _check_code(source, line, row[0])
        _check_unique(source, seen, code, line)
        name = _check_length(source, line, "name", row[1], MAX_NAME)
        if not name:
            raise ImportFileError(f"{source.where(line)}: the name of {code} is empty")
        region_code = _check_code(source, line, row[2], "national grouping code") if row[2] else ""
        icb_code = _check_code(source, line, row[3], "health geography (ICB) code") if row[3] else ""
        details = OdsDetails(
            address=_check_length(source, line, "address", ", ".join(part for part in row[4:9] if part), MAX_ADDRESS),
            postcode=_check_length(source, line, "postcode", row[9].upper(), MAX_POSTCODE),
            open_date=_parse_date(source, line, "open date", row[10]),
            close_date=_parse_date(source, line, "close date", row[11]),
        )
        if extract == Extract.ECCG and row[13].upper() != SUB_ICB_SUBTYPE:
            parsed.skipped += 1
            continue
        parsed.organisations.append(
            OrganisationRow(
                line=line,
                ods_code=code,
                name=name,
                organisation_type=_organisation_type(extract, name),
                region_code=region_code,
                icb_code=icb_code,
                details=details,
            )
        )
    if parsed.skipped:
        parsed.skipped_reason = "not sub-ICB locations (organisation sub-type is not 'C', e.g. commissioning hubs)"
    return parsed


def _organisation_type(extract: Extract, name: str) -> OrganisationType:
    if extract == Extract.ECT:
        return OrganisationType.CARE_TRUST
    if extract == Extract.ECCG:
        return OrganisationType.SUB_ICB_LOCATION
    if "FOUNDATION TRUST" in name.upper():
        return OrganisationType.FOUNDATION_TRUST
    return OrganisationType.NHS_TRUST


def _lookup_columns(header: list[str]) -> dict[str, int] | None:
    found = {}
    for key, pattern in LOOKUP_COLUMNS.items():
        matches = [index for index, cell in enumerate(header) if pattern.fullmatch(cell.upper())]
        if matches:
            found[key] = matches[0]
    # Two recognisable columns make it the lookup; any missing ones are then an error, not another layout.
    return found if len(found) >= 2 else None


def _parse_lookup(source: SourceFile, rows: list[tuple[int, list[str]]]) -> ParsedFile:
    header_line, header = rows[0]
    cells = [cell.strip().upper() for cell in header]
    for pattern in LOOKUP_COLUMNS.values():
        matches = [str(index + 1) for index, cell in enumerate(cells) if pattern.fullmatch(cell)]
        if len(matches) > 1:
            raise ImportFileError(
                f"{source.where(header_line)}: columns {' and '.join(matches)} are both headed "
                f"{pattern.pattern.replace(r'\d\d', 'yy')}: keep one"
            )
    columns = _lookup_columns(cells) or {}
    missing = [pattern.pattern.replace(r"\d\d", "yy") for key, pattern in LOOKUP_COLUMNS.items() if key not in columns]
    if missing:
        raise ImportFileError(
            f"{source.where(header_line)}: the lookup has no column {', '.join(missing)} (yy is the year)"
        )
    if len(rows) == 1:
        raise ImportFileError(f"{source.name} has a header row but no data")
    parsed = ParsedFile(
        name=source.name, description=LOOKUP_DESCRIPTION, covers=frozenset({OrganisationType.ICB}), rows=len(rows) - 1
    )
    icbs: dict[str, tuple[int, str, str]] = {}
    regions: dict[str, tuple[int, RegionRow]] = {}
    seen: dict[str, int] = {}
    for line, raw in rows[1:]:
        if len(raw) != len(header):
            raise ImportFileError(f"{source.where(line)}: expected {len(header)} columns, found {len(raw)}")
        row = {key: raw[index].strip() for key, index in columns.items()}
        sub_icb = _check_code(source, line, row["sub_icb"], "sub-ICB location code")
        _check_unique(source, seen, sub_icb, line)
        icb = _check_code(source, line, row["icb"], "ICB code")
        region = RegionRow(
            code=_check_code(source, line, row["region"], "region code"),
            ons_code=_check_length(source, line, "region ONS code", row["region_ons"], 12),
            name=_check_length(source, line, "region name", row["region_name"], 100),
        )
        icb_name = _check_length(source, line, "ICB name", row["icb_name"], MAX_NAME)
        if not icb_name or not region.name:
            raise ImportFileError(f"{source.where(line)}: the ICB or region name is empty")
        if region.code in regions and regions[region.code][1] != region:
            raise ImportFileError(
                f"{source.where(line)}: region {region.code} is described differently on line {regions[region.code][0]}"
            )
        regions.setdefault(region.code, (line, region))
        if icb in icbs and icbs[icb][1:] != (icb_name, region.code):
            raise ImportFileError(
                f"{source.where(line)}: ICB {icb} has a different name or region on line {icbs[icb][0]}"
            )
        if icb not in icbs:
            icbs[icb] = (line, icb_name, region.code)
            parsed.organisations.append(
                OrganisationRow(
                    line=line,
                    ods_code=icb,
                    name=icb_name,
                    organisation_type=OrganisationType.ICB,
                    region_code=region.code,
                    icb_code="",
                )
            )
        parsed.sub_icb_links.append(SubIcbLink(line=line, sub_icb_code=sub_icb, icb_code=icb, region_code=region.code))
    parsed.regions = [region for _, region in regions.values()]
    return parsed


def _parse_csu_list(source: SourceFile, rows: list[tuple[int, list[str]]]) -> ParsedFile:
    _, header = rows[0]
    if len(rows) == 1:
        raise ImportFileError(f"{source.name} has a header row but no data")
    parsed = ParsedFile(
        name=source.name, description=CSU_DESCRIPTION, covers=frozenset({OrganisationType.CSU}), rows=len(rows) - 1
    )
    seen: dict[str, int] = {}
    for line, raw in rows[1:]:
        if len(raw) != len(header):
            raise ImportFileError(f"{source.where(line)}: expected {len(header)} columns, found {len(raw)}")
        code = _check_code(source, line, raw[0].strip())
        _check_unique(source, seen, code, line)
        name = _check_length(source, line, "name", raw[1].strip(), MAX_NAME)
        if not name:
            raise ImportFileError(f"{source.where(line)}: the name of {code} is empty")
        parsed.organisations.append(
            OrganisationRow(line=line, ods_code=code, name=name, organisation_type=OrganisationType.CSU)
        )
    return parsed
