"""农村党员教育培训经费 (澄江市2024年预算文本，项目2): 按省、市组织部门的安排，从2011年起，每年按
100元/人标准补助农村党员教育培训经费. A roster of 党支部 with 党员人数, or of members (one row
each, no 党员人数 column), or counts mode (党员=7428). The standard and its split (澄江市: 玉溪
a fixed 260000元 of the programme, the rest county): standards.toml."""

from __future__ import annotations

import numpy as np

from entitlements.declared import DeclaredPolicy
from entitlements.fields import Field
from entitlements.people import UNIT_ALIASES
from entitlements.profiles import PolicyData
from entitlements.roster import ParsedTable
from entitlements.rules import Component, Count, standard

MAX_MEMBERS = 100_000  # plausibility bound for one branch's row


class RuralMemberTraining(DeclaredPolicy):
    id = "rural_member_training"
    schedule = "annual"
    key_fields = ("id", "id_number", "name")  # a member roster: 身份证号 tells two of one name apart
    headcount_label = ("党员人数（人）", "members")
    fields = (
        Field("id", "编号", "text", "id", aliases=("组织编号", "党员编号")),
        Field("name", "名称", "text", "name", aliases=("党组织名称", "党支部名称", "姓名")),
        Field("id_number", "身份证号", "id_number", "ID number", aliases=("公民身份号码", "身份证号码", "身份证")),
        Field("members", "党员人数", "int", "party members", aliases=("农村党员人数", "党员数"), max=MAX_MEMBERS),
        Field("unit", "所属单位", "text", "unit", aliases=UNIT_ALIASES, default=""),
    )
    parts = (Component("training", ("农村党员教育培训经费", "rural party member training"),
                       standard("training.per_member"), per="members", heads="members"),)
    counts = (Count("member", "农村党员", ("党员", "农村党员", "人数"), {"members": 1}),)

    def check_rows(self, parsed: ParsedTable, data: PolicyData) -> None:
        """A roster of branches says how many members each has: a blank is not taken as 0."""
        if parsed.has("members"):
            blank = ~parsed.columns["members"].present & ~parsed.rejected
            parsed.reject(np.flatnonzero(blank), "members", "党员人数为空", "party members missing", "")

    def columns(self, parsed: ParsedTable, data: PolicyData) -> dict[str, np.ndarray]:
        """Without a 党员人数 column the roster lists members, one a row."""
        members = parsed.columns["members"].ints() if parsed.has("members") else np.ones(len(parsed.table), np.int64)
        return {"members": np.asarray(members, dtype=np.int64)}

    def columns_template(self) -> dict[str, np.ndarray]:
        return {"members": np.zeros(0, dtype=np.int64)}


POLICY = RuralMemberTraining()
