"""Exact money: integer fen (分) everywhere, yuan strings only at the edges.

Rounding is 四舍五入 (half away from zero) and happens once per line item; a split
hands leftover fen to the largest remainders so the parts always add up to the line.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import numpy as np

FEN_PER_YUAN = 100  # unit definition, not a policy standard
BASIS_POINTS = 10_000  # a ratio is exact to one basis point (0.01%): unit definition, not a standard
MAX_RATIO_BP = 100_000  # a ratio above 1000% is no share of an amount (limits.py: the int64 budget)

_YUAN = re.compile(r"^-?\d+(\.\d{1,2})?$")
_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")  # 1,500 and 12,345.50
MAX_YUAN_DIGITS = 24  # a text beyond 10^24 yuan is no amount; the engine bound (limits) is far lower


class MoneyError(ValueError):
    """A text that is not an amount in yuan with at most two decimals."""


def yuan_to_fen(value: str | int | Decimal) -> int:
    """'274' -> 27400, '12.5' -> 1250; refuses anything finer than a fen."""
    if isinstance(value, int):
        return value * FEN_PER_YUAN
    text = str(value).strip()
    if "," in text:  # 1,500 is a thousands grouping; 1,5 or 3,5 is no amount (a decimal comma? a typo?)
        if not _GROUPED.match(text):
            raise MoneyError(f"金额中的逗号不是千位分隔 a comma that is no thousands separator: {value!r}")
        text = text.replace(",", "")
    if not _YUAN.match(text):
        try:
            dec = Decimal(text)
        except InvalidOperation as exc:
            raise MoneyError(f"不是金额 not an amount: {value!r}") from exc
        # Infinity, NaN, sNaN and 1e400 are Decimals but no amount (quantize would trap on them)
        if not dec.is_finite():
            raise MoneyError(f"不是有限的金额 not a finite amount: {value!r}")
        if dec.adjusted() > MAX_YUAN_DIGITS:
            raise MoneyError(f"金额过大 amount too large: {value!r}")
        if dec.adjusted() < -2 or dec != dec.quantize(Decimal("0.01")):
            if dec != 0:
                raise MoneyError(f"金额精度超过分 finer than a fen: {value!r}")
        text = f"{dec:.2f}"
    elif len(text.lstrip("-").split(".")[0]) > MAX_YUAN_DIGITS:
        raise MoneyError(f"金额过大 amount too large: {value!r}")
    return int((Decimal(text) * FEN_PER_YUAN).to_integral_exact())


_RATIO = re.compile(r"^(\d{1,7})(?:\.(\d{1,4}))?(%?)$")


def parse_ratio(value: object) -> Fraction:
    """A ratio standard ("10%", "12.5%", "0.1", "1", 0, 1) as an exact Fraction to the basis
    point; a float is refused (not exact), and so is a bare number above 1 (is 10 meant as
    10% or 1000%? it is written 10% or 0.1). Raises MoneyError naming the text."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise MoneyError(f"比例请写成百分数（如 60%）或加引号的文本（如 \"0.6\"），不接受浮点数 (write a ratio as a "
                         f"percentage such as 60% or as quoted text such as \"0.6\", not a {type(value).__name__}): {value!r}")
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    m = _RATIO.match(text)
    if not m:
        raise MoneyError(f"不是比例 not a ratio (write 10% or 0.1): {value!r}")
    whole, decimals, percent = m.group(1), m.group(2) or "", m.group(3)
    ratio = Fraction(int(whole + decimals), 10 ** len(decimals)) / (100 if percent else 1)
    if not percent and ratio > 1:
        raise MoneyError(f"比例大于1且未写百分号，含义不明：请写成百分数，如 120% "
                         f"(a bare ratio above 1 is ambiguous: write it as a percentage such as 120%): {value!r}")
    if (ratio * BASIS_POINTS).denominator != 1:
        raise MoneyError(f"比例精度超过0.01% finer than a basis point (0.01%): {value!r}")
    if ratio * BASIS_POINTS > MAX_RATIO_BP:
        raise MoneyError(f"比例超出引擎上限 {MAX_RATIO_BP // 100}% (a ratio above the engine limit of "
                         f"{MAX_RATIO_BP // 100}%): {value!r}")
    return ratio


def basis_points(ratio: Fraction) -> int:
    """A ratio standard as an integer count of basis points (10% -> 1000), exactly."""
    bp = ratio * BASIS_POINTS
    if bp.denominator != 1:
        raise MoneyError(f"比例精度超过0.01% finer than a basis point: {ratio}")
    return int(bp)


