"""村（社区）干部绩效补贴 (澄江市2024年预算文本，项目1; 澄改委发〔2021〕1号): 按村（社区）干部每月
基本报酬的10%的标准核定绩效补贴，具体由各镇（街道）制定绩效考核办法，根据年度考核情况进行兑现.

A roster of cadres, one row each: 职务, 基本报酬 (元/月) or, when the roster has no such column,
the post's monthly pay standard (a profile's, or the user's file --standards, 职务,年度,月岗位补贴标准,
as the departure policy takes them), 任职月数 (months served in the year, 0–12) and 考核等次.
Amount = 基本报酬 × 10% × the grade's payout coefficient × months served, rounded once
(standards.toml: the ratio, the grade → coefficient table and the split, with their sources).
No counts mode: the pay differs from person to person.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel

from entitlements.dates import month_label
from entitlements.declared import NO_STANDARDS, DeclaredPolicy
from entitlements.fields import Field, choice_map
from entitlements.people import ID_FIELDS, UNIT_ALIASES
from entitlements.policies.village_cadre_departure import POST_NAMES
from entitlements.policy import Beneficiaries, Computation, key_texts, reject_duplicates
from entitlements.profiles import PolicyData
from entitlements.roster import InputError, ParsedTable
from entitlements.rules import NOT_GIVEN, Component, Note, Service, amount_in, by, standard
from entitlements.standards import StandardsError

MONTHS_IN_YEAR = 12  # months served in one budget year: more is impossible
MAX_BASE_PAY = 50_000  # 元/月: a plausibility bound for a village cadre's monthly pay (typed 300000 for 3000.00)
GRADES = {  # assessment grade id -> accepted Chinese names (the first canonical); coefficients.<id>
    "excellent": ("优秀",),
    "competent": ("称职", "合格"),
    "basic": ("基本称职", "基本合格"),
    "incompetent": ("不称职", "不合格"),
}


GRADE = by("coefficients", "grade")  # the payout coefficient of the cadre's grade


class PerformanceCadre(BaseModel):
    """Typed input for one village (community) cadre's year (the API also takes a plain dict)."""

    id: str | None = None
    name: str | None = None
    id_number: str | None = None
    post: str = ""
    base_pay: str | int | None = None  # 元/月; None: the post's standard (--standards)
    months: int
    grade: str
    unit: str = ""


