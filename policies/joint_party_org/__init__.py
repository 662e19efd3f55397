"""两新组织联合党组织和党建指导员工作经费 (晋城市城区2025年部门预算), 晋组通字〔2017〕71号、
晋组通字〔2020〕12号: 每个联合党组织工作经费3200元（每年），每名党建工作指导员500元/月/人.
A roster has one row per 联合党组织 or per 党建指导员, told apart by 类型; an instructor's row
says the months served in the year (任职月数 0–12). Counts mode: 联合党组织=N, and 党建指导员=M
standing for M instructors paid all year (12 months). Amounts and the split: standards.toml."""

from __future__ import annotations

import unicodedata

import numpy as np
from pydantic import BaseModel, Field as ModelField

from entitlements.declared import DeclaredPolicy
from entitlements.fields import Field, choice_map
from entitlements.people import UNIT_ALIASES
from entitlements.profiles import PolicyData
from entitlements.roster import ParsedTable
from entitlements.rules import Component, Count, Note, by, standard
from entitlements.splits import MONTHS_PER_YEAR

JOINT = ("联合党委", "联合党总支", "联合党支部")
WHERE = ("非公企业", "非公", "社会组织", "商务楼宇", "楼宇", "个体工商户", "行业", "区域", "园区", "市场")
KIND_NAMES = {  # id -> accepted names, the first canonical; every kind of joint organisation is one 联合党组织
    "joint_org": ("联合党组织", *JOINT, "联合支部", *(f"{w}{j}" for w in WHERE for j in JOINT)),
    "instructor": ("党建指导员", "党建工作指导员", "指导员", "专职党建指导员", "专职党建工作指导员", "党建指导员（专职）",
                   "党建工作指导员（专职）", "非公党建指导员"),
}
# the budget pays 500元/月 to each 党建工作指导员 and says nothing of part-time ones: a reject, not a guess
PART_TIME = {unicodedata.normalize("NFKC", k): (
    "兼职党建指导员是否按500元/月计发，预算文本未载明；请核实后填“党建指导员”或删去该行",
    "whether a part-time instructor is paid 500/month the budget does not say: check, then write 党建指导员 or drop the row")
    for k in ("兼职党建指导员", "兼职党建工作指导员", "党建指导员（兼职）", "党建工作指导员（兼职）", "兼职指导员")}


class JointPartyEntry(BaseModel):
    """Typed input for one 联合党组织 or one 党建指导员 (the API also takes a plain dict)."""

    id: str | None = None
    name: str | None = None
    kind: str = ModelField(description="联合党组织 or 党建指导员 (joint_org, instructor)")
    months: int | None = ModelField(None, ge=0, le=MONTHS_PER_YEAR, description="an instructor's months served")
    unit: str = ""


class JointPartyOrg(DeclaredPolicy):
    id = "joint_party_org"
    schedule = "annual"
    key_fields = ("id", "name")
    headcount_label = ("数量（个、人）", "count")
    fields = (
        Field("id", "编号", "text", "id", aliases=("组织编号", "人员编号")),
        Field("name", "名称", "text", "name", aliases=("姓名", "单位名称", "组织名称", "党组织名称", "联合党组织名称", "指导员姓名")),
        Field("kind", "类型", "choice", "kind", aliases=("对象类型", "补助对象", "类别"), choices=choice_map(KIND_NAMES),
              refused=PART_TIME),
        Field("months", "任职月数", "int", "months served", aliases=("任职月份数", "工作月数", "服务月数", "月数", "任职月份", "在岗月数",
              "在职月数", "履职月数", "本年任职月数", "年度任职月数", "发放月数", "补助月数"),
              max=MONTHS_PER_YEAR),
        Field("unit", "所属单位", "text", "unit", default="", aliases=(
            *UNIT_ALIASES, "所属街道", "所属社区", "村（社区）", "所属村（社区）", "选派单位", "派驻单位")),
    )
    parts = (
        Component("org_funding", ("联合党组织工作经费", "joint organisation funding"), by("funding", "kind")),
        Component("instructor_stipend", ("党建工作指导员工作经费", "party-building instructor stipend"),
                  standard("instructor.monthly"), per="months"),
    )
    notes = (Note(lambda c: (c.kind == "instructor") & (c.months == 0), ("本年任职月数为0", "no month served in the year")),)
    counts = (
        Count("joint_org", "联合党组织", ("联合党组织", "党组织"), {"kind": "joint_org"}),
        # an instructor counted is one paid all year: the budget's 人数 × 12 months
        Count("instructor", "党建指导员（全年）", ("党建指导员", "指导员", "党建工作指导员"),
              {"kind": "instructor", "months": MONTHS_PER_YEAR}),
    )

    def check_rows(self, parsed: ParsedTable, data: PolicyData) -> None:
        """Each row is a 联合党组织 or a 党建指导员; an instructor says the months served, an
        organisation is funded by the year (a months cell other than 12 is refused, not ignored)."""
        live = ~parsed.rejected
        kind = self._kinds(parsed)
        if parsed.has("kind"):
            parsed.reject(np.flatnonzero((kind == "") & live), "kind", "类型为空（应填联合党组织或党建指导员）",
                          "kind missing (联合党组织 or 党建指导员)", "")
        else:
            zh, en = (("未填类型列：名册有任职月数列，按党建指导员名册计算", "no 类型 column: a roster with 任职月数 lists instructors")
                      if parsed.has("months") else
                      ("未填类型列：按联合党组织名册计算（每行一个联合党组织）", "no 类型 column: one joint organisation a row"))
            parsed.notice(np.flatnonzero(live), "name", zh, en)
        months = parsed.columns["months"]
        parsed.reject(np.flatnonzero((kind == "instructor") & ~months.present & ~parsed.rejected), "months",
                      "党建指导员的任职月数为空（应填0–12）", "instructor's months served missing (0-12)", "")
        odd = (kind == "joint_org") & months.present & (months.ints(missing=MONTHS_PER_YEAR) != MONTHS_PER_YEAR)
        parsed.reject(np.flatnonzero(odd & ~parsed.rejected), "months",
                      "联合党组织工作经费按个按年核定（3200元/个/年），不按月计；任职月数只用于党建指导员",
                      "joint organisations are funded per year, not by month: months served is for instructors only")

    def _kinds(self, parsed: ParsedTable) -> np.ndarray:
        if parsed.has("kind"):
            kinds = parsed.columns["kind"].objects()
            return np.where(np.equal(kinds, None), "", kinds).astype(object)
        return np.full(len(parsed.table), "instructor" if parsed.has("months") else "joint_org", dtype=object)

    def columns(self, parsed: ParsedTable, data: PolicyData) -> dict[str, np.ndarray]:
        kind = self._kinds(parsed)
        months = np.where(kind == "instructor", parsed.columns["months"].ints(), 0)
        return {"kind": kind, "months": np.asarray(months, dtype=np.int64)}


POLICY = JointPartyOrg()
