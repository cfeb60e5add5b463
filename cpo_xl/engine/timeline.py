"""The model's one timeline: calendar years 2023-2035, the same columns on every sheet."""

import numpy as np

FIRST_YEAR = 2023
LAST_YEAR = 2035
YEARS: tuple[int, ...] = tuple(range(FIRST_YEAR, LAST_YEAR + 1))
YEAR_ARRAY = np.array(YEARS, dtype=float)


def year_index(year: int) -> int:
    """Column index [0-based] of a calendar year on the timeline."""
    return year - FIRST_YEAR
