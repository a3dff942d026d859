"""The parts of the reports benchmark (scripts/bench_reports.py): the database, the generated data, the pages and the
exports measured."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "scripts" / "bench_reports.py"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/respond_bench"
KEV_FILE = ROOT / "data" / "kev" / "known_exploited_vulnerabilities.json"
ODS_FILES = ("etr.csv", "ect.csv", "eccg.csv", "sub-icb-to-icb-to-region-2023.csv", "csu-list-2023.csv")
GOAL_RATIO, GOAL_ROWS_PER_S, GOAL_RSS_MB = 3.0, 50_000, 200
LEAD_ORGANISATIONS, SMALL_USER_ORGANISATIONS = 200, 20
SEED = 20261130
