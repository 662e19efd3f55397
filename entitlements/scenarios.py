"""What-if scenarios: overrides of standards, splits, conventions and counts.

A scenario file (TOML) names itself and lists overrides:

    name = "某项标准提至4000元"
    description = "从2025年1月起"

    [[set]]
    path = "some.standard"           # any standard path: `entitlements policies ID --paths`
    value = "4000"                   # 元; tiers: [{min = 11, amount = "30"}, ...]; splits: {rule = "ratio", shares = {...}}
    from = "2025-01"                 # in force from this month; earlier months keep the history

    [conventions]
    start = "same_month"

    [[counts]]                       # counts mode only; "+20" adds to the baseline, 132 replaces it
    some_key = "+20"                 # a counts-mode key of the policy
    from = 2026                      # optional: from this budget year on

An override replaces the standard's values from its date on and keeps the history before
it, so "from 2025-07" leaves January to June as they were. A new path (where the policy
allows one: a new layer with its split) needs a ``kind`` unless the value shows it.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from attrs import evolve, frozen
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .dates import DateError, month_label, parse_month
from .limits import MAX_COUNT, MAX_YEAR, MIN_YEAR, whole_number
from .profiles import PolicyData
from .roster import InputError
from .standards import (
    DatedValue, Kind, Source, Standard, StandardsError, ValueModel, _convert_value,
)

CONVENTION_KEYS = ("start", "stop", "rounding", "standard_year")
SCENARIO_SOURCE = "scenario"


class ScenarioError(StandardsError, InputError):
    """A scenario file or --set that cannot be applied; names the line and the fix.

    Overrides are standards, so it is a ``StandardsError``; it stays an ``InputError`` for
    callers that caught it as one."""


# ---------- the file (pydantic, at the edge) ----------


class OverrideModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    path: str
    value: Any
    from_: str | None = Field(None, alias="from")
    kind: Kind | None = None
    label: str | None = None
    unit: str | None = None
    note: str = ""


class CountsModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    from_: int | None = Field(None, alias="from")


class ScenarioModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    name: str
    description: str = ""
    policy: str | None = None
    set: list[OverrideModel] = []
    conventions: dict[str, str] = {}
    counts: list[CountsModel] | CountsModel = []


# ---------- engine values ----------


@frozen
class Override:
    path: str
    value: Any
    start: str | None  # 'YYYY-MM' or None: from the first month computed
    kind: str | None = None
    label: str | None = None
    unit: str | None = None
    note: str = ""
    where: str = ""  # "file.toml:12" or "--set"

    def describe(self) -> str:
        when = f"@{self.start}" if self.start else ""
        return f"{self.path}={_show(self.value)}{when}"


@frozen
class CountChange:
    key: str
    value: int
    relative: bool
    from_year: int | None = None

    def apply(self, counts: dict[str, int], year: int, canonical: Callable[[str], str] = str) -> None:
        """``canonical`` names a key as the policy does (a key and its Chinese alias are one count)."""
        if self.from_year is not None and year < self.from_year:
            return
        key = canonical(self.key)
        counts[key] = (counts.get(key, 0) + self.value) if self.relative else self.value
        if counts[key] < 0:
            raise ScenarioError(f"计数不能为负 count below zero: {self.key}={counts[key]} ({year})")
        if counts[key] > MAX_COUNT:
            raise ScenarioError(f"计数超出引擎上限 {MAX_COUNT} (a count above the engine limit of {MAX_COUNT}): "
                                f"{self.key}={counts[key]} ({year})")


def _refuse_repeats(overrides: Sequence[Override]) -> None:
    """Two overrides of one path from one month: which applies is not ours to guess (the
    later silently winning would compute a scenario nobody wrote)."""
    first: dict[tuple[str, object], Override] = {}
    for o in overrides:
        try:
            key = (o.path, parse_month(o.start) if o.start else None)
        except DateError:
            continue  # an unreadable month is refused where the override is applied, naming it
        if key in first:
            when = f"自{o.start}起" if o.start else ""
            raise ScenarioError(f"{o.where}: {o.path} {when}重复设置了两次（另见 {first[key].where}），只能给一次 "
                                f"({o.path} is overridden twice from the same month; see also {first[key].where})")
        first[key] = o


@frozen
class Scenario:
    name: str
    description: str = ""
    overrides: tuple[Override, ...] = ()
    conventions: Mapping[str, str] = {}
    counts: tuple[CountChange, ...] = ()
    policy: str | None = None
    origin: str = ""

    # ---- building ----

    @classmethod
    def from_file(cls, path: str | Path) -> Scenario:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")  # Notepad saves UTF-8 with a BOM
        except OSError as exc:
            raise ScenarioError(f"无法读取情景文件 cannot read scenario file {path}: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise ScenarioError(f"{path}: 情景文件应为 UTF-8 编码 a scenario file must be UTF-8 text "
                                f"(byte {exc.start}: {exc.reason})") from None
        except ValueError as exc:  # a path with a NUL character
            raise ScenarioError(f"无法读取情景文件 cannot read scenario file {path!r}: {exc}") from None
        return cls.from_toml(text, str(path))

    @classmethod
    def from_toml(cls, text: str, origin: str = "scenario") -> Scenario:
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(f"{origin}: TOML 格式错误 syntax error: {exc}") from None
        try:
            m = ScenarioModel.model_validate(raw)
        except ValidationError as exc:
            raise ScenarioError(_explain_validation(exc, text, origin)) from None
        overrides = []
        for k, o in enumerate(m.set):
            line = _line_of(text, ("set", k, "path"))
            overrides.append(Override(o.path.strip(), o.value, o.from_, o.kind, o.label, o.unit, o.note,
                                      f"{origin}:{line}" if line else origin))
        for key in m.conventions:
            if key not in CONVENTION_KEYS:
                line = _line_of(text, ("conventions", key))
                raise ScenarioError(f"{origin}:{line}: 未知口径 unknown convention '{key}'"
                                    + _suggest(key, CONVENTION_KEYS))
        blocks = m.counts if isinstance(m.counts, list) else [m.counts]
        counts = []
        for block in blocks:
            if block.from_ is not None and not MIN_YEAR <= block.from_ <= MAX_YEAR:
                line = _line_of(text, ("counts", "from"))
                raise ScenarioError(f"{origin}:{line}: 年度应在{MIN_YEAR}至{MAX_YEAR}年之间 "
                                    f"(from must lie in {MIN_YEAR}–{MAX_YEAR}): {block.from_}")
            for key, value in (block.model_extra or {}).items():
                counts.append(_count_change(key, value, block.from_, origin, _line_of(text, ("counts", key))))
        _refuse_repeats(overrides)
        return cls(m.name, m.description, tuple(overrides), dict(m.conventions), tuple(counts), m.policy, origin)

    @classmethod
    def from_sets(cls, sets: Iterable[str], name: str = "--set") -> Scenario:
        """``PATH=VALUE[@YYYY-MM]``; VALUE is TOML (``4000``, ``"4000"``, ``{rule = "ratio", ...}``)
        or plain text; ``conventions.start=same_month``; ``counts.<key>=+20``."""
        overrides, conventions, counts = [], {}, []
        for item in sets:
            if not isinstance(item, str):
                raise ScenarioError(f"--set 应写作 PATH=VALUE[@YYYY-MM] (expected PATH=VALUE[@DATE]): {item!r}")
            path, sep, rest = item.partition("=")
            if not sep or not path.strip():
                raise ScenarioError(f"--set 应写作 PATH=VALUE[@YYYY-MM] (expected PATH=VALUE[@DATE]): {item!r}")
            path = path.strip()
            start = None
            if m := re.search(r"@(\d{4}(?:[-./]\d{1,2})?)$", rest.strip()):
                start, rest = m.group(1), rest.strip()[: m.start()]
            value = _parse_inline(rest.strip())
            if path.startswith("conventions."):
                if path.removeprefix("conventions.") in conventions:
                    raise ScenarioError(f"--set {path} 给了两次，只能给一次 (--set {path} is given twice)")
                conventions[path.removeprefix("conventions.")] = str(value)
            elif path.startswith("counts."):
                counts.append(_count_change(path.removeprefix("counts."), rest.strip(), None, "--set", None))
            else:
                overrides.append(Override(path, value, start, where="--set"))
        for key in conventions:
            if key not in CONVENTION_KEYS:
                raise ScenarioError(f"--set: 未知口径 unknown convention '{key}'" + _suggest(key, CONVENTION_KEYS))
        _refuse_repeats(overrides)
        return cls(name, "", tuple(overrides), conventions, tuple(counts), None, "--set")

    @classmethod
    def from_mapping(cls, overrides: Mapping[str, Any], name: str = "overrides") -> Scenario:
        """For scripts: ``{"<path>": "4000"}`` or ``{"<path>": ("4000", "2025-07")}``;
        ``conventions.start`` and ``counts.<key>`` (``"+20"``) as in --set."""
        items = []
        for path, value in overrides.items():
            if not isinstance(path, str):
                raise ScenarioError(f"{name}: 路径应为文本 a path is a text like 'a.standard': {path!r}")
            if isinstance(value, tuple):
                if len(value) != 2:
                    raise ScenarioError(f"{name}: {path}: 应写作 (值, \"YYYY-MM\") write (value, \"YYYY-MM\"): {value!r}")
                value, start = value
            else:
                start = None
            if path.startswith(("conventions.", "counts.")):
                items.append(f"{path}={value}")
            else:
                items.append(Override(path, value, start, where=name))
        sets = cls.from_sets([i for i in items if isinstance(i, str)], name)
        return evolve(sets, overrides=tuple(i for i in items if isinstance(i, Override)), origin=name)

    # ---- applying ----

    def apply(self, data: PolicyData, first_month: int, policy: Any = None) -> PolicyData:
        """``policy`` says which new paths may be added (``may_add``); none without it."""
        """``data`` with every override in force; ``first_month`` dates an override that gives no date."""
        if self.policy and self.policy != data.policy_id:
            raise ScenarioError(f"{self.origin}: 情景适用于 {self.policy}，不是 {data.policy_id} "
                                f"(the scenario is for {self.policy}, not {data.policy_id})")
        source = Source(SCENARIO_SOURCE, f"情景：{self.name}", via=self.origin)
        changed: dict[str, Standard] = {}
        for o in self.overrides:
            current = changed.get(o.path) or data.standards.get(o.path)
            changed[o.path] = apply_override(o, current, data, first_month, source, policy)
        if self.conventions:
            try:
                data = data.overlay({"conventions": dict(self.conventions)}, self.origin)
            except StandardsError as exc:
                raise ScenarioError(str(exc)) from None
        data = data.with_standards(changed)
        _refuse_shadowed_splits(self.overrides, data, first_month, policy)
        return data

    def counts_for(self, baseline: Mapping[str, int], year: int,
                   canonical: Callable[[str], str] = str) -> dict[str, int]:
        """The counts of ``year``: the baseline, then each change (keys as ``canonical`` names them)."""
        counts: dict[str, int] = {}
        for key, value in baseline.items():
            counts[canonical(key)] = counts.get(canonical(key), 0) + value
        for change in self.counts:
            change.apply(counts, year, canonical)
        return counts


def _refuse_shadowed_splits(overrides: Sequence[Override], data: PolicyData, first_month: int, policy: Any) -> None:
    """A component's own split that the profile's total split (``splits.total``) replaces has no
    effect: setting it would leave the what-if unchanged without a word, so it is refused."""
    from .lines import covered
    from .policy import TOTAL_SPLIT

    total, resolved = data.standards.get(TOTAL_SPLIT), getattr(policy, "resolved", None)
    if total is None or resolved is None:
        return
    by_split = {c.split_path: c for c in resolved(data)}
    for o in overrides:
        component = by_split.get(o.path)
        rule = total.at(parse_month(o.start) if o.start else first_month) if component else None
        if rule is not None and covered(component, rule):
            raise ScenarioError(
                f"{o.where or o.path}: {o.path} 不起作用：{data.profile.name} 自{rule.start_label}起按合计分担 "
                f"{TOTAL_SPLIT} 分担本项；请改设 {TOTAL_SPLIT} ({o.path} has no effect: the profile splits "
                f"the programme's total by {TOTAL_SPLIT} from {rule.start_label}; set that instead)")


def apply_override(o: Override, current: Standard | None, data: PolicyData, first_month: int,
                   source: Source, policy: Any = None) -> Standard:
    where = o.where or o.path
    if current is None and not (policy is not None and policy.may_add(o.path)):
        raise ScenarioError(f"{where}: 没有这个标准 no standard '{o.path}' in {data.policy_id}"
                            + _suggest(o.path, list(data.standards))
                            + ("；可新增 new paths: " + ", ".join(policy.addable()) if policy is not None else ""))
    kind = o.kind or (current.kind if current else _infer_kind(o.value))
    if current is not None and kind != current.kind:
        raise ScenarioError(f"{where}: {o.path} 是 {current.kind} 标准，不能设为 {kind} "
                            f"(the standard is {current.kind}, not {kind})")
    # a new path: splits live under "splits." (and only splits), amounts elsewhere
    if current is None and (kind == "split") != o.path.startswith("splits."):
        raise ScenarioError(f"{where}: {o.path}: 分担只能设在 splits. 之下，金额与分档不能 "
                            f"(a split belongs under 'splits.', an amount or tiers do not): {kind}")
    if current is None and kind == "number":
        raise ScenarioError(f"{where}: {o.path}: 不能新增条件数值 a new path cannot be a number")
    try:
        start = parse_month(o.start) if o.start else first_month
    except DateError as exc:
        raise ScenarioError(f"{where}: {exc.zh} ({exc.en})") from None
    body: dict[str, Any] = {"from": month_label(start), "source": SCENARIO_SOURCE, "assumption": o.note}
    value = o.value
    try:
        if kind == "money":
            body["amount"] = _money_text(value)
        elif kind == "number":
            body["value"] = _whole(value)
        elif kind == "ratio":  # "12%" or "0.12" as text; a float is refused when converted (not exact)
            # a bare 0.6 typed in --set stays ambiguous for a ratio (60%? 0.6%?): refused as a float is
            body["ratio"] = float(value) if isinstance(value, BareDecimal) else value
        elif kind == "tiers":
            if not isinstance(value, list):
                raise ScenarioError(f"{where}: {o.path} 是分档标准，应写作 is a tier table, write it as "
                                    '[{min = 11, amount = "18"}, {min = 16, amount = "23"}]')
            body["tiers"] = value
        else:
            if not isinstance(value, Mapping):
                raise ScenarioError(f"{where}: 分担应写作 a split is a table like "
                                    '{rule = "ratio", shares = {province = 5, prefecture = 3, county = 2}}')
            body.update({k: (_money_text(v) if k == "amount" else v) for k, v in value.items()})
        model = ValueModel.model_validate(body)
        new = _convert_value(o.path, kind, model, {SCENARIO_SOURCE: source})
    except ScenarioError:
        raise
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ScenarioError(f"{where}: {o.path}: {'.'.join(map(str, err['loc']))}: {err['msg']}") from None
    except StandardsError as exc:  # it names the path
        raise ScenarioError(f"{where}: {exc}") from None
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise ScenarioError(f"{where}: {o.path}: {exc}") from None
    kept: tuple[DatedValue, ...] = tuple(v for v in current.values if v.start < start) if current else ()
    if current is None:
        return Standard(o.path, kind, o.label or o.path, o.unit or "", (*kept, new))
    return evolve(current, values=(*kept, new), label=o.label or current.label, unit=o.unit or current.unit)


def _whole(value: Any) -> int:
    """A number standard's value: a whole number (an int, or a text of one)."""
    number = whole_number(value)
    if number is None:
        raise ValueError(f"应为整数 a whole number is expected: {value!r}")
    return number


