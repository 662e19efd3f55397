"""Person rosters: identity checks and service spans, shared by person policies."""

from __future__ import annotations

import numpy as np

import entitlements.dates as dates  # the module (tests set dates.today); not `from . import`, which names the package
from .dates import RosterDate, end_before_start, month_index, month_label, service_months
from .fields import FEMALE, MALE, Field
from .roster import ParsedTable

SEX_NAMES = {MALE: ("男", "male"), FEMALE: ("女", "female")}

ID_FIELDS = (
    # not 序号: a sheet's running number differs on every span row of one person
    Field("id", "编号", "text", "id", aliases=("人员编号",)),
    Field("name", "姓名", "text", "name"),
    Field("id_number", "身份证号", "id_number", "ID number", aliases=("公民身份号码", "身份证号码", "身份证")),
)
SPAN_FIELDS = (
    Field("start", "任职开始", "date", "service start", aliases=("任职起始时间", "任职开始时间", "任职起始日期", "起始时间")),
    Field("end", "任职结束", "date", "service end", aliases=("任职终止时间", "离任时间", "任职结束时间", "终止时间", "离任日期")),
)
UNIT_ALIASES = ("乡镇", "街道", "乡镇（街道）", "所属乡镇（街道）", "所属乡镇", "所在乡镇", "所在乡镇（街道）", "所在街道")


