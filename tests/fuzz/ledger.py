"""Counts of what the generated-input tests did, for `make fuzz`'s RESULT line (see scripts/fuzz_result.py)."""

import fcntl
import json
import os
from collections import Counter
from pathlib import Path

counts: Counter[str] = Counter()
# Cases and accepted (valid) cases by test, so that a run shows each test reached past its form's checks.
by_test: dict[str, Counter[str]] = {}


def record(*, server_error: bool = False, partial_write: bool = False, valid: bool = False) -> None:
    test = os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0].split("::")[-1]
    for counter in (counts, by_test.setdefault(test, Counter())):
        counter["cases"] += 1
        counter["valid"] += valid
        counter["server_errors"] += server_error
        counter["partial_writes"] += partial_write


def save() -> None:
    """Adds the counts since the last save to the file named by FUZZ_LEDGER, if set (make fuzz sets it): after
    each test, so that a run stopped early still reports what it did."""
    path = os.environ.get("FUZZ_LEDGER")
    if not path or not counts:
        return
    file = Path(path)
    with open(f"{path}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # make fuzz runs the tests in several processes (pytest-xdist)
        _add_to(file)


def _add_to(file: Path) -> None:
    saved = json.loads(file.read_text()) if file.exists() else {"total": {}, "tests": {}}
    total = Counter(saved["total"])
    total.update(counts)
    tests = {name: Counter(values) for name, values in saved["tests"].items()}
    for name, counter in by_test.items():
        tests.setdefault(name, Counter()).update(counter)
    file.write_text(json.dumps({"total": dict(total), "tests": {name: dict(c) for name, c in tests.items()}}))
    counts.clear()
    by_test.clear()
