"""社区工作者工资 (晋城市城区2025年部门预算，社区建设工作经费), 晋市委组发〔2019〕67号: 拟执行工资
标准一肩挑月工资4421元，书记（主任）月工资3684元，副书记（副主任）3316元，委员（社区工作者）2947元.
A monthly programme over posts: each month of the year in post is paid at the post held that
month; a month in which several posts are held is paid once, at 一肩挑 when 书记 and 主任 are
held together, else at the highest (the kit's Service, as for 离任补助). Roster rows of
姓名/身份证号, 职务, 任职开始, 任职结束 (blank: still in post). Counts mode: N people of a post
paid all year. Standards and the split: standards.toml."""

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
from entitlements.rules import Component, Count, Service
from entitlements.service import service_roster

ORGS = ("党委", "党总支", "党支部")
# 书记 and 主任 held together, as clerks write it: "党委书记、居委会主任", "主任兼书记" (a "/" or "（主任）"
# could also mean either post, so is left a reject)
BOTH = tuple(dict.fromkeys(f"{a}{sep}{b}" for s in ("党委书记", "社区党委书记", "党总支书记", "党支部书记")
                           for a, b in ((s, "居委会主任"), ("居委会主任", s)) for sep in ("、", "兼")))
POST_NAMES = {  # id -> accepted Chinese names, the first canonical
    "secretary": ("书记", "党组织书记", "社区党组织书记", "社区书记", *(f"{p}{o}书记" for p in ("", "社区") for o in ORGS),
                  "支部书记", "总支书记"),
    "director": ("主任", "居委会主任", "社区居委会主任", "居民委员会主任", "社区主任"),
    "secretary_director": ("书记主任一肩挑", "一肩挑", "书记兼主任", "书记、主任一肩挑", "书记（主任）一肩挑", "书记、主任",
                           "书记兼居委会主任", "党组织书记、居委会主任", "党组织书记兼居委会主任", "主任兼书记", "书记兼任主任",
                           *BOTH),
    # 副书记兼副主任: both posts have the one 3316 standard
    "deputy_secretary": ("副书记", "社区党组织副书记", *(f"{p}{o}副书记" for p in ("", "社区") for o in ORGS),
                         "社区副书记", "支部副书记", "副书记兼副主任", "副书记、副主任"),
    "deputy_director": ("副主任", "居委会副主任", "社区居委会副主任", "居民委员会副主任", "社区副主任"),
    "member": ("委员（社区工作者）", "委员", "社区工作者", "两委委员", "社区两委委员", "专职社区工作者", "社区专职工作者",
               "居委会委员", "社区居委会委员", "党组织委员", *(f"{o}委员" for o in ORGS), "支部委员", "总支委员", "社区委员",
               "社区工作者（委员）"),
}


# The start and end columns as clerks of a workers' payroll name them. An end column left unread
# would pay a worker who left as still in post (a blank end is "in post"), so its names are many;
# a date header sharing their stem (免职年月 …) is refused as a lookalike, never ignored.
START_ALIASES = (*SPAN_FIELDS[0].aliases, "入职时间", "入职日期", "到岗时间", "到岗日期", "任职日期", "开始日期", "开始时间")
END_ALIASES = (*SPAN_FIELDS[1].aliases, "任职截止日期", "任职截止时间", "截止日期", "截止时间", "结束日期", "结束时间",
               "免职时间", "免职日期", "解聘时间", "解聘日期", "离职时间", "离职日期", "离岗时间", "离岗日期", "卸任时间",
               "卸任日期", "终止日期", "任职终止日期")
STILL_IN_POST = ("至今", "今", "在任", "现任", "至今在任", "在职", "在岗")  # written for a blank end: still in post


class WorkerPostSpan(BaseModel):
    post: str
    start: dt.date | str
    end: dt.date | str | None = None


class CommunityWorker(BaseModel):
    """Typed input for one community worker and their posts (an end left out: still in post)."""

    id: str | None = None
    name: str | None = None
    id_number: str | None = None
    unit: str = ""
    spans: list[WorkerPostSpan]


class CommunityWorkerPay(DeclaredPolicy):
    id = "community_worker_pay"
    schedule = "monthly"
    open_paths = ("posts.",)
    key_fields = ("id", "id_number")
    headcount_label = ("人数（人）", "people")
    fields = (
        *ID_FIELDS,
        Field("post", "职务", "choice", "post", aliases=("岗位", "任职岗位", "现任职务"), required=True,
              choices=choice_map(POST_NAMES)),
        Field("start", SPAN_FIELDS[0].header, "date", SPAN_FIELDS[0].label_en, aliases=START_ALIASES, required=True),
        Field("end", SPAN_FIELDS[1].header, "date", SPAN_FIELDS[1].label_en, aliases=END_ALIASES, means_blank=STILL_IN_POST),
        Field("unit", "所属社区", "text", "community", aliases=(
            "社区", "所属单位", "所属街道", "街道", "所属街道（社区）", "所属乡镇（街道）", "村（社区）", "所属村（社区）"), default=""),
    )
    # 一肩挑 is, by its meaning, the 书记 and the 主任 post held by one person
    service = Service(POST_NAMES, "posts", combined=("secretary_director", ("secretary", "director")))
    parts = (Component("pay", ("社区工作者工资", "community worker pay")),)  # each month in post: the post's standard
    counts = tuple(Count(p, names[0], names, {"post": p}) for p, names in POST_NAMES.items())

    def prepare(self, parsed: ParsedTable, data: PolicyData) -> Beneficiaries:
        keys = keys_for(parsed, self.key_fields)
        keys = self._by_name(parsed, keys)
        parsed.reject(np.flatnonzero((keys == "") & ~parsed.rejected), "id", "编号、身份证号和姓名均为空",
                      "neither id, ID number nor name is given", "")
        who, _ = service_roster(parsed, data, keys, self.service, "id",
                                data.get("checks.min_start_age").values[0].value, open_end=True)
        return who

    @staticmethod
    def _by_name(parsed: ParsedTable, keys: np.ndarray) -> np.ndarray:
        """A row without 编号 or 身份证号 is known by its 姓名, when that name is on no other row:
        a person's several posts (rows) or two people of one name cannot be told apart by a name."""
        names = parsed.columns["name"]
        by_name = (keys == "") & names.present
        if not by_name.any():
            return keys
        texts = names.objects()
        seen = np.unique(texts[names.present].astype(str), return_counts=True)
        repeated = set(seen[0][seen[1] > 1].tolist()) | set(keys[keys != ""].tolist())
        twice = by_name & np.isin(texts.astype(str), list(repeated)) & ~parsed.rejected
        parsed.reject(np.flatnonzero(twice), "name",
                      "未填编号或身份证号，且该姓名出现在多行（或与他人编号相同）：无法确定是否同一人，请填写编号或身份证号",
                      "no id or ID number, and this name is on several rows: cannot tell one person from two")
        return np.where(by_name & ~twice, texts, keys)


POLICY = CommunityWorkerPay()
