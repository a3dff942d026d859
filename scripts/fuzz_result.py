"""Prints what `make fuzz` found, from the counts the generated-input tests saved (tests/fuzz/ledger.py): a line
per test (its cases, how many were accepted and how many refused), then
`RESULT cases=… server_errors=… partial_writes=… accepted=… refused=…` last.

The accepted count shows that a test reached past its form's checks, so that the round trip of a valid
submission was tested; a test that accepted fewer than RARELY_ACCEPTED of its cases is marked."""

import json
import sys
from pathlib import Path

RARELY_ACCEPTED = 0.3


def main(path: str) -> int:
    file = Path(path)
    if not file.exists():
        print("RESULT cases=0 server_errors=0 partial_writes=0 accepted=0 refused=0 (no counts saved: did they run?)")
        return 1
    saved = json.loads(file.read_text())
    for name, counts in sorted(saved["tests"].items()):
        cases, accepted = counts.get("cases", 0), counts.get("valid", 0)
        share = accepted / cases if cases else 0
        mark = f"  (accepted under {RARELY_ACCEPTED:.0%})" if share < RARELY_ACCEPTED else ""
        print(f"{name}: {cases} cases, {accepted} accepted ({share:.0%}), {_refused(counts)} refused{mark}")
    total = saved["total"]
    print(
        f"RESULT cases={total.get('cases', 0)} server_errors={total.get('server_errors', 0)} "
        f"partial_writes={total.get('partial_writes', 0)} accepted={total.get('valid', 0)} refused={_refused(total)}"
    )
    return 0


def _refused(counts: dict[str, int]) -> int:
    return counts.get("cases", 0) - counts.get("valid", 0) - counts.get("server_errors", 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
