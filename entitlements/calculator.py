"""The Python API: a calculator per policy and profile, for rosters and for one beneficiary.

    calc = Calculator("brigade_cadre_living", profile="江川区")
    one = calc.compute({"id": "A1", "sex": "男", "birth_date": "1938-04", "tenure_years": 16}, year=2025)
    one.amount, one.by_level, one.months, one.explain()
    roster = calc.compute_roster("花名册.csv", year=2025)
    roster.to_json()

Both paths run the same vectorised formulas: one beneficiary is a roster of one.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from attrs import field, frozen

from .dates import month_label, parse_date
from .money import fen_to_decimal
from .policy import Computation, Policy
from .profiles import PolicyData, load_policy_data, resolve_profile
from .reading import read_roster
from .roster import InputError, Notice, ParsedTable, Reject, Table, parse_table, table_from_records
from .standards import LEVELS, StandardsError, year_months


ALWAYS = "1900-01"  # "from the start": before any standard in our sources


class EntitlementInputError(ValueError):
    """One beneficiary's input is wrong; ``field`` names it (English name)."""

    def __init__(self, field: str, value: str, reason: str, reason_en: str):
        super().__init__(f"{field}: {reason_en} ({reason}) value={value!r}")
        self.field, self.value, self.reason, self.reason_en = field, value, reason, reason_en


@frozen(slots=False)
class Entitlement:
    """One beneficiary's result for a year or a month. Money as ``Decimal`` yuan.

    ``months`` (monthly policies: the amount of each month, by the same formula) and the
    explanation are worked out when first asked for, so a payroll loop that needs only
    the amounts does not pay for them.
    """

    id: str
    name: str
    period: str
    amount: Decimal
    by_level: dict[str, Decimal]
    by_component: dict[str, Decimal]
    paid_months: int | None
    eligible: bool
    reasons: list[str]
    _months_of: Callable[[], dict[str, Decimal]] = field(repr=False, eq=False)
    _explain_with: Callable[[Mapping[str, Decimal]], list[str]] = field(repr=False, eq=False)

    @cached_property
    def months(self) -> dict[str, Decimal]:
        return self._months_of()

    @cached_property
    def explanation(self) -> list[str]:
        return self._explain_with(self.months)

    def explain(self) -> str:
        return "\n".join(self.explanation)


