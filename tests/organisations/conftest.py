from pathlib import Path

import pytest
from django.conf import settings

from respond.core.audit import Auditor
from respond.core.models import AuditLog
from respond.organisations.importers import import_ods_files
from respond.organisations.models import Organisation, Region
from respond.organisations.source_files import SourceFile

ODS_DIR = Path(settings.BASE_DIR) / "data" / "ods"
SHIPPED_FILES = ["etr.csv", "ect.csv", "eccg.csv", "sub-icb-to-icb-to-region-2023.csv", "csu-list-2023.csv"]
TEST_DATA = Path(__file__).parent / "data"


def ods_line(
    code: str,
    name: str,
    *,
    region: str = "Y56",
    icb: str = "QMJ",
    postcode: str = "N1 1AA",
    open_date: str = "20200401",
    close_date: str = "",
    subtype: str = "",
    columns: int = 27,
) -> str:
    """One row of an ODS extract: 27 quoted columns."""
    cells = [
        code,
        name,
        region,
        icb,
        "1 HIGH STREET",
        "",
        "",
        "LONDON",
        "",
        postcode,
        open_date,
        close_date,
        "",
        subtype,
    ]
    cells = (cells + [""] * 27)[:columns]
    return ",".join(f'"{cell}"' for cell in cells)


def ods_file(*lines: str) -> str:
    return "".join(f"{line}\n" for line in lines)


def shipped(*names: str) -> list[SourceFile]:
    return [SourceFile.from_path(ODS_DIR / name) for name in names or SHIPPED_FILES]


def database_state() -> tuple:
    """Everything an import may write, to show that a failed import wrote nothing."""
    return (
        list(Organisation.objects.order_by("ods_code").values()),
        list(Region.objects.order_by("code").values()),
        AuditLog.objects.count(),
    )


@pytest.fixture
def write_file(tmp_path):
    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    return _write


@pytest.fixture
def imported_shipped_files(db):
    """The shipped ODS files, imported."""
    return import_ods_files(files=shipped(), auditor=Auditor.system("test"))
