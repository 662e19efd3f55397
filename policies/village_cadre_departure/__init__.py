"""村（社区）干部离任补助 (SPEC §4.3), 澄办发〔2014〕104号: 按照每任职一年补助相应岗位当年一个月的
岗位补贴标准给予补助. A one-time sum on departure: each month served earns 1/12 of the post's
monthly standard for that month's year (or, with ``standard_year = departure``, the departure
year's); a month in which several posts are held is credited once, at the 一肩挑 standard when
书记 and 主任 are held together and the table has one, else at the highest. Post standards come
from a profile or the user's file (--standards, 职务,年度,月岗位补贴标准); the split is in
standards.toml.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from pydantic import BaseModel

from entitlements.declared import DeclaredPolicy
from entitlements.fields import Field, choice_map
from entitlements.people import ID_FIELDS, SPAN_FIELDS
from entitlements.policy import Beneficiaries, keys_for
from entitlements.profiles import PolicyData
from entitlements.roster import ParsedTable
from entitlements.rules import Component, Condition, LumpSum, Service
from entitlements.service import service_roster

POST_NAMES = {  # id -> accepted Chinese names, the first canonical
    "secretary": ("书记", "党组织书记", "党支部书记", "党总支书记", "支部书记"),
    "director": ("主任", "村委会主任", "居委会主任", "村（居）委会主任"),
    "secretary_director": ("书记主任一肩挑", "一肩挑", "书记兼主任", "书记、主任一肩挑"),
    "deputy_secretary": ("副书记",),
    "deputy_director": ("副主任",),
    "member": ("委员", "两委委员"),
    "supervisory_chair": ("监督委员会主任", "监委会主任", "村务监督委员会主任"),
    "supervisory_member": ("监督委员会委员", "监委会委员", "村务监督委员会委员"),
}
# what clerks write in 不予发放原因 to say there is none: no reason, so paid (not excluded)
NO_REASON = frozenset({"无", "没有", "否", "0", "-", "—", "–", "/", "／", "\\", "无。", "none", "n/a", "na"})


class PostSpan(BaseModel):
    post: str
    start: dt.date | str
    end: dt.date | str


class VillageCadre(BaseModel):
    """Typed input for one departed village (community) cadre and their posts."""

    id: str | None = None
    name: str | None = None
    id_number: str | None = None
    unit: str = ""
    excluded_reason: str = ""
    spans: list[PostSpan]


class VillageCadreDeparture(DeclaredPolicy):
    id = "village_cadre_departure"
    schedule = "lump_sum"
    open_paths = ("posts.",)  # post standards come from the user, so a scenario may set them
    key_fields = ("id", "id_number")
    fields = (
        *ID_FIELDS,
        Field("post", "职务", "choice", "post", aliases=("岗位", "任职岗位"), required=True,
              choices=choice_map(POST_NAMES)),
        *(Field(f.name, f.header, f.kind, f.label_en, aliases=f.aliases, required=True) for f in SPAN_FIELDS),
        Field("unit", "所属村（社区）", "text", "village (community)",
              aliases=("所属村", "村（社区）", "所属单位", "村社区", "所在村（社区）", "所在村", "所在社区", "村（居）",
                       "所属村（居）"), default=""),
        Field("excluded_reason", "不予发放原因", "text", "excluded because", aliases=(
            "不予发放", "备注（不予发放）", "不发放原因", "不予发放理由", "不发放理由", "免发原因"), default=""),
    )
    # 一肩挑 is, by its meaning, the 书记 and the 主任 post held by one person
    service = Service(POST_NAMES, "posts", combined=("secretary_director", ("secretary", "director")))
    lump_sum = LumpSum("departure", ("离任时间", "departed"))
    conditions = (
        Condition("not_excluded", lambda c: c.excluded == "", ("无不予发放原因", "no reason to withhold"),
                  ("不予发放：{excluded}", "excluded: {excluded}")),
    )
    parts = (Component("lump_sum", ("离任补助", "departure lump sum")),)

    def prepare(self, parsed: ParsedTable, data: PolicyData) -> Beneficiaries:
        keys = keys_for(parsed, self.key_fields)
        parsed.reject(np.flatnonzero((keys == "") & ~parsed.rejected), "id", "编号和身份证号均为空",
                      "neither id nor ID number is given", "")
        who, _ = service_roster(parsed, data, keys, self.service, "id", data.get("checks.min_start_age").values[0].value)
        excluded = parsed.columns["excluded_reason"].objects()
        excluded = np.where(np.isin(np.char.lower(excluded.astype(str)), list(NO_REASON)), "", excluded)
        reason = np.full(len(who), "", dtype=object)
        for pos in np.flatnonzero((who.row_owner >= 0) & (excluded != "")):  # in table order: a person's first reason
            owner = who.row_owner[pos]
            reason[owner] = reason[owner] or excluded[pos]
        who.columns["excluded"] = reason
        return who


POLICY = VillageCadreDeparture()
