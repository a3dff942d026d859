"""Text that a person typed, made safe to open in a spreadsheet: shared by the exports and the groups' indicators."""

# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_STARTS = frozenset("=+-@\t\r")


def spreadsheet_text(value: str | None) -> str:
    """A leading apostrophe stops typed text running as a formula; no value is an empty cell."""
    if not value:
        return ""
    return "'" + value if value[0] in FORMULA_STARTS else value
