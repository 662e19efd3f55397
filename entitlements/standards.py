"""Standards (补助标准) as dated, cited data.

A standard is a path (``org_funding.branch``, ``layers.base``, ``splits.layers.base``),
a unit and a list of dated values; each value names its source (文号 or budget text) and
may carry an ``assumption`` note where the source does not say (e.g. an effective month).
Kinds: ``money`` (an amount), ``tiers`` (amount by a count such as tenure years),
``number`` (a threshold such as an age), ``split`` (how an amount divides by level) and
``ratio`` (a share of an amount, such as 10% of a monthly pay or a 50% payout coefficient:
an exact Fraction to the basis point, never a float; money.parse_ratio).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any, Literal

import numpy as np
from attrs import evolve, field, frozen
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .dates import DateError, month_index, month_label, parse_month
from .limits import MAX_AMOUNT_FEN, MAX_NUMBER, MAX_TIER_MIN, MAX_TOTAL_FEN, MAX_WEIGHT, check_year
from .money import MoneyError, fen_to_yuan, parse_ratio, yuan_to_fen

LEVELS = ("province", "prefecture", "county", "township")
LEVEL_NAMES = {
    "zh": {"province": "省级", "prefecture": "市级", "county": "县级", "township": "乡镇级"},
    "en": {"province": "province", "prefecture": "prefecture", "county": "county", "township": "township"},
}

Kind = Literal["money", "tiers", "number", "split", "ratio"]


class StandardsError(ValueError):
    """A data file that does not describe standards correctly; names the place."""


# ---------- engine value types (attrs, frozen) ----------


@frozen
class Source:
    key: str
    doc: str
    title: str = ""
    via: str = ""
    quote: str = ""

    def cite(self) -> str:
        parts = [self.doc]
        if self.title:
            parts.append(f"《{self.title}》")
        if self.via:
            parts.append(f"（见{self.via}）")
        return "".join(parts)


@frozen
class Tier:
    min: int
    amount: int  # fen


@frozen
class SplitRule:
    """How a line divides between levels.

    ratio: ``shares`` weights; fixed_per_capita: ``level`` pays ``amount`` fen per
    beneficiary-year prorated by paid months, ``remainder`` pays the rest; fixed_total:
    ``level`` contributes ``amount`` fen to the whole programme, lines pro rata.
    """

    rule: Literal["ratio", "fixed_per_capita", "fixed_total"]
    shares: tuple[tuple[str, int], ...] = ()
    level: str = ""
    amount: int = 0
    remainder: str = ""

    @property
    def levels(self) -> tuple[str, ...]:
        if self.rule == "ratio":
            return tuple(lv for lv, _ in self.shares)
        return (self.level, self.remainder)

    def describe(self, lang: str = "zh", names: Mapping[str, str] | None = None) -> str:
        names = names or LEVEL_NAMES[lang]
        if self.rule == "ratio":
            total = sum(w for _, w in self.shares)
            parts = [f"{names[lv]} {_percent(Fraction(w * 100, total))}%" for lv, w in self.shares]
            return " / ".join(parts)
        from .money import fen_to_yuan

        if self.rule == "fixed_per_capita":
            if lang == "en":
                return (f"{names[self.level]} {fen_to_yuan(self.amount)} per person-year "
                        f"(prorated by paid months), {names[self.remainder]} the remainder")
            return f"{names[self.level]}按{fen_to_yuan(self.amount)}元/人/年（按发放月数折算），其余由{names[self.remainder]}承担"
        if lang == "en":
            return f"{names[self.level]} a fixed {fen_to_yuan(self.amount)} for the programme, {names[self.remainder]} the rest"
        return f"{names[self.level]}定额{fen_to_yuan(self.amount)}元（按各项金额比例分摊），其余由{names[self.remainder]}承担"


def _percent(p: Fraction) -> str:
    if p.denominator == 1:
        return str(p.numerator)
    return f"{float(p):.2f}".rstrip("0")  # display only; the split itself is exact


@frozen
class DatedValue:
    start: int  # month index from which the value is in force
    value: Any  # int fen | int count | tuple[Tier, ...] | SplitRule
    source: Source
    assumption: str = ""

    @property
    def start_label(self) -> str:
        return month_label(self.start)


@frozen
class Standard:
    path: str
    kind: Kind
    label: str
    unit: str
    values: tuple[DatedValue, ...] = field(converter=lambda vs: tuple(sorted(vs, key=lambda v: v.start)))
    tier_on: str = ""
    label_en: str = ""  # what --lang en shows; a standard read as a component (a layer) needs one

    def at(self, month: int) -> DatedValue | None:
        """The value in force in ``month`` (a month index), or None before the first."""
        current = None
        for v in self.values:
            if v.start <= month:
                current = v
        return current

    def at_or_first(self, month: int) -> DatedValue:
        """The value in force, or the first one for months before it (conditions and splits
        of a programme that had not started yet; its amounts are zero then)."""
        return self.at(month) or self.values[0]

    def starts(self) -> list[int]:
        return [v.start for v in self.values]

    def with_value(self, value: DatedValue) -> Standard:
        """A copy with ``value`` in force from its start (replacing one of the same start)."""
        kept = [v for v in self.values if v.start != value.start]
        return evolve(self, values=(*kept, value))


def tier_lookup(tiers: tuple[Tier, ...], counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Amount (fen) and tier index for each count; index -1 and 0 fen below the first tier."""
    mins = np.array([t.min for t in tiers], dtype=np.int64)
    amounts = np.array([t.amount for t in tiers] + [0], dtype=np.int64)
    idx = np.searchsorted(mins, np.asarray(counts, dtype=np.int64), side="right") - 1
    return amounts[idx], idx  # idx -1 picks the trailing 0


