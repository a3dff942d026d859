"""Which process sent what: for the tests and the benchmark that kill a worker while it holds claims."""

from pathlib import Path


def claimant_pid(claimed_by: str) -> int:
    return int(claimed_by.split(":")[1])  # claims read "<host>:<pid>:<random>"


def parent_pid(pid: int) -> int | None:
    """The process's parent, or None when the process is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])
