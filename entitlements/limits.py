"""Engine limits: what exact int64 fen arithmetic can carry (not policy standards).

Every amount is an int64 count of fen, so every number that multiplies into one is
bounded here, in one place, from this budget (2^63 − 1 ≈ 9.22 × 10^18):

    a standard's amount (元/月, 元/年, 元/人/年, a tier, a per-capita share)
        ≤ MAX_AMOUNT_FEN = 10^8 fen (1,000,000 元; the largest in our sources is 50万)
    a counts-mode count (organisations, people)
        ≤ MAX_COUNT = 10^8 (China has about 10^8 party members)
    months in one line ≤ 12 × 12: a count of people paid by the month becomes months
        served (count × 12), each at a monthly amount, summed over a year's 12 months
    widest product in one line: 10^8 × 12 × 10^8 × 12 = 1.44 × 10^18  (6.4× below 2^63)
    a career lump sum: ≤ 12 × 350 months (dates run 1850–2200) × 10^8 = 4.2 × 10^11 per person

    a split share (ratio weight) ≤ MAX_WEIGHT = 10^6 per level, at most 4 levels: the split
        never forms line × weight (money.split_by_weights divides first), so weights add
        nothing to the budget; the bound keeps the remainder arithmetic r × w < 4 × 10^12
    a fixed programme total ≤ MAX_TOTAL_FEN (shared out in Python integers)
    a tier minimum ≤ MAX_TIER_MIN = 200 (years); a threshold ("number") ≤ MAX_NUMBER
    a budget year in MIN_YEAR..MAX_YEAR = 1949..2100

A run's total is the sum of its lines; a roster of 10^8 beneficiaries at 10^8 fen × 12
months each would pass 2^63, so rather than bound the rows, every run checks that the sum
of its lines' absolute values stays ≤ MAX_TOTAL_FEN = 10^18 fen (10^16 元): then no total,
level, component or unit sum can wrap. A national roster of 10^8 people at 10^4 元 a year
is 10^14 fen, 10^4× below it.
"""

from __future__ import annotations

import numbers
import re

import numpy as np

MIN_YEAR, MAX_YEAR = 1949, 2100
MAX_AMOUNT_FEN = 10**8
MAX_COUNT = 10**8
MAX_WEIGHT = 10**6
MAX_TIER_MIN = 200
MAX_NUMBER = 10**6
MAX_TOTAL_FEN = 10**18


def check_year(value: object, field: str = "year") -> int:
    """A budget year as an int in MIN_YEAR..MAX_YEAR, or EntitlementInputError naming ``field``."""
    from .errors import EntitlementInputError

    year = whole_number(value)
    if year is None:
        raise EntitlementInputError(field, value, "年度应为整数年份，如 2025", "a year is a whole number such as 2025")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise EntitlementInputError(field, value, f"年度应在{MIN_YEAR}至{MAX_YEAR}年之间",
                                    f"the year must lie in {MIN_YEAR}–{MAX_YEAR}")
    return year


def check_count(key: str, value: object) -> int:
    """A counts-mode count as an int in 0..MAX_COUNT, or EntitlementInputError naming ``key``."""
    from .errors import EntitlementInputError

    count = whole_number(value)
    if count is None:
        raise EntitlementInputError(key, value, "计数应为整数", "a count is a whole number")
    if count < 0:
        raise EntitlementInputError(key, value, "计数不能为负", "a count must not be negative")
    if count > MAX_COUNT:
        raise EntitlementInputError(key, value, f"计数超出上限 {MAX_COUNT}（引擎可精确计算的范围）",
                                    f"a count above the engine limit of {MAX_COUNT}")
    return count


def whole_number(value: object) -> int | None:
    """An int (a numpy integer, a text of digits) as an int; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?[0-9]{1,30}\s*", value):
        return int(value)
    return None


def abs_sum(a: np.ndarray) -> int:
    """The exact sum of |a| (int64) without wrapping: high and low 32 bits summed apart."""
    mag = np.abs(np.asarray(a, dtype=np.int64)).astype(np.uint64)
    return int((mag >> np.uint64(32)).sum()) * 2**32 + int((mag & np.uint64(0xFFFFFFFF)).sum())


def check_total(exact: int) -> None:
    """A run's (or a merged ledger's) sum of absolute fen within MAX_TOTAL_FEN, or
    EntitlementInputError: beyond it an int64 total could wrap."""
    if exact > MAX_TOTAL_FEN:
        from .errors import EntitlementInputError
        from .money import fen_to_yuan

        raise EntitlementInputError(
            "roster", fen_to_yuan(exact), f"合计超出引擎可精确计算的上限 {fen_to_yuan(MAX_TOTAL_FEN)} 元",
            f"the total passes the engine limit of {fen_to_yuan(MAX_TOTAL_FEN)} yuan")