def _money_text(value: Any) -> str:
    if isinstance(value, float):
        raise ValueError(f"金额请写成字符串或整数，如 \"12.50\" (write money as a string or integer): {value!r}")
    return str(value)


def _infer_kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "split"
    if isinstance(value, list):
        return "tiers"
    return "money"


class BareDecimal(str):
    """A decimal typed bare in --set (60.00): an amount reads it exactly as written (TOML would make
    it the float 60.0, which money refuses); a ratio refuses it as a float (is 0.6 meant as 60%?)."""


def _parse_inline(text: str) -> Any:
    """TOML, but a bare decimal stays the text it was typed as (BareDecimal)."""
    if re.fullmatch(r"[+-]?[0-9]+\.[0-9]+", text):
        return BareDecimal(text)
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _count_change(key: str, value: Any, from_year: int | None, origin: str, line: int | None) -> CountChange:
    where = f"{origin}:{line}" if line else origin
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"[+-]?[0-9]+", text):
        raise ScenarioError(f"{where}: 计数应为整数或 +N/-N (a count is a number, or +N / -N): {key} = {value!r}")
    if len(text) > 20 or abs(int(text)) > MAX_COUNT:
        raise ScenarioError(f"{where}: 计数超出引擎上限 {MAX_COUNT} (a count above the engine limit of {MAX_COUNT}): "
                            f"{key} = {value!r}")
    return CountChange(key.strip(), int(text), text[0] in "+-", from_year)


