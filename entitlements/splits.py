"""Funding splits (分担): divide line items between levels, exactly to the fen."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .money import apportion, div_round_half_up, split_by_weights
from .standards import SplitRule

MONTHS_PER_YEAR = 12  # calendar fact: a per-year rate prorates over 12 months


class SplitNeedsRoster(ValueError):
    """A fixed-total split shares one sum over a whole programme, not a single line."""


def split_lines(
    rule: SplitRule,
    amounts: np.ndarray,
    paid_months: np.ndarray | None = None,
    tie_keys: np.ndarray | Callable[[], np.ndarray] | None = None,
    whole_programme: bool = True,
) -> dict[str, np.ndarray]:
    """Per-level parts of each line; the parts of a line always add up to it.

    ``tie_keys`` (or a function giving them, since ranking ids costs a sort) orders equal
    remainders of a fixed-total split; the other rules do not need them."""
    amounts = np.asarray(amounts, dtype=np.int64)
    if rule.rule == "ratio":
        parts = split_by_weights(amounts, [w for _, w in rule.shares])
        return {level: parts[:, i] for i, (level, _) in enumerate(rule.shares)}
    if rule.rule == "fixed_per_capita":
        if paid_months is None:
            raise ValueError("a fixed per-capita split needs the paid months of each line")
        due = div_round_half_up(rule.amount * np.asarray(paid_months, dtype=np.int64), MONTHS_PER_YEAR)
        fixed = np.minimum(np.where(amounts > 0, due, 0), np.maximum(amounts, 0))
        return _fixed_and_rest(rule, fixed, amounts)
    if not whole_programme:
        raise SplitNeedsRoster(
            "定额分担需按整个项目计算，请使用花名册计算 (a fixed-total split needs the whole roster)"
        )
    fixed = apportion(rule.amount, np.maximum(amounts, 0), tie_keys() if callable(tie_keys) else tie_keys)
    return _fixed_and_rest(rule, fixed, amounts)


def _fixed_and_rest(rule: SplitRule, fixed: np.ndarray, amounts: np.ndarray) -> dict[str, np.ndarray]:
    if rule.level == rule.remainder:
        return {rule.level: amounts.copy()}
    return {rule.level: fixed, rule.remainder: amounts - fixed}