# ---------- data-file models (pydantic, at the edge) ----------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SourceModel(_Strict):
    doc: str
    title: str = ""
    via: str = ""
    quote: str = ""


class TierModel(_Strict):
    min: int = Field(ge=0)
    amount: str | int


class ValueModel(_Strict):
    from_: str = Field(alias="from")
    line: int | None = None  # where a file reader knows it: the value's line, for messages
    source: str
    assumption: str = ""
    amount: str | int | None = None
    value: int | None = None
    ratio: str | int | float | None = None  # "10%", "0.1": a ratio's value (a float is refused by parse_ratio: not exact)
    tiers: list[TierModel] | None = None
    rule: Literal["ratio", "fixed_per_capita", "fixed_total"] | None = None
    shares: dict[str, int] | None = None
    level: str | None = None
    remainder: str | None = None


class StandardModel(_Strict):
    kind: Kind
    label: str = ""
    label_en: str = ""
    unit: str = ""
    tier_on: str = ""
    values: list[ValueModel]

    @model_validator(mode="after")
    def _values_fit_kind(self) -> StandardModel:
        if not self.values:  # a standard in force from no date: nothing to compute with
            raise ValueError("标准没有任何取值，values 不能为空 (values must not be empty)")
        starts: dict[int, str] = {}  # which of two values from one month applies is not ours to guess
        for v in self.values:
            try:
                month = parse_month(v.from_)
            except DateError:
                continue  # an unreadable start is named when the value is converted
            if month in starts:
                raise ValueError(f"同一起始月份有两个取值，重复：{starts[month]} 与 {v.from_} (two values from the same month)")
            starts[month] = v.from_
        need = {"money": "amount", "number": "value", "tiers": "tiers", "split": "rule", "ratio": "ratio"}[self.kind]
        for i, v in enumerate(self.values):
            if getattr(v, need) is None:
                raise ValueError(f"values[{i}] needs '{need}' for a {self.kind} standard")
        return self


