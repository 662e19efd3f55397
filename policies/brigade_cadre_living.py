"""农村原大队一级部分离职半脱产干部定期生活补助 (SPEC §4.2).

Eligible: held a brigade-level post before the 1984 reform, served the minimum tenure,
was state-subsidised in office, has left office, is alive, and has reached the age
(men 55, women 50). Paid monthly: the first paid month follows the month in which the
last condition was met (次月起发), the death month is paid (死亡次月停发). The amount is
the sum of layers (the 1989 tenure tiers, the 2002 +60元 raise, any later raise a profile
or --standards file adds), each split by its own ratio unless a profile splits the total.
Rules and windows are declared below; the engine (entitlements/lines.py) computes the lines.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from pydantic import BaseModel

from entitlements.columns import group_sums
from entitlements.dates import merge_intervals, month_index, service_months
from entitlements.declared import DeclaredPolicy
from entitlements.fields import MALE, Field
from entitlements.lines import NEVER
from entitlements.people import (
    ID_FIELDS, SPAN_FIELDS, UNIT_ALIASES, birth_and_sex, not_after_today, not_before, span_notices, spans,
)
from entitlements.policy import (
    Beneficiaries, first_rows, group_keys, keys_for, reject_conflicting_rows, reject_duplicates,
    reject_shared_id_numbers,
)
from entitlements.profiles import PolicyData
from entitlements.roster import InputError, ParsedTable, reject_groups
from entitlements.rules import Condition, Layers, Window
from entitlements.splits import MONTHS_PER_YEAR

MAX_TENURE = 80


class ServiceSpan(BaseModel):
    start: dt.date | str
    end: dt.date | str


class BrigadeCadre(BaseModel):
    """Typed input for one former brigade-level cadre (the API also takes a plain dict).

    Give ``tenure_years`` or ``spans``; ``sex`` and ``birth_date`` may come from ``id_number``.
    """

    id: str | None = None
    name: str | None = None
    id_number: str | None = None
    sex: str | None = None
    birth_date: dt.date | str | None = None
    tenure_years: int | None = None
    spans: list[ServiceSpan] | None = None
    served_before_1984: bool = True
    state_subsidised: bool = True
    left_office: dt.date | str | None = None
    death_date: dt.date | str | None = None
    unit: str = ""


class BrigadeCadreLiving(DeclaredPolicy):
    id = "brigade_cadre_living"
    schedule = "monthly"
    key_fields = ("id", "id_number")
    open_paths = ("layers.", "splits.layers.")  # a scenario may add a raise as a new layer with its split
    fields = (
        *ID_FIELDS,
        Field("sex", "性别", "sex", "sex"),
        Field("birth_date", "出生日期", "date", "birth date", aliases=("出生年月", "出生年月日")),
        Field("tenure_years", "任职年限", "int", "tenure (years)", aliases=("任职年数",), max=MAX_TENURE,
              whole_part=True),  # only whole years count
        *SPAN_FIELDS,
        Field("served_before_1984", "1984年前任职", "bool", "served before 1984", default=True),
        Field("state_subsidised", "在职时领取国家补助", "bool", "state-subsidised in office",
              aliases=("领取国家补助",), default=True),
        Field("left_office", "离职日期", "date", "left office", aliases=("离职时间", "离职年月")),
        Field("death_date", "死亡日期", "date", "date of death", aliases=("死亡时间", "死亡年月", "去世日期", "去世时间", "去世年月")),
        Field("unit", "所属单位", "text", "unit", aliases=UNIT_ALIASES, default=""),
    )

    conditions = (
        Condition("tenure", lambda c: c.tenure >= c.std("eligibility.min_tenure_years"),
                  ("任职年限 {tenure} 年 ≥ {eligibility.min_tenure_years} 年", "tenure {tenure} ≥ {eligibility.min_tenure_years} years"),
                  ("任职年限{tenure}年，不满{eligibility.min_tenure_years}年，不予补助",
                   "tenure {tenure} years is below {eligibility.min_tenure_years}: not eligible")),
        Condition("before_1984", lambda c: c.before_1984, ("1984年前任职", "served before 1984"),
                  ("1984年区乡体制改革前未任职，不予补助", "did not serve before the 1984 reform")),
        Condition("subsidised", lambda c: c.subsidised, ("在职时领取国家补助", "state-subsidised in office"),
                  ("在职时未领取国家补助，不予补助", "was not state-subsidised in office")),
    )
    # paid from the month after the later of reaching the age (men 55, women 50) and leaving office
    window = Window(
        starts=lambda c: np.maximum(c.birth_month + MONTHS_PER_YEAR * np.where(
            c.sex == MALE, c.std("eligibility.age_male"), c.std("eligibility.age_female")), c.left_month),
        ends=lambda c: c.death_month)
    layers = Layers("layers", "splits.layers", on="tenure")  # the 1989 tiers, the 2002 raise, any later raise

    # ---- input ----

    def prepare(self, parsed: ParsedTable, data: PolicyData) -> Beneficiaries:
        has_spans = parsed.has("start") or parsed.has("end")
        if not parsed.has("tenure_years") and not has_spans:
            raise InputError("缺少任职年限（任职年限列，或任职开始/任职结束列）"
                             " missing tenure: a 任职年限 column or 任职开始/任职结束 columns"
                             + parsed.hint([self.field("tenure_years"), self.field("start")]))
        if not parsed.has("id_number") and not (parsed.has("sex") and parsed.has("birth_date")):
            raise InputError("缺少性别、出生日期列，且无身份证号列可推算"
                             " missing columns: 性别 and 出生日期 (or 身份证号 to read them from)")
        sex, by, bm, bd = birth_and_sex(parsed, need=True)
        birth = (by, bm, bd)
        left, died = parsed.columns["left_office"].dates(), parsed.columns["death_date"].dates()
        for f, date, zh, en in (("death_date", died, "死亡日期早于出生日期", "death before birth"),
                                ("left_office", left, "离职日期早于出生日期", "left office before birth")):
            not_before(parsed, f, date, birth, zh, en)
        # a birth or a death after today is impossible (a birth read from the 身份证号 is that column's)
        birth_from = np.where(parsed.columns["birth_date"].present, "birth_date", "id_number")
        not_after_today(parsed, birth_from, birth, "出生日期", "birth date")
        not_after_today(parsed, "death_date", died, "死亡日期", "date of death")
        min_age = data.get("checks.min_start_age").values[0].value
        keys = keys_for(parsed, self.key_fields)
        parsed.reject(np.flatnonzero((keys == "") & ~parsed.rejected), "id", "编号和身份证号均为空",
                      "neither id nor ID number is given", "")
        tenure = parsed.columns["tenure_years"].ints(missing=-1)
        span = None
        tenure_given = parsed.has("tenure_years") and parsed.columns["tenure_years"].present.any()
        if has_spans and not tenure_given:
            span = spans(parsed, birth, min_age)
            missing = ~span["present"] & ~parsed.rejected
            parsed.reject(np.flatnonzero(missing), "start", "任职开始或任职结束为空", "service start or end missing", "")
            reject_conflicting_rows(parsed, keys, "id")  # one 编号, two people: not merged
            reject_groups(parsed, keys, "id")
        else:
            if has_spans:  # both given: a row whose dates say another tenure cannot be paid by either
                self._reject_tenure_against_dates(parsed, tenure)
            parsed.reject(np.flatnonzero((tenure < 0) & ~parsed.rejected), "tenure_years",
                          "任职年限为空", "tenure missing", "")
            self._reject_impossible_tenure(parsed, tenure, by, data, min_age)
            reject_duplicates(parsed, keys, "id" if parsed.has("id") else "id_number")
        reject_shared_id_numbers(parsed, keys)  # one person under two 编号: not paid twice
        accepted = ~parsed.rejected
        ids, owner = group_keys(keys, accepted)
        n = len(ids)
        rows = np.flatnonzero(accepted)
        first_row = first_rows(owner, n)
        cols = parsed.columns

        one_row_each = n == len(first_row) == len(owner) and bool((first_row == np.arange(n)).all())

        def per_person(values: np.ndarray) -> np.ndarray:
            return values if one_row_each else values[first_row]  # a roster of one row a person: as it is

        if span is not None:
            o, s, e = merge_intervals(owner[rows], span["first"][rows], (span["first"] + span["months"])[rows])
            (months,) = group_sums(o, n, e - s)  # whole months served, in exact integers
            tenure_p = months // MONTHS_PER_YEAR
            span_notices(parsed, owner, span["first"], span["first"] + span["months"], "id")
        else:
            tenure_p = per_person(tenure)
        (ly, lm, _), (dy, dm, _) = left, died
        return Beneficiaries(
            ids=ids, names=per_person(cols["name"].objects()), units=per_person(cols["unit"].encoded()),
            columns={
                "sex": per_person(sex),
                "birth_month": per_person(month_index(by, bm)),
                "tenure": tenure_p,
                "before_1984": per_person(cols["served_before_1984"].flags()),
                "subsidised": per_person(cols["state_subsidised"].flags()),
                "left_month": per_person(np.where(ly > 0, month_index(ly, lm), -NEVER)),
                "death_month": per_person(np.where(dy > 0, month_index(dy, dm), NEVER)),
            },
            row_owner=owner,
        )

    @staticmethod
    def _reject_tenure_against_dates(parsed: ParsedTable, tenure: np.ndarray) -> None:
        """任职年限 and 任职开始/任职结束 on one row must agree (whole years of the span)."""
        (sy, sm, sd), (ey, em, ed) = parsed.columns["start"].dates(), parsed.columns["end"].dates()
        _, months = service_months(sy, sm, sd, ey, em, ed)
        years = np.asarray(months) // MONTHS_PER_YEAR
        # a part year may be counted either way (满15年 or 16个年头): only more than that disagrees
        ceiling = years + (np.asarray(months) % MONTHS_PER_YEAR > 0)
        both = (tenure >= 0) & (np.asarray(sy) > 0) & (np.asarray(ey) > 0) & ~parsed.rejected
        for pos in np.flatnonzero(both & ((tenure < years) | (tenure > ceiling))):
            parsed.reject([pos], "tenure_years",
                          f"任职年限与任职起止日期不一致：任职年限{int(tenure[pos])}年，任职起止{parsed.cell('start', pos)}至"
                          f"{parsed.cell('end', pos)}满{int(years[pos])}年；请核实后只保留正确的一项",
                          f"tenure of {int(tenure[pos])} years disagrees with the service dates "
                          f"({parsed.cell('start', pos)} to {parsed.cell('end', pos)}: {int(years[pos])} whole years)")

    @staticmethod
    def _reject_impossible_tenure(parsed: ParsedTable, tenure: np.ndarray, birth_year: np.ndarray,
                                  data: PolicyData, min_age: int) -> None:
        """The tenure counted is service before the 1984 reform: it cannot be longer than
        the years from the youngest plausible starting age to that reform."""
        reform = data.get("checks.reform_year").values[0].value
        bound = np.maximum(reform - birth_year - min_age, 0)
        before = parsed.columns["served_before_1984"].flags()
        bad = (tenure > bound) & (birth_year > 0) & before & ~parsed.rejected
        for pos in np.flatnonzero(bad):
            t, y, b = int(tenure[pos]), int(birth_year[pos]), int(bound[pos])
            parsed.reject([pos], "tenure_years",
                          f"任职年限{t}年不合理：{y}年出生，自{min_age}周岁至{reform}年区乡体制改革最多{b}年",
                          f"tenure of {t} years is impossible: born {y}, at most {b} years from age {min_age} "
                          f"to the {reform} reform")


POLICY = BrigadeCadreLiving()
