"""`make run HOST=… PORT=…` serves at that address, and every link it prints or sends uses it: make hands it, as
SITE_URL, to seed_demo (which prints the sign-in and invitation links: see test_seed_demo.py) and to serve.sh (which
passes it on to the web server, the worker and the scheduler, so pages and emails link there too)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def planned(*arguments: str, **env: str) -> str:
    """The commands `make` would run (a dry run: nothing is installed, seeded or served)."""
    environment = {key: value for key, value in os.environ.items() if key != "SITE_URL"} | env
    result = subprocess.run(
        ["make", "--dry-run", "--no-print-directory", "--always-make", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def command_line(plan: str, program: str) -> str:
    [line] = [line for line in plan.splitlines() if program in line]
    return line


def test_make_run_on_another_port_gives_that_address_to_the_demo_data_and_the_servers():
    plan = planned("run", "PORT=8765")
    assert command_line(plan, "manage.py seed_demo").startswith('SITE_URL="http://127.0.0.1:8765" ')
    assert command_line(plan, "scripts/serve.sh") == 'SITE_URL="http://127.0.0.1:8765" scripts/serve.sh 127.0.0.1 8765'


def test_the_default_address_is_the_default_port():
    plan = planned("run")
    assert command_line(plan, "scripts/serve.sh") == 'SITE_URL="http://127.0.0.1:8000" scripts/serve.sh 127.0.0.1 8000'


def test_a_site_url_given_wins_for_a_service_behind_a_proxy():
    plan = planned("run", "PORT=8765", SITE_URL="https://cyber-alerts.example.nhs.uk")
    assert command_line(plan, "manage.py seed_demo").startswith('SITE_URL="https://cyber-alerts.example.nhs.uk" ')
    assert command_line(plan, "scripts/serve.sh").startswith('SITE_URL="https://cyber-alerts.example.nhs.uk" ')