def _show(value: Any) -> str:
    """A value as it is written in TOML: 4000, "4000", {rule = "ratio", shares = {county = 1}}."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {_show_inner(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_show_inner(v) for v in value) + "]"
    return str(value)


def _show_inner(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else _show(value)


def _suggest(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=3, cutoff=0.5)
    return f"；是否应为 did you mean: {', '.join(close)}" if close else ""


def _explain_validation(exc: ValidationError, text: str, origin: str) -> str:
    errors = exc.errors()
    # a misspelt key also makes the right one "missing": name the misspelling first
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = tuple(err["loc"])
    line = _line_of(text, loc)
    where = f"{origin}:{line}" if line else origin
    field = str(loc[-1]) if loc else ""
    if err["type"] == "extra_forbidden":
        allowed = {"": ScenarioModel, "set": OverrideModel}.get(str(loc[0]) if len(loc) > 1 else "", ScenarioModel)
        names = [f.alias or n for n, f in allowed.model_fields.items()]
        return f"{where}: 未知的键 unknown key '{field}'" + _suggest(field, names) + f"（可用 allowed: {', '.join(names)}）"
    if err["type"] == "missing":
        return f"{where}: 缺少 missing '{field}'（{'.'.join(map(str, loc))}）"
    return f"{where}: {'.'.join(map(str, loc))}: {err['msg']}"


def _line_of(text: str, loc: tuple) -> int | None:
    """The line (1-based) of a key in the TOML text: ``("set", 2, "path")`` is the key
    ``path`` in the third ``[[set]]`` block; ``("name",)`` a top-level key."""
    lines = text.splitlines()
    start, end = 0, len(lines)
    parts = list(loc)
    if len(parts) >= 2 and isinstance(parts[1], int):  # an array of tables: [[set]] number k
        headers = [i for i, ln in enumerate(lines) if re.match(rf"^\s*\[\[\s*{re.escape(str(parts[0]))}\s*\]\]", ln)]
        if parts[1] < len(headers):
            start = headers[parts[1]]
            following = [i for i, ln in enumerate(lines) if i > start and re.match(r"^\s*\[", ln)]
            end = following[0] if following else len(lines)
        parts = parts[2:]
    elif len(parts) >= 2:  # a table: [conventions] key
        header = next((i for i, ln in enumerate(lines) if re.match(rf"^\s*\[+\s*{re.escape(str(parts[0]))}\s*\]", ln)), None)
        if header is not None:
            start = header
            following = [i for i, ln in enumerate(lines) if i > start and re.match(r"^\s*\[", ln)]
            end = following[0] if following else len(lines)
        parts = parts[1:]
    key = str(parts[0]) if parts else None
    if key is None:
        return start + 1
    for i in range(start, end):
        if re.match(rf"^\s*\"?{re.escape(key)}\"?\s*=", lines[i]):
            return i + 1
    return start + 1 if start else None
