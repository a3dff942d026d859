"""The OASIS STIX 2.1 validator, with the OASIS JSON schemas the released package lacks (see stix2_json_schemas/)."""

from pathlib import Path
from typing import Any

import stix2validator.validator
from stix2validator import ValidationOptions, validate_parsed_json

# The validator finds its built-in schemas at dirname(its module's __file__)/schemas-2.1/.
stix2validator.validator.__file__ = str(Path(__file__).parent / "stix2_json_schemas" / "validator.py")


def stix_errors(bundle: dict[str, Any]) -> list[str]:
    """Every error and warning the validator reports for the bundle, in strict mode (warnings are errors).

    Two SHOULD checks are off: "ids SHOULD be UUIDv4" (ours are UUIDv5 on purpose, so they are the same every time;
    the standard allows any UUID), and "external references with a URL SHOULD have a hash" (they point at living
    pages, NVD's and our alert page, whose hash would be wrong the day after)."""
    results = validate_parsed_json(
        bundle, ValidationOptions(version="2.1", strict=True, disabled=["uuid-check", "extref-hashes"])
    )
    problems = []
    for result in results if isinstance(results, list) else [results]:
        problems += [f"{result.object_id}: {error}" for error in result.errors or []]
        problems += [f"{result.object_id}: {warning}" for warning in result.warnings or []]
    return problems
