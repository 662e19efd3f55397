"""The Python API: a calculator per policy and profile, for rosters and for one beneficiary.

    calc = Calculator(policy_id, profile="江川区")        # a policy from entitlements.registry
    one = calc.compute({"编号": "A1", ...}, year=2025)      # its fields, by name or Chinese header
    one.amount, one.by_level, one.months, one.explain()
    roster = calc.compute_roster("花名册.csv", year=2025)
    roster.to_json()

Both paths run the same vectorised formulas: one beneficiary is a roster of one.
"""

from __future__ import annotations

import copy
import csv
import difflib
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from attrs import field, frozen

from .dates import DateError, month_label, parse_date
from .errors import EntitlementInputError
from .ledger import Ledger
from .limits import MAX_TOTAL_FEN, abs_sum, check_count, check_total, check_year
from .money import apportion, fen_to_decimal
from .policy import Computation, Policy, key_texts
from .people import with_payment_fields
from .profiles import PolicyData, load_policy_data, resolve_profile, root_profile
from .rosterfile import read_roster
from .registry import get_policy
from .fields import normalise_cell
from .roster import InputError, Notice, ParsedTable, Reject, Table, parse_table, table_from_records
from .splits import SplitNeedsRoster
from .standards import LEVELS, StandardsError, year_months


ALWAYS = "1900-01"  # "from the start": before any standard in our sources


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
    _trace_of: Callable[[], dict[str, Any]] = field(repr=False, eq=False, default=dict)

    @cached_property
    def months(self) -> dict[str, Decimal]:
        return self._months_of()

    @cached_property
    def explanation(self) -> list[str]:
        return self._explain_with(self.months)

    def explain(self) -> str:
        return "\n".join(self.explanation)

    @cached_property
    def trace(self) -> dict[str, Any]:
        """What the engine used, as data (for audit): conditions, paid months, every standard
        with its source and any assumption, the service credited, the splits and the lines."""
        return self._trace_of()