def _convert_value(path: str, kind: str, v: ValueModel, sources: Mapping[str, Source], origin: str = "") -> DatedValue:
    where = f"{path} from {v.from_}"
    if origin:
        where = f"{origin}:{v.line}: {where}" if v.line else f"{origin}: {where}"
    if v.source not in sources:
        raise StandardsError(f"{where}: 未知来源 '{v.source}'，请在 [sources] 中说明 "
                             f"(unknown source '{v.source}'; known: {', '.join(sorted(sources))})")
    try:
        start = parse_month(v.from_)
        if kind == "money":
            value: Any = _money(where, v.amount)
        elif kind == "number":
            value = _bounded(where, "value", v.value, MAX_NUMBER)
        elif kind == "ratio":
            value = parse_ratio(v.ratio)
        elif kind == "tiers":
            tiers = tuple(Tier(_bounded(where, "min", t.min, MAX_TIER_MIN), _money(where, t.amount))
                          for t in v.tiers or [])
            if [t.min for t in tiers] != sorted({t.min for t in tiers}):
                raise StandardsError(f"{where}: 分档起点应严格递增 (tier minimums must strictly increase): "
                                     f"{[t.min for t in tiers]}")
            value = tiers
        else:
            value = _split_rule(where, v)
    except (DateError, MoneyError) as exc:
        raise StandardsError(f"{where}: {exc}") from None
    return DatedValue(start, value, sources[v.source], v.assumption)


def _money(where: str, amount: str | int | None, limit: int = MAX_AMOUNT_FEN) -> int:
    """An amount in fen within 0..limit (limits.py: what int64 fen can carry); negative money
    is no standard."""
    fen = yuan_to_fen(amount)  # type: ignore[arg-type]
    if fen < 0:
        raise StandardsError(f"{where}: 金额不能为负 an amount must not be negative: {amount}")
    if fen > limit:
        raise StandardsError(f"{where}: 金额超出引擎上限 {fen_to_yuan(limit)} 元 "
                             f"(an amount above the engine limit of {fen_to_yuan(limit)} yuan): {amount}")
    return fen


def _bounded(where: str, name: str, value: int | None, limit: int) -> int:
    if value is None or not 0 <= value <= limit:
        raise StandardsError(f"{where}: {name} 应在 0 至 {limit} 之间 ({name} must lie in 0..{limit}): {value}")
    return int(value)


def _split_rule(where: str, v: ValueModel) -> SplitRule:
    def level_ok(name: str | None) -> str:
        if name not in LEVELS:
            raise StandardsError(f"{where}: 未知级次 '{name}'，应为 {', '.join(LEVELS)} 之一 "
                                 f"(unknown level '{name}'; levels: {', '.join(LEVELS)})")
        return name

    if v.rule == "ratio":
        if not v.shares:
            raise StandardsError(f"{where}: 按比例分担需要正的份额 shares (a ratio split needs positive shares)")
        for k, w in v.shares.items():
            if not 0 <= w <= MAX_WEIGHT:
                raise StandardsError(f"{where}: 分担份额应在 0 至 {MAX_WEIGHT} 之间 "
                                     f"(a share must lie in 0..{MAX_WEIGHT}): {k} = {w}")
        if sum(v.shares.values()) <= 0:
            raise StandardsError(f"{where}: 按比例分担的份额之和应大于0 (a ratio split needs positive shares): "
                                 f"{dict(v.shares)}")
        return SplitRule("ratio", tuple((level_ok(k), w) for k, w in v.shares.items()))
    if v.amount is None:
        raise StandardsError(f"{where}: {v.rule} 分担需要金额 amount (a {v.rule} split needs 'amount')")
    # a fixed_total's leftover fen go to one level: without `remainder` it has none to go to
    if v.remainder is None:
        raise StandardsError(f"{where}: {v.rule} 分担需要写明尾差归属级次 remainder "
                             f"(a {v.rule} split needs 'remainder', the level that takes the leftover fen)")
    if v.level is None:
        raise StandardsError(f"{where}: {v.rule} 分担需要写明出资级次 level (a {v.rule} split needs 'level')")
    # a per-capita share is an amount like any other; a fixed total is shared in Python ints
    limit = MAX_TOTAL_FEN if v.rule == "fixed_total" else MAX_AMOUNT_FEN
    return SplitRule(v.rule, level=level_ok(v.level), amount=_money(where, v.amount, limit),
                     remainder=level_ok(v.remainder))


