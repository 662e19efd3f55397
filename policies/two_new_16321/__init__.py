"""两新组织党建工作经费 "16321" 标准 (SPEC §4.1), 玉组通〔2017〕20号.

每个"两新"组织党委每年不少于10000元、每个党总支每年不少于6000元、每个党支部每年不少于
3000元的基本工作经费、每名党组织书记每月不少于200元的专项工作津贴（公职人员担任书记不领取）、
每名党员每年不少于100元的教育培训经费. Amounts and splits: standards.toml.
"""

from __future__ import annotations

from pydantic import BaseModel, Field as ModelField

from entitlements.declared import DeclaredPolicy
from entitlements.fields import Field, choice_map
from entitlements.people import UNIT_ALIASES
from entitlements.rules import Component, Condition, Count, Note, by, standard
from entitlements.splits import MONTHS_PER_YEAR

ORG_TYPE_NAMES = {"committee": ("党委",), "general_branch": ("党总支", "总支"), "branch": ("党支部", "支部")}
# 联合党组织 (one set up by several small organisations together) are funded as their type: the
# Yunnan standard is set by type and names no joint ones. An assumption, said on each such row.
JOINT = {"联合党委": "committee", "联合党总支": "general_branch", "联合党支部": "branch", "联合支部": "branch"}
ASSUMED = {t: (f"{t}按{ORG_TYPE_NAMES[k][0]}的标准计算（假设：云南“16321”标准按党委、党总支、党支部核定，未单列联合党组织）",
               f"{t} is funded as a {k.replace('_', ' ')} (assumption: the standard names no joint organisations)")
           for t, k in JOINT.items()}
UNFUNDED = {"临时党支部": ("临时党支部不在“16321”标准的资助范围内，不予计算",  # known: the reject says why
                      "a temporary branch is not funded by the 16321 standard")}
MAX_MEMBERS = 100_000  # plausibility bound for one organisation's roster row


class PartyOrganisation(BaseModel):
    """Typed input for one organisation (the API also takes a plain dict)."""

    org_id: str | None = None
    name: str | None = None
    org_type: str = ModelField(description="党委/党总支/党支部, or committee/general_branch/branch")
    members: int = ModelField(0, ge=0)
    secretary_public_servant: bool = False
    secretary_months: int = ModelField(MONTHS_PER_YEAR, ge=0, le=MONTHS_PER_YEAR)
    unit: str = ""


class TwoNew16321(DeclaredPolicy):
    id = "two_new_16321"
    schedule = "annual"
    key_fields = ("org_id", "name")  # an organisation without 组织编号 is known by its 组织名称
    headcount_label = ("数量（个、人）", "count")
    fields = (
        Field("org_id", "组织编号", "text", "organisation id", aliases=("编号",)),
        Field("name", "组织名称", "text", "organisation name", aliases=("党组织名称", "名称")),
        Field("org_type", "组织类型", "choice", "organisation type", aliases=("类型", "党组织类型"), required=True,
              choices={**choice_map(ORG_TYPE_NAMES), **JOINT}, refused=UNFUNDED, assumed=ASSUMED),
        Field("members", "党员人数", "int", "party members", aliases=("党员数",), default=0, max=MAX_MEMBERS,
              assumed={"": ("按0人计（无党员教育培训经费）", "read as 0 (no member training funds)")}),
        Field("secretary_public_servant", "书记是否公职人员", "bool", "secretary is a public servant",
              aliases=("书记为公职人员", "公职人员"), default=False,
              assumed={"": ("按非公职人员计发", "paid as not a public servant")}),
        Field("secretary_months", "书记任职月数", "int", "secretary months served",
              aliases=("书记月数", "任职月数"), default=MONTHS_PER_YEAR, max=MONTHS_PER_YEAR),
        Field("unit", "所属单位", "text", "unit", aliases=UNIT_ALIASES,
              default=""),
    )
    conditions = (
        Condition("secretary_not_public_servant", lambda c: ~c.secretary_public_servant,
                  ("书记非公职人员", "secretary is not a public servant"),
                  ("书记为公职人员，不领取专项工作津贴", "secretary is a public servant: no stipend")),
    )
    notes = (
        Note(lambda c: ~c.secretary_public_servant & (c.secretary_months < MONTHS_PER_YEAR),
             ("书记任职{secretary_months}个月，按月计发", "secretary served {secretary_months} months, paid by month"),
             roster_only=True),
    )
    parts = (
        Component("org_funding", ("基本工作经费", "org funding"), by("org_funding", "org_type")),
        Component("secretary_stipend", ("书记专项工作津贴", "secretary stipend"),
                  standard("secretary_stipend.monthly"), per="secretary_months", when=("secretary_not_public_servant",)),
        Component("member_training", ("党员教育培训经费", "member training"),
                  standard("member_training.per_member"), per="members", heads="members"),
    )
    counts = (  # as budgets are drafted: how many organisations of each type, paid secretaries, members
        *(Count(t, names[0], names, {"org_type": t}) for t, names in ORG_TYPE_NAMES.items()),
        Count("paid_secretary", "书记（非公职人员）", ("书记",), {"secretary_months": MONTHS_PER_YEAR}, beneficiaries=False),
        Count("member", "党员", ("党员",), {"members": 1}, beneficiaries=False),
    )


POLICY = TwoNew16321()
