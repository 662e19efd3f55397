"""Baseline against scenarios, per component, funding level and unit, year by year.

Every run's figures are its ledger (integer fen from the same formulas as ``calc``, the
same totals calc prints); a difference is scenario minus baseline, ledger against ledger,
so differences add up exactly across components, levels and units.
Beneficiaries whose amounts change can be listed with the overrides that move them
(each override applied alone, so "why" names the rule, not a guess).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from attrs import frozen

from .contract import whatif_json
from .ledger import Ledger, shown_levels
from .limits import MAX_YEAR, MIN_YEAR, check_year
from .output import Sheet
from .roster import Table
from .scenarios import Scenario, ScenarioError

if TYPE_CHECKING:
    from .calculator import Calculator, RosterResult


@frozen
class Change:
    id: str
    name: str
    baseline: int
    scenario: int
    why: tuple[str, ...]


@frozen
class YearRun:
    year: int
    baseline: Ledger
    scenarios: tuple[Ledger, ...]
    changes: tuple[tuple[Change, ...], ...]  # per scenario, when asked for


@frozen
class Comparison:
    calculator: Calculator
    scenarios: tuple[Scenario, ...]
    years: tuple[YearRun, ...]
    mode: str
    component_labels: dict[str, str]
    rejects: int

    def levels(self) -> list[str]:
        return shown_levels(led for y in self.years for led in (y.baseline, *y.scenarios))

    def to_json(self, lang: str = "zh", detail: bool = False) -> dict[str, Any]:
        return whatif_json(self, lang, detail)

    def sheet(self, lang: str = "zh") -> Sheet:
        """Rows: per year, the total, each level, each component, each unit; columns: baseline,
        then each scenario and its difference."""
        zh = lang != "en"
        names = self.calculator.profile.level_names(lang)
        header = ["年度" if zh else "year", "项目" if zh else "item", "基准" if zh else "baseline"]
        for s in self.scenarios:
            header += [s.name, ("差额：" if zh else "Δ ") + s.name]
        kinds = ["int", "text"] + ["money"] * (len(header) - 2)
        rows: list[list[Any]] = []
        def add(run: YearRun, label: str, pick) -> None:
            row: list[Any] = [run.year, label, pick(run.baseline)]
            for fig in run.scenarios:
                row += [pick(fig), pick(fig) - pick(run.baseline)]
            rows.append(row)

        for run in self.years:
            figures = (run.baseline, *run.scenarios)

            add(run, "合计" if zh else "total", lambda f: f.amount)
            for lv in self.levels():
                add(run, names[lv], lambda f, lv=lv: f.by_level.get(lv, 0))
            components = dict.fromkeys(c for f in figures for c in f.by_component)
            for c in components:
                add(run, self.component_labels.get(c, c), lambda f, c=c: f.by_component.get(c, 0))
            units = dict.fromkeys(u for f in figures for u in f.by_unit)
            if len(units) > 1 or any(units):
                for u in units:
                    add(run, ("单位：" if zh else "unit: ") + (u or "-"), lambda f, u=u: f.by_unit.get(u, 0))
        title = (f"{self.calculator.profile.name}{self.calculator.data.meta['title']}情景对比" if zh
                 else f"{self.calculator.policy.id} scenarios ({self.calculator.profile.id})")
        return Sheet("情景对比" if zh else "scenarios", title, header, kinds, rows, lang=lang)

    def changes_sheet(self, lang: str = "zh") -> Sheet:
        zh = lang != "en"
        header = (["年度", "情景", "编号", "名称", "基准", "情景金额", "差额", "原因"] if zh
                  else ["year", "scenario", "id", "name", "baseline", "scenario amount", "difference", "why"])
        rows = [[run.year, s.name, c.id, c.name, c.baseline, c.scenario, c.scenario - c.baseline, "；".join(c.why)]
                for run in self.years for s, changes in zip(self.scenarios, run.changes) for c in changes]
        return Sheet("变动明细" if zh else "changes", "变动明细" if zh else "changes", header,
                     ["int", "text", "text", "text", "money", "money", "money", "text"], rows, lang=lang)


def compare(calculator: Calculator, scenarios: Sequence[Scenario], years: Sequence[int], *,
            table: Table | None = None, counts: Mapping[str, int] | None = None,
            detail: bool = False, **options: Any) -> Comparison:
    """Baseline and each scenario for each year, on one roster table or one set of counts."""
    years = [check_year(y) for y in years]
    if not years:
        raise ScenarioError("没有要计算的年度 no year to compute")
    since = f"{min(years)}-01"  # an override without a date is in force from the first year run
    _refuse_shadowed_budget(calculator, scenarios, options)
    runs = []
    checked = None if counts is not None else calculator.compute_roster(table, min(years), **options)
    rejects = 0 if checked is None else len(checked.rejects)
    variants = [calculator.with_overrides(s, since=since) for s in scenarios]
    for year in years:
        base_result = _run(calculator, year, checked, counts, None, options)
        figures, changes = [], []
        for s, other in zip(scenarios, variants):
            result = _run(other, year, checked, counts, s, options)
            figures.append(result.ledger)
            changes.append(_changes(calculator, s, since, year, checked, counts, options, base_result, result)
                           if detail else ())
        runs.append(YearRun(year, base_result.ledger, tuple(figures), tuple(changes)))
    labels = {}
    for s in (None, *scenarios):
        calc = calculator if s is None else calculator.with_overrides(s, since=since)
        for c in calc.policy.components(calc.data):
            labels.setdefault(c, calc.policy.component_label(calc.data, c, calculator.lang))
    return Comparison(calculator, tuple(scenarios), tuple(runs), "counts" if counts is not None else "roster",
                      labels, rejects)


def _refuse_shadowed_budget(calculator: Calculator, scenarios: Sequence[Scenario], options: Mapping[str, Any]) -> None:
    """The run's budget option wins over the budget standard: a scenario setting that standard
    under the option would change nothing and say nothing, so it is refused."""
    cut = getattr(calculator.policy, "cut", None)
    if cut is None or options.get(cut.option) is None:
        return
    for s in scenarios:
        if any(o.path == cut.standard for o in s.overrides):
            raise ScenarioError(f"情景“{s.name}”设置了 {cut.standard}，但本次计算给定了 --budget（{cut.option}），"
                                f"预算以 --budget 为准，该设置不会生效；请只给其一 (scenario {s.name!r} sets "
                                f"{cut.standard}, which the run's --budget overrides: give one of them)")


def _run(calc: Calculator, year: int, checked: RosterResult | None, counts: Mapping[str, int] | None,
         scenario: Scenario | None, options: Mapping[str, Any]) -> RosterResult:
    """One year under ``calc``'s standards: the roster checked once (``checked``), or counts."""
    if counts is not None:
        return calc.compute_counts(scenario.counts_for(counts, year, calc.count_key) if scenario else dict(counts),
                                   year, **options)
    if scenario is not None and scenario.counts:
        raise ScenarioError(f"{scenario.origin}: 计数只适用于计数模式 (counts apply in counts mode, not to a roster)")
    return calc.rerun(checked, year, **options)


