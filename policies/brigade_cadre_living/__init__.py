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

from entitlements.dates import month_index
from entitlements.declared import DeclaredPolicy
from entitlements.fields import MALE, Field
from entitlements.lines import NEVER
from entitlements.people import ID_FIELDS, SPAN_FIELDS, UNIT_ALIASES, person_dates
from entitlements.policy import (
    Beneficiaries, group_keys, keys_for, one_per_beneficiary, reject_duplicates, reject_shared_id_numbers,
)
from entitlements.profiles import PolicyData
from entitlements.roster import InputError, ParsedTable
from entitlements.rules import Condition, Layers, Window
from entitlements.service import check_tenure, tenure_of
from entitlements.splits import MONTHS_PER_YEAR

MAX_TENURE = 80


class ServiceSpan(BaseModel):
    start: dt.date | str
    end: dt.date | str


def _age(c) -> np.ndarray:
    """The age at which payment may start, by sex; only the standard of a sex present is read,
    so a man's explanation cites the men's age and not the women's."""
    male = c.sex == MALE
    if male.all():
        return c.std("eligibility.age_male")
    if not male.any():
        return c.std("eligibility.age_female")
    return np.where(male, c.std("eligibility.age_male"), c.std("eligibility.age_female"))


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
        Field("tenure_years", "任职年限", "int", "tenure (years)", aliases=("任职年数", "连续任职年限", "任职时间"), max=MAX_TENURE,
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
    window = Window(starts=lambda c: np.maximum(c.birth_month + MONTHS_PER_YEAR * _age(c), c.left_month),
                    ends=lambda c: c.death_month)
    layers = Layers("layers", "splits.layers", on="tenure")  # the 1989 tiers, the 2002 raise, any later raise

    def prepare(self, parsed: ParsedTable, data: PolicyData) -> Beneficiaries:
        if not parsed.has("tenure_years") and not (parsed.has("start") or parsed.has("end")):
            raise InputError("缺少任职年限（任职年限列，或任职开始/任职结束列）"
                             " missing tenure: a 任职年限 column or 任职开始/任职结束 columns"
                             + parsed.hint([self.field("tenure_years"), self.field("start")]))
        sex, birth, (ly, lm, _), (dy, dm, _) = person_dates(parsed, ("left_office", "离职日期", "left office"))
        keys = keys_for(parsed, self.key_fields)
        parsed.reject(np.flatnonzero((keys == "") & ~parsed.rejected), "id", "编号和身份证号均为空",
                      "neither id nor ID number is given", "")
        # the tenure counted is service before the 1984 reform: no longer than from the youngest plausible age
        span = check_tenure(parsed, keys, "id", "tenure_years", birth, data.get("checks.min_start_age").values[0].value,
                            data.get("checks.reform_year").values[0].value,
                            parsed.columns["served_before_1984"].flags(), ("区乡体制改革", "reform"))
        if span is None:
            reject_duplicates(parsed, keys, "id" if parsed.has("id") else "id_number")
        reject_shared_id_numbers(parsed, keys)  # one person under two 编号: not paid twice
        ids, owner = group_keys(keys, ~parsed.rejected)
        per_person = one_per_beneficiary(owner, len(ids))
        cols = parsed.columns
        return Beneficiaries(
            ids=ids, names=per_person(cols["name"].objects()), units=per_person(cols["unit"].encoded()),
            columns={
                "sex": per_person(sex),
                "birth_month": per_person(month_index(birth[0], birth[1])),
                "tenure": tenure_of(parsed, span, owner, len(ids), "id", "tenure_years", per_person),
                "before_1984": per_person(cols["served_before_1984"].flags()),
                "subsidised": per_person(cols["state_subsidised"].flags()),
                "left_month": per_person(np.where(ly > 0, month_index(ly, lm), -NEVER)),
                "death_month": per_person(np.where(dy > 0, month_index(dy, dm), NEVER)),
            },
            row_owner=owner,
        )


POLICY = BrigadeCadreLiving()
