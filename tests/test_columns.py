"""Column helpers against plain Python: factorising (lists, large arrays, encoded columns),
first-seen subsets and grouped sums."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from entitlements.columns import Encoded, factorize, first_seen_subset, group_sums

texts = st.lists(st.sampled_from(["", "甲镇", "乙镇", " 甲镇", "P1", "P2", "Ｐ１"]), min_size=0, max_size=60)


def plain(values):
    index = {v: k for k, v in enumerate(dict.fromkeys(values))}
    return [index[v] for v in values], list(index)


@settings(deadline=None)
@given(texts)
def test_factorize_is_first_seen_order(values):
    codes, uniq = factorize(values)
    assert (codes.tolist(), uniq.tolist()) == plain(values)


@settings(deadline=None)  # columns of up to a few hundred thousand rows: time varies with the machine
@given(texts, st.integers(1, 8))
def test_large_and_encoded_columns_factorise_the_same(values, repeat):
    big = np.array(values * repeat * 1000, dtype=object)  # over the polars threshold when long enough
    codes, uniq = factorize(big)
    assert (codes.tolist(), uniq.tolist()) == plain(big.tolist())
    distinct = list(dict.fromkeys(values))[::-1]  # an encoding in another order, with a repeat
    enc = Encoded(np.array([distinct.index(v) for v in values], dtype=np.int64), np.array(distinct, dtype=object))
    codes, uniq = factorize(enc)
    assert (codes.tolist(), uniq.tolist()) == plain(values)


@settings(deadline=None)
@given(texts, st.data())
def test_first_seen_subset_and_group_sums(values, data):
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(values), max_size=len(values))), dtype=bool)
    codes, uniq = factorize(values)
    sub, sub_uniq = first_seen_subset(codes, uniq, mask)
    kept = [v for v, m in zip(values, mask) if m]
    assert (sub.tolist(), sub_uniq.tolist()) == plain(kept)
    amounts = np.arange(len(values), dtype=np.int64) * 7
    (sums,) = group_sums(codes, len(uniq), amounts)
    assert sums.tolist() == [sum(int(a) for a, v in zip(amounts, values) if v == u) for u in uniq]


@settings(deadline=None, max_examples=10)
@given(st.integers(0, 2**32), st.booleans())
def test_large_columns_of_runs_factorise_the_same(seed, recur):
    """Ids all distinct, or a person's rows together (runs): codes come from the runs, unless a
    value comes back later, which the general way must then catch."""
    rnd = random.Random(seed)
    ids = [f"P{i}" for i in range(rnd.randint(60_000, 70_000))]
    rows = [v for v in ids for _ in range(rnd.choice([1, 1, 2, 3]))]
    if recur:
        rows.insert(rnd.randrange(len(rows) + 1), rnd.choice(ids))
    big = np.array(rows, dtype=object)
    codes, uniq = factorize(big)
    expected_codes, expected_uniq = plain(rows)
    assert codes.tolist() == expected_codes and uniq.tolist() == expected_uniq
