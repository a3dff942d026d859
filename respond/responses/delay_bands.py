"""Bands of minutes of delay, narrow for short delays and wider as they grow (eight to each doubling), so that
each band holds a similar share of the delays: minutes below 16 are a band each; from 16 on, each band is an
eighth of the doubling it is in. Bands are grouped in octaves: below 16 minutes, then each doubling. The same
bands are worked out here (for each write) and in SQL (for a rebuild)."""

OCTAVES = 24  # up to 2 ** 28 minutes (about 500 years); longer delays share the last band
BELOW = -1  # negative delays (a clock behind): one band


def band(minutes: int) -> int:
    if minutes < 0:
        return BELOW
    if minutes < 16:
        return minutes
    shift = min(minutes.bit_length() - 4, OCTAVES)
    return 16 + (shift - 1) * 8 + min((minutes >> shift) - 8, 7)


def band_sql(minutes: str) -> str:
    """The band of the SQL integer expression `minutes` (integer division on both databases)."""
    steps = [f"WHEN {minutes} < 0 THEN {BELOW}", f"WHEN {minutes} < 16 THEN {minutes}"]
    for shift in range(1, OCTAVES + 1):
        start = 1 << (shift + 3)
        steps.append(f"WHEN {minutes} < {start * 2} THEN {16 + (shift - 1) * 8} + ({minutes} - {start}) / {1 << shift}")
    return f"(CASE {' '.join(steps)} ELSE {16 + (OCTAVES - 1) * 8 + 7} END)"


def octave(band_number: int) -> int:
    if band_number < 16:
        return BELOW if band_number == BELOW else 0
    return (band_number - 16) // 8 + 1


def octave_sql(band_number: str) -> str:
    below = f"WHEN {band_number} < 0 THEN {BELOW} WHEN {band_number} < 16 THEN 0"
    return f"(CASE {below} ELSE ({band_number} - 16) / 8 + 1 END)"