class Calculator:
    """Construct once per policy and profile; compute many."""

    def __init__(self, policy: str | Policy, profile: str = "yunnan",
                 standards: str | Path | Mapping[str, Any] | None = None, lang: str = "zh"):
        from policies import get_policy

        self.policy = policy if isinstance(policy, Policy) else get_policy(policy)
        self.profile = resolve_profile(profile)
        self.lang = lang
        data = load_policy_data(self.policy.id, self.profile.id)
        if standards is not None:
            data = apply_standards_file(self.policy, data, standards)
        self.data: PolicyData = data

    def with_overrides(self, *scenarios: Any, since: str = ALWAYS) -> Calculator:
        """A calculator with scenario overrides applied: ``Scenario`` objects, scenario file
        paths, or mappings like ``{"org_funding.branch": "4000"}`` (``(value, "2025-07")``
        for a date). An override without a date is in force from ``since`` (always)."""
        from .scenarios import Scenario

        data = self.data
        first = parse_date(since).month_index
        for s in scenarios:
            scenario = s if isinstance(s, Scenario) else (
                Scenario.from_mapping(s) if isinstance(s, Mapping) else Scenario.from_file(s))
            data = scenario.apply(data, first, self.policy.open_paths)
        other = copy.copy(self)
        other.data = data
        return other

    # ---- one beneficiary ----

    def compute(self, beneficiary: Mapping[str, Any] | Any, year: int | None = None,
                month: str | None = None, **options: Any) -> Entitlement:
        """One person or organisation for a budget ``year`` or one ``month`` ('2025-03').

        ``beneficiary`` is a dict (or pydantic model) keyed by field names or Chinese
        headers; service spans go in ``spans``: [{"post": ..., "start": ..., "end": ...}].
        """
        record = beneficiary.model_dump() if hasattr(beneficiary, "model_dump") else dict(beneficiary)
        spans = record.pop("spans", None)
        records = [{**record, **s} for s in spans] if spans else [record]
        parsed, who = self._prepare(table_from_records(records))
        if parsed.rejects:
            r = parsed.rejects[0]
            field = next((f for f, h in parsed.headers.items() if h == r.column), r.column)
            raise EntitlementInputError(field, r.value, r.zh, r.en)
        first, stop = self._period(year, month)
        comp = self._run(who, first, stop, whole_programme=False, **options)
        return self._entitlement(comp, 0, who, options)

    def _entitlement(self, comp: Computation, i: int, one: Any, options: Mapping[str, Any]) -> Entitlement:
        """Entitlement ``i`` of ``comp``; ``one`` is that beneficiary alone, for its months."""
        lang = self.lang
        amount = int(comp.amounts()[i])

        def months() -> dict[str, Decimal]:
            if self.policy.schedule != "monthly":
                return {}
            # only the amounts are read: any split, even a fixed-total one, may run on one line
            return {month_label(m): fen_to_decimal(self._run(one, m, m + 1, **options).amounts()[0])
                    for m in range(comp.first, comp.stop)}

        return Entitlement(
            id=str(comp.who.ids[i]), name=str(comp.who.names[i] or ""),
            period=_period_label(comp.first, comp.stop),
            amount=fen_to_decimal(amount),
            by_level={lv: fen_to_decimal(v[i]) for lv, v in comp.by_level().items() if lv != "township" or v[i]},
            by_component={c: fen_to_decimal(v[i]) for c, v in comp.by_component().items()},
            paid_months=None if comp.paid_months is None else int(comp.paid_months[i]),
            eligible=amount > 0, reasons=comp.reasons(i, lang),
            months_of=months, explain_with=lambda ms: explain_lines(comp, i, lang, ms),
        )

    # ---- rosters ----

    def compute_roster(self, roster: str | Path | Table | Sequence[Mapping[str, Any]], year: int,
                       sheet: str | None = None, **options: Any) -> RosterResult:
        """A roster file (.csv, .xlsx, .xls; ``sheet`` names the worksheet), a table or dicts."""
        table = self.read(roster, sheet) if isinstance(roster, (str, Path)) else (
            roster if isinstance(roster, Table) else table_from_records(roster))
        parsed, who = self._prepare(table)
        first, stop = year_months(year)
        comp = self._run(who, first, stop, **options)
        rejects = sorted(parsed.rejects, key=lambda r: r.row)  # stable: a row's problems keep their order
        notices = sorted(parsed.notices, key=lambda n: -1 if n.row is None else n.row)
        return RosterResult(self, year, comp, rejects, notices, len(table), "roster", parsed)

    def rerun(self, base: RosterResult, year: int | None = None, **options: Any) -> RosterResult:
        """``base``'s checked beneficiaries computed again under this calculator's standards
        (a scenario's) or for another year: the roster is read and checked once."""
        year = base.year if year is None else year
        first, stop = year_months(year)
        comp = self._run(base.computation.who, first, stop, **options)
        return RosterResult(self, year, comp, base.rejects, base.notices, base.rows_read, base.mode, base.parsed)

    def read(self, path: str | Path, sheet: str | None = None) -> Table:
        """Read a roster file, finding the header row by this policy's column names."""
        return read_roster(path, self.policy.fields, sheet)

    def compute_counts(self, counts: Mapping[str, int], year: int) -> RosterResult:
        """Counts mode (as budgets are drafted), for policies that have one."""
        from_counts = getattr(self.policy, "from_counts", None)
        if from_counts is None:
            raise InputError(f"政策 {self.policy.id} 没有计数模式 (policy has no counts mode)")
        who = from_counts(counts)
        first, stop = year_months(year)
        comp = self._run(who, first, stop)
        return RosterResult(self, year, comp, [], [], 0, "counts", None)

    def entitlement(self, result: RosterResult, beneficiary_id: str, **options: Any) -> Entitlement:
        """One beneficiary of a roster result, with months and explanation (for ``explain``)."""
        comp = result.computation
        hits = np.flatnonzero(comp.who.ids.astype(str) == str(beneficiary_id))
        if len(hits) == 0:
            raise LookupError(f"花名册中没有编号 no beneficiary with id {beneficiary_id!r}")
        i = int(hits[0])
        return self._entitlement(comp, i, comp.who.take(np.array([i])), options)

    # ---- internals ----

    def _prepare(self, table: Table):
        parsed = parse_table(table, self.policy.fields)
        who = self.policy.prepare(parsed, self.data)
        return parsed, who

    def _run(self, who, first: int, stop: int, whole_programme: bool = True, **options: Any) -> Computation:
        return self.policy.compute(who, self.data, first, stop, whole_programme=whole_programme, **options)

    @staticmethod
    def _period(year: int | None, month: str | None) -> tuple[int, int]:
        if month is not None:
            m = parse_date(month).month_index
            return m, m + 1
        if year is None:
            raise ValueError("give a year or a month")
        return year_months(int(year))


