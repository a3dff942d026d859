"""The load test's smoke run: `make load-test` made small (a few people of every kind for 30 seconds, a major
incident to 100 people ten seconds in) against the production process set it starts. Every page read, form sent
and API call must succeed, and every notification reach Notify exactly once. Runs with the PostgreSQL + Redis
settings (a step of its own in .ci/run), in a few minutes; the full run (`make load-test`, 100 people for 10
minutes) is not for CI.
"""

import os
import re
import subprocess
import sys

import pytest

from tests.support.processes import BASE_DIR

DATABASE_URL = os.environ.get("DATABASE_URL", "")
SMOKE = ["--users", "12", "--minutes", "0.5", "--scale", "0.02", "--recipients", "100", "--publish-after", "10"]


def result_of(output: str) -> dict[str, float]:
    lines = [line for line in output.splitlines() if line.startswith("RESULT ")]
    assert lines, f"the load test printed no RESULT line:\n{output[-6000:]}"
    return {name: float(value) for name, value in re.findall(r"(\w+)=([\d.]+)", lines[-1])}


@pytest.mark.smoke
@pytest.mark.skipif(
    not DATABASE_URL.startswith("postgres"), reason="the load test needs PostgreSQL: runs in the PostgreSQL suite"
)
def test_a_small_load_run_has_no_errors_and_loses_or_doubles_no_notification(tmp_path):
    run = subprocess.Popen(
        [sys.executable, str(BASE_DIR / "scripts" / "load_test.py"), *SMOKE, "--drain-minutes", "2"],
        cwd=BASE_DIR,
        env={**os.environ, "TMPDIR": str(tmp_path)},  # its logs, locust's figures and Redis's files
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = run.communicate(timeout=420)
    except subprocess.TimeoutExpired:
        run.terminate()  # it stops the processes it started
        output, _ = run.communicate(timeout=120)
        pytest.fail(f"the load test ran for more than 7 minutes:\n{output[-6000:]}")
    assert run.returncode == 0, output[-6000:]
    result = result_of(output)

    assert result["users"] == 12
    assert result["requests"] > 20
    assert result["errors"] == 0, output[-6000:]
    # 100 people (email and two texts each) and the responders who acknowledge the incident (email).
    assert result["notifications_expected"] >= 300
    assert result["sent"] == result["notifications_expected"]
    assert result["lost"] == 0
    assert result["duplicates"] == 0
    # Forms and API calls were sent, not only pages read (which ones, in 30 seconds, is chance).
    sent = set(re.findall(r"^(.+?) \(POST\)\s+\d+", output, re.M))
    assert len(sent) >= 3, f"only {sorted(sent)} were sent:\n{output[-6000:]}"
