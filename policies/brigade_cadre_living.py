"""农村原大队一级部分离职半脱产干部定期生活补助 (SPEC §4.2).

Eligible: held a brigade-level post before the 1984 reform, served the minimum tenure,
was state-subsidised in office, has left office, is alive, and has reached the age
(men 55, women 50). Paid monthly: the first paid month follows the month in which the
last condition was met (次月起发), the death month is paid (死亡次月停发). The amount is
the sum of layers (the 1989 tenure tiers, the 2002 +60元 raise, any later raise a profile
or --standards file adds), each split by its own ratio unless a profile splits the total.
Months are counted by interval arithmetic: no per-month loop.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
from pydantic import BaseModel

from entitlements.columns import distinct_rows, group_sums
from entitlements.dates import merge_intervals, month_index, month_label, service_months
from entitlements.fields import MALE, Field
from entitlements.money import fen_to_yuan, split_by_weights
from entitlements.people import (
    ID_FIELDS, SPAN_FIELDS, UNIT_ALIASES, birth_and_sex, not_after_today, not_before, span_notices, spans,
)
from entitlements.policy import (
    Beneficiaries, Computation, Policy, cite, first_rows, group_keys, keys_for, label, reject_conflicting_rows,
    reject_duplicates, reject_shared_id_numbers,
)
from entitlements.profiles import PolicyData
from entitlements.roster import InputError, ParsedTable, reject_groups
from entitlements.splits import MONTHS_PER_YEAR, split_lines
from entitlements.standards import LEVEL_NAMES, LEVELS, Standard, StandardsError, change_points, tier_lookup

NEVER = 10**7  # a month index beyond any date: "no death date"
MONTHS_KEY = "\0months"  # paid months, kept beside the layer amounts of a total split
MAX_TENURE = 80


class ServiceSpan(BaseModel):
    start: dt.date | str
    end: dt.date | str


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


class BrigadeCadreLiving(Policy):
    id = "brigade_cadre_living"
    schedule = "monthly"
    key_fields = ("id", "id_number")
    open_paths = ("layers.", "splits.layers.")  # a scenario may add a raise as a new layer with its split
    fields = (
        *ID_FIELDS,
        Field("sex", "性别", "sex", "sex"),
        Field("birth_date", "出生日期", "date", "birth date", aliases=("出生年月", "出生年月日")),
        Field("tenure_years", "任职年限", "int", "tenure (years)", aliases=("任职年数",), max=MAX_TENURE,
              whole_part=True),  # only whole years count
        *SPAN_FIELDS,
        Field("served_before_1984", "1984年前任职", "bool", "served before 1984", default=True),
        Field("state_subsidised", "在职时领取国家补助", "bool", "state-subsidised in office",
              aliases=("领取国家补助",), default=True),
        Field("left_office", "离职日期", "date", "left office", aliases=("离职时间", "离职年月")),
        Field("death_date", "死亡日期", "date", "date of death", aliases=("死亡时间", "死亡年月", "去世日期", "去世时间", "去世年月")),
        Field("unit", "所属单位", "text", "unit", aliases=UNIT_ALIASES, default=""),
    )

    # ---- standards ----

    def layers(self, data: PolicyData) -> list[str]:
        layers = data.under("layers")
        return sorted(layers, key=lambda k: (layers[k].values[0].start, k))

    def components(self, data: PolicyData) -> list[str]:
        return self.layers(data)

    def component_label(self, data: PolicyData, component: str, lang: str = "zh") -> str:
        return data.get(f"layers.{component}").label if lang == "zh" else component

    def _layer_split(self, data: PolicyData, layer: str):
        path = f"splits.layers.{layer}"
        if path not in data.standards and "splits.total" not in data.standards:
            raise StandardsError(f"{self.id}: 新增的补助层 layers.{layer} 没有分担办法，请同时给出 {path} "
                                 f"(layer '{layer}' has no split '{path}')")
        return data.standards.get(path)

    # ---- input ----

    def prepare(self, parsed: ParsedTable, data: PolicyData) -> Beneficiaries:
        has_spans = parsed.has("start") or parsed.has("end")
        if not parsed.has("tenure_years") and not has_spans:
            raise InputError("缺少任职年限（任职年限列，或任职开始/任职结束列）"
                             " missing tenure: a 任职年限 column or 任职开始/任职结束 columns"
                             + parsed.hint([self.field("tenure_years"), self.field("start")]))
        if not parsed.has("id_number") and not (parsed.has("sex") and parsed.has("birth_date")):
            raise InputError("缺少性别、出生日期列，且无身份证号列可推算"
                             " missing columns: 性别 and 出生日期 (or 身份证号 to read them from)")
        sex, by, bm, bd = birth_and_sex(parsed, need=True)
        birth = (by, bm, bd)
        left, died = parsed.columns["left_office"].dates(), parsed.columns["death_date"].dates()
        for f, date, zh, en in (("death_date", died, "死亡日期早于出生日期", "death before birth"),
                                ("left_office", left, "离职日期早于出生日期", "left office before birth")):
            not_before(parsed, f, date, birth, zh, en)
        # a birth or a death after today is impossible (a birth read from the 身份证号 is that column's)
        birth_from = np.where(parsed.columns["birth_date"].present, "birth_date", "id_number")
        not_after_today(parsed, birth_from, birth, "出生日期", "birth date")
        not_after_today(parsed, "death_date", died, "死亡日期", "date of death")
        min_age = data.get("checks.min_start_age").values[0].value
        keys = keys_for(parsed, self.key_fields)
        parsed.reject(np.flatnonzero((keys == "") & ~parsed.rejected), "id", "编号和身份证号均为空",
                      "neither id nor ID number is given", "")
        tenure = parsed.columns["tenure_years"].ints(missing=-1)
        span = None
        tenure_given = parsed.has("tenure_years") and parsed.columns["tenure_years"].present.any()
        if has_spans and not tenure_given:
            span = spans(parsed, birth, min_age)
            missing = ~span["present"] & ~parsed.rejected
            parsed.reject(np.flatnonzero(missing), "start", "任职开始或任职结束为空", "service start or end missing", "")
            reject_conflicting_rows(parsed, keys, "id")  # one 编号, two people: not merged
            reject_groups(parsed, keys, "id")
        else:
            if has_spans:  # both given: a row whose dates say another tenure cannot be paid by either
                self._reject_tenure_against_dates(parsed, tenure)
            parsed.reject(np.flatnonzero((tenure < 0) & ~parsed.rejected), "tenure_years",
                          "任职年限为空", "tenure missing", "")
            self._reject_impossible_tenure(parsed, tenure, by, data, min_age)
            reject_duplicates(parsed, keys, "id" if parsed.has("id") else "id_number")
        reject_shared_id_numbers(parsed, keys)  # one person under two 编号: not paid twice
        accepted = ~parsed.rejected
        ids, owner = group_keys(keys, accepted)
        n = len(ids)
        rows = np.flatnonzero(accepted)
        first_row = first_rows(owner, n)
        cols = parsed.columns

        one_row_each = n == len(first_row) == len(owner) and bool((first_row == np.arange(n)).all())

        def per_person(values: np.ndarray) -> np.ndarray:
            return values if one_row_each else values[first_row]  # a roster of one row a person: as it is

        if span is not None:
            o, s, e = merge_intervals(owner[rows], span["first"][rows], (span["first"] + span["months"])[rows])
            (months,) = group_sums(o, n, e - s)  # whole months served, in exact integers
            tenure_p = months // MONTHS_PER_YEAR
            span_notices(parsed, owner, span["first"], span["first"] + span["months"], "id")
        else:
            tenure_p = per_person(tenure)
        (ly, lm, _), (dy, dm, _) = left, died
        return Beneficiaries(
            ids=ids, names=per_person(cols["name"].objects()), units=per_person(cols["unit"].encoded()),
            columns={
                "sex": per_person(sex),
                "birth_month": per_person(month_index(by, bm)),
                "tenure": tenure_p,
                "before_1984": per_person(cols["served_before_1984"].flags()),
                "subsidised": per_person(cols["state_subsidised"].flags()),
                "left_month": per_person(np.where(ly > 0, month_index(ly, lm), -NEVER)),
                "death_month": per_person(np.where(dy > 0, month_index(dy, dm), NEVER)),
            },
            row_owner=owner,
        )

    @staticmethod
    def _reject_tenure_against_dates(parsed: ParsedTable, tenure: np.ndarray) -> None:
        """任职年限 and 任职开始/任职结束 on one row must agree (whole years of the span)."""
        (sy, sm, sd), (ey, em, ed) = parsed.columns["start"].dates(), parsed.columns["end"].dates()
        _, months = service_months(sy, sm, sd, ey, em, ed)
        years = np.asarray(months) // MONTHS_PER_YEAR
        # a part year may be counted either way (满15年 or 16个年头): only more than that disagrees
        ceiling = years + (np.asarray(months) % MONTHS_PER_YEAR > 0)
        both = (tenure >= 0) & (np.asarray(sy) > 0) & (np.asarray(ey) > 0) & ~parsed.rejected
        for pos in np.flatnonzero(both & ((tenure < years) | (tenure > ceiling))):
            parsed.reject([pos], "tenure_years",
                          f"任职年限与任职起止日期不一致：任职年限{int(tenure[pos])}年，任职起止{parsed.cell('start', pos)}至"
                          f"{parsed.cell('end', pos)}满{int(years[pos])}年；请核实后只保留正确的一项",
                          f"tenure of {int(tenure[pos])} years disagrees with the service dates "
                          f"({parsed.cell('start', pos)} to {parsed.cell('end', pos)}: {int(years[pos])} whole years)")

    @staticmethod
    def _reject_impossible_tenure(parsed: ParsedTable, tenure: np.ndarray, birth_year: np.ndarray,
                                  data: PolicyData, min_age: int) -> None:
        """The tenure counted is service before the 1984 reform: it cannot be longer than
        the years from the youngest plausible starting age to that reform."""
        reform = data.get("checks.reform_year").values[0].value
        bound = np.maximum(reform - birth_year - min_age, 0)
        before = parsed.columns["served_before_1984"].flags()
        bad = (tenure > bound) & (birth_year > 0) & before & ~parsed.rejected
        for pos in np.flatnonzero(bad):
            t, y, b = int(tenure[pos]), int(birth_year[pos]), int(bound[pos])
            parsed.reject([pos], "tenure_years",
                          f"任职年限{t}年不合理：{y}年出生，自{min_age}周岁至{reform}年区乡体制改革最多{b}年",
                          f"tenure of {t} years is impossible: born {y}, at most {b} years from age {min_age} "
                          f"to the {reform} reform")

    # ---- formula ----

    def compute(self, who: Beneficiaries, data: PolicyData, first: int, stop: int,
                whole_programme: bool = True, **options: object) -> Computation:
        c = who.columns
        t = self._timing(c, data, first)
        # from here a person counts only through (qualifies, tenure, first and last paid
        # month within the period): the layers run once per distinct combination, a few
        # thousand in a province, and every person takes the lines of theirs
        fp, sp = np.clip(t["first_paid"], first, stop), np.clip(t["stop_paid"], first, stop)
        rep, group = distinct_rows(t["qualifies"], c["tenure"], fp, sp)
        cases = t["qualifies"][rep], c["tenure"][rep], fp[rep], sp[rep]
        min_tenure = t["min_tenure"]
        del t, fp, sp  # a province's per-person columns are not needed past this point
        lines, paid_months, tiers, segments = self._layers(data, first, stop, *cases, group, who.tie_keys,
                                                           whole_programme)
        # per-person timing is worked out again, by the same formula, only if an
        # explanation asks: a province's summary does not hold four more columns for it
        detail = {"group": group.astype(np.int32), "tiers": tiers, "segments": segments,
                  "min_tenure": min_tenure, "timing": cache(lambda: self._timing(c, data, first))}
        return Computation(self, data, first, stop, who, lines, paid_months[group], detail)

    def _timing(self, c: dict[str, np.ndarray], data: PolicyData, first: int) -> dict:
        """Per person: the age that qualifies, the month it is reached, the first paid month
        (the month after the last condition is met), the month payment stops, and whether the
        tenure and service conditions hold."""
        conv = data.conventions
        age = np.where(c["sex"] == MALE, data.get("eligibility.age_male").at_or_first(first).value,
                       data.get("eligibility.age_female").at_or_first(first).value)
        min_tenure = data.get("eligibility.min_tenure_years").at_or_first(first).value
        age_month = c["birth_month"] + age * MONTHS_PER_YEAR
        first_paid = np.maximum(age_month, c["left_month"]) + (1 if conv.start == "next_month" else 0)
        stop_paid = c["death_month"] + (1 if conv.stop == "after_death_month" else 0)
        qualifies = (c["tenure"] >= min_tenure) & c["before_1984"] & c["subsidised"]
        return {"age": age, "age_month": age_month, "first_paid": first_paid, "stop_paid": stop_paid,
                "qualifies": qualifies, "min_tenure": min_tenure}

    def _layers(self, data: PolicyData, first: int, stop: int, qualifies: np.ndarray, tenure: np.ndarray,
                first_paid: np.ndarray, stop_paid: np.ndarray, group: np.ndarray, tie_keys, whole_programme: bool):
        """The layers and their splits for each group (one entry per distinct combination);
        lines come back per person (``group`` maps a person to theirs)."""
        n = len(qualifies)
        layers = self.layers(data)
        layer_std = {k: data.get(f"layers.{k}") for k in layers}
        split_std = {k: self._layer_split(data, k) for k in layers}
        total_split = data.standards.get("splits.total")
        watched = [*layer_std.values(), *(s for s in split_std.values() if s), *([total_split] if total_split else [])]
        paid_months = np.zeros(n, dtype=np.int64)
        tiers = {}
        # a line is beneficiary × layer × the months of the year under one split rule: the
        # segments are summed first, so a line is split (and a per-capita share rounded) once
        by_layer: dict[tuple[str, int], list[np.ndarray]] = {}  # (layer, rule start) -> [amount, months]
        by_total: dict[int, dict[str, np.ndarray]] = {}  # total rule start -> layer -> amount, plus months
        segments = change_points(watched, first, stop)
        for s, e in segments:
            months = np.clip(np.minimum(e, stop_paid) - np.maximum(s, first_paid), 0, None) * qualifies
            seg_lines = {}
            for k, std in layer_std.items():
                v = std.at(s)
                if v is None:
                    continue
                if std.kind == "tiers":
                    if std.tier_on not in ("", "tenure_years"):
                        raise StandardsError(f"{self.id}: layer '{k}' is tiered on '{std.tier_on}'; "
                                             f"only tenure_years is known")
                    amount, tiers[k] = tier_lookup(v.value, tenure)
                else:
                    amount = np.full(n, v.value, dtype=np.int64)
                seg_lines[k] = months * amount
            if not seg_lines:
                continue
            seg_total = sum(seg_lines.values())
            months = np.where(seg_total > 0, months, 0)
            paid_months += months
            total_rule = total_split.at(s) if total_split else None
            if total_rule is not None:
                covered = {k: line for k, line in seg_lines.items() if self._covered(layer_std[k], total_rule)}
                if covered:
                    acc = by_total.setdefault(total_rule.start, {})
                    for k, line in {**covered, MONTHS_KEY: months}.items():
                        acc[k] = acc.get(k, 0) + line
                seg_lines = {k: line for k, line in seg_lines.items() if k not in covered}
            for k, line in seg_lines.items():
                if split_std[k] is None:
                    raise StandardsError(f"{self.id}: layer '{k}' has no split 'splits.layers.{k}' and no "
                                         f"'splits.total' is in force in {month_label(s)}")
                acc_line = by_layer.setdefault((k, split_std[k].at_or_first(s).start), [0, 0])
                acc_line[0] = acc_line[0] + line
                acc_line[1] = acc_line[1] + np.where(line > 0, months, 0)

        def per_person(rule, by_level):
            """A fixed-total split shares one sum over the people themselves (their ids break
            ties); the other rules split a line on its own, so once per group."""
            if rule.rule == "fixed_total":
                return by_level(lambda a: a[group])
            return {lv: part[group] for lv, part in by_level(lambda a: a).items()}

        lines: dict[str, dict[str, np.ndarray]] = {k: {} for k in layers}

        def add(k: str, lv: str, part: np.ndarray) -> None:
            lines[k][lv] = part if lv not in lines[k] else lines[k][lv] + part

        for (k, start), (amount, months) in by_layer.items():
            rule = split_std[k].at_or_first(start).value
            parts = per_person(rule, lambda at: split_lines(rule, at(amount), at(months), tie_keys,
                                                            whole_programme=whole_programme))
            for lv, part in parts.items():
                add(k, lv, part)
        for start, acc in by_total.items():
            months = acc.pop(MONTHS_KEY)
            rule = total_split.at_or_first(start).value
            weights = np.stack(list(acc.values()), axis=1)

            def layer_parts(at):
                # each level's share of the total is shared over the layers pro rata
                by_level = split_lines(rule, at(sum(acc.values())), at(months), tie_keys,
                                       whole_programme=whole_programme)
                return {(lv, k): parts[:, j] for lv, share in by_level.items()
                        for parts in [split_by_weights(share, at(weights))] for j, k in enumerate(acc)}

            for (lv, k), part in per_person(rule, layer_parts).items():
                add(k, lv, part)
        return lines, paid_months, tiers, segments

    # ---- explanation ----

    def reasons(self, comp: Computation, i: int, lang: str = "zh") -> list[str]:
        c, d = comp.who.columns, comp.detail
        t = d["timing"]()
        out = []
        if c["tenure"][i] < d["min_tenure"]:
            out.append(label(lang, f"任职年限{c['tenure'][i]}年，不满{d['min_tenure']}年，不予补助",
                             f"tenure {c['tenure'][i]} years is below {d['min_tenure']}: not eligible"))
        if not c["before_1984"][i]:
            out.append(label(lang, "1984年区乡体制改革前未任职，不予补助", "did not serve before the 1984 reform"))
        if not c["subsidised"][i]:
            out.append(label(lang, "在职时未领取国家补助，不予补助", "was not state-subsidised in office"))
        if out:
            return out
        fp, sp = int(t["first_paid"][i]), int(t["stop_paid"][i])
        if sp <= comp.first:
            return [label(lang, f"已于{month_label(c['death_month'][i])}死亡，本期不予补助",
                          f"died {month_label(c['death_month'][i])}: nothing due in this period")]
        if fp >= comp.stop:
            return [label(lang, f"{month_label(fp)}起方可发放（条件满足月的次月），本期不予补助",
                          f"payable only from {month_label(fp)}: nothing due in this period")]
        if fp > comp.first:
            out.append(label(lang, f"自{month_label(fp)}起发放", f"paid from {month_label(fp)}"))
        if sp < comp.stop:
            out.append(label(lang, f"发放至{month_label(sp - 1)}（死亡日期{month_label(c['death_month'][i])}）",
                             f"paid to {month_label(sp - 1)} (died {month_label(c['death_month'][i])})"))
        return out

    def explain(self, comp: Computation, i: int, lang: str = "zh") -> list[str]:
        data, c, d = comp.data, comp.who.columns, comp.detail
        t = d["timing"]()
        conv = data.conventions
        ok = lambda flag: label(lang, "✓" if flag else "✗", "yes" if flag else "NO")  # noqa: E731
        sex_zh, sex_en = ("男", "male") if c["sex"][i] == MALE else ("女", "female")
        out = [label(lang, "条件：", "Conditions:")]
        out.append(label(lang, f"  1984年前任职：{ok(c['before_1984'][i])}", f"  served before 1984: {ok(c['before_1984'][i])}"))
        out.append(label(lang, f"  在职时领取国家补助：{ok(c['subsidised'][i])}", f"  state-subsidised: {ok(c['subsidised'][i])}"))
        mt = data.get("eligibility.min_tenure_years").at_or_first(comp.first)
        out.append(label(lang, f"  任职年限 {c['tenure'][i]} 年 ≥ {d['min_tenure']} 年：{ok(c['tenure'][i] >= d['min_tenure'])}",
                         f"  tenure {c['tenure'][i]} ≥ {d['min_tenure']} years: {ok(c['tenure'][i] >= d['min_tenure'])}") + cite(mt, lang))
        age_std = data.get("eligibility.age_male" if c["sex"][i] == MALE else "eligibility.age_female").at_or_first(comp.first)
        out.append(label(lang, f"  {sex_zh}，出生于{month_label(c['birth_month'][i])}，{t['age'][i]}周岁于{month_label(t['age_month'][i])}年满",
                         f"  {sex_en}, born {month_label(c['birth_month'][i])}, reaches {t['age'][i]} in {month_label(t['age_month'][i])}") + cite(age_std, lang))
        if c["left_month"][i] > -NEVER:
            out.append(label(lang, f"  离职：{month_label(c['left_month'][i])}", f"  left office: {month_label(c['left_month'][i])}"))
        start_zh = "次月起发" if conv.start == "next_month" else "当月起发"
        out.append(label(lang, f"  起发口径：{start_zh} → 首个发放月 {month_label(t['first_paid'][i])}",
                         f"  start convention {conv.start} → first paid month {month_label(t['first_paid'][i])}"))
        if c["death_month"][i] < NEVER:
            stop_zh = "死亡次月停发（死亡当月照发）" if conv.stop == "after_death_month" else "死亡当月停发"
            out.append(label(lang, f"  死亡：{month_label(c['death_month'][i])}，{stop_zh} → 最后发放月 {month_label(t['stop_paid'][i] - 1)}",
                             f"  died {month_label(c['death_month'][i])}, {conv.stop} → last paid month {month_label(t['stop_paid'][i] - 1)}"))
        out.append(label(lang, "标准（各层）：", "Standards (layers):"))
        for s, e in d["segments"]:
            for k in self.layers(data):
                std = data.get(f"layers.{k}")
                v = std.at(s)
                if v is None:
                    continue
                if std.kind == "tiers":
                    idx = int(d["tiers"][k][d["group"][i]])
                    if idx < 0:
                        desc = label(lang, "未达最低档", "below the first tier")
                    else:
                        t = v.value[idx]
                        upper = v.value[idx + 1].min - 1 if idx + 1 < len(v.value) else None
                        rng = f"{t.min}–{upper}" if upper else f"{t.min}+"
                        desc = label(lang, f"任职{rng}年档 {fen_to_yuan(t.amount)}{std.unit}", f"tier {rng} years: {fen_to_yuan(t.amount)}/month")
                else:
                    desc = f"{fen_to_yuan(v.value)}{std.unit}"
                out.append(f"  [{month_label(s)}～{month_label(e - 1)}] {std.label}: {desc}" + cite(v, lang))
        out.append(label(lang, f"发放月数：{comp.paid_months[i]}", f"paid months: {comp.paid_months[i]}"))
        out.append(label(lang, "分担：", "Split:"))
        names = LEVEL_NAMES[lang]
        total_split = data.standards.get("splits.total")
        for s, _ in d["segments"]:
            rule = total_split.at(s) if total_split else None
            if rule is not None:
                out.append(f"  [{month_label(s)}] {label(lang, '合计', 'total')}: {rule.value.describe(lang)}" + cite(rule, lang))
            for k in self.layers(data):
                if rule is not None and self._covered(data.get(f"layers.{k}"), rule):
                    continue
                std = data.standards.get(f"splits.layers.{k}")
                if std is not None and (r := std.at(s)) is not None:
                    out.append(f"  [{month_label(s)}] {self.component_label(data, k, lang)}: {r.value.describe(lang)}" + cite(r, lang))
        for k, parts in comp.lines.items():
            shares = "，".join(f"{names[lv]} {fen_to_yuan(parts[lv][i])}" for lv in LEVELS if lv in parts)
            total = sum(int(p[i]) for p in parts.values())
            out.append(f"  {self.component_label(data, k, lang)}: {fen_to_yuan(total)}（{shares}）")
        return out

    @staticmethod
    def _covered(layer: Standard, total_rule) -> bool:
        """A profile's total split covers the layers in force when it took effect; a layer
        added later (a new raise) splits by its own rule."""
        return layer.values[0].start <= total_rule.start

    def splits_in_force(self, data: PolicyData, month: int) -> list[Standard]:
        total = data.standards.get("splits.total")
        rule = total.at(month) if total is not None else None
        out = [total] if rule is not None else []
        for k in self.layers(data):
            if rule is not None and self._covered(data.get(f"layers.{k}"), rule):
                continue
            std = data.standards.get(f"splits.layers.{k}")
            if std is not None and std.at(month) is not None:
                out.append(std)
        return out


POLICY = BrigadeCadreLiving()