class VillageCadrePerformance(DeclaredPolicy):
    id = "village_cadre_performance"
    schedule = "annual"  # a per-month amount × months served, over the year (×12/12; a ratio change prorates)
    key_fields = ("id", "id_number")
    open_paths = ("posts.",)  # post pay standards come from the user, so a scenario may set them
    fields = (
        *ID_FIELDS,
        Field("post", "职务", "choice", "post", aliases=("岗位", "任职岗位", "现任职务", "职位"), choices=choice_map(POST_NAMES)),
        Field("base_pay", "基本报酬", "money", "monthly base pay", aliases=(
            "月基本报酬", "每月基本报酬", "基本报酬标准", "月基本报酬标准", "每月基本报酬标准"), max=MAX_BASE_PAY,
              unit="元/月"),
        Field("months", "任职月数", "int", "months served", aliases=(
            "任职月份数", "在岗月数", "在职月数", "履职月数", "本年任职月数", "年度任职月数"),
            required=True, max=MONTHS_IN_YEAR, unit="月"),
        Field("grade", "考核等次", "choice", "assessment grade", aliases=(
            "年度考核等次", "考核结果", "年度考核结果", "考核等级", "年度考核等级", "考核情况", "绩效考核等次",
            "绩效考核结果"),
            required=True, choices=choice_map({k: (*v, *(f"{n}等次" for n in v)) for k, v in GRADES.items()})),
        Field("unit", "所属村（社区）", "text", "village (community)",
              aliases=("所属村", "村（社区）", "所属单位", "村社区", "村（社区）名称", "所属村（居）", "村（居）", "村居",
                       "所在村（社区）", "所在村", "所在社区"),
              default=""),
        Field("town", "所属乡镇（街道）", "text", "township", aliases=UNIT_ALIASES + ("镇（街道）",), default=""),
    )
    # the post standards file is the departure policy's: the same posts, the same columns
    service = Service(POST_NAMES, "posts", combined=("secretary_director", ("secretary", "director")),
                      over_time=False)  # the posts' pay table only: paid by months served, not by spans
    notes = (
        Note(lambda c: _pays_nothing(c),
             ("年度考核等次的兑现系数为0%（如不称职、不合格），不予兑现", "the assessment grade pays 0% (e.g. 不称职): nothing paid")),
        Note(lambda c: c.months == 0, ("本年任职月数为0", "no month served in the year")),
    )
    parts = (Component("performance", ("绩效补贴", "performance pay"),
                       amount_in("base_pay", "元/月", otherwise=("posts", "post")), per="months",
                       factors=(standard("performance.ratio"), GRADE)),)

    def check_rows(self, parsed: ParsedTable, data: PolicyData) -> None:
        """基本报酬 from the roster (a blank is no 0), or, without that column, the post's standard."""
        open_rows = ~parsed.rejected
        if parsed.has("base_pay"):
            blank = ~parsed.columns["base_pay"].present & open_rows
            parsed.reject(np.flatnonzero(blank), "base_pay", "基本报酬为空（按岗位补贴标准计算时请删去基本报酬列并用 --standards）",
                          "monthly base pay missing (to use post standards, drop the column and give --standards)", "")
            return
        if not parsed.has("post"):
            raise InputError("缺少基本报酬列（基本报酬，元/月），也没有职务列可按岗位补贴标准确定基本报酬 "
                             "(missing 基本报酬 (monthly base pay), and no 职务 (post) column to take it from "
                             "the post pay standards)" + parsed.hint([self.field("base_pay"), self.field("post")]))
        blank = ~parsed.columns["post"].present & open_rows
        parsed.reject(np.flatnonzero(blank), "post", "职务为空：花名册无基本报酬列，须按职务取岗位补贴标准",
                      "post missing: without a 基本报酬 column the pay is the post's standard", "")

    def checked_keys(self, parsed: ParsedTable, data: PolicyData) -> np.ndarray:
        """A cadre is known by 编号, else 身份证号; a roster with neither column (序号, 姓名, …) knows
        them by 姓名, and a name listed twice is a reject (two people cannot be told apart)."""
        if parsed.has("id") or parsed.has("id_number"):
            return super().checked_keys(parsed, data)
        names = parsed.columns["name"]
        keys = np.where(names.present, key_texts(names.uniq)[names.inverse], "").astype(object)  # 王　五 is 王五
        parsed.reject(np.flatnonzero((keys == "") & ~parsed.rejected), "name", "姓名为空（花名册无编号、身份证号列）",
                      "name missing (the roster has no id or ID number column)", "")
        self.check_rows(parsed, data)
        reject_duplicates(parsed, keys, "name", ("姓名", "name"))
        return keys

    def columns(self, parsed: ParsedTable, data: PolicyData) -> dict[str, np.ndarray]:
        out = super().columns(parsed, data)
        if not parsed.has("base_pay"):  # the post's standard, looked up for each month of the period
            out["base_pay"] = np.full(len(parsed.table), NOT_GIVEN, dtype=np.int64)
        return out

    def prepare(self, parsed: ParsedTable, data: PolicyData) -> Beneficiaries:
        who = super().prepare(parsed, data)
        if not parsed.has("unit") and parsed.has("town"):  # no village column: the township is the unit
            pos = np.flatnonzero(~parsed.rejected)
            who.units = parsed.columns["town"].encoded()[pos]
        return who

    def compute(self, who: Beneficiaries, data: PolicyData, first: int, stop: int,
                whole_programme: bool = True, **options) -> Computation:
        if not options.get("check_only"):
            _refuse_unpriced(who, data, first)
        return super().compute(who, data, first, stop, whole_programme, **options)


def _pays_nothing(c) -> np.ndarray:
    """Whose grade's coefficient, in force, is 0% (not: a year before the coefficients were set)."""
    codes, names = c.factorized("grade")
    zero = []
    for name in names:
        std = c.data.standards.get(f"{GRADE.path}.{name}") if name else None
        v = None if std is None else std.at(c.month)
        zero.append(v is not None and v.value == 0)
    return np.array(zero + [False], dtype=bool)[codes] if len(codes) else np.zeros(c.n, dtype=bool)


def _refuse_unpriced(who: Beneficiaries, data: PolicyData, first: int) -> None:
    """Pay taken from post standards: a post without a standard in force for the period would be
    paid 0.00, which is silently wrong, so the run is refused naming the posts (exit 2). A
    standard once in force stays in force, so the period's first month decides."""
    from_standards = np.asarray(who.columns["base_pay"]) == NOT_GIVEN
    if not from_standards.any():
        return
    if not data.under("posts"):
        raise StandardsError(NO_STANDARDS)
    codes, names = who.columns["post"].codes, who.columns["post"].values
    lacking = []
    for code in np.unique(codes[from_standards]):
        std = data.standards.get(f"posts.{names[code]}")
        if std is None or std.at(first) is None:
            lacking.append(POST_NAMES[names[code]][0])
    if lacking:
        year = month_label(first)[:4]
        raise StandardsError(f"缺少岗位补贴标准：{'、'.join(lacking)}{year}年；请在 --standards 文件（职务,年度,月岗位补贴标准）"
                             f"中补充，或在花名册中填写基本报酬 (no post pay standard in {year} for: "
                             f"{', '.join(lacking)}; add them to the --standards file or give 基本报酬 in the roster)")


POLICY = VillageCadrePerformance()
