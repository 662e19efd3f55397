"""两新组织党建工作经费 "16321" 标准 (SPEC §4.1).

Per party organisation in a non-public enterprise or social organisation: org funding by
type (党委/党总支/党支部, 元/年), a stipend per month served for a secretary who is not a
public servant (元/月), member training per party member (元/年). Counts mode (as budgets
are drafted) feeds the same formula with one entry per org type and a multiplicity.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import BaseModel, Field as ModelField

from entitlements.dates import month_label
from entitlements.fields import Field, choice_map
from entitlements.money import div_round_half_up, fen_to_yuan, round_to_yuan
from entitlements.policy import (
    Beneficiaries, Computation, Policy, cite, group_keys, keys_for, label, reject_duplicates,
)
from entitlements.profiles import PolicyData
from entitlements.roster import InputError, ParsedTable
from entitlements.splits import MONTHS_PER_YEAR, split_lines
from entitlements.standards import LEVEL_NAMES, change_points

ORG_TYPES = ("committee", "general_branch", "branch")
ORG_TYPE_NAMES = {"committee": ("党委",), "general_branch": ("党总支", "总支"), "branch": ("党支部", "支部")}
COMPONENTS = ("org_funding", "secretary_stipend", "member_training")
COMPONENT_NAMES = {
    "org_funding": ("基本工作经费", "org funding"),
    "secretary_stipend": ("书记专项工作津贴", "secretary stipend"),
    "member_training": ("党员教育培训经费", "member training"),
}
# counts-mode keys, English and Chinese
COUNT_KEYS = {
    "committee": "committee", "党委": "committee",
    "general_branch": "general_branch", "党总支": "general_branch", "总支": "general_branch",
    "branch": "branch", "党支部": "branch", "支部": "branch",
    "paid_secretary": "paid_secretary", "书记": "paid_secretary",
    "member": "member", "党员": "member",
}
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


class TwoNew16321(Policy):
    id = "two_new_16321"
    schedule = "annual"
    key_fields = ("org_id", "name")
    headcount_label = ("数量（个、人）", "count")
    fields = (
        Field("org_id", "组织编号", "text", "organisation id", aliases=("编号",)),
        Field("name", "组织名称", "text", "organisation name", aliases=("党组织名称", "名称")),
        Field("org_type", "组织类型", "choice", "organisation type", aliases=("类型", "党组织类型"),
              required=True, choices=choice_map(ORG_TYPE_NAMES)),
        Field("members", "党员人数", "int", "party members", aliases=("党员数",), default=0, max=MAX_MEMBERS),
        Field("secretary_public_servant", "书记是否公职人员", "bool", "secretary is a public servant",
              aliases=("书记为公职人员", "公职人员"), default=False),
        Field("secretary_months", "书记任职月数", "int", "secretary months served",
              aliases=("书记月数", "任职月数"), default=MONTHS_PER_YEAR, max=MONTHS_PER_YEAR),
        Field("unit", "所属单位", "text", "unit", aliases=("乡镇", "街道", "乡镇（街道）", "所属乡镇（街道）", "所属乡镇"),
              default=""),
    )

    def components(self, data: PolicyData) -> list[str]:
        return list(COMPONENTS)

    def component_label(self, data: PolicyData, component: str, lang: str = "zh") -> str:
        zh, en = COMPONENT_NAMES[component]
        return label(lang, zh, en)

    # ---- input ----

    def prepare(self, parsed: ParsedTable, data: PolicyData) -> Beneficiaries:
        keys = keys_for(parsed, self.key_fields)
        missing = np.flatnonzero((keys == "") & ~parsed.rejected)
        parsed.reject(missing, "org_id", "组织编号和组织名称均为空", "neither organisation id nor name is given", "")
        reject_names_without_id(parsed)
        if parsed.has("org_id"):
            reject_duplicates(parsed, keys, "org_id")
        else:  # no ids at all: an organisation is known by its name
            reject_duplicates(parsed, keys, "name", ("组织名称", "organisation name"))
        accepted = ~parsed.rejected
        ids, owner = group_keys(keys, accepted)
        pos = np.flatnonzero(accepted)  # one row per organisation, in table order
        cols = parsed.columns
        return Beneficiaries(
            ids=ids,
            names=cols["name"].objects()[pos],
            units=cols["unit"].encoded()[pos],
            columns={
                "org_type": np.array([ORG_TYPES.index(v) for v in cols["org_type"].objects()[pos]], dtype=np.int64),
                "members": cols["members"].ints()[pos],
                "public_servant": cols["secretary_public_servant"].objects()[pos].astype(bool),
                "secretary_months": cols["secretary_months"].ints()[pos],
            },
            row_owner=owner,
        )

    def from_counts(self, counts: Mapping[str, int]) -> Beneficiaries:
        """Counts mode: one entry per org type, one for paid secretaries, one for members."""
        merged: dict[str, int] = {}
        for key, value in counts.items():
            canon = COUNT_KEYS.get(key.strip()) or COUNT_KEYS.get(key.strip().lower())
            if canon is None:
                raise InputError(f"未知的计数项 unknown count '{key}' (可用 known: {', '.join(COUNT_KEYS)})")
            if int(value) < 0:
                raise InputError(f"计数不能为负 count must not be negative: {key}={value}")
            merged[canon] = merged.get(canon, 0) + int(value)
        # (id, name, org type, organisations, members, secretary months, quantity shown)
        entries = [(t, ORG_TYPE_NAMES[t][0], ORG_TYPES.index(t), merged[t], 0, 0, merged[t])
                   for t in ORG_TYPES if merged.get(t)]
        if merged.get("paid_secretary"):
            n_sec = merged["paid_secretary"]
            entries.append(("paid_secretary", "书记（非公职人员）", -1, 0, 0, n_sec * MONTHS_PER_YEAR, n_sec))
        if merged.get("member"):
            entries.append(("member", "党员", -1, 0, merged["member"], 0, merged["member"]))
        ids, names, org, mult, members, months, quantity = (list(col) for col in zip(*entries)) if entries else ([],) * 7
        n = len(ids)
        return Beneficiaries(
            ids=np.array(ids, dtype=object), names=np.array(names, dtype=object),
            units=np.full(n, "", dtype=object),
            columns={"org_type": np.array(org, dtype=np.int64), "members": np.array(members, dtype=np.int64),
                     "public_servant": np.zeros(n, dtype=bool), "secretary_months": np.array(months, dtype=np.int64)},
            row_owner=np.array([], dtype=np.int64), counts=np.array(mult, dtype=np.int64),
            shown_counts=np.array(quantity, dtype=np.int64),
        )

    # ---- formula ----

    def compute(self, who: Beneficiaries, data: PolicyData, first: int, stop: int,
                whole_programme: bool = True, **options: object) -> Computation:
        n = len(who)
        cols = who.columns
        mult = np.ones(n, dtype=np.int64) if who.counts is None else who.counts
        org_type = cols["org_type"]
        org_std = [data.get(f"org_funding.{t}") for t in ORG_TYPES]
        stipend_std = data.get("secretary_stipend.monthly")
        training_std = data.get("member_training.per_member")
        split_std = {c: data.get(f"splits.{c}") for c in COMPONENTS}
        segments = change_points([*org_std, stipend_std, training_std, *split_std.values()], first, stop)
        # annual amounts over a segment of the year weigh x months / 12; a line (organisation ×
        # component × the months under one split rule) sums its segments, then rounds once
        numerators: dict[tuple[str, int], np.ndarray] = {}
        for s, e in segments:
            rates = np.array([_amount(st, s) for st in org_std] + [0], dtype=np.int64)
            raw = {
                "org_funding": mult * rates[org_type] * (e - s),
                "secretary_stipend": np.where(cols["public_servant"], 0, cols["secretary_months"])
                * _amount(stipend_std, s) * (e - s),
                "member_training": cols["members"] * _amount(training_std, s) * (e - s),
            }
            for c, numerator in raw.items():
                key = (c, split_std[c].at_or_first(s).start)
                numerators[key] = numerators.get(key, 0) + numerator
        lines: dict[str, dict[str, np.ndarray]] = {c: {} for c in COMPONENTS}
        for (c, start), numerator in numerators.items():
            line = div_round_half_up(numerator, MONTHS_PER_YEAR)
            if data.conventions.rounding == "yuan":
                line = round_to_yuan(line)
            rule = split_std[c].at_or_first(start)
            for lv, part in split_lines(rule.value, line, tie_keys=who.tie_keys,
                                        whole_programme=whole_programme).items():
                lines[c][lv] = part if lv not in lines[c] else lines[c][lv] + part
        return Computation(self, data, first, stop, who, lines, None,
                           {"segments": segments, "multiplicity": mult})

    def headcounts(self, comp: Computation) -> dict[str, np.ndarray]:
        """Organisations funded, secretaries paid, members trained."""
        cols, parts = comp.who.columns, comp.by_component()
        shown = comp.who.shown_counts
        secretaries = shown if shown is not None else np.ones(len(comp.who), dtype=np.int64)
        return {
            "org_funding": np.where(parts["org_funding"] > 0, comp.counts(), 0),
            "secretary_stipend": np.where(parts["secretary_stipend"] > 0, secretaries, 0),
            "member_training": np.where(parts["member_training"] > 0, cols["members"], 0),
        }

    # ---- explanation ----

    def reasons(self, comp: Computation, i: int, lang: str = "zh") -> list[str]:
        cols = comp.who.columns
        out = []
        if cols["public_servant"][i]:
            out.append(label(lang, "书记为公职人员，不领取专项工作津贴", "secretary is a public servant: no stipend"))
        elif comp.who.counts is None and cols["secretary_months"][i] < MONTHS_PER_YEAR:
            m = int(cols["secretary_months"][i])
            out.append(label(lang, f"书记任职{m}个月，按月计发", f"secretary served {m} months, paid by month"))
        return out

    def explain(self, comp: Computation, i: int, lang: str = "zh") -> list[str]:
        data, cols = comp.data, comp.who.columns
        mult = int(comp.detail["multiplicity"][i])
        t = int(cols["org_type"][i])
        lines = []
        for s, e in comp.detail["segments"]:
            period = f"{month_label(s)}～{month_label(e - 1)}（{e - s}个月）" if lang == "zh" else \
                f"{month_label(s)} to {month_label(e - 1)} ({e - s} months)"
            lines.append(label(lang, f"期间 {period}", f"Period {period}"))
            if data.get("member_training.per_member").at(s) is None:
                first = data.get("member_training.per_member").values[0].start_label
                lines.append(label(lang, f"  标准自{first}起施行，本期不适用", f"  standards apply from {first}: none due"))
                continue
            if t >= 0:
                std = data.get(f"org_funding.{ORG_TYPES[t]}")
                v = std.at(s)
                lines.append(label(lang,
                    f"组织类型：{ORG_TYPE_NAMES[ORG_TYPES[t]][0]} → {std.label} {fen_to_yuan(v.value)}{std.unit}"
                    f"{'' if mult == 1 else f' × {mult}个'} × {e - s}/12",
                    f"org type {ORG_TYPES[t]} → {fen_to_yuan(v.value)} per year"
                    f"{'' if mult == 1 else f' × {mult}'} × {e - s}/12") + cite(v, lang))
            std = data.get("secretary_stipend.monthly")
            v = std.at(s)
            if cols["public_servant"][i]:
                lines.append(label(lang, "书记为公职人员 → 不领取专项工作津贴（公职人员担任书记不领取）",
                                   "secretary is a public servant → no stipend"))
            elif cols["secretary_months"][i]:
                months = int(cols["secretary_months"][i])
                lines.append(label(lang,
                    f"书记非公职人员，任职{months}个月 → {std.label} {fen_to_yuan(v.value)}{std.unit} × {months} × {e - s}/12",
                    f"secretary not a public servant, {months} months → {fen_to_yuan(v.value)}/month × {months} × {e - s}/12")
                    + cite(v, lang))
            if cols["members"][i]:
                std = data.get("member_training.per_member")
                v = std.at(s)
                members = int(cols["members"][i])
                lines.append(label(lang,
                    f"党员{members}人 → {std.label} {fen_to_yuan(v.value)}{std.unit} × {members} × {e - s}/12",
                    f"{members} members → {fen_to_yuan(v.value)} per member-year × {members} × {e - s}/12")
                    + cite(v, lang))
            for c in COMPONENTS:
                rule = data.get(f"splits.{c}").at_or_first(s)
                lines.append(label(lang, f"分担（{COMPONENT_NAMES[c][0]}）：", f"split ({COMPONENT_NAMES[c][1]}): ")
                             + rule.value.describe(lang) + cite(rule, lang))
        names = LEVEL_NAMES[lang]
        for c in COMPONENTS:
            parts = comp.lines[c]
            total = sum(int(p[i]) for p in parts.values())
            shares = "，".join(f"{names[lv]} {fen_to_yuan(p[i])}" for lv, p in parts.items())
            lines.append(f"{self.component_label(data, c, lang)}: {fen_to_yuan(total)}（{shares}）")
        return lines


def _amount(std, month: int) -> int:
    v = std.at(month)
    return 0 if v is None else v.value


def reject_names_without_id(parsed: ParsedTable) -> None:
    """An organisation without 组织编号 is known by its 组织名称 alone. A second one of
    that name (the later is rejected), or one named like an organisation that has an id
    (it is rejected), cannot be told apart from the other: paying both may pay one
    organisation twice, so the row without an id waits for a person, naming the other."""
    if not (parsed.has("org_id") and parsed.has("name")):
        return  # no ids at all: the names are the keys, and reject_duplicates names the repeats
    org_id, name = parsed.columns["org_id"], parsed.columns["name"]
    no_id = ~org_id.present & name.present & ~parsed.rejected
    if not no_id.any():
        return
    texts = name.objects()
    wanted = set(texts[no_id].tolist())
    live = np.flatnonzero(name.present & ~parsed.rejected)
    rows_of: dict[str, list[int]] = {}  # each name borne by a row without id: its live rows
    for pos in live[np.isin(texts[live], list(wanted))]:
        rows_of.setdefault(texts[pos], []).append(int(pos))
    bad: list[tuple[int, int]] = []  # (row without id, the row it cannot be told from)
    for rows in rows_of.values():
        for pos in rows:
            if org_id.present[pos]:
                continue
            earlier = [p for p in rows if p < pos]
            with_id = [p for p in rows if org_id.present[p]]
            other = earlier[0] if earlier else (with_id[0] if with_id else None)
            if other is not None:
                bad.append((pos, other))
    for pos, other in bad:
        row = int(parsed.table.row_numbers[other])
        parsed.reject([pos], "name", f"组织名称与第{row}行相同且未填组织编号，无法区分是否同一组织，不能重复发放",
                      f"same organisation name as row {row} and no organisation id: cannot tell them apart, "
                      f"not paid twice")


POLICY = TwoNew16321()