def _amounts_by_id(result: RosterResult) -> dict[str, tuple[int, str]]:
    comp = result.computation
    amounts = comp.amounts()
    return {str(i): (int(a), str(n or "")) for i, a, n in zip(comp.who.ids, amounts, comp.who.names)}


def _changes(calc: Calculator, scenario: Scenario, since: str, year: int, checked, counts, options,
             base: RosterResult, result: RosterResult) -> tuple[Change, ...]:
    before, after = _amounts_by_id(base), _amounts_by_id(result)
    moved = [k for k in dict.fromkeys([*before, *after]) if before.get(k, (0, ""))[0] != after.get(k, (0, ""))[0]]
    if not moved:
        return ()
    # each override (and the conventions, and the counts) alone: who does it move?
    # a layer and its split ("layers.x", "splits.layers.x") only make sense together
    groups: dict[str, list] = {}
    for o in scenario.overrides:
        groups.setdefault(o.path.removeprefix("splits."), []).append(o)
    parts: list[tuple[str, Scenario]] = [
        ("；".join(in_words(o, calc.data, calc.lang) for o in group),
         Scenario(scenario.name, overrides=tuple(group), policy=scenario.policy, origin=scenario.origin))
        for group in groups.values()]
    if scenario.conventions:
        parts.append((", ".join(f"conventions.{k}={v}" for k, v in scenario.conventions.items()),
                      Scenario(scenario.name, conventions=scenario.conventions, origin=scenario.origin)))
    if scenario.counts:
        parts.append(("；".join(count_in_words(c, calc.lang) for c in scenario.counts),
                      Scenario(scenario.name, counts=scenario.counts, origin=scenario.origin)))
    movers: dict[str, list[str]] = {k: [] for k in moved}
    for label, alone in parts:
        try:
            one = _amounts_by_id(_run(calc.with_overrides(alone, since=since), year, checked, counts, alone, options))
        except ValueError:  # this part cannot stand alone: the whole scenario is the reason
            continue
        for k in moved:
            if one.get(k, (0, ""))[0] != before.get(k, (0, ""))[0]:
                movers[k].append(label)
    return tuple(Change(k, (after.get(k) or before.get(k))[1], before.get(k, (0, ""))[0], after.get(k, (0, ""))[0],
                        tuple(movers[k]) or (scenario.name,)) for k in moved)


