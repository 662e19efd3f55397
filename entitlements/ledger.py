"""The totals of a run: exact fen by component × funding level × unit, and beneficiaries
paid per unit.

Every total an output shows (calc's JSON, the batch path, whatif, the budget table, the
sheets' totals rows, the terminal table) is a view of this one table, so no two of them
can disagree. Ledgers add: the ledger of a roster is the sum of the ledgers of any split of
its beneficiaries into parts, so a batch run is the sum of its batches (and a distributed
run would sum its workers' ledgers the same way).

Cells are int64 fen. A run's lines are checked to hold at most limits.MAX_TOTAL_FEN in
absolute value (calculator._check_total), so the table built from them cannot wrap; a sum
of two ledgers is at most twice that (far below 2^63) and is checked again, so every view
of a ledger (any partial sum of its cells) is exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .columns import factorize, group_sums
from .limits import abs_sum, check_total
from .standards import LEVELS

if TYPE_CHECKING:
    from .policy import Computation

SHOWN_LEVELS = ("province", "prefecture", "county")  # township only when it pays


class Ledger:
    """Fen per (component, level, unit) and beneficiaries paid per unit; immutable."""

    __slots__ = ("components", "units", "fen", "paid")

    def __init__(self, components: Sequence[str], units: Sequence[str], fen: np.ndarray, paid: np.ndarray):
        self.components = tuple(components)
        self.units = tuple(units)
        self.fen = np.asarray(fen, dtype=np.int64).reshape(len(self.components), len(LEVELS), len(self.units))
        self.paid = np.asarray(paid, dtype=np.int64).reshape(len(self.units))
        self.fen.flags.writeable = False
        self.paid.flags.writeable = False

    # ---- building ----

    @classmethod
    def of(cls, comp: Computation, keep: np.ndarray | None = None, amounts: np.ndarray | None = None) -> Ledger:
        """The ledger of a computation's beneficiaries (those in the mask ``keep``, if given).
        ``amounts`` is comp.amounts() when the caller has it already."""
        who = comp.who
        if keep is not None and keep.all():
            keep = None  # the whole: no copies
        units = who.units if keep is None else who.units[keep]
        codes, names = factorize(units)
        labels = [str(u) for u in names]
        if len(set(labels)) < len(labels):  # two values with one text (None and "None"): one unit
            codes, uniq = factorize(np.asarray(labels, dtype=object)[codes])
            labels = [str(u) for u in uniq]
        k = len(labels)
        components = list(comp.lines)
        fen = np.zeros((len(components), len(LEVELS), k), dtype=np.int64)
        for c, parts in enumerate(comp.lines.values()):
            for lv, part in parts.items():
                (fen[c, LEVELS.index(lv)],) = group_sums(codes, k, part if keep is None else part[keep])
        if amounts is None:
            amounts = comp.amounts()
        counts = comp.counts()
        if keep is not None:
            amounts, counts = amounts[keep], counts[keep]
        (paid,) = group_sums(codes, k, np.where(amounts > 0, counts, 0))  # paid: more than zero
        return cls(components, labels, fen, paid)

    @classmethod
    def empty(cls) -> Ledger:
        return cls((), (), np.zeros((0, len(LEVELS), 0), dtype=np.int64), np.zeros(0, dtype=np.int64))

    def __add__(self, other: Ledger) -> Ledger:
        if not isinstance(other, Ledger):
            return NotImplemented
        components, units, a, b = _aligned(self, other)
        fen = a[0] + b[0]  # each side's cells sum to at most MAX_TOTAL_FEN in absolute value: no wrap
        check_total(abs_sum(fen))  # and so must the sum, or a later merge could wrap
        return Ledger(components, units, fen, a[1] + b[1])

    def __radd__(self, other: object) -> Ledger:
        if isinstance(other, int) and other == 0:  # sum(ledgers) starts from 0
            return self
        return NotImplemented

    def minus(self, base: Ledger) -> Ledger:
        """This ledger less ``base`` (a scenario against its baseline): signed fen and counts,
        in ``base``'s order of components and units, then this one's new ones. Each side is
        within MAX_TOTAL_FEN, so a difference is within twice that: no wrap."""
        components, units, b, a = _aligned(base, self)
        return Ledger(components, units, a[0] - b[0], a[1] - b[1])

    # ---- views: every one a sum over the one table ----

    @property
    def amount(self) -> int:
        return int(self.fen.sum())

    @property
    def by_level(self) -> dict[str, int]:
        sums = self.fen.sum(axis=(0, 2))
        return {lv: int(sums[j]) for j, lv in enumerate(LEVELS)}

    @property
    def by_component(self) -> dict[str, int]:
        sums = self.fen.sum(axis=(1, 2))
        return {c: int(sums[i]) for i, c in enumerate(self.components)}

    @property
    def by_unit(self) -> dict[str, int]:
        sums = self.fen.sum(axis=(0, 1))
        return {u: int(sums[k]) for k, u in enumerate(self.units)}

    @property
    def beneficiaries(self) -> int:
        return int(self.paid.sum())

    def component_levels(self) -> dict[str, dict[str, int]]:
        """Per component, fen per level."""
        sums = self.fen.sum(axis=2)
        return {c: {lv: int(sums[i, j]) for j, lv in enumerate(LEVELS)} for i, c in enumerate(self.components)}

    def unit_levels(self) -> dict[str, dict[str, int]]:
        """Per unit, fen per level."""
        sums = self.fen.sum(axis=0)
        return {u: {lv: int(sums[j, k]) for j, lv in enumerate(LEVELS)} for k, u in enumerate(self.units)}

    def paid_by_unit(self) -> dict[str, int]:
        return {u: int(self.paid[k]) for k, u in enumerate(self.units)}

    def levels_used(self) -> list[str]:
        """The levels that hold money."""
        return [LEVELS[j] for j in np.flatnonzero(self.fen.any(axis=(0, 2)))]

    def levels_shown(self) -> list[str]:
        """The usual three levels, and any other that holds money."""
        return shown_levels([self])

    def unit(self, unit: str) -> Ledger:
        """The ledger of one unit."""
        k = self.units.index(unit)
        return Ledger(self.components, (unit,), self.fen[:, :, k:k + 1], self.paid[k:k + 1])

    def restricted(self, components: Iterable[str]) -> Ledger:
        """The ledger of some components only (a budget row "of which")."""
        pick = [self.components.index(c) for c in components]
        return Ledger([self.components[i] for i in pick], self.units, self.fen[pick], self.paid)

    # ---- value semantics ----

    def __eq__(self, other: object) -> bool:
        """Equal tables, whatever the order of components and units."""
        if not isinstance(other, Ledger):
            return NotImplemented
        if set(self.components) != set(other.components) or set(self.units) != set(other.units):
            return False
        _, _, a, b = _aligned(self, other)
        return bool((a[0] == b[0]).all() and (a[1] == b[1]).all())

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"Ledger(amount={self.amount}, by_component={self.by_component}, by_level={self.by_level}, "
                f"units={len(self.units)}, beneficiaries={self.beneficiaries})")


def shown_levels(ledgers: Iterable[Ledger]) -> list[str]:
    """Levels shown for ledgers presented together: the usual three, and any other that holds
    money in one of them."""
    used = {lv for led in ledgers for lv in led.levels_used()}
    return [lv for lv in LEVELS if lv in SHOWN_LEVELS or lv in used]


def merge(ledgers: Iterable[Ledger]) -> Ledger:
    """The sum of ledgers (the empty ledger for none)."""
    return sum(ledgers, Ledger.empty())


def _aligned(first: Ledger, second: Ledger) -> tuple[tuple[str, ...], tuple[str, ...], tuple, tuple]:
    """Both ledgers over the union of components and units (first's order, then second's new
    ones): (components, units, (fen, paid) of first, (fen, paid) of second)."""
    components = tuple(dict.fromkeys(first.components + second.components))
    units = tuple(dict.fromkeys(first.units + second.units))
    c_at = {c: i for i, c in enumerate(components)}
    u_at = {u: k for k, u in enumerate(units)}
    out = []
    for led in (first, second):
        fen = np.zeros((len(components), len(LEVELS), len(units)), dtype=np.int64)
        paid = np.zeros(len(units), dtype=np.int64)
        ci = np.array([c_at[c] for c in led.components], dtype=np.intp)
        ui = np.array([u_at[u] for u in led.units], dtype=np.intp)
        fen[np.ix_(ci, np.arange(len(LEVELS)), ui)] = led.fen
        paid[ui] = led.paid
        out.append((fen, paid))
    return components, units, out[0], out[1]