class Calculator:
    """Construct once per policy and profile; compute many."""

    def __init__(self, policy: str | Policy, profile: str | None = None,
                 standards: str | Path | Mapping[str, Any] | None = None, lang: str = "zh",
                 columns: Mapping[str, str] | None = None):
        """``profile``: an id or Chinese name; none: the profile the policy is defined for (云南 for
        the province-wide standards, 澄江市 for a programme only 澄江市's texts document).
        ``columns``: a sheet's own headers for the policy's columns ({"任职时间": "任职年限"})."""
        if not isinstance(policy, (str, Policy)):
            raise LookupError(f"未知政策 unknown policy {policy!r}")
        self.policy = policy if isinstance(policy, Policy) else get_policy(policy)
        self.fields = _with_user_headers(with_payment_fields(self.policy.fields), columns or {})
        self.profile = resolve_profile(root_profile(self.policy.id) if profile is None else profile)
        if lang not in ("zh", "en"):
            raise EntitlementInputError("lang", lang, "语言应为 zh 或 en", "lang is zh or en")
        self.lang = lang
        data = load_policy_data(self.policy.id, self.profile.id)
        if standards is not None:
            data = apply_standards_file(self.policy, data, standards)
        self.data: PolicyData = data

    def with_overrides(self, *scenarios: Any, since: str = ALWAYS) -> Calculator:
        """A calculator with scenario overrides applied: ``Scenario`` objects, scenario file
        paths, or mappings like ``{"<standard path>": "4000"}`` (``(value, "2025-07")``
        for a date). An override without a date is in force from ``since`` (always)."""
        from .scenarios import Scenario, ScenarioError

        data = self.data
        first = _month(since, "since", budget=False)
        for s in scenarios:
            if isinstance(s, Scenario):
                scenario = s
            elif isinstance(s, Mapping):
                scenario = Scenario.from_mapping(s)
            elif isinstance(s, (str, Path)):
                scenario = Scenario.from_file(s)
            else:
                raise ScenarioError(f"情景应为 Scenario、情景文件路径或映射 (a scenario is a Scenario, a file path "
                                    f"or a mapping of standard paths to values): {type(s).__name__}")
            data = scenario.apply(data, first, self.policy)
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
        first, stop = self._period(year, month)
        record = _record(beneficiary, "beneficiary")
        spans = record.pop("spans", None)
        if spans is not None and (isinstance(spans, (str, bytes, Mapping)) or not isinstance(spans, Sequence)):
            raise EntitlementInputError("spans", spans, "任职记录应为列表，每段一个字典",
                                        "spans is a list with one dict per span")
        records = [{**record, **_record(s, "spans")} for s in spans] if spans else [record]
        with _as_input_error(self.policy):
            parsed, who = self._prepare(table_from_records(records))
            if parsed.rejects:
                r = parsed.rejects[0]
                field = next((f for f, h in parsed.headers.items() if h == r.column), r.column)
                raise EntitlementInputError(field or "beneficiary", r.value, r.zh, r.en)
            try:
                comp = self._run(who, first, stop, whole_programme=False, **options)
            except SplitNeedsRoster as exc:
                raise EntitlementInputError("beneficiary", "", str(exc), str(exc)) from None
        return self._entitlement(comp, 0, who, options)

    def _entitlement(self, comp: Computation, i: int, one: Any, options: Mapping[str, Any]) -> Entitlement:
        """Entitlement ``i`` of ``comp``; ``one`` is that beneficiary alone, for its months."""
        lang = self.lang
        amount = int(comp.amounts()[i])

        def months() -> dict[str, Decimal]:
            if self.policy.schedule != "monthly":
                return {}
            # only the amounts are read: any split, even a fixed-total one, may run on one line; a
            # programme budget is the whole roster's and the period's, not one person's month
            plain = {**options, "uncut": True} if getattr(self.policy, "cut", None) is not None else options
            fen = np.array([self._run(one, m, m + 1, **plain).amounts()[0]
                            for m in range(comp.first, comp.stop)], dtype=np.int64)
            cut = comp.detail.get("cut")
            if cut and cut["cut"]:  # the line was cut to the budget (rules.Cut): its months pro rata, to the fen
                fen = apportion(amount, fen, np.arange(len(fen))[::-1])  # equal remainders: the earlier month
            return {month_label(m): fen_to_decimal(f) for m, f in zip(range(comp.first, comp.stop), fen)}

        return Entitlement(
            id=str(comp.who.ids[i]), name=str(comp.who.names[i] or ""),
            period=_period_label(comp.first, comp.stop),
            amount=fen_to_decimal(amount),
            by_level={lv: fen_to_decimal(v[i]) for lv, v in comp.by_level().items() if lv != "township" or v[i]},
            by_component={c: fen_to_decimal(v[i]) for c, v in comp.by_component().items()},
            paid_months=None if comp.paid_months is None else int(comp.paid_months[i]),
            eligible=amount > 0, reasons=comp.reasons(i, lang),
            months_of=months, explain_with=lambda ms: explain_lines(comp, i, lang, ms),
            trace_of=lambda: comp.policy.trace(comp, i),
        )

    # ---- rosters ----

    def compute_roster(self, roster: str | Path | Table | Sequence[Mapping[str, Any]], year: int,
                       sheet: str | None = None, month: str | None = None, **options: Any) -> RosterResult:
        """A roster file (.csv, .xlsx, .xls; ``sheet`` names the worksheet), a table or dicts;
        for the budget ``year``, or one ``month`` of it ('2025-06': a monthly programme's 一卡通 list)."""
        year = check_year(year)
        first, stop = year_months(year)
        if month is not None:
            first, stop = self._period(None, month)
            if not year_months(year)[0] <= first < year_months(year)[1]:
                raise EntitlementInputError("month", month, f"月份应在{year}年内", f"the month lies within {year}")
        if sheet is not None and not isinstance(sheet, str):
            raise EntitlementInputError("sheet", sheet, "工作表名称应为文本", "a sheet name is a text")
        with _as_input_error(self.policy):
            if isinstance(roster, (str, Path)):
                table = self.read(roster, sheet)
            elif isinstance(roster, Table):
                table = roster
            else:
                table = table_from_records(_records(roster))
            parsed, who = self._prepare(table)
            comp = self._run(who, first, stop, **options)
        rejects = sorted(parsed.rejects, key=lambda r: r.row)  # stable: a row's problems keep their order
        notices = sorted(parsed.notices, key=lambda n: -1 if n.row is None else n.row)
        return RosterResult(self, year, comp, rejects, notices + _said(comp) + _cut_without(comp, rejects), len(table),
                            "roster", parsed)

    def rerun(self, base: RosterResult, year: int | None = None, **options: Any) -> RosterResult:
        """``base``'s checked beneficiaries computed again under this calculator's standards
        (a scenario's) or for another year: the roster is read and checked once."""
        if not isinstance(base, RosterResult):
            raise EntitlementInputError("base", base, "应为 compute_roster 的结果", "base is a compute_roster result")
        year = base.year if year is None else check_year(year)
        first, stop = year_months(year)
        comp = self._run(base.computation.who, first, stop, **options)
        notices = [n for n in base.notices if n.column != SAID] + _said(comp)  # the base run's own remarks are its own
        return RosterResult(self, year, comp, base.rejects, notices, base.rows_read, base.mode, base.parsed)

    def read(self, path: str | Path, sheet: str | None = None) -> Table:
        """Read a roster file, finding the header row by this policy's column names."""
        if "\x00" in str(path):
            raise EntitlementInputError("roster", str(path), "文件名中有空字符", "a file name with a NUL character")
        with _as_input_error(self.policy):
            try:
                return read_roster(path, self.fields, sheet)
            except csv.Error as exc:  # the reader's own check should come first; never a bare csv.Error
                raise EntitlementInputError("roster", str(path), f"CSV 文件格式错误：{exc}", f"malformed CSV: {exc}") from None

    def compute_counts(self, counts: Mapping[str, int], year: int, **options: Any) -> RosterResult:
        """Counts mode (as budgets are drafted), for policies that have one; ``options`` as for a
        roster (an option the policy lacks is refused, not ignored)."""
        year = check_year(year)
        first, stop = year_months(year)
        from_counts = getattr(self.policy, "from_counts", None)
        if from_counts is None:
            raise EntitlementInputError("counts", "", f"政策 {self.policy.id} 没有计数模式",
                                        f"policy {self.policy.id} has no counts mode")
        if not isinstance(counts, Mapping):
            raise EntitlementInputError("counts", counts, "计数应为映射：计数项 → 数量",
                                        "counts is a mapping of keys to numbers")
        merged: dict[str, int] = {}
        given: dict[str, str] = {}  # the policy's name -> the key given for it
        for key, value in counts.items():
            name = self.count_key(key)
            if name in given:  # a key and its Chinese alias are one count: a re-typed correction must not add up
                raise EntitlementInputError(str(key), value, f"计数项重复：{given[name]} 与 {key} 是同一项，只能给一次",
                                            f"{given[name]} and {key} are the same count: give it once")
            given[name] = str(key)
            merged[name] = check_count(str(key), value)
        with _as_input_error(self.policy):
            who = from_counts(merged)
            comp = self._run(who, first, stop, **options)
        return RosterResult(self, year, comp, [], _said(comp), 0, "counts", None)

    def count_key(self, key: object) -> str:
        """A counts-mode key as the policy names it (a Chinese alias -> its key); an unknown key is an input error."""
        from_counts = getattr(self.policy, "from_counts", None)
        if not isinstance(key, str) or from_counts is None:
            raise EntitlementInputError("counts", key, "计数项应为文本（各政策的计数项：entitlements policies ID）",
                                        "a count's key is a text (each policy's keys: entitlements policies ID)")
        with _as_input_error(self.policy, key):
            ids = from_counts({key: 1}).ids
        return str(ids[0]) if len(ids) == 1 else key

    def entitlement(self, result: RosterResult, beneficiary_id: str, **options: Any) -> Entitlement:
        """One beneficiary of a roster result, with months and explanation (for ``explain``)."""
        if not isinstance(result, RosterResult):
            raise EntitlementInputError("result", result, "应为 compute_roster 的结果", "result is a compute_roster result")
        if not isinstance(beneficiary_id, (str, int)) or isinstance(beneficiary_id, bool):
            raise EntitlementInputError("beneficiary_id", beneficiary_id, "编号应为文本", "an id is a text")
        comp = result.computation
        wanted = normalise_cell(str(beneficiary_id))  # as the roster's keys: "JC001 " or with a zero-width space
        ids = comp.who.ids.astype(str)
        hits = np.flatnonzero(ids == "".join(wanted.split()))  # 王　五 is the key 王五
        if len(hits) == 0:  # a policy's own keys kept the spaces
            hits = np.flatnonzero(key_texts(ids) == "".join(wanted.split()))
        if len(hits) == 0 and comp.who.names is not None:  # a clerk may ask by 姓名: taken when it is unique
            names = key_texts(np.asarray(comp.who.names, dtype=object).astype(str))
            hits = np.flatnonzero(names == "".join(wanted.split()))
            if len(hits) > 1:
                units = comp.who.units.decoded() if hasattr(comp.who.units, "decoded") else comp.who.units
                which = "；".join(f"{comp.who.ids[i]}（{units[i] if units is not None else ''}）" for i in hits[:20])
                raise LookupError(f"姓名“{wanted}”有{len(hits)}人，请用编号 (the name is shared by {len(hits)} "
                                  f"beneficiaries: give an id)：{which}")
        if len(hits) == 0:
            said = "".join(f"\n  第{r.row}行 {r.column}「{r.value}」：{r.zh} (row {r.row}: {r.en})"
                           for r in result.rejects_of(wanted))
            raise LookupError(f"花名册中没有编号 no beneficiary with id {beneficiary_id!r}"
                              + (f"；该编号所在的行被拒收 its rows were rejected:{said}" if said else ""))
        i = int(hits[0])
        return self._entitlement(comp, i, comp.who.take(np.array([i])), options)

    def check_options(self, options: Mapping[str, Any]) -> None:
        """An option the policy does not have, or of the wrong type, is refused: ignoring
        ``include_earlier`` for a policy without lump sums would silently compute something else."""
        known = self.policy.options()
        for name, value in options.items():
            option = known.get(name)
            if option is None:
                have = ", ".join(k for k, o in known.items() if getattr(o, "flag", "")) or "无 none"
                raise EntitlementInputError(name, value, f"政策 {self.policy.id} 没有选项 {name}（可用：{have}）",
                                            f"policy {self.policy.id} has no option {name} (known: {have})")
            if not isinstance(value, option.type):
                raise EntitlementInputError(name, value, f"选项 {name} 应为 {option.type.__name__}",
                                            f"option {name} must be a {option.type.__name__}")

    # ---- internals ----

    def _prepare(self, table: Table):
        parsed = parse_table(table, self.fields)
        who = self.policy.prepare(parsed, self.data)
        return parsed, who

    def _run(self, who, first: int, stop: int, whole_programme: bool = True, **options: Any) -> Computation:
        self.check_options(options)
        comp = self.policy.compute(who, self.data, first, stop, whole_programme=whole_programme, **options)
        _check_total(comp)
        return comp

    @staticmethod
    def _period(year: int | None, month: str | None) -> tuple[int, int]:
        if month is not None:
            m = _month(month, "month")
            return m, m + 1
        if year is None:
            raise EntitlementInputError("year", "", "请给出年度或月份", "give a year or a month")
        return year_months(year)