def build_sources(raw: Mapping[str, Any], origin: str) -> dict[str, Source]:
    out = {}
    for key, body in _table(raw, origin, "sources").items():
        try:
            m = SourceModel.model_validate(body)
        except ValidationError as exc:
            raise StandardsError(f"{origin}: 标准文件格式有误 sources.{key}: {_first_error(exc)}") from None
        out[key] = Source(key, m.doc, m.title, m.via, m.quote)
    return out


def build_standards(
    raw: Mapping[str, Any], sources: Mapping[str, Source], origin: str,
    base: Mapping[str, Standard] | None = None, lines: Callable[[str], int | None] | None = None,
) -> dict[str, Standard]:
    """Standards from a ``[standards]`` table; a path already in ``base`` keeps its label and unit
    (and its kind: a policy reads a path as one kind). ``lines`` gives a path's line in the file."""
    out: dict[str, Standard] = {}
    for path, body in _table(raw, origin, "standards").items():
        parent = (base or {}).get(path)
        line = lines(path) if lines else None
        at = f"{origin}:{line}" if line else origin
        body = dict(_table(body, at, f"standards.{path}"))
        if parent is not None and body.get("kind", parent.kind) != parent.kind:
            raise StandardsError(f"{at}: standards.{path} 是 {parent.kind} 标准，不能改为 {body['kind']} "
                                 f"(the standard is {parent.kind}; a file cannot change it to {body['kind']})")
        if parent is not None:
            body.setdefault("kind", parent.kind)
            body.setdefault("label", parent.label)
            body.setdefault("label_en", parent.label_en)
            body.setdefault("unit", parent.unit)
            body.setdefault("tier_on", parent.tier_on)
        try:
            m = StandardModel.model_validate(body)
        except ValidationError as exc:
            raise StandardsError(f"{at}: 标准文件格式有误 standards.{path}: {_first_error(exc)}") from None
        values = [_convert_value(path, m.kind, v, sources, at) for v in m.values]
        out[path] = Standard(path, m.kind, m.label or path, m.unit, values, m.tier_on, m.label_en)
    return out


def _table(raw: Any, origin: str, name: str) -> Mapping[str, Any]:
    """``raw`` as a table with text keys, or a StandardsError naming it."""
    if not isinstance(raw, Mapping) or not all(isinstance(k, str) for k in raw):
        raise StandardsError(f"{origin}: {name} 应为表 must be a table of names: {str(raw)[:80]!r}")
    return raw


_PYDANTIC_ZH = {"extra_forbidden": "不认识的字段", "missing": "缺少字段", "literal_error": "取值不在允许范围内",
                "string_type": "应为文本", "int_type": "应为整数", "int_parsing": "应为整数", "list_type": "应为列表",
                "dict_type": "应为表", "model_type": "应为表", "greater_than_equal": "数值过小", "value_error": "取值有误"}


def _first_error(exc: ValidationError) -> str:
    """pydantic's first complaint with a Chinese lead (某字段：不认识的字段) before its English."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    zh = _PYDANTIC_ZH.get(err["type"], "格式有误")
    return f"{loc}：{zh} ({loc}: {err['msg']})" if loc else f"{zh} ({err['msg']})"


def year_months(year: int) -> tuple[int, int]:
    """The months of a budget year; a year outside limits.MIN_YEAR..MAX_YEAR is an input error."""
    year = check_year(year)
    return month_index(year, 1), month_index(year + 1, 1)