def ratio_text(ratio: Fraction) -> str:
    """10% for Fraction(1, 10); 12.5% for Fraction(1, 8): the exact percentage, shown."""
    bp = basis_points(ratio)
    whole, rest = divmod(bp, 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0") + "%"


def fen_to_yuan(fen: int | np.integer) -> str:
    """27400 -> '274.00'; the JSON and table form of an amount."""
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{whole}.{cents:02d}"


def fen_to_decimal(fen: int | np.integer) -> Decimal:
    return Decimal(fen_to_yuan(fen))


def div_round_half_up(numerator: np.ndarray | int, denominator: int) -> np.ndarray:
    """numerator / denominator rounded half away from zero, in exact integers."""
    num = np.asarray(numerator, dtype=np.int64)
    if num.ndim and num.size and num.min() >= 0:  # the usual case: no sign to carry
        return (2 * num + denominator) // (2 * denominator)
    mag = (2 * np.abs(num) + denominator) // (2 * denominator)
    return np.where(num < 0, -mag, mag)


def round_to_yuan(fen: np.ndarray) -> np.ndarray:
    """A profile may round lines to whole 元 instead of 分."""
    return div_round_half_up(fen, FEN_PER_YUAN) * FEN_PER_YUAN


SPLIT_CHUNK = 1 << 20
SPLIT_TABLE_MAX = 1 << 12  # weights adding up to at most this split their remainders by a table


def split_by_weights(amounts: np.ndarray, weights: Sequence[int] | np.ndarray) -> np.ndarray:
    """Split each amount by integer weights; largest remainder, ties to the last listed.

    ``weights`` is one row for all amounts (k,) or a row per amount (n, k). Returns an
    (n, k) int64 array whose rows add up exactly to ``amounts`` (a row of zero weights
    must carry a zero amount).
    """
    amounts = np.asarray(amounts, dtype=np.int64)
    w = np.asarray(weights, dtype=np.int64)
    if (w < 0).any():
        raise ValueError("split weights must be non-negative")
    if len(amounts) > SPLIT_CHUNK:  # bounded temporaries: a province's lines a million at a time
        return np.concatenate([split_by_weights(amounts[i:i + SPLIT_CHUNK], w if w.ndim == 1 else w[i:i + SPLIT_CHUNK])
                               for i in range(0, len(amounts), SPLIT_CHUNK)])
    # The work runs level by level on (k, n) arrays, each level's values contiguous (an (n, k)
    # array's inner loops are k long, several times slower); the result is their transpose.
    if w.ndim == 2:
        w = np.ascontiguousarray(w.T)  # (k, n)
        total = w.sum(axis=0)
        _refuse_unsplittable(amounts, total)
        total = np.where(total == 0, 1, total)
        # amount × weight may pass int64 (a large line, a large weight): divide first. With
        # amount = q × total + r (0 <= r < total), amount × w / total = q × w + r × w / total:
        # q × w (<= amount) is whole, and r × w < total × w stays small (limits.MAX_WEIGHT).
        q = amounts // total  # q × total may wrap near -2^63; the difference r is still exact
        out = _split_remainders(amounts - q * total, w, total)
        out += q * w
        return out.T
    paying = np.flatnonzero(w)
    if len(paying) <= 1:  # one level pays it all (or none does): nothing to divide
        out = np.zeros((len(amounts), len(w)), dtype=np.int64)
        if len(paying):
            out[:, paying[0]] = amounts
        else:
            _refuse_unsplittable(amounts, 0)
        return out
    total = int(w.sum())
    # as above; and r's split depends on r alone, so a small total reads it from a table
    q = amounts // total
    r = amounts - q * total
    if total <= SPLIT_TABLE_MAX:
        table = _remainder_table(tuple(w.tolist()))
        out = np.empty((len(w), len(amounts)), dtype=np.int64)
        for j, wj in enumerate(w.tolist()):
            np.multiply(q, wj, out=out[j])
            out[j] += table[j].take(r)
    else:
        out = _split_remainders(r, w[:, None], total)
        out += q * w[:, None]
    return out.T


def _refuse_unsplittable(amounts: np.ndarray, total: np.ndarray | int) -> None:
    if ((np.asarray(total) == 0) & (amounts != 0)).any():
        raise ValueError("an amount cannot be split by weights that are all zero")


@functools.lru_cache(maxsize=64)
def _remainder_table(weights: tuple[int, ...]) -> np.ndarray:
    """(k, total) table: column r is the split of r fen (0 <= r < total); read-only, shared."""
    w = np.array(weights, dtype=np.int64)
    total = int(w.sum())
    table = _split_remainders(np.arange(total, dtype=np.int64), w[:, None], total)
    table.flags.writeable = False
    return table


def _split_remainders(r: np.ndarray, w: np.ndarray, total: np.ndarray | int) -> np.ndarray:
    """(k, n) largest-remainder split of 0 <= r < total by weights w, (k, 1) or (k, n)."""
    rw = w * r
    parts = rw // total
    remainders = rw - parts * total
    leftover = r - parts.sum(axis=0)  # 0 … k-1 fen left over per line
    # rank levels by (remainder, position), the later position winning ties: a level's
    # rank is how many levels beat it (k is at most four, so k × k comparisons beat a sort)
    k = len(w)
    key = remainders * k + np.arange(k)[:, None]
    ranks = np.zeros_like(key)
    for j in range(k):
        ranks += key[j] > key
    parts += ranks < leftover
    return parts


def apportion(total: int, amounts: np.ndarray, tie_keys: np.ndarray | None = None) -> np.ndarray:
    """Share a fixed ``total`` over lines pro rata to ``amounts`` (largest remainder).

    ``tie_keys`` orders equal remainders independently of row order (larger key first).
    """
    amounts = np.asarray(amounts, dtype=np.int64)
    whole = int(amounts.sum())
    if whole == 0:
        return np.zeros_like(amounts)
    total = min(total, whole)
    # object arrays hold python ints: total * amount may pass int64 in a province budget
    product = amounts.astype(object) * total
    parts = np.array(product // whole, dtype=np.int64)
    remainders = product % whole
    leftover = total - int(parts.sum())
    if leftover:
        keys = np.arange(len(amounts)) if tie_keys is None else tie_keys
        order = sorted(range(len(amounts)), key=lambda i: (remainders[i], keys[i]), reverse=True)
        parts[order[:leftover]] += 1
    return parts