def _month(value: object, field: str, budget: bool = True) -> int:
    """A month ('2025-03', a date) as a month index; a ``budget`` month lies within the
    budget years of limits.py (an override's start may lie earlier: "always" is 1900)."""
    if not isinstance(value, str) and not hasattr(value, "year"):
        raise EntitlementInputError(field, value, "月份应写作 2025-03", "a month is written like 2025-03")
    try:
        d = parse_date(value)
    except DateError as exc:
        raise EntitlementInputError(field, value, exc.zh, exc.en) from None
    if budget:
        check_year(d.year, field)
    return d.month_index


def _record(value: object, field: str) -> dict[str, Any]:
    """One beneficiary (or span) as a dict: a mapping or a pydantic model."""
    if hasattr(value, "model_dump") and not isinstance(value, type):
        value = value.model_dump()
    if not isinstance(value, Mapping):
        raise EntitlementInputError(field, value, "应为字典（字段名或中文表头为键）",
                                    "a dict keyed by field names or Chinese headers is expected")
    return dict(value)


def _records(roster: object) -> list[dict[str, Any]]:
    """A roster given as dicts: any iterable of mappings (a list, a generator)."""
    if isinstance(roster, (bytes, Mapping)) or not isinstance(roster, Iterable):
        raise EntitlementInputError("roster", roster, "花名册应为文件路径、表或字典列表",
                                    "a roster is a file path, a table or a list of dicts")
    out = []
    for i, item in enumerate(roster):
        if not isinstance(item, Mapping):
            raise EntitlementInputError("roster", item, f"第{i + 1}项不是字典", f"item {i + 1} is not a dict")
        out.append(dict(item))
    return out