def in_words(o, data, lang: str = "zh") -> str:
    """An override as a reader says it: 党支部基本工作经费=4000元/个/年（2025-01起）, not the path
    (a split or a tier table keeps its written form after the label)."""
    std = data.standards.get(o.path)
    # a new path (a layer a scenario adds) by the label and unit its scenario gives it
    label = (std.label if std is not None else o.label) or o.path if lang != "en" else o.path
    value = o.describe().partition("=")[2].rsplit("@", 1)[0]
    unit = "" if lang == "en" else std.unit if std is not None and std.kind == "money" and std.unit else \
        (o.unit or "") if std is None and o.label else ""
    when = "" if not o.start else (f"（{o.start}起）" if lang != "en" else f" (from {o.start})")
    return f"{label}={value}{unit}{when}"


def count_in_words(c, lang: str = "zh") -> str:
    """A count change as a reader says it: 计数 branch +20（2026年起）."""
    value = f"{'+' if c.relative and c.value >= 0 else ''}{c.value}"
    when = "" if c.from_year is None else (f"（{c.from_year}年起）" if lang != "en" else f" (from {c.from_year})")
    return (f"计数 {c.key} {value}" if lang != "en" else f"count {c.key} {value}") + when


def parse_years(text: str | None, default: int) -> list[int]:
    """``2025``, ``2025-2030`` or ``2025,2027``."""
    if not text:
        return [default]
    years: list[int] = []
    for part in text.replace("，", ",").split(","):
        a, sep, b = part.strip().partition("-")
        if not a.isdigit() or (sep and not b.strip().isdigit()):
            raise ValueError(f"--years 应写作 2025-2030 或 2025,2026 (expected 2025-2030): {text!r}")
        lo, hi = int(a), int(b) if sep else int(a)
        if not (MIN_YEAR <= lo <= MAX_YEAR and MIN_YEAR <= hi <= MAX_YEAR):
            raise ValueError(f"--years 年度应在{MIN_YEAR}至{MAX_YEAR}年之间 "
                             f"(years must lie in {MIN_YEAR}–{MAX_YEAR}): {text!r}")
        if hi < lo:
            raise ValueError(f"--years 范围不对 (bad range): {text!r}")
        years.extend(range(lo, hi + 1))
    return sorted(dict.fromkeys(years))


def chart_sheet(comparison: Comparison, lang: str = "zh") -> Sheet:
    """Per funding level, baseline and each scenario summed over the years, with a native
    column chart drawn from these cells."""
    zh = lang != "en"
    names = comparison.calculator.profile.level_names(lang)
    years = [r.year for r in comparison.years]
    span = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
    header = ["级次" if zh else "level", "基准" if zh else "baseline", *(s.name for s in comparison.scenarios)]
    rows = []
    for lv in comparison.levels():
        row: list[Any] = [names[lv], sum(r.baseline.by_level.get(lv, 0) for r in comparison.years)]
        row += [sum(r.scenarios[k].by_level.get(lv, 0) for r in comparison.years)
                for k in range(len(comparison.scenarios))]
        rows.append(row)
    title = f"{span}年各级负担：基准与情景" if zh else f"{span} cost per level: baseline and scenarios"
    return Sheet("图表" if zh else "chart", title, header, ["text"] + ["money"] * (len(header) - 1), rows,
                 chart=title, lang=lang)
