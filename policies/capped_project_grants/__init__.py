"""民生小实事与党建引领基层治理项目补助 (呈贡区2026年社会治理工作经费项目文本): 民生小实事
"按工程类项目每个补助不高于50万元，服务类项目每个补助不高于5万元"; 党建引领基层治理 "每个项目支持资金
不高于3万". Per project the grant is its 申请金额 capped by its 类别; with a programme budget
(``--budget``, or a profile's ``budget.total``) capped requests above it are cut pro rata to the
fen (largest remainder) so the grants add up to the budget. Caps and split: standards.toml."""

from __future__ import annotations

import numpy as np

from entitlements.declared import DeclaredPolicy
from entitlements.fields import Field, choice_map
from entitlements.profiles import PolicyData
from entitlements.roster import ParsedTable
from entitlements.rules import Component, Cut, by, column

CATEGORY_NAMES = {  # 民生小实事 alone may be either kind: a reject
    "engineering": ("工程类", "工程", "工程项目", "工程类项目", "民生小实事（工程类）", "民生小实事工程类", "民生小实事工程类项目"),
    "service": ("服务类", "服务", "服务项目", "服务类项目", "民生小实事（服务类）", "民生小实事服务类", "民生小实事服务类项目"),
    "governance": ("治理类", "治理", "治理项目", "治理类项目", "党建引领基层治理", "基层治理", "党建引领基层治理项目", "基层治理项目"),
}
MAX_REQUEST_YUAN = 10_000_000  # plausibility bound for one grassroots project's request (1000万元)


class CappedProjectGrants(DeclaredPolicy):
    id = "capped_project_grants"
    schedule = "annual"  # a grant for the budget year
    key_fields = ("id", "name")  # a project without 项目编号 is known by its 项目名称
    headcount_label = ("项目数（个）", "projects")
    open_paths = ("budget.total",)  # a profile, --standards or a scenario may set the programme budget
    fields = (
        Field("id", "项目编号", "text", "project id", aliases=("编号", "项目代码")),
        Field("name", "项目名称", "text", "project name", aliases=("名称", "项目")),
        Field("category", "类别", "choice", "category", aliases=("项目类别", "类型", "项目类型", "项目分类", "分类"), required=True,
              choices=choice_map(CATEGORY_NAMES)),
        Field("requested", "申请金额", "money", "requested amount", aliases=(
            "申请补助金额", "申请资金", "申报金额", "申请补助", "申请补助资金", "申请补助经费", "申请经费", "申报补助金额",
            "申报资金"), required=True, max=MAX_REQUEST_YUAN),
        Field("unit", "所属街道", "text", "unit", aliases=(
            "街道", "所属单位", "申报街道", "实施街道", "乡镇（街道）", "所属乡镇（街道）", "所属乡镇", "乡镇"), default=""),
    )
    parts = (Component("grant", ("项目补助", "project grant"), column("requested"), cap=by("caps", "category")),)
    cut = Cut(label=("项目预算", "programme budget"))

    def check_rows(self, parsed: ParsedTable, data: PolicyData) -> None:
        """A request of 0 asks for nothing: a typo, not a project (a blank is refused as required)."""
        requested = parsed.columns["requested"]
        zero = requested.present & (requested.ints() == 0) & ~parsed.rejected
        parsed.reject(np.flatnonzero(zero), "requested", "申请金额应大于0", "the requested amount must be above 0")

POLICY = CappedProjectGrants()