@contextmanager
def _as_input_error(policy: Policy, field: str | None = None) -> Iterator[None]:
    """An ``InputError`` from reading or checking input surfaces as ``EntitlementInputError``,
    the field named: the error's own, else the first of the policy's columns its message names."""
    try:
        yield
    except EntitlementInputError:
        raise
    except InputError as exc:
        message = str(exc)
        named = [f.name for f in policy.fields if f"（{f.name}）" in message]  # 缺少必填列 <header>（<field>）
        named += [f.name for f in policy.fields if f.header in message]  # 缺少任职年限（……）
        name = field or getattr(exc, "field", None) or (named[0] if named else "roster")
        raise EntitlementInputError(name, getattr(exc, "value", "") or "", message, message) from None


SAID = "（计算）"  # the column of a notice about the run itself, not a cell


def _said(comp: Computation) -> list[Notice]:
    """What the run itself must tell the user (a capped fixed share), as notices without a row."""
    return [Notice(None, SAID, "", zh, en) for zh, en in dict.fromkeys(comp.detail.get("said", ()))]


def _cut_without(comp: Computation, rejects: Sequence[Any]) -> list[Notice]:
    """A budget is shared by the accepted lines only: with rows rejected, each share is not final."""
    cut = comp.detail.get("cut") or {}
    rows = len({r.row for r in rejects})
    if not (cut.get("cut") and rows):
        return []
    return [Notice(None, SAID, "", f"有 {rows} 行被退回，未参与预算削减：改正后重新计算，各项的削减结果都会改变",
                   f"{rows} rejected rows took no part in the budget cut: once they are corrected, every line's cut changes")]


