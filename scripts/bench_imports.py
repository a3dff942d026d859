"""Times the imports with files of ROWS rows: `make bench-imports ROWS=64000`.

Three files, each imported by a process of its own (so that its peak memory is its own): the mandated-organisations
list as XLSX and as CSV, naming ROWS organisations that exist, and an ODS extract (etr.csv) of ROWS new
organisations. Each prints `<file> rows=… seconds=… peak_rss_mb=…`; the last line printed is
`RESULT rows=… seconds=… cpu_seconds=… peak_rss_mb=…` with the slowest time (wall clock, and the CPU time, which
a busy machine does not inflate) and the largest peak of the three (the target: 64,000 rows in under 30 s and
300 MB).

It never touches the configured database: like bench_bulk, it runs on a new SQLite file under var/bench/ or, when
DATABASE_URL names a PostgreSQL server, on a database <name>_bench created afresh there.
"""

import argparse
import csv
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench_bulk import ROOT, throwaway_database_url

FILES = ("mandated.xlsx", "mandated.csv", "etr.csv")


def setup_django() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("APP_ENV", "development")
    # Timed as production runs: with DEBUG on, Django also formats and keeps every query (64,000 rows' values).
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


def codes(rows: int) -> list[str]:
    return [f"B{number:05d}" for number in range(rows)]


def prepare(rows: int, folder: Path) -> None:
    """A fresh database holding ROWS organisations, and the three files."""
    from django.core.management import call_command
    from openpyxl import Workbook

    from respond.organisations.models import Organisation, OrganisationType

    call_command("migrate", verbosity=0, interactive=False)
    Organisation.objects.bulk_create(
        [Organisation(ods_code=code, name=f"Organisation {code}", organisation_type=OrganisationType.NHS_TRUST)
         for code in codes(rows)],
        batch_size=2000,
    )  # fmt: skip
    listed = [(code, f"Organisation {code}", "NHS Trust") for code in codes(rows)]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Mandated organisations")
    sheet.append(["Organisations that must respond to high-severity cyber alerts"])
    sheet.append(["ODS code", "Organisation name", "Type"])
    for row in listed:
        sheet.append(row)
    workbook.save(folder / "mandated.xlsx")
    with (folder / "mandated.csv").open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["ODS code", "Organisation name", "Type"])
        writer.writerows(listed)
    with (folder / "etr.csv").open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, quoting=csv.QUOTE_ALL)
        for number in range(rows):
            code = f"E{number:05d}"
            cells = [code, f"NEW HOSPITALS {code} NHS TRUST", "Y56", "QMJ", "1 HIGH STREET", "", "", "LEEDS", "",
                     "LS1 4AP", "20200401", "", "", ""]  # fmt: skip
            writer.writerow(cells + [""] * 13)


def import_one(path: Path) -> None:
    """In its own process: import one file, then print its time and this process's peak memory."""
    from respond.core.audit import Auditor
    from respond.organisations.importers import import_ods_files
    from respond.organisations.mandated import import_mandated_list
    from respond.organisations.source_files import SourceFile

    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = before.ru_utime + before.ru_stime
    started = time.perf_counter()
    source = SourceFile.from_path(path)
    auditor = Auditor.system("bench_imports")
    if path.name.startswith("mandated"):
        summary = import_mandated_list(file=source, auditor=auditor)
        rows = summary.listed
    else:
        rows = sum(file.rows for file in import_ods_files(files=[source], auditor=auditor).files)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    print(
        f"{path.name} rows={rows} seconds={seconds:.2f} cpu_seconds={cpu:.2f} peak_rss_mb={usage.ru_maxrss / 1024:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=64_000)
    parser.add_argument("--import-file", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.import_file:
        setup_django()
        import_one(arguments.import_file)
        return
    os.environ["DATABASE_URL"] = throwaway_database_url(os.environ.get("DATABASE_URL", ""))
    setup_django()
    folder = ROOT / "var" / "bench" / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    prepare(arguments.rows, folder)
    results = []
    for name in FILES:
        child = subprocess.run(  # noqa: S603 - this script, on a file it wrote
            [sys.executable, __file__, "--import-file", str(folder / name)],
            env=os.environ,
            capture_output=True,
            text=True,
            check=True,
        )
        line = child.stdout.strip().splitlines()[-1]
        print(line, flush=True)
        results.append(dict(part.split("=") for part in line.split()[1:]))
    seconds = max(float(result["seconds"]) for result in results)
    cpu = max(float(result["cpu_seconds"]) for result in results)
    peak = max(float(result["peak_rss_mb"]) for result in results)
    print(f"RESULT rows={arguments.rows} seconds={seconds:.2f} cpu_seconds={cpu:.2f} peak_rss_mb={peak:.0f}")


if __name__ == "__main__":
    main()
