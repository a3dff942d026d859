"""Prints what `make fuzz` found, from the counts the generated-input tests saved (tests/fuzz/ledger.py): a line
per test, then `RESULT cases=… server_errors=… partial_writes=…` last."""

import json
import sys
from pathlib import Path


def main(path: str) -> int:
    file = Path(path)
    if not file.exists():
        print("RESULT cases=0 server_errors=0 partial_writes=0 (no counts saved: did the tests run?)")
        return 1
    saved = json.loads(file.read_text())
    for name, counts in sorted(saved["tests"].items()):
        print(f"{name}: {counts.get('cases', 0)} cases, {counts.get('valid', 0)} accepted")
    total = saved["total"]
    print(
        f"RESULT cases={total.get('cases', 0)} server_errors={total.get('server_errors', 0)} "
        f"partial_writes={total.get('partial_writes', 0)} accepted={total.get('valid', 0)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