def _check_total(comp: Computation) -> None:
    """Every total, level, component and unit sum of a run is at most the sum of its lines'
    absolute values; keeping that within limits.MAX_TOTAL_FEN means no int64 sum can wrap."""
    arrays = [part for parts in comp.lines.values() for part in parts.values() if len(part)]
    bound = sum(len(a) * max(int(a.max()), -int(a.min())) for a in arrays)
    if bound <= MAX_TOTAL_FEN:
        return  # the usual case: the largest line times the count of lines is already within
    check_total(sum(abs_sum(a) for a in arrays))


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

    def rejects_of(self, key: str) -> list[Reject]:
        """The rejects of the rows that carry ``key`` in one of the policy's key columns: a rejected
        row is no beneficiary, but ``explain --id`` on it should say why, not only "not found"."""
        if self.parsed is None or not key:
            return []
        policy = self.calculator.policy
        names = (*policy.key_fields, "id_number")
        headers = [self.parsed.headers[n] for n in dict.fromkeys(names) if self.parsed.has(n)]
        table = self.parsed.table
        rows = {int(table.row_numbers[pos]) for h in headers for pos in np.flatnonzero(table.cells[h] == key)}
        return [r for r in self.rejects if r.row in rows]

    @cached_property
    def ledger(self) -> Ledger:
        """The run's totals (every output's totals read this one table)."""
        return Ledger.of(self.computation)

    def to_json(self, lang: str | None = None, summary: bool = False) -> dict[str, Any]:
        from .output import result_json

        return result_json(self, lang or self.calculator.lang, summary=summary)


def _with_user_headers(fields: tuple, columns: Mapping[str, str]) -> tuple:
    """The policy's fields, each also known by the headers a user maps to it (``--columns
    "任职时间=任职年限"``: the sheet's own word = the column's name, an alias or the field's name).
    A mapping to no column of the policy, or of a header that already names another column, is
    refused: guessing which column was meant could pay the wrong amount."""
    from attrs import evolve

    from .fields import normalise_header

    if not isinstance(columns, Mapping):
        raise EntitlementInputError("columns", columns, "列名对照应为映射：表中列名 → 本政策列名",
                                    "a mapping of sheet headers to the policy's columns")
    known = {normalise_header(n): f.name for f in fields for n in (f.header, f.name, *f.aliases)}
    extra: dict[str, list[str]] = {}
    for given, target in columns.items():
        if not isinstance(given, str) or not isinstance(target, str) or not given.strip() or not target.strip():
            raise EntitlementInputError("columns", f"{given}={target}", "列名对照应写作 表中列名=本政策列名",
                                        "write SHEET_HEADER=COLUMN")
        name = known.get(normalise_header(target))
        if name is None:
            names = "、".join(f.header for f in fields)
            raise EntitlementInputError("columns", f"{given}={target}", f"本政策没有“{target}”列；可用：{names}",
                                        f"no column '{target}' in this policy; known: {names}")
        taken = known.get(normalise_header(given))
        if taken is not None and taken != name:
            raise EntitlementInputError("columns", f"{given}={target}", f"“{given}”已是本政策的另一列（{taken}）",
                                        f"'{given}' already names another column ({taken})")
        extra.setdefault(name, []).append(given.strip())
    return tuple(evolve(f, aliases=(*f.aliases, *extra[f.name])) if f.name in extra else f for f in fields)


