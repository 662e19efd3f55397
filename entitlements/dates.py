"""Roster dates, month indices and service spans.

A date is (year, month, day) with day 0 meaning "month precision only" (1940.05):
a first-class case, not an error. Months are counted as a single integer index
(year * 12 + month - 1) so that spans and payout periods are plain integer intervals.
"""

from __future__ import annotations

import datetime as _dt
import re

import numpy as np
from attrs import frozen

MONTH_PRECISION = 0  # day value of a month-precision date


class DateError(ValueError):
    def __init__(self, zh: str, en: str):
        super().__init__(zh)
        self.zh, self.en = zh, en


@frozen
class RosterDate:
    year: int
    month: int
    day: int = MONTH_PRECISION

    @property
    def month_index(self) -> int:
        return month_index(self.year, self.month)

    @property
    def has_day(self) -> bool:
        return self.day != MONTH_PRECISION

    def __str__(self) -> str:
        if self.has_day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}"


_SEP = r"[-/.]"
_DAY_PATTERNS = [
    re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_MONTH_PATTERNS = [
    re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
]
_TIME_SUFFIX = re.compile(r"[ T]0{1,2}:00(:00)?(\.0+)?$")


_JANUARY_OR_OCTOBER = re.compile(r"^\d{4}\.1$")  # 2025.1: typed so, or 2025.10 once a number


def parse_date(value: object) -> RosterDate:
    """Every roster form of SPEC §3; raises DateError with a reason in Chinese and English."""
    if isinstance(value, RosterDate):
        return value
    if isinstance(value, _dt.datetime):
        return RosterDate(value.year, value.month, value.day)
    if isinstance(value, _dt.date):
        return RosterDate(value.year, value.month, value.day)
    text = _TIME_SUFFIX.sub("", str(value).strip())
    for pattern in _DAY_PATTERNS:
        if m := pattern.match(text):
            y, mo, d = (int(g) for g in m.groups())
            _check(y, mo, text)
            try:
                _dt.date(y, mo, d)  # refuses 31 April and 29 February of a common year
            except ValueError:
                raise DateError(f"日期不存在：{text}", f"no such date: {text}") from None
            return RosterDate(y, mo, d)
    if _JANUARY_OR_OCTOBER.match(text):  # as the Excel reader says of the number 1940.1
        raise DateError(f"日期写作 {text}，无法区分1月与10月（Excel 会把 {text}0 存成 {text}）；请写作 {text[:5]}01 或 {text}0",
                        f"the date {text} is ambiguous: January or October (Excel turns {text}0 into {text}); "
                        f"write {text[:5]}01 or {text}0")
    for pattern in _MONTH_PATTERNS:
        if m := pattern.match(text):
            y, mo = (int(g) for g in m.groups())
            _check(y, mo, text)
            return RosterDate(y, mo)
    raise DateError(
        f"无法识别的日期：{text}（可用 1940-05-12、1940年5月、1940.05 等格式）",
        f"unreadable date: {text} (use e.g. 1940-05-12, 1940年5月, 1940.05)",
    )


def _check(year: int, month: int, text: str) -> None:
    if not 1 <= month <= 12:
        raise DateError(f"月份不存在：{text}", f"no such month: {text}")
    if not 1850 <= year <= 2200:
        raise DateError(f"年份不合理：{text}", f"implausible year: {text}")


def today() -> _dt.date:
    """The day a roster is computed: a birth or a death after it is impossible. The one
    place that reads the clock, so tests can set it."""
    return _dt.date.today()


def after_today(y, m, d) -> np.ndarray:
    """True where a date lies after today; a month-precision date (day 0) is after today
    only from the next month on."""
    t = today()
    y, m, d = (np.asarray(a, dtype=np.int64) for a in (y, m, d))
    return (y > 0) & ((y * 100 + m) * 100 + d > (t.year * 100 + t.month) * 100 + t.day)


def month_index(year, month):
    return year * 12 + (month - 1)


def month_label(index: int) -> str:
    year, month0 = divmod(int(index), 12)
    return f"{year:04d}-{month0 + 1:02d}"


def parse_month(text: str) -> int:
    """'2002-01' in a data file -> month index."""
    d = parse_date(text)
    return d.month_index


def days_in_month(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    year, month = np.asarray(year), np.asarray(month)
    base = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[month - 1]
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return base + ((month == 2) & leap)


def service_months(
    start_y, start_m, start_d, end_y, end_m, end_d
) -> tuple[np.ndarray, np.ndarray]:
    """First month index and count of whole months served, per span.

    Conventions (SPEC §3): a day-precision end date is inclusive and only whole months
    count, a whole month running from a day to the same day of the next month (or that
    month's last day when it has no such day, as pendulum adds months); a month-precision
    start is the 1st, a month-precision end is exclusive (the successor starts that month).
    Service month k is credited to the calendar month in which it begins.
    """
    sy, sm, sd = (np.asarray(a, dtype=np.int64) for a in (start_y, start_m, start_d))
    ey, em, ed = (np.asarray(a, dtype=np.int64) for a in (end_y, end_m, end_d))
    sd = np.where(sd == MONTH_PRECISION, 1, sd)
    # the boundary just after the last day served
    dim = days_in_month(ey, em)
    by = ey.copy()
    bm = em.copy()
    bd = np.where(ed == MONTH_PRECISION, 1, ed + 1)
    roll = bd > dim
    bd = np.where(roll, 1, bd)
    bm = np.where(roll, bm + 1, bm)
    by = np.where(bm > 12, by + 1, by)
    bm = np.where(bm > 12, 1, bm)
    first = month_index(sy, sm)
    months = month_index(by, bm) - first
    anniversary = np.minimum(sd, days_in_month(by, bm))
    months = months - (bd < anniversary)
    return first, np.maximum(months, 0)


def end_before_start(start_y, start_m, start_d, end_y, end_m, end_d) -> np.ndarray:
    """True where the end lies before the start (a month-precision end is exclusive)."""
    sy, sm, sd = (np.asarray(a, dtype=np.int64) for a in (start_y, start_m, start_d))
    ey, em, ed = (np.asarray(a, dtype=np.int64) for a in (end_y, end_m, end_d))
    start_key = (sy * 12 + sm) * 32 + np.where(sd == 0, 1, sd)
    # a month-precision end is exclusive: the same month as the start is zero months, not negative
    end_key = (ey * 12 + em) * 32 + np.where(ed == 0, 1, ed)
    return end_key < start_key


def merge_intervals(owner: np.ndarray, start: np.ndarray, stop: np.ndarray):
    """Merge overlapping [start, stop) month intervals per owner; vectorised.

    Returns (owner, start, stop) of the merged intervals, sorted by owner then start.
    """
    order = np.lexsort((start, owner))
    o, s, e = owner[order], start[order], stop[order]
    if len(o) == 0:
        return o, s, e
    # running max of stop within each owner, to find where a new interval begins
    run_end = np.empty_like(e)
    new_owner = np.r_[True, o[1:] != o[:-1]]
    group_id = np.cumsum(new_owner) - 1
    # max.accumulate per group: offset each group so accumulate cannot leak across groups
    offset = group_id.astype(np.int64) * (int(e.max()) - int(s.min()) + 2)
    run_end = np.maximum.accumulate(e - s.min() + offset) - offset + s.min()
    begins = new_owner.copy()
    begins[1:] |= s[1:] > run_end[:-1]
    idx = np.flatnonzero(begins)
    merged_stop = np.maximum.reduceat(e, idx)
    # reduceat over a run gives the max stop of intervals in that merged block
    return o[idx], s[idx], merged_stop
