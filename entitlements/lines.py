"""The line engine: beneficiary × component × the months under one split rule.

For each segment of the period in which no standard changes, a component's amount is
its rate in force × its quantity × the months paid in the segment (× the multiplicity of
a counts-mode entry). The segments of a line are summed first, then the line is divided
by its schedule (÷12 for a per-year standard), rounded half up once, and split between
levels by the rule in force (ratio, fixed per capita, fixed total; or a profile's split
of the programme's total). One implementation for every policy.

Speed: a beneficiary is seen only through the columns the rates read, the months paid
and the conditions; beneficiaries alike in all of them are one *case*, computed once
(a province has a few thousand cases). A fixed-total split needs each person's own line,
so its lines are expanded to people before splitting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from attrs import define, field

from .columns import Encoded, distinct_rows, factorize
from .money import BASIS_POINTS, FEN_PER_YUAN, apportion, basis_points, div_round_half_up, split_by_weights
from .profiles import PolicyData
from .rules import NOT_GIVEN, Component, Condition, Rate, Window
from .splits import MONTHS_PER_YEAR, split_lines
from .standards import DatedValue, Standard, StandardsError, tier_lookup

NEVER = 10**7  # a month index beyond any date
INT64_MAX = 2**63 - 1


class Context:
    """What a formula sees: columns by attribute (``c.years``), standards by path
    (``c.std("eligibility.age_male")``) in force in ``month`` (or the first value before
    it), and the conventions. Standards read are recorded for the explanation."""

    def __init__(self, columns: dict[str, np.ndarray], data: PolicyData, month: int, n: int,
                 options: dict[str, Any] | None = None):
        self._columns, self.data, self.month, self.n = columns, data, month, n
        self.options = options or {}
        self._factorized: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.read: dict[str, DatedValue] = {}
        self.used: set[str] = set()

    def __getattr__(self, name: str) -> np.ndarray:
        columns = self.__dict__.get("_columns", {})
        if name in columns:
            self.used.add(name)
            return columns[name]
        raise AttributeError(name)

    def factorized(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """A column's codes and distinct values, worked out once for all segments."""
        found = self._factorized.get(name)
        if found is None:
            column = getattr(self, name)
            found = self._factorized[name] = (column.codes, column.values) if isinstance(column, Encoded) \
                else factorize(column)
        return found

    @property
    def conventions(self):
        return self.data.conventions

    def std(self, path: str) -> Any:
        value = self.data.get(path).at_or_first(self.month)
        self.read[path] = value
        return value.value


@define
class Evaluation:
    """What the engine worked out, kept for reasons and explanations."""

    conditions: dict[str, np.ndarray]  # name -> holds, per beneficiary
    gates: np.ndarray  # every policy-level condition holds
    first_paid: np.ndarray | None  # window: first paid month, and the month payment stops
    stop_paid: np.ndarray | None
    event: np.ndarray | None  # the month of the event that ends payment
    segments: list[tuple[int, int]]
    paid_months: np.ndarray
    read: dict[str, DatedValue] = field(factory=dict)  # conditions' standards
    notes: list[np.ndarray] = field(factory=list)  # per declared note: does it apply, per beneficiary


def segments(data: PolicyData, first: int, stop: int) -> list[tuple[int, int]]:
    """[first, stop) cut wherever any standard changes value."""
    cuts = {first, stop}
    for std in data.standards.values():
        cuts.update(p for p in std.starts() if first < p < stop)
    points = sorted(cuts)
    return list(zip(points[:-1], points[1:]))