def apply_standards_file(policy: Policy, data: PolicyData, source: str | Path | Mapping[str, Any]) -> PolicyData:
    """Overlay user standards: a TOML table like a profile section, or a post-standards CSV."""
    if isinstance(source, Mapping):
        _refuse_unknown_paths(policy, data, source, "standards")
        return data.overlay(source, "standards")
    if not isinstance(source, (str, Path)) or "\x00" in str(source):
        raise StandardsError(f"标准应为 .toml/.csv 文件路径或映射 (standards are a .toml or .csv path, "
                             f"or a mapping): {source!r}")
    path = Path(source)
    if path.suffix.lower() == ".toml":
        try:
            text = path.read_text(encoding="utf-8-sig")  # Notepad saves UTF-8 with a BOM
            raw = tomllib.loads(text)
        except UnicodeDecodeError as exc:
            raise StandardsError(f"{path}: 标准文件应为 UTF-8 编码 a standards file must be UTF-8 text "
                                 f"(byte {exc.start}: {exc.reason})") from None
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise StandardsError(f"无法读取标准文件 cannot read standards file {path}: {exc}") from None
        _refuse_unknown_paths(policy, data, raw, str(path), lambda std: _toml_line(text, std))
        return data.overlay(raw, str(path), lambda std: _toml_line(text, std))
    reader = getattr(policy, "standards_from_csv", None)
    if reader is None:
        raise StandardsError(f"{policy.id} 的标准文件应为 TOML (standards for {policy.id} must be a .toml file)")
    try:
        raw = reader(path)
    except InputError as exc:
        raise StandardsError(str(exc)) from None
    except OSError as exc:
        raise StandardsError(f"无法读取标准文件 cannot read standards file {path}: {exc.strerror or exc}") from None
    return data.overlay(_with_csv_lines(raw, path), str(path))


def _refuse_unknown_paths(policy: Policy, data: PolicyData, raw: Any, origin: str,
                          lines: Callable[[str], int | None] | None = None) -> None:
    """A standards file may change the policy's standards and add new ones only where the
    policy allows (a new layer, a post): a misspelt path (layer.raise_2002) would otherwise
    be a new standard nothing reads, and the change silently not made."""
    table = raw.get("standards") if isinstance(raw, Mapping) else None
    if not isinstance(table, Mapping):
        return
    for path in table:
        if str(path) in data.standards or policy.may_add(str(path)):
            continue
        close = difflib.get_close_matches(str(path), list(data.standards), n=3, cutoff=0.5)
        line = lines(str(path)) if lines else None
        where = f"{origin}:{line}" if line else origin
        hint = f"；是否应为 did you mean: {', '.join(close)}" if close else ""
        allowed = f"（可新增 new paths: {', '.join(policy.addable())}）"
        raise StandardsError(f"{where}: 政策 {policy.id} 没有标准 {path}，此项不会被使用{allowed}{hint} "
                             f"(no standard {path} in {policy.id}: it would be read by nothing)")


def _with_csv_lines(raw: Any, path: Path) -> Any:
    """Each value of a standards table read from a CSV gets the line it came from (for the
    messages), where the reader did not say: the first line whose cells hold its year and
    amount. Messages only; the values are the reader's."""
    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig") if not data.startswith(b"\xff\xfe") else ""
    except (OSError, UnicodeDecodeError):
        return raw
    rows = [[c.strip().strip('"') for c in line.split(",")] for line in text.splitlines()]
    standards = raw.get("standards") if isinstance(raw, Mapping) else None
    for body in (standards or {}).values():
        for v in (body.get("values") or []) if isinstance(body, Mapping) else []:
            if not isinstance(v, dict) or "line" in v:
                continue
            year, amount = str(v.get("from", ""))[:4], str(v.get("amount", ""))
            v["line"] = next((i + 1 for i, cells in enumerate(rows) if year in cells and amount in cells), None)
    return raw


def _toml_line(text: str, path: str) -> int | None:
    """The line (1-based) where a TOML file names the standard ``path``: its table header
    ``[standards."path"]`` or its key ``"path" = ...``."""
    quoted = re.compile(rf"""^\s*\[?\s*(standards\s*\.\s*)?["']{re.escape(path)}["']""")
    bare = re.compile(rf"^\s*\[\s*standards\s*\.\s*{re.escape(path)}\s*\]")
    for i, line in enumerate(text.splitlines()):
        if quoted.match(line) or bare.match(line):
            return i + 1
    return None


__all__ = ["Calculator", "Entitlement", "EntitlementInputError", "RosterResult", "LEVELS"]
