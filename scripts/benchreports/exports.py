"""Streaming the exports in a child process, for rows/s and peak memory."""

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date

from benchreports import ROOT, SCRIPT
from benchreports.pages import signed_in_client, url_or_none


@dataclass
class ExportResult:
    fmt: str
    measured: bool = False
    note: str = ""
    rows: int = 0
    seconds: float = 0.0
    bytes: int = 0
    peak_rss_mb: float = 0.0
    rss_before_mb: float = 0.0

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def measure_export(fmt: str, database_url: str, date_from: date, date_to: date) -> ExportResult:
    """Streams the whole history export in a child process, which reports its own peak RSS (VmHWM: since its exec;
    wait4's ru_maxrss would count the pages of this big parent process the child had before its exec)."""
    result = ExportResult(fmt)
    if url_or_none("exports:history", fmt=fmt) is None:
        result.note = "not measured: exports:history does not exist"
        return result
    command = [
        sys.executable,
        str(SCRIPT),
        "--export-child",
        fmt,
        "--from",
        date_from.isoformat(),
        "--to",
        date_to.isoformat(),
    ]
    env = {**os.environ, "DATABASE_URL": database_url}
    child = subprocess.run(command, stdout=subprocess.PIPE, env=env, cwd=ROOT, check=False)  # noqa: S603 - this script
    if child.returncode != 0:
        result.note = f"not measured: the export child failed ({child.returncode})"
        return result
    report = json.loads(child.stdout.decode().strip().splitlines()[-1])
    if report.get("error"):
        result.note = f"not measured: {report['error']}"
        return result
    result.measured = True
    result.rows, result.seconds, result.bytes = report["rows"], report["seconds"], report["bytes"]
    result.rss_before_mb = report["rss_before_kb"] / 1024
    result.peak_rss_mb = report["peak_rss_kb"] / 1024
    return result


def export_child(fmt: str, date_from: str, date_to: str) -> None:
    """In the child: GET the export as the auditor, consume the streamed body, print what it took as JSON."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from respond.accounts.models import User
    from respond.responses.models import ResponseEntry

    auditor = User.objects.get(email="auditor@bench.invalid")
    client = signed_in_client(auditor.pk)
    url = reverse("exports:history", kwargs={"fmt": fmt}) + "?" + urlencode({"from": date_from, "to": date_to})
    expected = ResponseEntry.objects.filter(created_at__date__gte=date_from, created_at__date__lte=date_to).count()
    rss_before = _rss_kb()
    started = time.perf_counter()
    response = client.get(url)
    if response.status_code != 200:
        print(json.dumps({"error": f"GET {url} answered {response.status_code}"}))
        return
    size = lines = 0
    chunks = response.streaming_content if response.streaming else [response.content]
    for chunk in chunks:
        size += len(chunk)
        if fmt == "csv":
            lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    rows = max(0, lines - 1) if fmt == "csv" else expected
    report = {"rows": rows, "expected": expected, "seconds": seconds, "bytes": size}
    print(json.dumps({**report, "rss_before_kb": rss_before, "peak_rss_kb": _rss_kb("VmHWM")}))


def _rss_kb(field: str = "VmRSS") -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    return 0
