"""村（社区）干部离任补助 (SPEC §4.3), 澄办发〔2014〕104号.

A one-time lump sum on departure: each month served earns 1/12 of the post's monthly
standard for that month's year (or, with ``standard_year = departure``, the departure
year's); the sum is rounded half up once per person. A month in which several posts are
held is credited once: at the 一肩挑 standard when 书记 and 主任 are held together and the
table has one, else at the highest of the posts held. The budget year's entitlements are
the departures (last month served) that fall in it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from entitlements.columns import group_sums
from entitlements.dates import month_label
from entitlements.fields import Field, choice_map
from entitlements.money import div_round_half_up, fen_to_yuan, round_to_yuan
from entitlements.people import (
    ID_FIELDS, SPAN_FIELDS, card_births, not_after_today, span_notices, spans, spans_in_order,
)
from entitlements.policy import (
    Beneficiaries, Computation, Policy, cite, first_rows, group_keys, keys_for, label, reject_conflicting_rows,
    reject_shared_id_numbers,
)
from entitlements.profiles import PolicyData
from entitlements.reading import read_csv
from entitlements.roster import InputError, ParsedTable, match_headers, reject_groups
from entitlements.splits import MONTHS_PER_YEAR, split_lines
from entitlements.standards import LEVEL_NAMES, Standard, StandardsError

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
POSTS = tuple(POST_NAMES)
# 一肩挑 is, by its meaning, the 书记 and the 主任 post held by one person
COMBINED, PAIR = POSTS.index("secretary_director"), (POSTS.index("secretary"), POSTS.index("director"))
MISSING = -1
MAX_LISTED = 10  # posts, years and people named in a refusal
# what a clerk writes in 不予发放原因 to say there is none (a cell is NFKC-normalised: ／ is /)
NO_REASON = frozenset({"无", "没有", "否", "0", "-", "--", "—", "——", "/", "／", "无原因"})
NO_STANDARDS = ("缺少岗位补贴标准 (no post standards)：离任补助按各岗位每年的月岗位补贴标准计算，我们的资料中没有这些标准；"
                "请用 --standards 提供 CSV 文件（列：职务,年度,月岗位补贴标准，见 README 与 examples/village_post_standards.csv），"
                "或在地区口径中配置 posts.* 标准 (the lump sum needs each post's monthly standard by year: give a CSV "
                "with columns 职务,年度,月岗位补贴标准 via --standards, or posts.* standards in the profile; see README)")
NEVER = 10**9  # a month index beyond any date: before any departure, after any rule


def post_name(code: int, lang: str = "zh") -> str:
    return POST_NAMES[POSTS[code]][0] if lang == "zh" else POSTS[code]


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


class VillageCadreDeparture(Policy):
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
              aliases=("所属村", "村（社区）", "所属单位", "村社区"), default=""),
        Field("excluded_reason", "不予发放原因", "text", "excluded because", aliases=("不予发放", "备注（不予发放）"),
              default=""),
    )

    def components(self, data: PolicyData) -> list[str]:
        return ["lump_sum"]

    def standards_from_csv(self, path: str | Path) -> dict[str, object]:
        return standards_from_csv(path)

    def component_label(self, data: PolicyData, component: str, lang: str = "zh") -> str:
        return label(lang, "离任补助", "departure lump sum")

    # ---- input ----

    def prepare(self, parsed: ParsedTable, data: PolicyData) -> Beneficiaries:
        keys = keys_for(parsed, self.key_fields)
        parsed.reject(np.flatnonzero((keys == "") & ~parsed.rejected), "id", "编号和身份证号均为空",
                      "neither id nor ID number is given", "")
        # the birth date in a valid 身份证号: none after today, no service before age 18 (or birth)
        birth = card_births(parsed)
        not_after_today(parsed, "id_number", birth, "身份证号中的出生日期", "birth date in the ID number")
        span = spans(parsed, birth, data.get("checks.min_start_age").values[0].value,
                     ("身份证号中的出生日期", "the birth date in the ID number"))
        reject_conflicting_rows(parsed, keys, "id")  # one 编号, two people: not merged into one lump sum
        reject_groups(parsed, keys, "id")
        reject_shared_id_numbers(parsed, keys)  # one person under two 编号: not paid twice
        accepted = ~parsed.rejected
        ids, owner = group_keys(keys, accepted)
        n = len(ids)
        rows = np.flatnonzero(accepted)
        first_row = first_rows(owner, n)
        stop = span["first"] + span["months"]
        cols = parsed.columns
        reason_col = cols["excluded_reason"]
        excluded = reason_col.objects()
        # 无, 否, 0, -, / say there is no reason: they are blank, not a reason to pay nothing
        says_none = np.array([str(t) in NO_REASON for t in reason_col.uniq], dtype=bool)
        if says_none.any():
            excluded = np.where(reason_col.present & says_none[reason_col.inverse], "", excluded)
        reason = np.full(n, "", dtype=object)
        for pos in rows[excluded[rows] != ""]:  # in table order: a person's first reason given
            reason[owner[pos]] = reason[owner[pos]] or excluded[pos]
        departure = np.full(n, -NEVER, dtype=np.int64)
        np.maximum.at(departure, owner[rows], span["departure"][rows])
        rows = spans_in_order(owner, span["first"])  # each person's spans together, by start
        span_notices(parsed, owner, span["first"], stop, "id", rows)
        post_col = cols["post"]  # a code per distinct post name, then per row
        posts = np.array([POSTS.index(p) if p else MISSING for p in post_col.uniq], dtype=np.int64)[post_col.inverse]
        return Beneficiaries(
            ids=ids, names=cols["name"].objects()[first_row], units=cols["unit"].encoded()[first_row],
            columns={"departure": departure, "excluded": reason},
            row_owner=owner,
            spans={"owner": owner[rows], "post": posts[rows], "first": span["first"][rows], "stop": stop[rows],
                   "row": parsed.table.row_numbers[rows]},
        )

    # ---- formula ----

    def compute(self, who: Beneficiaries, data: PolicyData, first: int, stop: int,
                whole_programme: bool = True, **options: object) -> Computation:
        include_earlier = bool(options.get("include_earlier", False))
        check_only = bool(options.get("check_only", False))  # `validate`: the roster's checks, no amounts asked
        n = len(who)
        departure = who.columns["departure"]
        table = post_table(data)
        if all(std is None for std in table) and not check_only:
            raise StandardsError(NO_STANDARDS)
        in_period = (departure < stop) & ((departure >= first) | include_earlier)
        # only the service of those who leave in the period is credited
        spans = who.spans
        if not in_period.all():
            keep = in_period[spans["owner"]]
            spans = {k: spans[k][keep] for k in SPAN_KEYS}
        at_departure = data.conventions.standard_year == "departure"
        numerator, missing = credited_sums(spans, n, departure, table, at_departure)
        unpriced = missing & in_period & (who.columns["excluded"] == "")
        if unpriced.any() and not check_only:  # paying 0.00 for months with no standard would be silently wrong
            raise StandardsError(self._missing_standards(spans, n, departure, table, at_departure, unpriced, who.ids))
        payable = in_period & (who.columns["excluded"] == "") & ~missing
        amount = np.where(payable, div_round_half_up(numerator, MONTHS_PER_YEAR), 0)
        if data.conventions.rounding == "yuan":
            amount = round_to_yuan(amount)
        split_std = data.get("splits.lump_sum")
        lines: dict[str, np.ndarray] = {}
        for start in sorted({v.start for v in split_std.values}):
            # each person's lump sum splits by the rule in force in the departure month
            rule = split_std.at(start)
            nxt = [v.start for v in split_std.values if v.start > start]
            mask = (departure >= start) & (departure < (nxt[0] if nxt else NEVER))
            if start == split_std.values[0].start:
                mask |= departure < start
            for lv, part in split_lines(rule.value, np.where(mask, amount, 0), tie_keys=who.tie_keys,
                                        whole_programme=whole_programme).items():
                lines[lv] = part if lv not in lines else lines[lv] + part

        def pieces(i: int) -> dict[str, np.ndarray]:
            """Person i's credited pieces, for the explanation: the same standards grid, by piece."""
            mine = spans["owner"] == i
            return credited_months({k: spans[k][mine] for k in SPAN_KEYS}, n, departure, table, at_departure)

        detail = {"pieces": pieces, "numerator": numerator, "missing": missing, "in_period": in_period,
                  "include_earlier": include_earlier}
        return Computation(self, data, first, stop, who, {"lump_sum": lines}, None, detail)

    @staticmethod
    def _missing_standards(spans, n, departure, table, at_departure, unpriced, ids) -> str:
        """Which posts and years have no standard, for whom: the refusal's message."""
        mine = unpriced[spans["owner"]]
        g = credited_months({k: spans[k][mine] for k in SPAN_KEYS}, n, departure, table, at_departure)
        gap = g["value"] == MISSING
        what = sorted({(int(p), month_label(m)[:4]) for p, m in zip(g["top_post"][gap], g["lookup"][gap])})
        listed = "、".join(f"{post_name(p)}{y}年" for p, y in what[:MAX_LISTED])
        listed_en = ", ".join(f"{post_name(p, 'en')} {y}" for p, y in what[:MAX_LISTED])
        more = f"等{len(what)}项" if len(what) > MAX_LISTED else ""
        who = "、".join(str(i) for i in ids[np.flatnonzero(unpriced)[:MAX_LISTED]])
        count = int(unpriced.sum())
        return (f"缺少岗位补贴标准：{listed}{more}（涉及{count}人，如编号{who}）；请在 --standards 文件"
                f"（职务,年度,月岗位补贴标准）中补充这些职务和年度 "
                f"(no post standard for: {listed_en}; {count} people, e.g. id {who}; add them to the --standards "
                f"file, columns 职务,年度,月岗位补贴标准)")

    # ---- explanation ----

    def reasons(self, comp: Computation, i: int, lang: str = "zh") -> list[str]:
        c, d = comp.who.columns, comp.detail
        out = []
        if not d["in_period"][i]:
            out.append(label(lang, f"离任时间{month_label(c['departure'][i])}，不在本预算年度",
                             f"departed {month_label(c['departure'][i])}: outside the budget year"))
        if c["excluded"][i]:
            out.append(label(lang, f"不予发放：{c['excluded'][i]}", f"excluded: {c['excluded'][i]}"))
        if d["missing"][i]:
            g = d["pieces"](i)
            sel = (g["owner"] == i) & (g["value"] == MISSING)
            what = "、".join(sorted({f"{post_name(p)}{month_label(m)[:4]}年" for p, m in zip(g["top_post"][sel], g["start"][sel])}))
            out.append(label(lang, f"缺少岗位补贴标准：{what}（请用 --standards 提供）",
                             f"no post standard for: {what} (supply one with --standards)"))
        return out

    def explain(self, comp: Computation, i: int, lang: str = "zh") -> list[str]:
        data, c, d = comp.data, comp.who.columns, comp.detail
        sp, g = comp.who.spans, d["pieces"](i)
        out = [label(lang, "任职经历：", "Service:")]
        for j in np.flatnonzero(sp["owner"] == i):
            out.append(label(lang,
                f"  第{sp['row'][j]}行 {post_name(sp['post'][j])} {month_label(sp['first'][j])}～{month_label(sp['stop'][j] - 1)}，"
                f"共{sp['stop'][j] - sp['first'][j]}个整月",
                f"  row {sp['row'][j]} {post_name(sp['post'][j], 'en')} {month_label(sp['first'][j])} to "
                f"{month_label(sp['stop'][j] - 1)}, {sp['stop'][j] - sp['first'][j]} whole months"))
        out.append(label(lang, "口径：任职结束日期含当日，只计整月；仅有年月的结束月份不计入（继任者当月起任）；重叠月份只计一次",
                         "conventions: a day-precision end is inclusive and only whole months count; a month-precision "
                         "end month is exclusive; overlapping months count once"))
        dep = month_label(c["departure"][i])
        out.append(label(lang,
            f"离任时间{dep}，计入{dep[:4]}年度预算。离任月份为任职结束日期所在月份（按所填写的日期）："
            "仅有年月的结束（如2025.01）不计入任职月数，但此人于该月离任，计入该年度预算",
            f"departed {dep}, budgeted in {dep[:4]}. The person departs in the month of the end date as written: "
            "a month-precision end (e.g. 2025.01) is not a month served, but the person departs in that month and "
            "belongs to that year's budget"))
        year_rule = data.conventions.standard_year
        out.append(label(lang,
            "按任职当年标准计算（每任职一年补助相应岗位当年一个月的岗位补贴标准）" if year_rule == "service"
            else "按离任当年标准计算全部任职年度",
            "each month at the post's standard of its own year" if year_rule == "service"
            else "every month at the departure year's standard"))
        out.append(label(lang, "逐段计入（月数 × 月标准 ÷ 12）：", "Credited (months × monthly standard ÷ 12):"))
        if not d["in_period"][i]:
            out.append(label(lang, "  离任不在本期间，不计入（以前年度离任者可用 --include-earlier）",
                             "  departed outside the period: not credited (--include-earlier for earlier years)"))
        for j in np.flatnonzero(g["owner"] == i):
            post = int(g["top_post"][j])
            held = "+".join(post_name(p, lang) for p in range(len(POSTS)) if int(g["held"][j]) >> p & 1)
            value = int(g["value"][j])
            std_text = label(lang, "缺少标准", "no standard") if value == MISSING else fen_to_yuan(value)
            line = (f"  {month_label(g['start'][j])}～{month_label(g['stop'][j] - 1)} {held}"
                    f" → {post_name(post, lang)} {std_text} × {g['months'][j]}/12")
            std = data.standards.get(f"posts.{POSTS[post]}")
            v = std.at(int(g["lookup"][j])) if std is not None else None
            out.append(line + (cite(v, lang) if v is not None else ""))
        out.append(label(lang, f"合计：Σ(月标准×月数) = {fen_to_yuan(d['numerator'][i])}，÷ 12 四舍五入到分",
                        f"total: Σ(standard × months) = {fen_to_yuan(d['numerator'][i])}, ÷ 12 rounded half up to the fen"))
        for reason in self.reasons(comp, i, lang):
            out.append("  " + reason)
        rule = data.get("splits.lump_sum").at(max(int(c["departure"][i]), data.get("splits.lump_sum").values[0].start))
        out.append(label(lang, "分担：", "Split: ") + rule.value.describe(lang) + cite(rule, lang))
        names = LEVEL_NAMES[lang]
        parts = comp.lines["lump_sum"]
        total = sum(int(p[i]) for p in parts.values())
        shares = "，".join(f"{names[lv]} {fen_to_yuan(p[i])}" for lv, p in parts.items())
        out.append(f"{self.component_label(data, 'lump_sum', lang)}: {fen_to_yuan(total)}（{shares}）")
        return out


