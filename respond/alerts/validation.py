"""Checks on alert content, shared by the forms (one field at a time) and the services (the whole alert)."""

import re

from django.core.exceptions import ValidationError
from django.utils import timezone

from respond.core.markdown import markdown_problems

CVE_PATTERN = re.compile(r"^CVE-(\d{4})-(\d{4,})$")
FIRST_CVE_YEAR = 1999
CVE_SEPARATORS = re.compile(r"[\s,;]+")


def parse_cve_ids(text: str) -> list[str]:
    """CVE IDs separated by spaces, commas or new lines, to a list in upper case without repeats.

    Raises ValidationError naming each ID that is not in the form CVE-YYYY-NNNN (4 or more digits)."""
    ids = [item.strip().upper() for item in CVE_SEPARATORS.split(text or "") if item.strip()]
    return normalise_cve_ids(ids)


def normalise_cve_ids(ids: list[str]) -> list[str]:
    latest_year = timezone.now().year + 1
    errors = []
    cleaned: list[str] = []
    for raw in ids:
        cve_id = raw.strip().upper()
        match = CVE_PATTERN.match(cve_id)
        if match is None:
            errors.append(
                ValidationError(
                    "“%(value)s” is not a CVE ID: use the form CVE-2023-46604 (CVE, the year, then 4 or more digits)",
                    code="invalid_cve",
                    params={"value": raw[:40]},
                )
            )
        elif not FIRST_CVE_YEAR <= int(match.group(1)) <= latest_year:
            errors.append(
                ValidationError(
                    "“%(value)s” has the year %(year)s: CVE years run from 1999 to %(latest)s",
                    code="invalid_cve_year",
                    params={"value": cve_id, "year": match.group(1), "latest": latest_year},
                )
            )
        elif cve_id not in cleaned:
            cleaned.append(cve_id)
    if errors:
        raise ValidationError(errors)
    return cleaned


def validate_markdown(text: str) -> None:
    problems = markdown_problems(text)
    if problems:
        raise ValidationError([ValidationError(problem, code="unsafe_markdown") for problem in problems])


def parse_lines(text: str) -> list[str]:
    """One item per line; blank lines and repeats dropped."""
    return list(dict.fromkeys(line.strip() for line in (text or "").splitlines() if line.strip()))