def rate_values(rate: Rate, ctx: Context, data: PolicyData, month: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Fen per beneficiary for ``rate`` in force in ``month`` (0 where none is), and the
    tier index of each where the standard is tiered."""
    n = ctx.n
    if rate.kind == "by":
        codes, names = ctx.factorized(rate.column)
        per_name = np.array([_money(data.standards.get(f"{rate.path}.{v}"), month) for v in names] + [0],
                            dtype=np.int64)
        return per_name[codes] if len(codes) else np.zeros(n, dtype=np.int64), None
    if rate.kind == "column":  # the roster's amount; where it gives none, the standard its choice names
        fen = np.asarray(getattr(ctx, rate.column), dtype=np.int64)
        if rate.fallback and (fen == NOT_GIVEN).any():
            fen = np.where(fen == NOT_GIVEN, rate_values(Rate("by", rate.path, rate.fallback), ctx, data, month)[0], fen)
        return fen, None
    std = data.get(rate.path)
    v = std.at(month)
    if v is None:
        return np.zeros(n, dtype=np.int64), None
    if std.kind == "tiers":
        return tier_lookup(v.value, getattr(ctx, rate.column))
    return np.full(n, v.value, dtype=np.int64), None


def asked_and_cap(c: Component, ctx: Context, data: PolicyData, month: int, columns: Mapping[str, np.ndarray],
                  months: int) -> tuple[np.ndarray, np.ndarray | None]:
    """A component's amount per beneficiary and schedule unit in ``month`` before its cap (rate or
    formula × ratio factors × ``per``), and its cap (None without one), both in the scale of the
    ratio factors (1/BASIS_POINTS per factor of a fen): the lines, the reasons and the
    explanation all compare these two, so a capped line and the words saying so agree."""
    fen = c.formula(ctx) if c.formula is not None else rate_values(c.rate, ctx, data, month)[0]
    if c.factors:  # a share of the amount: × each ratio in basis points, ÷ BASIS_POINTS each when rounded
        fen = _times_factors(c, fen, ctx, data, month, columns[c.per] if c.per else 1, months)
    if c.per:
        fen = fen * columns[c.per]
    cap = None if c.cap is None else rate_values(c.cap, ctx, data, month)[0] * BASIS_POINTS ** len(c.factors)
    return fen, cap


def _times_factors(c: Component, fen: np.ndarray, ctx: Context, data: PolicyData, month: int, per,
                   months: int) -> np.ndarray:
    """The amount × each ratio factor (basis points), exact in int64: the widest numerator the
    line can reach (amount × factors × per × the period's months, doubled when rounded) is
    checked first, and a run that would pass int64 is refused, never wrapped."""
    fen = np.asarray(fen, dtype=np.int64)
    factors = [factor_values(f, ctx, data, month) for f in c.factors]
    widest = int(np.abs(fen).max()) if fen.size else 0
    for bp in factors:
        widest *= int(bp.max()) if bp.size else 0
    widest *= int(np.max(per)) if np.size(per) else 0
    if 2 * widest * months > INT64_MAX:
        raise StandardsError(f"{c.label[0]}（{c.name}）：金额 × 比例超出引擎可精确计算的范围，请检查金额与比例是否有误 "
                             f"(amount × ratios of '{c.name}' passes what exact int64 arithmetic can carry)")
    for bp in factors:
        fen = fen * bp
    return fen


def factor_values(rate: Rate, ctx: Context, data: PolicyData, month: int) -> np.ndarray:
    """Basis points per beneficiary of a ratio factor in force in ``month``: one ratio standard,
    or the one a choice column names (``coefficients.<grade>``; a blank choice: 0). A ratio a
    choice names but no standard gives is refused (never taken as 0)."""
    if rate.kind == "by":
        codes, names = ctx.factorized(rate.column)
        values = []
        for name in names:
            std = data.standards.get(f"{rate.path}.{name}") if name else None
            if name and std is None:
                raise StandardsError(f"缺少比例标准 {rate.path}.{name} (no ratio standard '{rate.path}.{name}')")
            values.append(_ratio(std, month))
        per_name = np.array(values + [0], dtype=np.int64)
        return per_name[codes] if len(codes) else np.zeros(ctx.n, dtype=np.int64)
    return np.full(ctx.n, _ratio(data.get(rate.path), month), dtype=np.int64)


def _ratio(std: Standard | None, month: int) -> int:
    if std is not None and std.kind != "ratio":
        raise StandardsError(f"{std.path} 应为比例标准（kind = \"ratio\"）(a factor must be a ratio standard)")
    v = None if std is None else std.at(month)
    return 0 if v is None else basis_points(v.value)


def _money(std: Standard | None, month: int) -> int:
    v = None if std is None else std.at(month)
    return 0 if v is None else int(v.value)


def check_conditions(conditions: Sequence[Condition], gating: Iterable[str], ctx: Context,
                     n: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    results = {c.name: _flags(c.test(ctx), n) for c in conditions}
    gates = np.ones(n, dtype=bool)
    for name in gating:
        gates &= results[name]
    return results, gates


def _flags(values, n: int) -> np.ndarray:
    values = np.asarray(values, dtype=bool)
    return values if values.shape == (n,) else np.full(n, bool(values), dtype=bool)


def window_months(window: Window | None, ctx: Context, data: PolicyData) -> tuple[np.ndarray, ...] | None:
    """First paid month and stop month per beneficiary, by the profile's conventions."""
    if window is None:
        return None
    conv = data.conventions
    start = np.asarray(window.starts(ctx), dtype=np.int64) + (1 if conv.start == "next_month" else 0)
    event = np.asarray(window.ends(ctx), dtype=np.int64)
    stop = event + (1 if conv.stop == "after_death_month" else 0)
    return start, stop, event


def compute_lines(components: Sequence[Component], who, data: PolicyData, first: int, stop: int,
                  gates: np.ndarray, window: tuple[np.ndarray, ...] | None, per_year: bool,
                  whole_programme: bool, gates_of: dict[str, np.ndarray | None] | None = None, cases: bool = True,
                  cuts: list[tuple[int, int]] | None = None, said: list[tuple[str, str]] | None = None,
                  budget: int | None = None, cut: dict[str, Any] | None = None):
    """Lines (component -> level -> fen per beneficiary) and paid months per beneficiary;
    ``cuts``: the period's segments, when the caller has them; ``said`` collects what the run
    must tell the user (a fixed programme share larger than the lines it is shared over);
    ``budget``: the programme's budget in fen, to which the rounded lines are cut pro rata
    before they are split when they add up to more (``cut`` receives what was done)."""
    n = len(who)
    mult = who.multiplicity  # None outside counts mode: no multiplying
    fp, sp = (None, None) if window is None else (np.clip(window[0], first, stop), np.clip(window[1], first, stop))
    own = gates_of or {}
    gate_of = {c.name: gates if own.get(c.name) is None else gates & own[c.name] for c in components}
    columns = who.columns
    used = sorted({name for c in components for name in (c.per, c.rate.column if c.rate else None,
                                                         c.rate.fallback if c.rate else None, c.heads,
                                                         c.cap.column if c.cap else None,
                                                         *(f.column for f in c.factors)) if name})
    formulas = any(c.formula is not None for c in components)
    # distinct cases: everything a line depends on, as integer columns (what is the same for
    # everyone, such as the months of a programme without a window, is left out)
    if cases and not formulas and n > 1 and budget is None:  # a cut shares the budget over each line
        keys = [] if window is None else [fp, sp]
        keys += [] if who.multiplicity is None else [mult]
        keys += [_as_ints(columns[u]) for u in used]
        gate_keys = {id(g): g for g in gate_of.values()}
        keys += [g for g in gate_keys.values() if not g.all()]
        rep, group = distinct_rows(*keys) if keys else (np.zeros(1, dtype=np.int64), np.zeros(n, dtype=np.int64))
        if len(rep) > n // 2:  # little to share: compute per beneficiary
            group = None
    else:
        group = None
    if group is None:  # every beneficiary its own case: nothing to take
        sub, m, fp_r, sp_r, on, k = columns, mult, fp, sp, gate_of, n
    else:
        sub = {k: v[rep] for k, v in columns.items()}
        take = lambda a: None if a is None else a[rep]  # noqa: E731
        m, fp_r, sp_r, k = take(mult), take(fp), take(sp), len(rep)
        on = {c.name: gate_of[c.name][rep] for c in components}
    everyone = {name: bool(g.all()) for name, g in on.items()}  # a gate that stops no one is not applied
    counted = who.multiplicity is not None
    by_name = {c.name: c for c in components}
    monthly = not per_year  # paid months are reported
    total_std = data.standards.get("splits.total")
    numerators: dict[tuple[str, int], list] = {}  # (component, rule start) -> [amount, months]
    pooled: dict[int, dict[str, np.ndarray]] = {}  # total split start -> component -> amount
    pooled_months: dict[int, np.ndarray] = {}
    paid_months = np.zeros(k, dtype=np.int64)
    shared: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # choice columns factorised once
    for s, e in (cuts or segments(data, first, stop)):
        ctx = Context(sub, data, s, k)
        ctx._factorized = shared
        # months paid in the segment: the same for all without a window
        months = (e - s) if window is None else np.clip(np.minimum(e, sp_r) - np.maximum(s, fp_r), 0, None)
        amounts = {}
        for c in components:
            fen, cap = asked_and_cap(c, ctx, data, s, sub, stop - first)
            if cap is not None:  # the most a beneficiary may be paid per schedule unit (in the amount's scale)
                fen = np.minimum(fen, cap)
            fen = fen * months  # a counts-mode entry's line is one beneficiary's; times its count below
            amounts[c.name] = fen if everyone[c.name] else np.where(on[c.name], fen, 0)
        if not amounts:
            continue
        total_rule = total_std.at(s) if total_std is not None else None
        rules = {c.name: None if total_rule is not None and covered(c, total_rule) else _split_in_force(data, c, s)
                 for c in components}
        paid = None  # months in which anything is paid: only worked out where something reads them
        if monthly or total_rule is not None or any(r.value.rule == "fixed_per_capita" for r in rules.values() if r):
            paid = np.where(sum(amounts.values()) > 0, months, 0)
            if monthly:
                paid_months += paid
        for c in components:
            rule = rules[c.name]
            if rule is None:  # covered by the total split
                acc = pooled.setdefault(total_rule.start, {})
                acc[c.name] = acc.get(c.name, 0) + amounts[c.name]
                continue
            line = numerators.setdefault((c.name, rule.start), [0, 0])
            line[0] = line[0] + amounts[c.name]
            if rule.value.rule == "fixed_per_capita":  # the per-capita share prorates by the line's months
                line[1] = line[1] + np.where(amounts[c.name] > 0, paid, 0)
        if total_rule is not None and total_rule.start in pooled:
            pooled_months[total_rule.start] = pooled_months.get(total_rule.start, 0) + paid

    def per_person(a: np.ndarray) -> np.ndarray:
        return a if group is None else a[group]

    def finish(numerator, c: str) -> np.ndarray:  # a component with ratio factors is in 1/BASIS_POINTS^k fen
        scale = BASIS_POINTS ** len(by_name[c].factors)
        return round_once(numerator, (MONTHS_PER_YEAR if per_year else 1) * scale, data.conventions.rounding)

    def counted_times(part: np.ndarray) -> np.ndarray:
        """A counts-mode entry stands for ``m`` beneficiaries alike: each one's line, rounded and
        split as one roster row's, times m (so a count gives what m identical rows give)."""
        return part * m if counted else part

    # a line splits on its own (per case, expanded to people at the end), except a fixed-total
    # split, which shares one sum over the people themselves (their ids break ties)
    by_case: dict[str, dict[str, np.ndarray]] = {c.name: {} for c in components}
    by_person: dict[str, dict[str, np.ndarray]] = {c.name: {} for c in components}

    def add(c: str, lv: str, part: np.ndarray, rule) -> None:
        if rule.rule == "fixed_total":
            into = by_person[c]
        else:  # one beneficiary's part, times the count of a counts-mode entry
            into, part = by_case[c], counted_times(part)
        into[lv] = part if lv not in into else into[lv] + part

    def split(rule, amount, months) -> dict[str, np.ndarray]:
        amount = _column(amount, k)
        months = _column(months, k) if rule.rule == "fixed_per_capita" else None  # only a per-capita share reads them
        if rule.rule == "fixed_total":  # the programme's fixed sum is shared over all its lines at once
            whole = per_person(counted_times(amount))
            if said is not None and whole_programme and rule.amount > int(whole.sum()):
                said.append(_capped(rule, int(whole.sum())))
            return split_lines(rule, whole, None, who.tie_keys, whole_programme)
        return split_lines(rule, amount, months, who.tie_keys, whole_programme)

    finished = {key: _column(finish(numerator, key[0]), k) for key, (numerator, _) in numerators.items()}
    pooled_finished = {start: {c: _column(finish(a, c), k) for c, a in acc.items()} for start, acc in pooled.items()}
    if budget is not None:
        cut_to_budget(budget, [finished, *pooled_finished.values()], who.tie_keys, k, cut)
    for (c, start), (_, months) in numerators.items():
        rule = data.get(by_name[c].split_path).at_or_first(start).value
        for lv, part in split(rule, finished[(c, start)], months).items():
            add(c, lv, part, rule)
    for start, acc in pooled.items():
        rule = total_std.at_or_first(start).value
        amounts = pooled_finished[start]
        weights = np.stack(list(amounts.values()), axis=1)
        if rule.rule == "fixed_total":  # entries' whole lines, person by person
            weights = per_person(weights if not counted else weights * m[:, None])
        for lv, share in split(rule, sum(amounts.values()), pooled_months.get(start, 0)).items():
            # each level's share of the total is shared over the components pro rata
            parts = split_by_weights(share, weights)
            for j, c in enumerate(amounts):
                add(c, lv, parts[:, j], rule)
    lines: dict[str, dict[str, np.ndarray]] = {}
    for c in components:
        mine = {lv: per_person(part) for lv, part in by_case[c.name].items()}
        for lv, part in by_person[c.name].items():
            mine[lv] = part if lv not in mine else mine[lv] + part
        lines[c.name] = mine
    for c in components:  # a component with no line at all (not in force): zero at its first split's levels
        if not lines[c.name]:
            split_std = data.standards.get(c.split_path)
            rule = split_std.at_or_first(first).value if split_std is not None else None
            for lv in (rule.levels if rule is not None else ("county",)):
                lines[c.name][lv] = np.zeros(n, dtype=np.int64)
    return lines, per_person(paid_months)


def cut_to_budget(budget: int, groups: list[dict[Any, np.ndarray]], tie_keys: Callable[[], np.ndarray], n: int,
                  record: dict[str, Any] | None) -> None:
    """When the lines (each beneficiary's rounded amount per component and rule) add up to more
    than ``budget``, cut them in place pro rata to the fen by largest remainder (money.apportion)
    so that they add up to it exactly; equal remainders go to the smallest id, then to the line
    listed first, whatever the row order. Lines are not counts-mode entries (one line each)."""
    lines = [(g, key) for g in groups for key in g]
    before = sum((g[key] for g, key in lines), np.zeros(n, dtype=np.int64))
    whole = int(before.sum())
    if record is not None:
        record.update(budget=budget, total=whole, before=before, cut=whole > budget)
    if whole <= budget or not lines:
        return
    flat = np.concatenate([g[key] for g, key in lines])
    ranks = np.asarray(tie_keys(), dtype=np.int64)  # larger wins: the smallest id
    keys = np.concatenate([ranks * len(lines) + (len(lines) - 1 - j) for j in range(len(lines))])
    parts = apportion(budget, flat, keys)
    for j, (g, key) in enumerate(lines):
        g[key] = parts[j * n:(j + 1) * n]


def _capped(rule, total: int) -> tuple[str, str]:
    """A fixed programme share larger than the lines it is shared over pays them all, no more:
    a partial roster (one town of a county) would carry the whole share, so it is said."""
    from .money import fen_to_yuan

    return (f"定额分担 {fen_to_yuan(rule.amount)} 元大于本次计算的合计 {fen_to_yuan(total)} 元，按合计封顶（全部由该级承担）；"
            f"定额是整个项目的，请用整个项目的花名册或计数计算",
            f"the fixed share of {fen_to_yuan(rule.amount)} exceeds this run's total of {fen_to_yuan(total)}: capped "
            f"(that level pays it all); the fixed share is the whole programme's, compute the whole programme")


def round_once(numerator, denominator: int, rounding: str) -> np.ndarray:
    """numerator / denominator rounded half up once: to the fen, or (a profile's ``rounding =
    "yuan"``) straight to the yuan — never to the fen first (260.495 元 is 260, not 261)."""
    if rounding == "yuan":
        return div_round_half_up(numerator, denominator * FEN_PER_YUAN) * FEN_PER_YUAN
    if denominator == 1:
        return np.asarray(numerator, dtype=np.int64)
    return div_round_half_up(numerator, denominator)


def _column(values, k: int) -> np.ndarray:
    """``values`` as an int64 column of length k (a scalar 0 where a line never got a term)."""
    values = np.asarray(values, dtype=np.int64)
    return values if values.shape == (k,) else np.full(k, int(values), dtype=np.int64)


def _split_in_force(data: PolicyData, c: Component, month: int) -> DatedValue:
    split = data.standards.get(c.split_path)
    if split is None:
        raise StandardsError(f"{data.policy_id}: {c.label[0]}（{c.name}）没有分担办法，请给出 {c.split_path} "
                             f"(component '{c.name}' has no split '{c.split_path}')")
    return split.at_or_first(month)


def covered(component: Component, total_rule: DatedValue) -> bool:
    """A profile's total split covers the components in force when it took effect; a layer
    added later (a new raise) splits by its own rule."""
    return component.first_value is None or component.first_value <= total_rule.start


def _as_ints(values) -> np.ndarray:
    if isinstance(values, Encoded):
        return np.asarray(values.codes, dtype=np.int64)  # no copy: codes are int64 already
    if values.dtype.kind in "iub":
        return np.asarray(values, dtype=np.int64)
    codes, _ = factorize(values)
    return np.asarray(codes, dtype=np.int64)


def tier_index(rate: Rate, data: PolicyData, month: int, values: np.ndarray) -> tuple[int, Any] | None:
    """For the explanation: which tier of a tiered rate a value falls in, and the tiers."""
    std = data.get(rate.path)
    v = std.at(month)
    if v is None or std.kind != "tiers":
        return None
    _, idx = tier_lookup(v.value, values)
    return int(idx[0]), v


__all__ = ["Context", "Evaluation", "NEVER", "check_conditions", "compute_lines", "segments", "window_months"]
_ = Callable  # typing only


def lump_sum_lines(component: Component, who, data: PolicyData, numerator: np.ndarray, payable: np.ndarray,
                   due: np.ndarray, whole_programme: bool, budget: int | None = None,
                   cut: dict[str, Any] | None = None) -> dict[str, np.ndarray]:
    """A lump sum's line per beneficiary: its credit ÷ 12 (one month's standard per year
    earned) rounded half up once where payable, cut to a programme ``budget`` as
    ``compute_lines`` does, split by the rule in force in its due month."""
    amount = np.where(payable, round_once(numerator, MONTHS_PER_YEAR, data.conventions.rounding), 0)
    if budget is not None:
        lines_of = {component.name: amount}
        cut_to_budget(budget, [lines_of], who.tie_keys, len(amount), cut)
        amount = lines_of[component.name]
    split_std = data.get(component.split_path)
    starts = [v.start for v in split_std.values]
    # each beneficiary's rule: the one in force in the due month (the first one before any)
    rule_of = np.maximum(np.searchsorted(starts, due, side="right") - 1, 0)
    lines: dict[str, np.ndarray] = {}
    for r, value in enumerate(split_std.values):
        for lv, part in split_lines(value.value, np.where(rule_of == r, amount, 0), tie_keys=who.tie_keys,
                                    whole_programme=whole_programme).items():
            lines[lv] = part if lv not in lines else lines[lv] + part
    return lines
