"""What every policy module provides, and what a computation returns.

A policy reads parsed roster columns into ``Beneficiaries`` (one entry per person or
organisation), then ``compute`` evaluates its formulas over whole columns of integer fen
for a period of months. The one-beneficiary API runs the same ``compute`` on a table of
one, so there is one formula per rule.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

import numpy as np
from attrs import define, field

from .columns import Encoded, factorize_remembered, first_seen_subset, forget_factorized
from .fields import Field
from .profiles import PolicyData
from .roster import ParsedTable
from .standards import LEVELS, Standard

Schedule = Literal["monthly", "annual", "lump_sum"]
TOTAL_SPLIT = "splits.total"  # a profile's split of a programme's total (lines.py honours it for every policy)


@define
class Beneficiaries:
    """Per-beneficiary columns, plus which table rows each one came from."""

    ids: np.ndarray  # object array of str
    names: np.ndarray
    units: np.ndarray | Encoded  # 乡镇（街道）; Encoded from a roster: few distinct over many rows
    columns: dict[str, np.ndarray]
    row_owner: np.ndarray  # per accepted table row: index of its beneficiary (-1 if rejected)
    spans: dict[str, np.ndarray] = field(factory=dict)  # service spans, with "owner"
    counts: np.ndarray | None = None  # beneficiaries an entry stands for (counts mode)
    multiplicity: np.ndarray | None = None  # counts mode: what each entry's lines are multiplied by
    shown_counts: np.ndarray | None = None  # counts mode: how many each entry stands for, as shown
    _tie_keys: np.ndarray | None = field(default=None, init=False, repr=False, eq=False)

    def __len__(self) -> int:
        return len(self.ids)

    def tie_keys(self) -> np.ndarray:
        """Rank of each id: breaks equal remainders of a fixed-total split whatever the row order."""
        if self._tie_keys is None:
            _, rank = np.unique(self.ids.astype(str), return_inverse=True)
            self._tie_keys = -rank.reshape(-1)  # larger key wins: the smallest id first
        return self._tie_keys

    def take(self, index: np.ndarray) -> Beneficiaries:
        """A subset, in the given order (spans follow their owners)."""
        index = np.asarray(index, dtype=np.int64)
        remap = np.full(len(self), -1, dtype=np.int64)
        remap[index] = np.arange(len(index))
        spans = {}
        if self.spans:
            keep = remap[self.spans["owner"]] >= 0
            spans = {k: v[keep] for k, v in self.spans.items()}
            spans["owner"] = remap[spans["owner"]]
        return Beneficiaries(
            self.ids[index], self.names[index], self.units[index],
            {k: v[index] for k, v in self.columns.items()},
            np.where(self.row_owner >= 0, remap[np.maximum(self.row_owner, 0)], -1),
            spans, None if self.counts is None else self.counts[index],
            None if self.multiplicity is None else self.multiplicity[index],
            None if self.shown_counts is None else self.shown_counts[index],
        )


@define
class Computation:
    """Results of one policy over beneficiaries for a period [first, stop) of months."""

    policy: Policy
    data: PolicyData
    first: int
    stop: int
    who: Beneficiaries
    lines: dict[str, dict[str, np.ndarray]]  # component -> level -> fen per beneficiary
    paid_months: np.ndarray | None
    detail: dict[str, Any]  # intermediate columns the explanation reads

    def amount_of(self, i: int) -> int:
        """Beneficiary ``i``'s amount in fen (``amounts()[i]`` without summing everyone's)."""
        return sum(int(part[i]) for by_level in self.lines.values() for part in by_level.values())

    def amounts(self) -> np.ndarray:
        total = np.zeros(len(self.who), dtype=np.int64)
        for by_level in self.lines.values():
            for part in by_level.values():
                total += part
        return total

    def by_component(self) -> dict[str, np.ndarray]:
        n = len(self.who)
        return {c: sum(parts.values(), np.zeros(n, dtype=np.int64)) for c, parts in self.lines.items()}

    def by_level(self) -> dict[str, np.ndarray]:
        n = len(self.who)
        out = {lv: np.zeros(n, dtype=np.int64) for lv in LEVELS}
        for parts in self.lines.values():
            for lv, part in parts.items():
                out[lv] += part
        return out

    def counts(self) -> np.ndarray:
        return np.ones(len(self.who), dtype=np.int64) if self.who.counts is None else self.who.counts

    def reasons(self, i: int, lang: str = "zh") -> list[str]:
        return self.policy.reasons(self, i, lang)


class Policy(ABC):
    """A subsidy programme: its fields, its formulas, its explanation."""

    id: ClassVar[str]
    schedule: ClassVar[Schedule]
    fields: ClassVar[tuple[Field, ...]]
    key_fields: ClassVar[tuple[str, ...]] = ("id",)  # identify a beneficiary, first present wins
    headcount_label: ClassVar[tuple[str, str]] = ("人数（人）", "people")  # the budget table's 人数 column
    open_paths: ClassVar[tuple[str, ...]] = ()  # where a scenario may add a standard (a new layer)

    @abstractmethod
    def components(self, data: PolicyData) -> list[str]: ...

    def component_label(self, data: PolicyData, component: str, lang: str = "zh") -> str:
        return component

    @abstractmethod
    def prepare(self, parsed: ParsedTable, data: PolicyData) -> Beneficiaries:
        """Cross-field checks (adding rejects), then one entry per beneficiary.

        Reads no standards: scenarios and other years reuse what it returns."""

    @abstractmethod
    def compute(self, who: Beneficiaries, data: PolicyData, first: int, stop: int,
                whole_programme: bool = True, **options: Any) -> Computation:
        """Formulas over whole columns for months [first, stop); ``whole_programme`` is
        False when ``who`` is not the whole programme (one beneficiary), which a
        fixed-total split cannot serve."""

    @abstractmethod
    def reasons(self, comp: Computation, i: int, lang: str = "zh") -> list[str]: ...

    @abstractmethod
    def explain(self, comp: Computation, i: int, lang: str = "zh") -> list[str]: ...

    def options(self) -> dict[str, Any]:
        """Typed options a run may be given (name -> rules.Option); none by default."""
        return {}

    def addable(self) -> tuple[str, ...]:
        """Paths a standards file or a scenario may add: the policy's open paths (prefixes: a
        new layer), and ``splits.total`` (exactly: any profile may split a programme's total)."""
        return (*self.open_paths, TOTAL_SPLIT)

    def may_add(self, path: str) -> bool:
        return path == TOTAL_SPLIT or path.startswith(self.open_paths)

    def shown_columns(self, comp: Computation, lang: str = "zh") -> list[tuple[str, str, list[Any]]]:
        """The 分配表's columns that justify each amount (header, kind, values); none by default."""
        return []

    def trace(self, comp: Computation, i: int) -> dict[str, Any]:
        """What was used for beneficiary i, as data; a declared policy records it all."""
        return {"policy": self.id, "id": str(comp.who.ids[i]), "explanation": self.explain(comp, i)}

    def headcounts(self, comp: Computation) -> dict[str, np.ndarray]:
        """Per component, how many each beneficiary counts for in a budget's 人数 column:
        by default the beneficiary itself (times its multiplicity) when the component pays it."""
        counts = comp.counts()
        return {c: np.where(v > 0, counts, 0) for c, v in comp.by_component().items()}

    def splits_in_force(self, data: PolicyData, month: int) -> list[Standard]:
        """The split standards that apply in ``month`` (for a budget's 备注)."""
        return [std for path, std in data.standards.items()
                if std.kind == "split" and path.startswith("splits.") and std.at(month) is not None]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def key_texts(texts: np.ndarray) -> np.ndarray:
    """Text keys as compared: spaces inside taken out, since clerks pad a two-character name to
    line it up (王　五, and NFKC has made the ideographic space a space): it is the same 王五."""
    return np.array(["".join(t.split()) if isinstance(t, str) else t for t in texts], dtype=object)


def keys_for(parsed: ParsedTable, names: Sequence[str]) -> np.ndarray:
    """Beneficiary key per row: the first of ``names`` that is filled in."""
    n = len(parsed.table)
    keys = np.full(n, "", dtype=object)
    for name in reversed(names):
        col = parsed.columns[name]
        if col.kind == "text":  # the texts are the keys (a blank row is masked below)
            texts = key_texts(col.uniq)
        elif col.kind == "id_number":  # the 18-character numbers ("" where unreadable: that row is rejected)
            texts = np.where(np.equal(col.uniq, None), "", col.uniq)
        else:  # one text per distinct value, then per row
            texts = np.empty(len(col.uniq), dtype=object)
            texts[:] = [str(v) for v in col.uniq]
        keys = np.where(col.present, texts[col.inverse], keys)
    return keys


def first_rows(owner: np.ndarray, groups: int) -> np.ndarray:
    """Position of the first accepted row of each beneficiary (rows in table order)."""
    rows = np.flatnonzero(owner >= 0)
    first = np.full(groups, -1, dtype=np.int64)
    if len(rows) == groups:  # one row each: nothing to choose between
        first[owner[rows]] = rows
        return first
    first[owner[rows][::-1]] = rows[::-1]  # later writes win: reversed, the first row wins
    return first


def group_keys(keys: np.ndarray, accepted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys of accepted rows in first-seen order, and each row's group (-1 rejected)."""
    owner = np.full(len(keys), -1, dtype=np.int64)
    if not accepted.any():
        return np.array([], dtype=object), owner
    codes, uniq = factorize_remembered(keys)
    owner[accepted], ids = first_seen_subset(codes, uniq, accepted)
    forget_factorized()  # grouping is the last use: do not hold a province's keys any longer
    return ids, owner


def reject_duplicates(parsed: ParsedTable, keys: np.ndarray, field: str,
                      what: tuple[str, str] = ("编号", "id")) -> None:
    """A beneficiary listed twice: the later rows are rejected, naming the first. The first row
    is the beneficiary's row even when it is itself rejected (a bad cell): a later row is not paid
    in its place, since which of the two the clerk meant is not ours to guess; the reason says to
    fix the first and keep one. ``what`` names the key in the reason (zh, en)."""
    all_codes, uniq = factorize_remembered(keys)
    if len(uniq) == len(keys):  # every key differs: no one is listed twice
        return
    keyed = np.flatnonzero(keys != "")  # a blank key is rejected on its own, and matches nothing
    codes = all_codes[keyed]
    order = np.argsort(codes, kind="stable")
    heads = np.r_[True, codes[order][1:] != codes[order][:-1]] if len(keyed) else np.array([], dtype=bool)
    first = np.empty(len(uniq), dtype=np.int64)
    first[codes[order][heads]] = keyed[order[heads]]  # each key's first row, rejected or not
    for k in np.sort(order[~heads]):
        pos, at = keyed[k], first[codes[k]]
        if parsed.rejected[pos]:
            continue
        row = int(parsed.table.row_numbers[at])
        zh, en = f"{what[0]}重复，与第{row}行相同", f"duplicate {what[1]}, same as row {row}"
        if parsed.rejected[at]:
            zh, en = zh + f"（第{row}行已被拒收：改正后只保留一行）", en + f" (row {row} is rejected: fix it and keep one row)"
        parsed.reject([pos], field, zh, en, keys[pos])


def _first_row_of_key(codes: np.ndarray, rows: np.ndarray, groups: int) -> np.ndarray:
    """Position of the first of ``rows`` of each key code (-1 where none)."""
    first = np.full(groups, -1, dtype=np.int64)
    first[codes[rows][::-1]] = rows[::-1]  # later writes win: reversed, the first row wins
    return first


NAMED = 3  # rows or values a reason names before saying how many there are in all


def _more_zh(count: int, what: str) -> str:
    return f"等共{count}{what}" if count > NAMED else ""


def _more_en(count: int, what: str) -> str:
    return f" and others, {count} {what} in all" if count > NAMED else ""


def reject_conflicting_rows(parsed: ParsedTable, keys: np.ndarray, key_field: str,
                            fields: Sequence[str] = ("name", "id_number")) -> None:
    """The rows of one key (a person's service spans) that name two people: a different
    姓名 or 身份证号 (a blank is no conflict). Which rows belong to whom cannot be known, so
    every live row of that key is rejected, naming the rows and values that disagree;
    merging them would pay one lump sum for two people."""
    codes, uniq = factorize_remembered(keys)
    if len(uniq) == len(keys):  # one row a key: nothing to disagree with
        return
    for name in fields:
        if not parsed.has(name):
            continue
        col = parsed.columns[name]
        if col.kind == "id_number":  # compared as integers (0: blank or unreadable)
            values = col.parts["value"][col.inverse]
            has = values > 0
        else:
            values = col.objects()
            has = col.present & np.not_equal(values, None)
        rows = np.flatnonzero(~parsed.rejected & has)
        first = _first_row_of_key(codes, rows, len(uniq))
        differs = rows[values[rows] != values[first[codes[rows]]]]
        if not len(differs):
            continue
        header = parsed.headers.get(name, name)
        groups: dict[int, list[int]] = {}  # each key in conflict: its live rows, in table order
        for pos in np.flatnonzero(np.isin(codes, np.unique(codes[differs])) & ~parsed.rejected):
            groups.setdefault(int(codes[pos]), []).append(int(pos))
        for k, mine in groups.items():
            seen: dict[str, int] = {}  # each distinct value with the first row that has it
            for pos in mine:
                if has[pos]:
                    seen.setdefault(str(col.uniq[col.inverse[pos]]), int(parsed.table.row_numbers[pos]))
            shown = list(seen.items())[:NAMED]  # a filled-down column must not make each reason a list of thousands
            zh = "；".join(f"第{r}行：{v}" for v, r in shown) + _more_zh(len(seen), "种")
            en = "; ".join(f"row {r}: {v}" for v, r in shown) + _more_en(len(seen), "values")
            parsed.reject(mine, name, f"同一编号（{uniq[k]}）的各行{header}不一致（{zh}），无法确定是否同一人，各行均不计算",
                          f"rows of one id ({uniq[k]}) disagree on {header} ({en}): cannot tell whether they are "
                          f"one person; none of them is computed")


def reject_shared_id_numbers(parsed: ParsedTable, keys: np.ndarray) -> None:
    """One 身份证号 on two beneficiaries (two 编号, or a 编号 and a row known by the number
    itself): one person paid twice, or two people one of whose numbers is wrong. Which 编号
    is right cannot be known, so every live row of each beneficiary involved is rejected,
    naming the first row of each of the others: all of them need a person to look. A row
    rejected for another reason still counts: its number may be the right one."""
    if not parsed.has("id_number"):
        return
    idc = parsed.columns["id_number"]
    value = idc.parts["value"][idc.inverse]  # each row's number as an integer, 0 where unreadable
    live = np.flatnonzero(value > 0)  # every row with a readable number
    if len(live) < 2:
        return
    codes, uniq = factorize_remembered(keys)
    v, kc = value[live], codes[live]
    # by number: a run of one number under two keys has two neighbours with different keys
    order = np.argsort(v)  # any order within a run will do
    vs, ks = v[order], kc[order]
    clash = (vs[1:] == vs[:-1]) & (ks[1:] != ks[:-1])
    if not clash.any():
        return
    involved = np.isin(v, np.unique(vs[1:][clash]))
    # per shared number, the beneficiaries that carry it (first row of each, table order)
    by_number: dict[int, dict[int, int]] = {}
    for pos, n, k in zip(live[involved], v[involved], kc[involved]):
        by_number.setdefault(n, {}).setdefault(int(k), int(pos))
    numbers_of: dict[int, list[int]] = {}  # key code -> the shared numbers it carries
    for n, holders in by_number.items():
        for k in holders:
            numbers_of.setdefault(k, []).append(n)
    said: dict[int, tuple[str, str]] = {}  # key code -> its reason's list of the others, made once

    def others_of(k: int) -> tuple[str, str]:
        # the first NAMED others in table order, and how many there are in all: a number filled
        # down a whole column is shared by thousands, and each row's reason must stay short
        if k not in said:
            numbers = numbers_of[k]
            if len(numbers) == 1:
                count = len(by_number[numbers[0]]) - 1
            else:  # rare: a beneficiary's rows carry two shared numbers; the others counted once
                count = len({o for n in numbers for o in by_number[n]} - {k})
            named: dict[int, int] = {}
            for n in numbers:
                for o, p in by_number[n].items():
                    if len(named) == NAMED:
                        break
                    if o != k:
                        named.setdefault(o, p)
            said[k] = ("、".join(f"第{row_numbers[p]}行（编号{uniq[o]}）" for o, p in named.items()) + _more_zh(count, "个编号"),
                       ", ".join(f"row {row_numbers[p]} (id {uniq[o]})" for o, p in named.items()) + _more_en(count, "ids"))
        return said[k]

    rows_of = np.flatnonzero(np.isin(codes, list(numbers_of)) & ~parsed.rejected)
    row_numbers = parsed.table.row_numbers
    for pos in rows_of:
        zh, en = others_of(int(codes[pos]))
        parsed.reject([pos], "id_number", f"身份证号与{zh}相同，同一人不能重复发放，各行均不计算，请核实",
                      f"same ID number as {en}: one person cannot be paid twice; none of these rows is computed")


def one_per_beneficiary(owner: np.ndarray, groups: int):
    """A function taking a per-row column to a per-beneficiary one (each beneficiary's first
    accepted row); a roster of one row each is taken as it is."""
    first = first_rows(owner, groups)
    same = groups == len(first) == len(owner) and bool((first == np.arange(groups)).all())
    return lambda values: values if same else values[first]