def birth_and_sex(parsed: ParsedTable, need: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sex and birth date per row, checked against a valid 身份证号 and filled from it.

    Returns (sex, birth year, birth month, birth day); a disagreement is a reject, a
    missing value with no ID number to read it from is a reject when ``need``.
    """
    cols = parsed.columns
    sex = cols["sex"].ints()
    by, bm, bd = cols["birth_date"].dates()
    idc = cols["id_number"]
    if idc.present.any():  # a roster without ID numbers has nothing to check against or read from
        sex, by, bm, bd = _check_against_cards(parsed, idc, sex, by, bm, bd)
    if need:
        open_rows = ~parsed.rejected
        parsed.reject(np.flatnonzero(open_rows & (sex == 0)), "sex", "缺少性别，且无有效身份证号可推算",
                      "sex missing and no valid ID number to read it from", "")
        parsed.reject(np.flatnonzero(~parsed.rejected & (by == 0)), "birth_date",
                      "缺少出生日期，且无有效身份证号可推算", "birth date missing and no valid ID number to read it from", "")
    return sex, by, bm, bd


def _check_against_cards(parsed: ParsedTable, idc, sex, by, bm, bd):
    """Rows whose 身份证号 disagrees with the given sex or birth date are rejected; a
    blank sex or birth date is read from the card."""
    # what each distinct valid ID number says (read as columns), then per row
    card_y, card_m, card_d, card_sex = (idc.parts[k][idc.inverse] for k in ("year", "month", "day", "sex"))
    unknown_region = ~idc.parts["known"][idc.inverse]
    has_id = idc.present & (card_y > 0) & ~parsed.rejected
    for pos in np.flatnonzero(has_id & unknown_region):
        code = idc.uniq[idc.inverse[pos]][:6]
        parsed.notice([pos], "id_number", f"身份证号地区码未能识别（可能为已撤销的旧代码）：{code}",
                      f"unknown region code (perhaps a retired one): {code}")
    given_birth = has_id & (by > 0)
    differs = given_birth & ~((by == card_y) & (bm == card_m) & ((bd == 0) | (bd == card_d)))
    for pos in np.flatnonzero(differs):
        b = RosterDate(int(card_y[pos]), int(card_m[pos]), int(card_d[pos]))
        parsed.reject([pos], "birth_date", f"出生日期与身份证号不一致（身份证号为{b}）",
                      f"birth date disagrees with the ID number ({b})")
    fill = has_id & (by == 0)
    by, bm, bd = (np.where(fill, c, v) for v, c in ((by, card_y), (bm, card_m), (bd, card_d)))
    for pos in np.flatnonzero(has_id & (sex > 0) & (sex != card_sex)):
        card = int(card_sex[pos])
        parsed.reject([pos], "sex", f"性别与身份证号不一致（身份证号为{SEX_NAMES[card][0]}）",
                      f"sex disagrees with the ID number ({SEX_NAMES[card][1]})")
    sex = np.where(has_id & (sex == 0), card_sex, sex)
    return sex, by, bm, bd


def not_before(parsed: ParsedTable, field: str, later: tuple, earlier: tuple, zh: str, en: str) -> None:
    """Reject rows where a present ``field`` date lies before ``earlier`` (both month-precise)."""
    ly, lm, _ = later
    ey, em, _ = earlier
    bad = (ly > 0) & (ey > 0) & (month_index(ly, lm) < month_index(ey, em)) & ~parsed.rejected
    parsed.reject(np.flatnonzero(bad), field, zh, en)


def not_after_today(parsed: ParsedTable, field: str | np.ndarray, date: tuple, zh: str, en: str) -> None:
    """Reject rows whose ``date`` lies after today (a birth or a death cannot). ``field``
    is the column named, or per row an array of field names (a birth date read from the
    身份证号 is that column's fault)."""
    bad = np.flatnonzero(dates.after_today(*date) & ~parsed.rejected)
    t = dates.today().isoformat()
    y, m, d = date
    for pos in bad:
        when = RosterDate(int(y[pos]), int(m[pos]), int(d[pos]))
        name = field if isinstance(field, str) else str(field[pos])
        parsed.reject([pos], name, f"{zh}（{when}）晚于今天（{t}），不可能", f"{en} ({when}) is after today ({t}): impossible")


def card_births(parsed: ParsedTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The birth date each row's valid 身份证号 holds (year 0 where there is none)."""
    idc = parsed.columns["id_number"]
    return tuple(idc.parts[k][idc.inverse].astype(np.int64) for k in ("year", "month", "day"))


def spans(parsed: ParsedTable, birth: tuple, min_age: int | None = None,
          birth_label: tuple[str, str] = ("出生日期", "birth")) -> dict[str, np.ndarray]:
    """Service spans per row: first month, whole months served, departure month.

    A span that ends before it starts, starts before birth, or (``min_age``) starts
    before the month in which the person reached that age, is rejected."""
    sy, sm, sd = parsed.columns["start"].dates()
    ey, em, ed = parsed.columns["end"].dates()
    both = (sy > 0) & (ey > 0)
    bad = both & end_before_start(sy, sm, sd, ey, em, ed) & ~parsed.rejected
    parsed.reject(np.flatnonzero(bad), "end", "任职结束早于任职开始", "service ends before it starts")
    not_before(parsed, "start", (sy, sm, sd), birth, f"任职开始早于{birth_label[0]}", f"service starts before {birth_label[1]}")
    if min_age is not None:
        by, bm, bd = birth
        young = (sy > 0) & (by > 0) & (month_index(sy, sm) < month_index(by, bm) + min_age * 12) & ~parsed.rejected
        for pos in np.flatnonzero(young):
            b = RosterDate(int(by[pos]), int(bm[pos]), int(bd[pos]))
            parsed.reject([pos], "start", f"任职开始时未满{min_age}周岁（{birth_label[0]}为{b}），不合理",
                          f"service starts before age {min_age} ({birth_label[1]} {b}): implausible")
    first, months = service_months(sy, sm, sd, ey, em, ed)
    # the departure is the end date as written (SPEC §4.3): a month-precision end (2025.01) is
    # exclusive for the months served, yet the person leaves in that month and is budgeted in its year
    return {"first": first, "months": months, "departure": month_index(ey, em),
            "present": both}


def spans_in_order(owner: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The accepted rows (owner >= 0), by person and then by start."""
    rows = np.flatnonzero(owner >= 0)
    if len(rows) == 0:
        return rows
    o, f = owner[rows], first[rows]
    lo, width = int(f.min()), int(f.max()) - int(f.min()) + 1
    if int(o.max()) * width < 2**62:  # one integer key: a stable sort of it is several times a lexsort's speed
        return rows[np.argsort(o * width + (f - lo), kind="stable")]
    return rows[np.lexsort((f, o))]


def span_notices(parsed: ParsedTable, owner: np.ndarray, first: np.ndarray, stop: np.ndarray, key_field: str,
                 order: np.ndarray | None = None) -> None:
    """Overlapping or gapped spans of one person are reported as notices (SPEC §7).

    ``order``: the accepted rows by person, then start, if the caller has sorted them."""
    order = spans_in_order(owner, first) if order is None else order
    prev, this = order[:-1], order[1:]  # each span and the one before it (by start)
    odd = (owner[prev] == owner[this]) & (first[this] != stop[prev])
    for a, b in zip(prev[odd], this[odd]):
        if first[b] < stop[a]:
            parsed.notice([b], key_field, f"任职时间与第{parsed.table.row_numbers[a]}行重叠，重叠月份只计一次",
                          f"overlaps row {parsed.table.row_numbers[a]}; months overlapping count once")
        elif first[b] > stop[a]:
            parsed.notice([b], key_field, f"与第{parsed.table.row_numbers[a]}行之间有{first[b] - stop[a]}个月间断"
                          f"（{month_label(stop[a])}起）",
                          f"gap of {first[b] - stop[a]} months after row {parsed.table.row_numbers[a]}")


def person_dates(parsed: ParsedTable, left: tuple[str, str, str]) -> tuple:
    """A person roster's dates, checked: sex and birth date (given, or read from a valid
    身份证号; a disagreement or neither is a reject), the date they left (``left``: field,
    header, English) and death, neither before birth, neither birth nor death after today.
    Returns sex, birth, left and death as (year, month, day) arrays (0 where blank)."""
    from .roster import InputError

    if not parsed.has("id_number") and not (parsed.has("sex") and parsed.has("birth_date")):
        raise InputError("缺少性别、出生日期列，且无身份证号列可推算"
                         " missing columns: 性别 and 出生日期 (or 身份证号 to read them from)")
    sex, by, bm, bd = birth_and_sex(parsed, need=True)
    birth = (by, bm, bd)
    gone, died = parsed.columns[left[0]].dates(), parsed.columns["death_date"].dates()
    not_before(parsed, "death_date", died, birth, "死亡日期早于出生日期", "death before birth")
    not_before(parsed, left[0], gone, birth, f"{left[1]}早于出生日期", f"{left[2]} before birth")
    # a birth or a death after today is impossible (a birth read from the 身份证号 is that column's)
    birth_from = np.where(parsed.columns["birth_date"].present, "birth_date", "id_number")
    not_after_today(parsed, birth_from, birth, "出生日期", "birth date")
    not_after_today(parsed, "death_date", died, "死亡日期", "date of death")
    return sex, birth, gone, died
