"""Column helpers for rosters of millions of rows: dictionary-encoded text, factorising
keys in first-seen order, and exact integer sums per group (no float, no per-row loop)."""

from __future__ import annotations

import weakref
from collections.abc import Sequence

import numpy as np
from attrs import frozen


@frozen
class Encoded:
    """A text column as codes into its distinct values (dictionary encoding).

    Indexing by a position gives the text; by a mask or positions, another ``Encoded``
    sharing the same values. Millions of rows hold a few thousand distinct dates or units.
    """

    codes: np.ndarray  # per row, an index into ``values``
    values: np.ndarray  # object array of str: distinct, except in a column of (nearly) all-distinct texts

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, index):
        if isinstance(index, (int, np.integer)):
            return self.values[self.codes[index]]
        return Encoded(self.codes[index], self.values)

    def decoded(self) -> np.ndarray:
        return self.values[self.codes]


LARGE = 50_000  # from here, hash-free: polars ranks the strings on all cores


def factorize(values: Sequence[object] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes (int64) and distinct values in first-seen order: equal values, equal codes."""
    if isinstance(values, Encoded):  # factorise the few distinct values, not the rows
        value_codes, uniques = factorize(np.asarray(values.values))
        codes = value_codes[values.codes]
        first = _first_positions(codes, len(uniques))
        present = np.flatnonzero(first < len(codes))
        by_first = present[np.argsort(first[present], kind="stable")]
        remap = np.empty(len(uniques), dtype=np.int64)
        remap[by_first] = np.arange(len(by_first))
        return remap[codes], uniques[by_first]
    if len(values) >= LARGE and isinstance(values, np.ndarray):
        try:
            return _factorize_strings(values)
        except (TypeError, ValueError, OverflowError):
            pass  # not all text: the general way
    index: dict[object, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int64, count=len(values))
    uniques = np.empty(len(index), dtype=object)
    uniques[:] = list(index)
    return codes, uniques


_REMEMBERED: list = [None, None]  # (weak reference to an array, its factorisation)


def factorize_remembered(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``factorize`` of an array that is factorised again unchanged (the keys of a roster,
    for duplicates and then for grouping): the second call is free. Do not change
    ``values`` in place between calls."""
    ref = _REMEMBERED[0]
    if ref is not None and ref() is values:
        return _REMEMBERED[1]
    result = factorize(values)
    _REMEMBERED[:] = [weakref.ref(values), result]
    return result


def forget_factorized() -> None:
    _REMEMBERED[:] = [None, None]


def first_seen_subset(codes: np.ndarray, uniques: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes and values of the rows in ``mask`` alone, renumbered in first-seen order among them."""
    if mask.all():  # codes are already in first-seen order over every row
        return codes, uniques
    sub = codes[mask]
    present, first = np.unique(sub, return_index=True)
    by_first = np.argsort(first, kind="stable")
    remap = np.empty(len(uniques), dtype=np.int64)
    remap[present[by_first]] = np.arange(len(present))
    return remap[sub], uniques[present[by_first]]


def _first_positions(codes: np.ndarray, k: int, block: int = 1 << 16) -> np.ndarray:
    """Where each code 0..k-1 first occurs (len(codes) if never): scanning block by block,
    since a few distinct values all turn up early in a long column."""
    first = np.full(k, len(codes), dtype=np.int64)
    missing = k
    for start in range(0, len(codes), block):
        chunk = codes[start:start + block]
        found, at = np.unique(chunk, return_index=True)
        new = first[found] == len(codes)
        first[found[new]] = at[new] + start
        missing -= int(new.sum())
        if not missing:
            break
    return first


def _factorize_strings(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import polars as pl

    series = pl.Series(values, dtype=pl.String, strict=True)
    if series.null_count():
        raise TypeError("None among the values")
    heads = (series != series.shift(1)).fill_null(True).to_numpy()  # where a run of equal values starts
    if int(heads.sum()) == series.n_unique():  # each value in one run (ids, or a person's rows together):
        return np.cumsum(heads, dtype=np.int64) - 1, values[heads]  # codes count the runs, no sort
    codes = series.rank("dense").to_numpy().astype(np.int64) - 1  # in sorted order
    order = np.argsort(codes, kind="stable")
    heads = np.flatnonzero(np.r_[True, codes[order][1:] != codes[order][:-1]])
    first = order[heads]  # first position of each sorted code
    by_first = np.argsort(first, kind="stable")
    remap = np.empty(len(first), dtype=np.int64)
    remap[by_first] = np.arange(len(first))
    return remap[codes], values[first[by_first]]


DENSE_KEYS = 1 << 22  # combined key ranges up to this use a lookup table, not a sort


def distinct_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Groups of rows equal in every column: one row of each group (any: they are equal)
    and each row's group. A formula that sees a row only through a few small-range columns (a tier, the
    first and last paid month) runs once per group, then each row takes its group's result."""
    cols = [np.asarray(c, dtype=np.int64) for c in columns]
    n = len(cols[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    key = np.zeros(n, dtype=np.int64)
    size = 1
    for col in cols:
        lo, hi = int(col.min()), int(col.max())
        span = hi - lo + 1
        if size * span >= 1 << 62:  # too wide for one integer key: compare whole rows
            _, first, inverse = np.unique(np.stack(cols, axis=1), axis=0, return_index=True, return_inverse=True)
            return first, inverse.reshape(-1)
        if span > 1:  # a column the same throughout tells no rows apart
            key *= span  # in place: a province's key is not copied per column
            key += col
            if lo:
                key -= lo
        size *= span
    if size > DENSE_KEYS:
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        return first, inverse.reshape(-1)
    some_row = np.full(size, n, dtype=np.int64)
    some_row[key] = np.arange(n)  # a key written many times keeps one of its rows
    present = np.flatnonzero(some_row < n)
    group = np.empty(size, dtype=np.int64)
    group[present] = np.arange(len(present))
    return some_row[present], group[key]


def group_sums(codes: np.ndarray, groups: int, *columns: np.ndarray) -> list[np.ndarray]:
    """Exact int64 sums of each column per group code (0 .. groups-1): unbuffered adds,
    one pass, no sort and no float."""
    codes = np.asarray(codes, dtype=np.intp)
    out = []
    for col in columns:
        sums = np.zeros(groups, dtype=np.int64)
        np.add.at(sums, codes, np.asarray(col, dtype=np.int64))
        out.append(sums)
    return out
