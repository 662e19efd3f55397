"""A policy made of declarations: the engine does the rest.

A subclass of ``DeclaredPolicy`` lists its fields, keys, conditions, components (or
layers read from its standards), its window of paid months and its counts-mode keys;
reading the roster, keys and duplicates, lines, splits, reasons, explanations and the
budget's 人数 come from here and from lines.py, once for every policy.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, ClassVar

import numpy as np
from attrs import evolve

from .columns import Encoded
from .dates import month_label
from .limits import MAX_TOTAL_FEN, check_count
from .money import BASIS_POINTS, MoneyError, div_round_half_up, fen_to_yuan, yuan_to_fen
from .lines import (
    Context, Evaluation, NEVER, _flags, asked_and_cap, check_conditions, compute_lines, lump_sum_lines, segments,
    window_months,
)
from .policy import (
    Beneficiaries, Computation, Policy, group_keys, key_texts, keys_for, reject_duplicates, reject_shared_id_numbers,
)
from .profiles import PolicyData
from .roster import InputError, Notice, ParsedTable
from .rules import Component, Condition, Count, Cut, Layers, LumpSum, Note, Option, Rate, Service, Window
from .service import (
    MISSING, clip_spans, counted_spans, in_post_by_month, missing_standards, post_table, service_credit, service_pieces,
    standards_from_csv,
)
from .shown import shown_columns
from .standards import Standard, StandardsError
from .trace import catalogue, explain_trace, fill_in, trace_of


class DeclaredPolicy(Policy):
    parts: ClassVar[tuple[Component, ...]] = ()
    layers: ClassVar[Layers | None] = None
    conditions: ClassVar[tuple[Condition, ...]] = ()
    notes: ClassVar[tuple[Note, ...]] = ()
    window: ClassVar[Window | None] = None
    counts: ClassVar[tuple[Count, ...]] = ()
    lump_sum: ClassVar[LumpSum | None] = None
    service: ClassVar[Service | None] = None
    cut: ClassVar[Cut | None] = None  # a programme budget the lines are cut to, pro rata
    # the 分配表's columns justifying each amount: fields by name and derived values (shown.py);
    # None: what the components read
    shown: ClassVar[tuple[str, ...] | None] = None

    # ---- what a run may be asked, and what the policy offers ----

    def options(self) -> dict[str, Option]:
        """Typed options, from what the policy declares: a lump sum may include sums due before
        the period; ``check_only`` (validate) computes without refusing for missing standards."""
        out = {"check_only": Option("check_only", bool, ("只检查花名册（validate）", "roster checks only (validate)"))}
        if self.lump_sum is not None:
            out["include_earlier"] = Option("include_earlier", bool, (
                f"包括以前年度{self.lump_sum.label[0].removesuffix('时间')}者", "sums due before the year too"),
                "--include-earlier")
        if self.cut is not None:
            out[self.cut.option] = Option(self.cut.option, Decimal, (
                f"{self.cut.label[0]}（元）：封顶后的申请合计超出时按比例削减至预算",
                f"{self.cut.label[1]} (yuan): capped requests above it are cut pro rata to it"), "--budget")
            out["uncut"] = Option("uncut", bool, ("不削减：一个月的金额，由调用者按比例分摊", "no cut: one month, apportioned by the caller"))
        return out

    def capabilities(self) -> dict[str, Any]:
        """What ``entitlements policies`` and the API show: counts-mode keys, a standards table file, options."""
        return {
            "counts": [{"key": c.key, "name": c.name, "aliases": list(c.aliases)} for c in self.counts],
            "standards_table": None if self.service is None else
            {"columns": ["职务", "年度", "月岗位补贴标准"], "posts": {k: v[0] for k, v in self.service.posts.items()}},
            "options": {k: {"type": o.type.__name__, "help": list(o.help), "flag": o.flag}
                        for k, o in self.options().items() if o.flag},
        }

    # ---- components ----

    def of_data(self, data: PolicyData, what: str, make: Callable[[], Any]) -> Any:
        """``make()`` worked out once per policy data (a profile's standards, a scenario's): the
        one-person API computes many times over one. Keyed by the data object itself (a weak
        reference, so a new object at a reused address is never taken for the old one)."""
        cache = self.__dict__.setdefault("_of_data", {})
        key = (what, id(data))
        hit = cache.get(key)
        if hit is not None and hit[0]() is data:
            return hit[1]
        if len(cache) > 64:  # scenario sweeps make many data objects: keep the cache small
            cache.clear()
        value = make()
        cache[key] = (weakref.ref(data), value)
        return value

    def resolved(self, data: PolicyData) -> list[Component]:
        """The declared components, then the layers the standards hold (by first month, then name)."""
        return self.of_data(data, "resolved", lambda: self._resolve(data))

    def _resolve(self, data: PolicyData) -> list[Component]:
        out = list(self.parts)
        if self.layers is not None:
            found = data.under(self.layers.prefix)
            for k in sorted(found, key=lambda k: (found[k].values[0].start, k)):
                std = found[k]
                rate = Rate("tiers" if std.kind == "tiers" else "standard", f"{self.layers.prefix}.{k}", self.layers.on)
                out.append(Component(k, (std.label, std.label_en or k), rate, split=f"{self.layers.split_prefix}.{k}",
                                     first_value=std.values[0].start))
        return out

    def components(self, data: PolicyData) -> list[str]:
        return [c.name for c in self.resolved(data)]

    def component_label(self, data: PolicyData, component: str, lang: str = "zh") -> str:
        for c in self.resolved(data):
            if c.name == component:
                return c.label[0] if lang != "en" else c.label[1]
        return component

    def shown_columns(self, comp: Computation, lang: str = "zh") -> list[tuple[str, str, list[Any]]]:
        return shown_columns(self, comp, lang)

    def gating(self) -> list[str]:
        """Conditions that gate every component: those no component names in ``when``."""
        found = self.__dict__.get("_gating")
        if found is None:  # declarations are fixed: worked out once per policy
            own = {name for c in self.parts for name in c.when}
            found = self.__dict__["_gating"] = [c.name for c in self.conditions if c.name not in own]
        return found

    # ---- input ----

    def prepare(self, parsed: ParsedTable, data: PolicyData) -> Beneficiaries:
        keys = self.checked_keys(parsed, data)
        accepted = ~parsed.rejected
        ids, owner = group_keys(keys, accepted)
        pos = np.flatnonzero(accepted)  # one row per beneficiary, in table order
        columns = self.columns(parsed, data)
        return Beneficiaries(ids=ids, names=parsed.columns["name"].objects()[pos],
                             units=parsed.columns["unit"].encoded()[pos],
                             columns={k: v[pos] for k, v in columns.items()}, row_owner=owner)

    def checked_keys(self, parsed: ParsedTable, data: PolicyData) -> np.ndarray:
        """Each row's key; rows without one, duplicates and one 身份证号 under two keys rejected."""
        keys = keys_for(parsed, self.key_fields)
        primary, fallback = self.field(self.key_fields[0]), self.field(self.key_fields[-1])
        every = [self.field(f) for f in self.key_fields]
        named = next((f for f in self.key_fields if parsed.has(f)), primary.name)  # a column the roster has
        parsed.reject(np.flatnonzero((keys == "") & ~parsed.rejected), named,
                      f"{'、'.join(f.header for f in every[:-1])}和{fallback.header}均为空",
                      f"neither {' nor '.join(f.label_en for f in every)} is given", "")
        self.check_rows(parsed, data)
        notice_assumptions(parsed, self.fields)
        ids = tuple(f for f in self.key_fields[:-1] if parsed.has(f))  # the id columns the roster has
        if fallback.kind == "text":
            reject_fallback_twins(parsed, ids or (primary.name,), fallback.name)
        if parsed.has(primary.name):
            reject_duplicates(parsed, keys, primary.name)
        elif ids:  # a middle key (编号, else 身份证号, else 姓名: no 编号 column): its repeats, in its column
            middle = self.field(ids[0])
            reject_duplicates(parsed, keys, middle.name, (middle.header, middle.label_en))
        elif fallback.kind == "text":  # no ids at all: a beneficiary is known by its name
            reject_duplicates(parsed, keys, fallback.name, (fallback.header, fallback.label_en))
        else:
            reject_duplicates(parsed, keys, fallback.name)
        if any(f.name == "id_number" for f in self.fields):
            reject_shared_id_numbers(parsed, keys)  # one person under two keys: not paid twice
        return keys

    def check_rows(self, parsed: ParsedTable, data: PolicyData) -> None:
        """A policy's own plausibility checks (rejects), before keys are grouped."""

    def columns(self, parsed: ParsedTable, data: PolicyData) -> dict[str, np.ndarray]:
        """Per-row columns the formulas read: every field but the keys, name and unit, as its kind reads."""
        out = {}
        for f in self.fields:
            if f.name in (*self.key_fields, "name", "unit"):
                continue
            col = parsed.columns[f.name]
            if f.kind in ("int", "money"):  # money: fen
                out[f.name] = col.ints()
            elif f.kind == "bool":
                out[f.name] = col.flags()
            elif f.kind == "choice":  # codes into the canonical names: cheap to group and to look up
                out[f.name] = Encoded(col.inverse, np.where(np.equal(col.uniq, None), "", col.uniq).astype(object))
            elif f.kind == "text":
                out[f.name] = np.where(np.equal(col.objects(), None), "", col.objects()).astype(object)
        return out

    # ---- counts mode ----

    def from_counts(self, counts: Mapping[str, int]) -> Beneficiaries:
        """Counts mode: one entry per count given, standing for that many (its lines multiplied)."""
        if not self.counts:
            raise InputError(f"政策 {self.id} 没有计数模式 (policy {self.id} has no counts mode)")
        merged: dict[str, int] = {}
        for key, value in counts.items():
            count = self.count_named(key)
            merged[count.key] = merged.get(count.key, 0) + check_count(str(key), value)
        entries = [c for c in self.counts if merged.get(c.key)]
        n = len(entries)
        defaults = {k: np.zeros(n, dtype=v.dtype) if v.dtype != object else np.full(n, "", dtype=object)
                    for k, v in self.columns_template().items()}
        for j, c in enumerate(entries):
            for k, v in c.entry.items():
                defaults[k][j] = v
        mult = np.array([merged[c.key] for c in entries], dtype=np.int64)
        return Beneficiaries(
            ids=np.array([c.key for c in entries], dtype=object), names=np.array([c.name for c in entries], dtype=object),
            units=np.full(n, "", dtype=object), columns=defaults, row_owner=np.array([], dtype=np.int64),
            counts=np.where([c.beneficiaries for c in entries], mult, 0).astype(np.int64) if n else mult,
            multiplicity=mult, shown_counts=mult,
        )

    def count_named(self, key: object) -> Count:
        text = str(key).strip()
        for c in self.counts:
            if text in (c.key, *c.aliases) or text.lower() == c.key:
                return c
        known = ", ".join(k for c in self.counts for k in (c.key, *c.aliases))
        raise InputError(f"未知的计数项 unknown count '{key}' (可用 known: {known})")

    def columns_template(self) -> dict[str, np.ndarray]:
        """One zero (or blank) of each column's type: a counts-mode entry sets only what it says."""
        kinds = {"int": np.int64, "money": np.int64, "bool": bool}
        return {f.name: np.zeros(0, dtype=kinds.get(f.kind, object)) for f in self.fields
                if f.name not in (*self.key_fields, "name", "unit")}

    # ---- formula ----

    def compute(self, who: Beneficiaries, data: PolicyData, first: int, stop: int,
                whole_programme: bool = True, **options: Any) -> Computation:
        if self.lump_sum is not None:
            return self._lump_sum(who, data, first, stop, whole_programme, options)
        n = len(who)
        ctx = Context(who.columns, data, first, n)
        conditions, gates = check_conditions(self.conditions, self.gating(), ctx, n)
        window = window_months(self.window, ctx, data)
        _refuse_conditions_changing(ctx, first, stop)
        components = [self._gated(c, conditions) for c in self.resolved(data)]
        cuts = self.of_data(data, f"segments {first} {stop}", lambda: segments(data, first, stop))
        in_post: dict[str, Any] = {}
        months = cuts
        if self.service is not None and self.service.over_time:  # paid each month in post, at the post held
            components, in_post, months = self._in_post(components, who, data, first, stop, options)
        said: list[tuple[str, str]] = []
        budget, cut = self._budget(who, data, first, whole_programme, options), {}
        lines, paid_months = compute_lines(
            [c for c, _ in components], who, data, first, stop, gates, window, self.schedule == "annual",
            whole_programme, gates_of={c.name: g for c, g in components}, cuts=months, said=said,
            budget=budget, cut=cut)
        self._said_cut(cut, options, said)
        notes = [_flags(nt.test(ctx), n) for nt in self.notes]
        evaluation = Evaluation(conditions, gates, *(window or (None, None, None)), cuts, paid_months, dict(ctx.read),
                                notes)
        return Computation(self, data, first, stop, who, lines, paid_months if self.schedule == "monthly" else None,
                           {"evaluation": evaluation, "said": said, "cut": cut or None,
                            "capped": self._capped(components, who, data, first, stop), **in_post})

    def _in_post(self, components: list, who: Beneficiaries, data: PolicyData, first: int, stop: int,
                 options: Mapping[str, Any]) -> tuple[list, dict[str, Any], list[tuple[int, int]]]:
        """A programme over posts without a lump sum pays each month in post: every month of the
        period is a segment in which a component without a rate pays the standard of the post
        credited that month (one credit a month: service.in_post_by_month). A counts-mode entry
        holds its post all period. A month in post without a standard is refused (never paid 0)."""
        n, check_only = len(who), bool(options.get("check_only"))
        spans = who.spans if who.spans else counted_spans(self.service, who.columns["post"], first, stop)
        spans = clip_spans(spans, first, stop)
        table = self._post_table(data, check_only)
        by_month, gap = in_post_by_month(spans, n, first, stop, table)
        if gap.any() and not check_only:
            raise StandardsError(missing_standards(self.service, data, spans, n, np.zeros(n, dtype=np.int64), gap, who.ids))
        pay = lambda ctx: by_month[ctx.month]  # noqa: E731  each segment is one month
        components = [(evolve(c, formula=pay) if c.rate is None and c.formula is None else c, g) for c, g in components]
        return components, {"in_post": spans}, [(m, m + 1) for m in range(first, stop)]

    def _post_table(self, data: PolicyData, check_only: bool):
        """The posts' monthly standards; none at all is refused (validate only checks the roster)."""
        table = self.of_data(data, "posts", lambda: post_table(self.service, data))
        if all(std is None for std in table) and not check_only:
            raise StandardsError(NO_STANDARDS)
        return table

    def _capped(self, components, who: Beneficiaries, data: PolicyData, first: int, stop: int) -> dict[str, tuple]:
        """Per capped component, at the start of the period: who asks more than a cap in force
        (for the reasons), what each asks (after any ratio factors, in fen) and the cap, as the
        lines compare them (lines.asked_and_cap). Nothing is worked out without a cap."""
        out = {}
        for c, gate in components:
            if c.cap is None or c.rate is None or c.formula is not None:
                continue
            ctx = Context(who.columns, data, first, len(who))
            asked, limit = asked_and_cap(c, ctx, data, first, who.columns, stop - first)
            over = (asked > limit) & (limit > 0)  # no cap in force (a year before the standard): said otherwise
            scale = BASIS_POINTS ** len(c.factors)
            out[c.name] = (over if gate is None else over & gate, div_round_half_up(asked, scale), limit // scale)
        return out

    def _said_cut(self, cut: dict[str, Any], options: Mapping[str, Any], said: list[tuple[str, str]]) -> None:
        """What a run that had a budget records and says: whence it came, and whether it cut."""
        if cut:
            cut["given"] = options.get(self.cut.option) is not None  # the run's --budget, else the standard
        if cut.get("cut"):
            said.append(budget_cut_notice(cut))

    def has_budget(self, data: PolicyData, first: int, options: Mapping[str, Any]) -> bool:
        """A programme budget applies: the run's option, or the budget standard in force at ``first``."""
        if self.cut is None:
            return False
        std = data.standards.get(self.cut.standard)
        return options.get(self.cut.option) is not None or (std is not None and std.at(first) is not None)

    def _budget(self, who: Beneficiaries, data: PolicyData, first: int, whole_programme: bool,
                options: Mapping[str, Any]) -> int | None:
        """The programme budget in fen: the run's option, else the profile's standard in force at
        the start of the period, else none. A budget is the whole programme's: shared over one
        beneficiary (the one-person API) or over counts-mode entries it would cut the wrong sum."""
        if options.get("uncut") or not self.has_budget(data, first, options):  # uncut: one month, apportioned by the caller
            return None
        given = options.get(self.cut.option)
        std = data.standards.get(self.cut.standard)
        if who.multiplicity is not None or not whole_programme:
            raise InputError(f"{self.cut.label[0]}按整个项目逐项按比例削减，请用项目花名册计算（计数模式、单个项目不适用） "
                             f"(a {self.cut.label[1]} is shared over the whole roster of projects: compute a roster)")
        if given is None:
            return int(std.at(first).value)
        try:
            fen = yuan_to_fen(given)
        except MoneyError as exc:
            raise InputError(f"{self.cut.label[0]}不是金额：{given} (not an amount: {exc})") from None
        if not 0 <= fen <= MAX_TOTAL_FEN:
            raise InputError(f"{self.cut.label[0]}应在 0 至 {fen_to_yuan(MAX_TOTAL_FEN)} 元之间：{given} "
                             f"(the budget must lie in 0..{fen_to_yuan(MAX_TOTAL_FEN)} yuan)")
        return fen

    def _lump_sum(self, who: Beneficiaries, data: PolicyData, first: int, stop: int, whole_programme: bool,
                  options: Mapping[str, Any]) -> Computation:
        """Sums due in the period (or before it, with include_earlier): credit ÷ 12, rounded once,
        split by the rule of the due month. ``check_only`` (validate) computes without refusing
        for missing standards: only the roster's checks are asked for."""
        n = len(who)
        check_only = bool(options.get("check_only"))
        ctx = Context(who.columns, data, first, n, dict(options))
        conditions, gates = check_conditions(self.conditions, self.gating(), ctx, n)
        due = who.columns[self.lump_sum.due]
        in_period = (due < stop) & ((due >= first) | bool(options.get("include_earlier")))
        table = self._post_table(data, check_only)
        numerator, missing = service_credit(self.service, data, who.spans, n, due, in_period, table)
        unpriced = missing & in_period & gates
        if unpriced.any() and not check_only:  # paying 0.00 for months with no standard would be silently wrong
            raise StandardsError(missing_standards(self.service, data, who.spans, n, due, unpriced, who.ids))
        (component,) = self.parts
        budget, cut, said = self._budget(who, data, first, whole_programme, options), {}, []
        lines = {component.name: lump_sum_lines(component, who, data, numerator, in_period & gates & ~missing,
                                                due, whole_programme, budget, cut)}
        self._said_cut(cut, options, said)
        evaluation = Evaluation(conditions, gates, None, None, None, [(first, stop)], np.zeros(n, dtype=np.int64),
                                dict(ctx.read))
        return Computation(self, data, first, stop, who, lines, None,
                           {"evaluation": evaluation, "in_period": in_period, "missing": missing,
                            "numerator": numerator, "options": dict(options), "said": said, "cut": cut or None})

    def standards_from_csv(self, path: Any) -> dict[str, object]:
        if self.service is None:
            raise StandardsError(f"{self.id} 的标准文件应为 TOML (standards for {self.id} must be a .toml file)")
        return standards_from_csv(self.service, path)

    def _gated(self, c: Component, conditions: dict[str, np.ndarray]):
        if not c.when:
            return c, None
        gate = np.ones(len(next(iter(conditions.values()))), dtype=bool) if conditions else None
        for name in c.when:
            gate = gate & conditions[name]
        return c, gate

    def headcounts(self, comp: Computation) -> dict[str, np.ndarray]:
        """Per component, how many each entry counts for in a budget's 人数: its ``heads``
        column (people trained) or itself, times its multiplicity, where the component pays."""
        who, parts = comp.who, comp.by_component()
        mult = who.multiplicity if who.multiplicity is not None else np.ones(len(who), dtype=np.int64)
        out = {}
        for c in self.resolved(comp.data):
            each = who.columns[c.heads] * mult if c.heads else mult
            out[c.name] = np.where(parts[c.name] > 0, each, 0)
        return out

    def splits_in_force(self, data: PolicyData, month: int) -> list[Standard]:
        total = data.standards.get("splits.total")
        rule = total.at(month) if total is not None else None
        out = [total] if rule is not None else []
        for c in self.resolved(data):
            if rule is not None and (c.first_value is None or c.first_value <= rule.start):
                continue
            std = data.standards.get(c.split_path)
            if std is not None and std.at(month) is not None and std not in out:
                out.append(std)
        return out

    # ---- explanation ----

    def reasons(self, comp: Computation, i: int, lang: str = "zh") -> list[str]:
        ev: Evaluation = comp.detail["evaluation"]
        fill = lambda text: fill_in(text, comp, i)  # noqa: E731
        zh = lang != "en"
        m = catalogue()["zh" if zh else "en"]
        if self.lump_sum is not None:
            return self._lump_sum_reasons(comp, i, zh)
        failed = [fill(c.reason[0 if zh else 1]) for c in self.conditions
                  if c.name in self.gating() and not ev.conditions[c.name][i]]
        if failed:
            return failed
        out = []
        if ev.first_paid is not None:
            fp, sp, event = int(ev.first_paid[i]), int(ev.stop_paid[i]), int(ev.event[i])
            what = self.window.event[0 if zh else 1]
            words = dict(event=what, month=month_label(event), first=month_label(fp), last=month_label(sp - 1))
            if sp <= comp.first:
                return [m["reason_ended"].format(**words)]
            if fp >= comp.stop:
                return [m["reason_not_yet"].format(**words)]
            if fp > comp.first:
                out.append(m["reason_paid_from"].format(**words))
            if sp < comp.stop:
                out.append(m["reason_paid_until"].format(**words))
        out += [fill(c.reason[0 if zh else 1]) for c in self.conditions
                if c.name not in self.gating() and not ev.conditions[c.name][i]]
        roster = comp.who.multiplicity is None
        out += [fill(nt.text[0 if zh else 1]) for nt, applies in zip(self.notes, ev.notes)
                if (roster or not nt.roster_only) and applies[i]]
        out += self._cap_and_cut_reasons(comp, i, m, zh)
        start = self.of_data(comp.data, "first", lambda: self._first_standard(comp.data))
        if start is not None and start >= comp.stop:  # a year before the programme: say why nothing is due
            out.append(m["reason_not_started"].format(first=month_label(start)))
        elif "in_post" in comp.detail and not (comp.detail["in_post"]["owner"] == i).any():
            out.append(m["reason_not_in_post"])
        return out

    def _cap_and_cut_reasons(self, comp: Computation, i: int, m: Mapping[str, str], zh: bool) -> list[str]:
        """A request above its cap, and a cut to the programme budget, said on the beneficiary's row."""
        out = []
        for c in self.resolved(comp.data):
            hit = comp.detail.get("capped", {}).get(c.name)
            if hit is None or not hit[0][i] or not comp.detail["evaluation"].gates[i]:
                continue
            path = c.cap.path if c.cap.kind != "by" else f"{c.cap.path}.{comp.who.columns[c.cap.column][i]}"
            std = comp.data.standards.get(path)
            f = self.field(c.rate.column) if c.rate.kind == "column" and not c.factors else None  # a share: the label
            header = c.label[0 if zh else 1] if f is None else f.header if zh else f.label_en
            out.append(m["reason_capped"].format(header=header, asked=fen_to_yuan(hit[1][i]), cap=fen_to_yuan(hit[2][i]),
                                                 cap_label=std.label if std is not None else path))
        cut = comp.detail.get("cut")
        if cut and cut["cut"]:
            after = comp.amount_of(i)
            out.append(m["reason_cut"].format(label=self.cut.label[0 if zh else 1], before=fen_to_yuan(int(cut["before"][i])),
                                              after=fen_to_yuan(after)))
        return out

    def _first_standard(self, data: PolicyData) -> int | None:
        """The first month any component's standard is in force (None: a component without one)."""
        starts = []
        if self.service is not None and self.service.over_time:  # a programme over posts: the posts' standards
            found = data.under(self.service.standards).values()
            return min((std.values[0].start for std in found if std.values), default=None)
        for c in self.resolved(data):
            # a request the roster gives: its cap's first month (an amount_in with a fallback: the fallback's)
            rate = c.cap if c.rate is not None and c.rate.kind == "column" and c.cap is not None else c.rate
            if rate is None or not rate.path:  # a formula, or the roster's amount uncapped: due whatever the date
                return None
            firsts = []  # the rate's, then each ratio factor's: nothing is due before all are in force
            for path in filter(None, (rate.path, *(f.path for f in c.factors))):
                found = [data.standards[path]] if path in data.standards else list(data.under(path).values())
                firsts += [min(std.values[0].start for std in found if std.values)] if found else []
            starts += [max(firsts)] if firsts else []
        return min(starts) if starts else None

    def _lump_sum_reasons(self, comp: Computation, i: int, zh: bool) -> list[str]:
        """Not due in the period, the conditions that fail, and posts and years without a standard."""
        ev, d = comp.detail["evaluation"], comp.detail
        m = catalogue()["zh" if zh else "en"]
        out = []
        if not d["in_period"][i]:
            due = month_label(int(comp.who.columns[self.lump_sum.due][i]))
            out.append(m["reason_not_due"].format(label=self.lump_sum.label[0 if zh else 1], month=due))
        out += [fill_in(c.reason[0 if zh else 1], comp, i) for c in self.conditions if not ev.conditions[c.name][i]]
        if d["missing"][i]:
            g = service_pieces(self.service, comp.data, comp.who.spans, i, len(comp.who),
                               comp.who.columns[self.lump_sum.due])
            gap = (g["owner"] == i) & (g["value"] == MISSING)
            what = "、".join(sorted({f"{self.service.name(p)}{month_label(m)[:4]}年"
                                     for p, m in zip(g["top_post"][gap], g["start"][gap])}))
            out.append(m["reason_unpriced"].format(what=what))
        return out + self._cap_and_cut_reasons(comp, i, m, zh)

    def explain(self, comp: Computation, i: int, lang: str = "zh") -> list[str]:
        return explain_trace(trace_of(self, comp, i), lang)

    def trace(self, comp: Computation, i: int) -> dict[str, Any]:
        return trace_of(self, comp, i)


NO_STANDARDS = ("缺少岗位补贴标准 (no post standards)：按各岗位每年的月岗位补贴标准计算，我们的资料中没有这些标准；"
                "请用 --standards 提供 CSV 文件（列：职务,年度,月岗位补贴标准，见 README 与 examples/ 中的岗位标准示例），"
                "或在地区口径中配置岗位标准 (the sum needs each post's monthly standard by year: give a CSV "
                "with columns 职务,年度,月岗位补贴标准 via --standards, or post standards in the profile; see README)")

def _refuse_conditions_changing(ctx: Context, first: int, stop: int) -> None:
    """Conditions and paid months are judged by the standards in force at the start of the
    period; a threshold (an age, a minimum tenure) that changes within it would be ignored
    for the rest of the period, so such a period is refused: compute it in parts."""
    for path in ctx.read:
        changes = [m for m in ctx.data.get(path).starts() if first < m < stop]
        if changes:
            month = month_label(changes[0])
            raise StandardsError(
                f"{path} 是判断条件或发放月份所用的标准，在本期间内（{month}）变化：条件按期初的标准判断，"
                f"期中的变化会被忽略；请分段计算（如 --month 或以 {month} 为界的两段） "
                f"({path}, which a condition or the paid months read, changes within the period at {month}: "
                f"conditions are judged at the start of the period, so compute the period in parts)")


def budget_cut_notice(cut: Mapping[str, Any]) -> tuple[str, str]:
    """What a run says when it cut its lines to the budget."""
    budget, total = fen_to_yuan(cut["budget"]), fen_to_yuan(cut["total"])
    return (f"封顶后的合计 {total} 元超出预算 {budget} 元，各项按比例削减（最大余数法，到分），合计等于预算",
            f"the capped total of {total} exceeds the budget of {budget}: each line is cut pro rata "
            f"(largest remainder, to the fen) so they add up to the budget")


def notice_assumptions(parsed: ParsedTable, fields) -> None:
    """A value a field reads under an assumption (a 联合党支部 funded as a 党支部) is said on
    every row that has it, with the assumption: the clerk sees what was decided for them."""
    for f in fields:
        if not f.assumed:
            continue
        if not parsed.has(f.name):  # the column is missing: every row takes the blank's reading, said once
            if "" in f.assumed:
                zh, en = f.assumed[""]
                parsed.notices.append(Notice(None, parsed.column(f.name), "", f"本表无“{f.header}”列：{zh}",
                                             f"no '{f.header}' column: {en}"))
            continue
        texts = parsed.table.cells[parsed.headers[f.name]]
        for text, (zh, en) in f.assumed.items():  # "" : a blank cell read under an assumption
            if text == "":
                zh, en = f"{f.header}未填：{zh}", f"{f.label_en} blank: {en}"
            parsed.notice(np.flatnonzero((texts == text) & ~parsed.rejected), f.name, zh, en)


def reject_fallback_twins(parsed: ParsedTable, primaries: tuple[str, ...], fallback: str) -> None:
    """A beneficiary without its id is known by its name alone. A second one of that name
    (the later is rejected), or one named like a beneficiary that has an id (it is
    rejected), cannot be told apart from the other: paying both may pay one twice, so the
    row without an id waits for a person, naming the other. An id is any of ``primaries``
    (编号, 身份证号) the roster has."""
    primaries = tuple(f for f in primaries if parsed.has(f))
    if not (primaries and parsed.has(fallback)):
        return  # no ids at all: the names are the keys, and reject_duplicates names the repeats
    names = parsed.columns[fallback]
    has_id = np.logical_or.reduce([parsed.columns[f].present for f in primaries])
    primary = "/".join(primaries)
    no_id = ~has_id & names.present & ~parsed.rejected
    if not no_id.any():
        return
    texts = key_texts(names.uniq)[names.inverse]  # as keys compare: 王 五 is 王五
    live = np.flatnonzero(names.present & ~parsed.rejected)
    rows_of: dict[str, list[int]] = {}  # each name borne by a row without id: its live rows
    for pos in live[np.isin(texts[live], list(set(texts[no_id].tolist())))]:
        rows_of.setdefault(texts[pos], []).append(int(pos))
    header, id_header = parsed.headers.get(fallback, fallback), "、".join(parsed.headers.get(f, f) for f in primaries)
    for rows in rows_of.values():
        for pos in rows:
            if has_id[pos]:
                continue
            earlier = [p for p in rows if p < pos]
            with_id = [p for p in rows if has_id[p]]
            other = earlier[0] if earlier else (with_id[0] if with_id else None)
            if other is None:
                continue
            row = int(parsed.table.row_numbers[other])
            parsed.reject([pos], fallback, f"{header}与第{row}行相同且未填{id_header}，无法区分是否同一对象，不能重复发放",
                          f"same {fallback} as row {row} and no {primary}: cannot tell them apart, not paid twice")


__all__ = ["DeclaredPolicy", "NEVER"]
