"""Per-unit grants as data: a programme whose standard is an amount per unit of a type (社区,
行政村, 项目, 现场会 …) per year or per event, declared in its ``standards.toml`` alone:

    [policy]
    kind = "per_unit"
    per = "year"                      # or "event": computed for one whole budget year only
    [[policy.units]]
    key = "community"                 # counts-mode key, component and split (splits.community)
    name = "社区"                      # the 类型 a roster row gives, and the Chinese count key
    aliases = ["社区党组织"]
    standard = "grant.community"      # the money standard paid per unit
    floor = true                      # the text says 不少于: computed at the floor, said in every run

The engine builds a ``DeclaredPolicy`` from it (one component per type, counts keys, a roster
of units: 编号, 名称, 类型, 所属单位); the folder needs no Python. Nothing here names a policy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field as ModelField, ValidationError

from .dates import month_label
from .declared import DeclaredPolicy
from .errors import EntitlementInputError
from .fields import Field
from .people import UNIT_ALIASES
from .policy import Computation
from .profiles import PolicyData
from .roster import ParsedTable
from .rules import Component, Count, Note, standard
from .standards import StandardsError, _first_error, year_months
from .trace import explain_trace, trace_of

NAME_ALIASES = ("单位名称", "项目名称", "组织名称", "党组织名称")
TYPE_ALIASES = ("单位类型", "项目类型", "组织类型", "类别")
ID_ALIASES = ("单位编号", "项目编号", "组织编号")
KEY = re.compile(r"^[a-z][a-z0-9_]*$")


class UnitModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = ModelField(pattern=KEY.pattern)
    name: str = ModelField(min_length=1)
    aliases: list[str] = []
    standard: str = ModelField(min_length=1)
    label: str | None = None  # the component's name; default: the standard's label
    label_en: str | None = None
    floor: bool = False


class PerUnitModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    title: str
    title_en: str | None = None
    root_profile: str
    kind: Literal["per_unit"]
    per: Literal["year", "event"] = "year"
    units: list[UnitModel] = ModelField(min_length=1)
    name_aliases: list[str] = []
    type_aliases: list[str] = []
    headcount_label: list[str] = ModelField(["数量（个）", "units"], min_length=2, max_length=2)
    refused: dict[str, str] = {}  # a 类型 word that names no one type (居委会) -> the reason, what to write


class PerUnitPolicy(DeclaredPolicy):
    """A per-unit programme; its class attributes are set from the data by ``build``."""

    schedule = "annual"
    key_fields = ("id", "name")
    units: tuple[UnitModel, ...] = ()
    per_event = False
    shown = ("unit_type",)  # the 分配表 shows each unit's 类型, which names its standard

    # ---- input ----

    def check_rows(self, parsed: ParsedTable, data: PolicyData) -> None:
        """A 类型 column, where given, names a type on every row (one type: the column may be absent)."""
        if parsed.has("unit_type") and len(self.units) == 1:
            blank = np.flatnonzero(~parsed.columns["unit_type"].present & ~parsed.rejected)
            f = self.field("unit_type")
            parsed.reject(blank, "unit_type", f"必填项为空：{f.header}", f"required value missing: {f.label_en}", "")

    def columns(self, parsed: ParsedTable, data: PolicyData) -> dict[str, np.ndarray]:
        """One 0/1 column per type: the row's type pays its own standard, the others nothing."""
        n = len(parsed.table)
        if not parsed.has("unit_type"):  # a one-type programme's roster without 类型: every row is that type
            return {**{u.key: np.ones(n, dtype=np.int64) for u in self.units},
                    "unit_type": np.full(n, self.units[0].key, dtype=object)}
        codes = parsed.columns["unit_type"].objects()
        # the type itself too, read by no formula: the 分配表 shows it (shown)
        return {**{u.key: (codes == u.key).astype(np.int64) for u in self.units}, "unit_type": codes}

    def columns_template(self) -> dict[str, np.ndarray]:
        return {**{u.key: np.zeros(0, dtype=np.int64) for u in self.units}, "unit_type": np.zeros(0, dtype=object)}

    def field(self, name: str) -> Field:
        for u in self.units:  # a type's 0/1 column, for the trace (it is no roster column)
            if u.key == name:
                return Field(u.key, u.name, "int", u.key)
        return super().field(name)

    # ---- formula ----

    def compute(self, who, data: PolicyData, first: int, stop: int, whole_programme: bool = True,
                **options: Any) -> Computation:
        if self.per_event and (first, stop) != year_months(int(month_label(first)[:4])):
            # an event is paid once: prorating it by months, or paying it in each year, would be wrong
            period = f"{month_label(first)}..{month_label(stop - 1)}"
            raise EntitlementInputError("month", period, f"政策 {self.id} 按次（个）计，只能按一个完整的预算年度计算",
                                        f"policy {self.id} is paid per event: compute one whole budget year")
        comp = super().compute(who, data, first, stop, whole_programme, **options)
        parts = comp.by_component()
        for u in self.units:
            if u.floor and u.key in parts and parts[u.key].any():
                comp.detail["said"].append(floor_notice(self.label_of(u, data)))
        return comp

    def label_of(self, unit: UnitModel, data: PolicyData) -> str:
        return self.component_label(data, unit.key)

    # ---- explanation: a unit's own type only ----

    def trace(self, comp: Computation, i: int) -> dict[str, Any]:
        t = trace_of(self, comp, i)
        mine = {u.key for u in self.units if comp.who.columns[u.key][i]}
        for seg in t["segments"]:
            seg["components"] = [{k: v for k, v in item.items() if k != "per"}  # "× 社区 1" says nothing
                                 for item in seg["components"] if item["component"] in mine]
        t["splits"] = [s for s in t["splits"] if s["path"].removeprefix("splits.") in mine or s["path"] == "splits.total"]
        t["lines"] = [line for line in t["lines"] if line["component"] in mine]
        return t

    def explain(self, comp: Computation, i: int, lang: str = "zh") -> list[str]:
        return explain_trace(self.trace(comp, i), lang)