def _period_label(first: int, stop: int) -> str:
    if stop - first == 1:
        return month_label(first)
    if first % 12 == 0 and stop - first == 12:
        return str(first // 12)
    return f"{month_label(first)}..{month_label(stop - 1)}"


def explain_lines(comp: Computation, i: int, lang: str, months: Mapping[str, Decimal]) -> list[str]:
    policy, data = comp.policy, comp.data
    title = data.meta["title"] if lang == "zh" else data.meta.get("title_en", data.meta["title"])
    head = [
        f"{title}  [{policy.id}]",
        ("地区口径" if lang == "zh" else "profile") + f": {data.profile.id}（{data.profile.name}）  "
        + ("期间" if lang == "zh" else "period") + f": {_period_label(comp.first, comp.stop)}",
        ("对象" if lang == "zh" else "beneficiary") + f": {comp.who.ids[i]} {comp.who.names[i] or ''}",
    ]
    body = policy.explain(comp, i, lang)
    tail = []
    if months:
        tail.append("逐月：" if lang == "zh" else "Months:")
        tail += [f"  {m}: {v:.2f}" for m, v in months.items()]
    amount = int(comp.amounts()[i])
    tail.append(("合计" if lang == "zh" else "Total") + f": {fen_to_decimal(amount):.2f}")
    reasons = comp.reasons(i, lang)
    if reasons:
        tail.append(("说明" if lang == "zh" else "Notes") + ": " + "；".join(reasons))
    return head + body + tail


@frozen
class RosterResult:
    calculator: Calculator
    year: int
    computation: Computation
    rejects: list[Reject]
    notices: list[Notice]
    rows_read: int
    mode: str
    parsed: ParsedTable | None

    @property
    def rows_rejected(self) -> int:
        return len({r.row for r in self.rejects})

    def to_json(self, lang: str | None = None, summary: bool = False) -> dict[str, Any]:
        from .output import result_json

        return result_json(self, lang or self.calculator.lang, summary=summary)


def apply_standards_file(policy: Policy, data: PolicyData, source: str | Path | Mapping[str, Any]) -> PolicyData:
    """Overlay user standards: a TOML table like a profile section, or a post-standards CSV."""
    if isinstance(source, Mapping):
        return data.overlay(source, "standards")
    path = Path(source)
    if path.suffix.lower() == ".toml":
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"无法读取标准文件 cannot read standards file {path}: {exc}") from None
        try:
            return data.overlay(raw, str(path))
        except StandardsError as exc:
            raise InputError(str(exc)) from None
    reader = getattr(policy, "standards_from_csv", None)
    if reader is None:
        raise InputError(f"{policy.id} 的标准文件应为 TOML (standards for {policy.id} must be a .toml file)")
    return data.overlay(reader(path), str(path))


__all__ = ["Calculator", "Entitlement", "EntitlementInputError", "RosterResult", "LEVELS"]
