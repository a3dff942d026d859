"""A short `make fault-test`: its own PostgreSQL, Redis, Notify and production process set, an alert to a few
hundred people, a task worker killed mid-fan-out and PostgreSQL restarted mid-fan-out, while people respond. Every
message goes exactly once, every saved response is there and whole, and the service recovers by itself.

It runs with the PostgreSQL + Redis settings, in a step of its own in .ci/run; the full run is `make fault-test`."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.smoke,
    pytest.mark.skipif(
        not (settings.DATABASES["default"]["ENGINE"].endswith("postgresql") and settings.REDIS_URL),
        reason="runs with the PostgreSQL + Redis settings (.ci/run): it starts servers of its own, taking minutes",
    ),
]


def test_no_message_or_response_is_lost_or_doubled_through_faults():
    run = subprocess.run(
        [
            sys.executable,
            "scripts/fault_test.py",
            "--recipients=200",
            "--scenarios=worker_kill,postgres_restart",
            "--down-seconds=3",
            "--responders=2",
            "--lease-seconds=8",
            "--drain-minutes=2",
        ],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    output = run.stdout + run.stderr
    results = [dict(re.findall(r"(\w+)=(\S+)", line)) for line in run.stdout.splitlines() if line.startswith("RESULT")]
    assert len(results) == 3, output[-5000:]
    *scenarios, totals = results
    assert [scenario["scenario"] for scenario in scenarios] == ["worker_kill", "postgres_restart"]
    for scenario in scenarios:
        assert int(scenario["expected"]) == 200
        assert scenario["recovered_s"] != "never", output[-5000:]
        assert int(scenario["responses_saved"]) > 0
    for figure in ("lost", "late", "duplicates", "responses_lost", "half_written", "errors", "web_restarts"):
        assert totals[figure] == "0", f"{figure}: {output[-5000:]}"
    assert int(totals["sent"]) == 400
    assert run.returncode == 0, output[-5000:]