def floor_notice(label: str) -> tuple[str, str]:
    return (f"{label}的标准是下限（文件写明“不少于”）：按下限计算，实际补助可以高于此数（假设）",
            f"the standard of {label} is a floor (the text says 'at least'): computed at the floor; "
            f"the actual grant may be higher (assumption)")


def build(raw: Mapping[str, Any], origin: str, folder: str) -> PerUnitPolicy:
    """The policy a ``kind = "per_unit"`` standards file declares; a file that cannot make one is
    refused, naming the file and what is wrong."""
    try:
        m = PerUnitModel.model_validate(raw.get("policy"))
    except ValidationError as exc:
        raise StandardsError(f"{origin}: [policy] 有误 {_first_error(exc)}") from None
    if m.id != folder:
        raise StandardsError(f"{origin}: [policy] id '{m.id}' 应与文件夹名 '{folder}' 相同 "
                             f"(the id must be the folder's name)")
    names: dict[str, str] = {}
    for j, u in enumerate(m.units):
        if any(v.key == u.key for v in m.units[:j]):
            raise StandardsError(f"{origin}: 类型 key '{u.key}' 重复 (unit key '{u.key}' given twice)")
        for text in (u.key, u.name, *u.aliases):
            if names.setdefault(text, u.key) != u.key:
                raise StandardsError(f"{origin}: 类型名称“{text}”重复（{names[text]}、{u.key}） "
                                     f"(type name '{text}' given to two units)")
    for text in m.refused:
        if unicodedata.normalize("NFKC", text) in {unicodedata.normalize("NFKC", k) for k in names}:
            raise StandardsError(f"{origin}: 类型名称“{text}”既是某类型的名称又在 refused 中 "
                                 f"(type name '{text}' is both a unit's and refused)")
    _check_paths(m, raw, origin)
    labels = {u.key: (u.label or _table(raw, "standards", u.standard).get("label") or u.name,
                     u.label_en or f"{m.title_en or m.id}: {u.key}") for u in m.units}
    fields = (
        Field("id", "编号", "text", "id", aliases=ID_ALIASES),
        Field("name", "名称", "text", "name", aliases=(*NAME_ALIASES, *m.name_aliases)),
        Field("unit_type", "类型", "choice", "type", aliases=(*TYPE_ALIASES, *m.type_aliases),
              required=len(m.units) > 1, choices=names,
              refused={unicodedata.normalize("NFKC", k): (f"{k}：{why}", f"'{k}' could be more than one type: write the type itself")
                       for k, why in m.refused.items()}),
        Field("unit", "所属单位", "text", "unit", aliases=UNIT_ALIASES, default=""),
    )
    parts = tuple(Component(u.key, labels[u.key], standard(u.standard), per=u.key) for u in m.units)
    counts = tuple(Count(u.key, u.name, tuple(dict.fromkeys((u.name, *u.aliases))), {u.key: 1, "unit_type": u.key})
                   for u in m.units)
    notes = tuple(Note(lambda c, k=u.key: getattr(c, k) > 0, floor_notice(labels[u.key][0])) for u in m.units if u.floor)
    cls = type(f"PerUnit[{m.id}]", (PerUnitPolicy,), {
        "id": m.id, "fields": fields, "parts": parts, "counts": counts, "notes": notes, "units": tuple(m.units),
        "per_event": m.per == "event", "headcount_label": tuple(m.headcount_label), "__module__": __name__})
    return cls()


def _check_paths(m: PerUnitModel, raw: Mapping[str, Any], origin: str) -> None:
    """Each type's standard and its split are in the file (at the top or in a profile section):
    a missing one would otherwise fail only when a run reaches it."""
    given = set(_table(raw, "standards"))
    for section in _table(raw, "profiles").values():
        given |= set(_table(section, "standards")) if isinstance(section, Mapping) else set()
    for u in m.units:
        for path, what in ((u.standard, "标准 standard"), (f"splits.{u.key}", "分担办法 split")):
            if path not in given:
                raise StandardsError(f"{origin}: 类型 {u.key}（{u.name}）的{what} '{path}' 不在 [standards] 中 "
                                     f"(unit '{u.key}' names {path}, which the file does not define)")
        kind = _table(raw, "standards", u.standard).get("kind", "money")
        if kind != "money":
            raise StandardsError(f"{origin}: {u.standard} 应为 money 标准（每个单位的金额），不是 {kind} "
                                 f"(a unit's standard is an amount: kind = \"money\")")


def _table(raw: Any, *keys: str) -> Mapping[str, Any]:
    """``raw[k1][k2]…`` where each is a table, else an empty one (the standards' own checks name a bad table)."""
    for k in keys:
        raw = raw.get(k) if isinstance(raw, Mapping) else None
    return raw if isinstance(raw, Mapping) else {}