def post_table(data: PolicyData) -> list[Standard | None]:
    """The dated monthly standard of each post, or None where none is given."""
    posts = data.under("posts")
    unknown = set(posts) - set(POSTS)
    if unknown:
        raise InputError(f"岗位补贴标准中有未知职务 unknown post(s) in standards: {', '.join(sorted(unknown))}")
    return [posts.get(p) for p in POSTS]


SPAN_KEYS = ("owner", "post", "first", "stop")
PIECE_KEYS = ("owner", "start", "stop", "months", "value", "top_post", "lookup", "held")
MONTH_RANGE = 10**6  # month indices stay below this: owner * MONTH_RANGE + month orders by owner


def credited_sums(spans: dict[str, np.ndarray], n: int, departure: np.ndarray,
                  table: list[Standard | None], at_departure: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per person: Σ months × monthly standard (fen × months) over their service, and
    whether a month served has no standard.

    A person whose spans do not overlap is credited span by span from running sums of
    the post × month standards grid (two lookups a span); people holding posts at the
    same time go through the pieces of ``credited_months``."""
    owner, post, a, b = (spans[k] for k in SPAN_KEYS)
    keep = b > a
    owner, post, a, b = owner[keep], post[keep], a[keep], b[keep]
    numerator, missing = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    if len(owner) == 0:
        return numerator, missing
    if not _sorted_by_owner_and_start(owner, a):
        order = np.lexsort((a, owner))
        owner, post, a, b = owner[order], post[order], a[order], b[order]
    concurrent = _owners_with_overlaps(owner, a, b, n)[owner]
    single = ~concurrent
    if single.all():
        o, p_, s_, e_ = owner, post, a, b
    else:
        o, p_, s_, e_ = owner[single], post[single], a[single], b[single]
    if len(o):
        lo = int(min(s_.min(), departure[o].min())) if at_departure else int(s_.min())
        hi = int(max(e_.max(), departure[o].max())) if at_departure else int(e_.max())
        grid = standards_grid(table, lo, hi)
        row = np.where((p_ >= 0) & (p_ < len(table)), p_, len(table))
        if at_departure:  # every month at the departure month's standard
            value = grid[row, departure[o] - lo]
            credit, gap = (e_ - s_) * np.maximum(value, 0), value == MISSING
        else:  # running sums along the months: a span's credit is the difference at its ends
            paid = np.zeros((len(grid), grid.shape[1] + 1), dtype=np.int64)
            np.cumsum(np.maximum(grid, 0), axis=1, out=paid[:, 1:])
            holes = np.zeros_like(paid)
            np.cumsum(grid == MISSING, axis=1, out=holes[:, 1:])
            credit = paid[row, e_ - lo] - paid[row, s_ - lo]
            gap = holes[row, e_ - lo] > holes[row, s_ - lo]
        numerator += group_sums(o, n, credit)[0]
        missing[o[gap]] = True
    if concurrent.any():
        g = _credit_concurrent(owner[concurrent], post[concurrent], a[concurrent], b[concurrent],
                               n, departure, table, at_departure, _cuts(a, b, table))
        numerator += group_sums(g["owner"], n, g["months"] * np.maximum(g["value"], 0))[0]
        missing[g["owner"][g["value"] == MISSING]] = True
    return numerator, missing


def credited_months(spans: dict[str, np.ndarray], n: int, departure: np.ndarray,
                    table: list[Standard | None], at_departure: bool) -> dict[str, np.ndarray]:
    """Pieces of each person's service where the posts held and the standard are constant.

    Vectorised: spans are cut at year starts and standard changes and each piece is
    credited once. People with spans held at the same time (concurrent posts, overlaps)
    go the general way: elementary segments between their span boundaries, paired with
    the spans active in them, credited at the combined standard of the posts held. The
    rest, most people, are credited span by span.
    """
    owner, post, a, b = spans["owner"], spans["post"], spans["first"], spans["stop"]
    keep = b > a
    owner, post, a, b = owner[keep], post[keep], a[keep], b[keep]
    if len(owner) == 0:
        return {k: np.array([], dtype=np.int64) for k in PIECE_KEYS}
    cuts = _cuts(a, b, table)
    if not _sorted_by_owner_and_start(owner, a):  # prepare orders each person's spans by start
        order = np.lexsort((a, owner))
        owner, post, a, b = owner[order], post[order], a[order], b[order]
    concurrent = _owners_with_overlaps(owner, a, b, n)[owner]
    parts = []
    if (~concurrent).any():
        o, p_, s_, e_ = owner[~concurrent], post[~concurrent], a[~concurrent], b[~concurrent]
        rep, p_start, p_stop, _ = _cut(s_, e_, cuts)
        p_owner, p_post = o[rep], p_[rep]
        lookup = departure[p_owner] if at_departure else p_start
        parts.append({"owner": p_owner, "start": p_start, "stop": p_stop, "months": p_stop - p_start,
                      "value": standard_values(table, p_post, lookup), "top_post": p_post, "lookup": lookup,
                      "held": _post_bits(p_post)})
    if concurrent.any():
        parts.append(_credit_concurrent(owner[concurrent], post[concurrent], a[concurrent], b[concurrent],
                                        n, departure, table, at_departure, cuts))
    if len(parts) == 1:
        return parts[0]
    return {k: np.concatenate([part[k] for part in parts]) for k in PIECE_KEYS}


def _sorted_by_owner_and_start(owner: np.ndarray, a: np.ndarray) -> bool:
    later = owner[1:] > owner[:-1]
    return bool(np.all(later | ((owner[1:] == owner[:-1]) & (a[1:] >= a[:-1]))))


def _owners_with_overlaps(owner: np.ndarray, a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Per person: does any span start before an earlier one (by start) ends? Spans sorted by (owner, start)."""
    key_end = np.maximum.accumulate(owner * MONTH_RANGE + b)  # running latest end, within the owner
    overlap = np.zeros(len(owner), dtype=bool)
    overlap[1:] = (owner[1:] == owner[:-1]) & (owner[1:] * MONTH_RANGE + a[1:] < key_end[:-1])
    out = np.zeros(n, dtype=bool)
    out[owner[overlap]] = True
    return out


def _cuts(a: np.ndarray, b: np.ndarray, table: list[Standard | None]) -> np.ndarray:
    """Year starts over the service, and every change of a post standard."""
    years = np.arange(int(a.min()) // 12, int(b.max()) // 12 + 2) * 12
    changes = [v.start for s in table if s is not None for v in s.values]
    return np.unique(np.r_[years, changes]).astype(np.int64)


def _cut(lo: np.ndarray, hi: np.ndarray, cuts: np.ndarray):
    """Intervals [lo, hi) cut at ``cuts``: index of the interval, start, stop and piece number."""
    i0 = np.searchsorted(cuts, lo, side="right")
    pieces = np.searchsorted(cuts, hi, side="left") - i0 + 1
    rep = np.repeat(np.arange(len(lo)), pieces)
    j = np.arange(pieces.sum()) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    p_start = np.where(j == 0, lo[rep], cuts[np.minimum(i0[rep] + j - 1, len(cuts) - 1)])
    p_stop = np.where(j == pieces[rep] - 1, hi[rep], cuts[np.minimum(i0[rep] + j, len(cuts) - 1)])
    return rep, p_start, p_stop, j


def _post_bits(posts: np.ndarray) -> np.ndarray:
    return np.where(posts >= 0, np.left_shift(1, np.maximum(posts, 0)), 0)


def _credit_concurrent(owner, post, a, b, n, departure, table, at_departure, cuts) -> dict[str, np.ndarray]:
    # 1. elementary segments between each person's boundaries
    po, pp = np.r_[owner, owner], np.r_[a, b]
    order = np.lexsort((pp, po))
    po, pp = po[order], pp[order]
    distinct = np.r_[True, (po[1:] != po[:-1]) | (pp[1:] != pp[:-1])]
    po, pp = po[distinct], pp[distinct]
    same = po[:-1] == po[1:]
    seg_o, seg_s, seg_e = po[:-1][same], pp[:-1][same], pp[1:][same]
    # 2. pair each segment with its person's spans, keep those active in it
    by_owner = np.argsort(owner, kind="stable")
    count = np.bincount(owner, minlength=n)
    begin = np.r_[0, np.cumsum(count)[:-1]]
    k = count[seg_o]
    seg_idx = np.repeat(np.arange(len(seg_o)), k)
    offset = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)
    span_idx = by_owner[np.repeat(begin[seg_o], k) + offset]
    active = (a[span_idx] <= seg_s[seg_idx]) & (seg_e[seg_idx] <= b[span_idx])
    seg_idx, span_idx = seg_idx[active], span_idx[active]
    # 3. cut at year starts and at every change of a post standard
    rep, p_start, p_stop, j = _cut(seg_s[seg_idx], seg_e[seg_idx], cuts)
    p_seg, p_post = seg_idx[rep], post[span_idx[rep]]
    p_owner = seg_o[p_seg]
    lookup = departure[p_owner] if at_departure else p_start
    value = standard_values(table, p_post, lookup)
    # 4. one credit per piece: 一肩挑 where 书记 and 主任 are held together, else the highest
    order = np.lexsort((-value, j, p_seg))
    p_seg, j, p_post, value, p_start, p_stop, p_owner, lookup = (
        x[order] for x in (p_seg, j, p_post, value, p_start, p_stop, p_owner, lookup))
    heads = np.flatnonzero(np.r_[True, (p_seg[1:] != p_seg[:-1]) | (j[1:] != j[:-1])])
    has_sec = np.logical_or.reduceat(p_post == PAIR[0], heads)
    has_dir = np.logical_or.reduceat(p_post == PAIR[1], heads)
    any_missing = np.logical_or.reduceat(value == MISSING, heads)
    best, top = value[heads], p_post[heads]  # sorted by value, highest first
    combined = standard_values(table, np.full(len(heads), COMBINED), lookup[heads])
    use_combined = has_sec & has_dir & (combined != MISSING)
    best = np.where(use_combined, combined, np.where(any_missing, MISSING, best))
    top = np.where(use_combined, COMBINED, top)
    held = np.bitwise_or.reduceat(_post_bits(p_post), heads)  # bit p set when post p is held
    return {"owner": p_owner[heads], "start": p_start[heads], "stop": p_stop[heads],
            "months": p_stop[heads] - p_start[heads], "value": best, "top_post": top,
            "lookup": lookup[heads], "held": held}


def standard_values(table: list[Standard | None], posts: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Monthly standard (fen) of each post in each month; MISSING where none is in force."""
    if len(posts) == 0:
        return np.full(0, MISSING, dtype=np.int64)
    lo = int(months.min())
    grid = standards_grid(table, lo, int(months.max()))
    return grid[np.where((posts >= 0) & (posts < len(table)), posts, len(table)), months - lo]


def standards_grid(table: list[Standard | None], lo: int, hi: int) -> np.ndarray:
    """The monthly standard of each post in each month lo..hi (a column per month), and a
    last row of MISSING for a post that is not in the table."""
    grid = np.full((len(table) + 1, hi - lo + 1), MISSING, dtype=np.int64)
    for p, std in enumerate(table):
        if std is not None:
            starts = np.array([v.start for v in std.values], dtype=np.int64)
            amounts = np.array([v.value for v in std.values] + [MISSING], dtype=np.int64)
            grid[p] = amounts[np.searchsorted(starts, np.arange(lo, hi + 1), side="right") - 1]
    return grid


STANDARD_FIELDS = (
    Field("post", "职务", "choice", "post", aliases=("岗位",), required=True, choices=choice_map(POST_NAMES)),
    Field("year", "年度", "text", "year", aliases=("年份",), required=True),
    Field("monthly", "月岗位补贴标准", "text", "monthly standard", aliases=("岗位补贴标准", "月标准"), required=True),
)


def standards_from_csv(path: str | Path) -> dict[str, object]:
    """A user's post standards file (职务, 年度, 月岗位补贴标准) as a standards overlay table."""
    table = read_csv(path)
    headers, _ = match_headers(table, STANDARD_FIELDS)
    names = choice_map(POST_NAMES)
    values: dict[str, list[dict[str, object]]] = {}
    seen: dict[tuple[str, str], tuple[int, str]] = {}  # (post, year) -> (line, post as written)
    for pos, line in enumerate(table.row_numbers):
        cell = {f: str(table.cells[h][pos]) for f, h in headers.items()}
        post = names.get(cell["post"]) or names.get(cell["post"].lower())
        if post is None:
            raise InputError(f"{path} 第{line}行：未知职务 unknown post {cell['post']!r}")
        if not (cell["year"].isdigit() and len(cell["year"]) == 4):
            raise InputError(f"{path} 第{line}行：年度应为四位年份 year must be YYYY: {cell['year']!r}")
        # one post and year twice (also as 一肩挑 and 书记主任一肩挑): which one holds is not ours to guess
        if (post, cell["year"]) in seen:
            first, written = seen[post, cell["year"]]
            raise InputError(f"{path} 第{line}行：{cell['post']} {cell['year']}年的标准重复（第{first}行已有 {written}）"
                             f" duplicate standard: {cell['post']} {cell['year']} is already on line {first}")
        seen[post, cell["year"]] = (int(line), cell["post"])
        values.setdefault(post, []).append(
            {"from": f"{cell['year']}-01", "amount": cell["monthly"], "source": "user_post_standards"})
    return {
        "sources": {"user_post_standards": {"doc": f"用户提供的岗位补贴标准文件 {Path(path).name}",
                                            "via": "--standards"}},
        "standards": {f"posts.{p}": {"kind": "money", "label": f"{POST_NAMES[p][0]}岗位补贴标准", "unit": "元/月",
                                     "values": v} for p, v in values.items()},
    }


POLICY = VillageCadreDeparture()
