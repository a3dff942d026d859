"""No container engine runs here, so these read the Dockerfile and compose.yaml: compose must start the same
entry points that the tests, `make load-test` and `make fault-test` run (scripts/process.sh ROLE), with settings
that docs/configuration.md documents. Building the image and running compose are not tested here."""

import re
import subprocess
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
ROLES = {"web", "worker", "scheduler", "migrate"}


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def our_services() -> dict[str, dict]:
    return {name: service for name, service in compose()["services"].items() if service.get("build")}


def test_the_image_runs_the_process_entry_point_as_an_unprivileged_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM \S+(?: AS (\w+))?", dockerfile, re.M)
    assert len(stages) >= 2, "a multi-stage build"
    assert "uv sync --frozen" in dockerfile
    assert "npm run build" in dockerfile, "assets are built in the image"
    assert "collectstatic" in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users
    assert users[-1] not in {"root", "0"}
    assert re.search(r'^ENTRYPOINT \["scripts/process.sh"\]', dockerfile, re.M)
    copied = re.findall(r"^COPY (?!--from)(\S+) ", dockerfile, re.M)
    for path in copied:
        assert (ROOT / path).exists(), f"the Dockerfile copies {path}, which is not in the repository"


def test_compose_runs_two_webs_two_workers_one_scheduler_and_a_migration():
    services = compose()["services"]
    assert {"postgres", "redis"} <= set(services)
    commands = Counter(tuple(service["command"]) for service in our_services().values())
    assert commands == {("web",): 2, ("worker",): 2, ("scheduler",): 1, ("migrate",): 1}
    for name, service in our_services().items():
        assert service["command"][0] in ROLES
        if service["command"] != ["migrate"]:
            assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["REDIS_URL"].startswith("redis://")


def test_every_role_compose_uses_is_one_the_entry_point_knows():
    script = (ROOT / "scripts" / "process.sh").read_text()
    known = set(re.findall(r"^  (\w+)\)$", script, re.M))
    assert known == ROLES
    answer = subprocess.run(
        [str(ROOT / "scripts" / "process.sh"), "no-such-role"], capture_output=True, text=True, check=False
    )
    assert answer.returncode == 2
    assert "usage" in answer.stderr


def test_every_setting_compose_passes_is_documented():
    documented = set(re.findall(r"^\| `([A-Z_][A-Z0-9_]*)`", (ROOT / "docs" / "configuration.md").read_text(), re.M))
    for name, service in our_services().items():
        undocumented = set(service["environment"]) - documented
        assert not undocumented, f"{name} passes settings docs/configuration.md does not describe: {undocumented}"
