"""The vectorised ratio split against a slow, readable reference: exact fractions, line by line.

The kernel (money.split_by_weights) takes shortcuts for speed: a table of remainders for
small weight totals, one level paying all, level-major arrays, chunks. Each must give the
reference's parts to the fen: largest remainder, ties to the last listed level, for any
int64 line (divide before multiply) and zero weights.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entitlements import money
from entitlements.limits import MAX_WEIGHT
from entitlements.money import split_by_weights

INT64 = (-(2**63), 2**63 - 1)


def reference_split(amount: int, weights: list[int]) -> list[int]:
    """Each level's exact share amount × w / total, floored; the fen left over go one each to
    the largest fractional parts, the later level first among equal ones."""
    total = sum(weights)
    if total == 0:
        assert amount == 0
        return [0] * len(weights)
    exact = [Fraction(amount * w, total) for w in weights]
    parts = [math.floor(e) for e in exact]
    leftover = amount - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (exact[i] - parts[i], i), reverse=True)
    for i in by_remainder[:leftover]:
        parts[i] += 1
    return parts


line = st.one_of(
    st.integers(-10**4, 10**4),
    st.integers(*INT64),  # huge lines: the product line × weight would pass int64
    st.sampled_from([INT64[0], INT64[0] + 1, INT64[1], INT64[1] - 1, 0, 1, -1]),
)
weight = st.one_of(st.integers(0, 3), st.integers(0, MAX_WEIGHT), st.sampled_from([0, MAX_WEIGHT, 1, 2047, 2048]))
weights_row = st.lists(weight, min_size=1, max_size=4).filter(lambda w: sum(w) > 0)


def check(amounts: list[int], weights, got: np.ndarray, k: int | None = None) -> None:
    """``weights``: one row for all, or (with ``k``) a row per amount."""
    rows = [weights] * len(amounts) if k is None else weights
    want = [reference_split(a, list(w)) for a, w in zip(amounts, rows)]
    assert got.dtype == np.int64 and got.shape == (len(amounts), len(weights) if k is None else k)
    assert got.tolist() == want


@settings(max_examples=400, deadline=None)
@given(st.lists(line, max_size=30), weights_row)
def test_one_row_of_weights_matches_the_fraction_reference(amounts, weights):
    check(amounts, weights, split_by_weights(np.array(amounts, dtype=np.int64), weights))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(line, weights_row), max_size=30), st.integers(1, 4))
def test_a_row_of_weights_per_line_matches_the_fraction_reference(pairs, k):
    pairs = [(a, (w * k)[:k]) for a, w in pairs]
    pairs = [(a if sum(w) else 0, w) for a, w in pairs]  # a row of zero weights carries a zero amount
    amounts = [a for a, _ in pairs]
    weights = np.array([w for _, w in pairs], dtype=np.int64).reshape(len(pairs), k)
    check(amounts, weights.tolist(), split_by_weights(np.array(amounts, dtype=np.int64), weights), k)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-10**6, 10**6), min_size=1, max_size=40),
       st.lists(st.integers(0, 5000), min_size=2, max_size=4).filter(lambda w: sum(w) > 0), st.integers(1, 7))
def test_chunks_and_the_table_limit_change_nothing(amounts, weights, chunk):
    """Around the table limit (a weight total of 4096) and in chunks of any size, the same parts."""
    a = np.array(amounts, dtype=np.int64)
    want = split_by_weights(a, weights)
    check(amounts, weights, want)
    old_chunk, old_table = money.SPLIT_CHUNK, money.SPLIT_TABLE_MAX
    try:
        money.SPLIT_CHUNK, money.SPLIT_TABLE_MAX = chunk, 0  # no table: every remainder ranked
        assert split_by_weights(a, weights).tolist() == want.tolist()
        assert split_by_weights(a, np.tile(weights, (len(a), 1))).tolist() == want.tolist()
    finally:
        money.SPLIT_CHUNK, money.SPLIT_TABLE_MAX = old_chunk, old_table


def test_ties_go_to_the_last_listed_level():
    assert split_by_weights(np.array([1, 3, -1]), [1, 1]).tolist() == [[0, 1], [1, 2], [-1, 0]]
    assert split_by_weights(np.array([2]), [1, 1, 1]).tolist() == [[0, 1, 1]]
    assert split_by_weights(np.array([2]), np.array([[1, 1, 1]])).tolist() == [[0, 1, 1]]


def test_zero_weights_carry_only_zero_amounts():
    assert split_by_weights(np.array([0, 0]), [0, 0]).tolist() == [[0, 0], [0, 0]]
    assert split_by_weights(np.array([5, 0]), np.array([[0, 2], [0, 0]])).tolist() == [[0, 5], [0, 0]]
    with pytest.raises(ValueError, match="all zero"):
        split_by_weights(np.array([0, 1]), [0, 0])
    with pytest.raises(ValueError, match="all zero"):
        split_by_weights(np.array([1]), np.array([[0, 0]]))
    with pytest.raises(ValueError, match="non-negative"):
        split_by_weights(np.array([1]), [2, -1])
