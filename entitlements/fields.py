"""Roster fields: canonical Chinese headers, aliases, and column parsers.

Each parser turns one cell text into a value or a reason (Chinese and English). Columns
are parsed value by distinct value, so a million-row roster with a few thousand distinct
birth dates parses a few thousand strings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from attrs import frozen

from .columns import Encoded
from .dates import DateError, RosterDate, days_in_month, parse_date

Kind = Literal["text", "int", "date", "bool", "sex", "choice", "id_number", "money"]

MALE, FEMALE = 1, 2
SMALL = 32  # columns this short are parsed without sorting


class CellError(ValueError):
    def __init__(self, zh: str, en: str):
        super().__init__(zh)
        self.zh, self.en = zh, en


@frozen
class Field:
    name: str  # English name, also accepted as a header
    header: str  # canonical Chinese header
    kind: Kind
    label_en: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    default: Any = None
    choices: Mapping[str, str] = {}  # accepted text -> code, for kind "choice"
    max: int | None = None  # upper bound of a plausible int (of a money field: in 元)
    whole_part: bool = False  # int fields: take the whole part of a decimal (15.5 years -> 15)
    refused: Mapping[str, tuple[str, str]] = {}  # choice fields: a known value that is refused, and why (zh, en)
    # a value read under an assumption, said on its row (choice fields); "" a blank cell read as the default
    assumed: Mapping[str, tuple[str, str]] = {}
    # read for an output only (the payment list's 银行账号): never a reason to reject a row or stop a
    # run, so no amount depends on it; its damaged cells are notices that output reads
    output_only: bool = False
    means_blank: tuple[str, ...] = ()  # texts that say what a blank says (至今 in the end column of a post still held)
    unit: str = ""  # the period the values are in (元/月 a month's pay, 月 months); a header naming another is refused

    def headers(self) -> tuple[str, ...]:
        return (self.header, self.name, *self.aliases)


_HEADER_UNIT = re.compile(r"\((年|月|个月|人|个|元|元/月|元/年|元/人/月|元/人/年)\)$")


PERIOD_UNITS = {"元/月": "月", "元/人/月": "月", "元/年": "年", "元/人/年": "年", "月": "月", "个月": "月", "年": "年"}


def header_unit(text: str) -> str:
    """The unit a header ends with, (元/年) in 基本报酬（元/年）; "" when none."""
    m = _HEADER_UNIT.search(re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower())
    return m.group(1) if m else ""


def normalise_header(text: str) -> str:
    """Full-width forms, spaces, case and a trailing unit such as （年） do not make a different header."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()
    return _HEADER_UNIT.sub("", text)


# Characters that print as nothing: a key typed or pasted with one would be a new person.
# Every format character (Unicode category Cf: zero-width space / joiners, the BOM, the soft
# hyphen, direction marks, embeddings and isolates U+2066–U+2069, the Arabic letter mark …)
# and every control character but tab and line ends (NUL, Ctrl-Z …) is removed anywhere.
# NBSP and the ideographic space U+3000 need no entry: NFKC makes them spaces, which
# strip() takes off the ends.
_SUPPLEMENTARY_FORMAT = (range(0x110BD, 0x110BE), range(0x110CD, 0x110CE), range(0x13430, 0x13440),
                         range(0x1BCA0, 0x1BCA4), range(0x1D173, 0x1D17B), range(0xE0001, 0xE0002),
                         range(0xE0020, 0xE0080))


def scan_invisible() -> dict[int, None]:
    return dict.fromkeys(
        c for c in (*range(0x10000), *(c for r in _SUPPLEMENTARY_FORMAT for c in r))
        if (unicodedata.category(chr(c)) == "Cf" or (unicodedata.category(chr(c)) == "Cc" and chr(c) not in "\t\n\r")))


# What scan_invisible finds under Unicode 14.0 (Python 3.11), as [start, stop) ranges: the
# scan costs 20-30 ms at every start, so a Python of that Unicode version reads this list
# instead (a test checks it against the scan); any other version scans.
_INVISIBLE_UNICODE_14 = (
    (0x0, 0x9), (0xB, 0xD), (0xE, 0x20), (0x7F, 0xA0), (0xAD, 0xAE), (0x600, 0x606), (0x61C, 0x61D),
    (0x6DD, 0x6DE), (0x70F, 0x710), (0x890, 0x892), (0x8E2, 0x8E3), (0x180E, 0x180F), (0x200B, 0x2010),
    (0x202A, 0x202F), (0x2060, 0x2065), (0x2066, 0x2070), (0xFEFF, 0xFF00), (0xFFF9, 0xFFFC), (0x110BD, 0x110BE),
    (0x110CD, 0x110CE), (0x13430, 0x13439), (0x1BCA0, 0x1BCA4), (0x1D173, 0x1D17B), (0xE0001, 0xE0002),
    (0xE0020, 0xE0080))
INVISIBLE = (dict.fromkeys(c for a, b in _INVISIBLE_UNICODE_14 for c in range(a, b))
             if unicodedata.unidata_version == "14.0.0" else scan_invisible())


def normalise_cell(text: object) -> str:
    """A cell as compared and parsed: NFKC (full-width forms, NBSP), invisible characters
    removed, spaces stripped at the ends. Runs once per distinct text."""
    if text is None:
        return ""
    return unicodedata.normalize("NFKC", str(text)).translate(INVISIBLE).strip()


_TRUE = {"是", "y", "yes", "true", "1", "√", "t"}
_FALSE = {"否", "n", "no", "false", "0", "×", "f"}
_SEX = {"男": MALE, "男性": MALE, "m": MALE, "male": MALE, "女": FEMALE, "女性": FEMALE, "f": FEMALE, "female": FEMALE}
_INT = re.compile(r"^[+-]?\d+(\.0+)?$")
_DECIMAL = re.compile(r"^[+-]?\d+\.\d+$")
_UNIT_SUFFIX = re.compile(r"(年|个月|月|个|人|名|次)$")
_GROUPED_INT = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")  # 1,073: a thousands grouping (1,5 is no count)
_MONEY_SUFFIX = re.compile(r"^[¥$]|(元/月|元/年|元)$")  # NFKC has made ￥ a ¥
MONEY_SUFFIX = _MONEY_SUFFIX  # what an amount may carry around its number (the CLI's --budget too)


MAX_LISTED_CHOICES = 24  # an unknown choice's message lists the accepted names up to this many


def parse_cell(field: Field, text: str) -> Any:
    """One non-blank cell; raises CellError naming what is wrong."""
    kind = field.kind
    if kind == "text":
        return text
    if kind == "int":
        text = _UNIT_SUFFIX.sub("", text).strip()  # "15年", "12个月", "5人", "2次"
        if _GROUPED_INT.match(text):
            text = text.replace(",", "")
        if field.whole_part and _DECIMAL.match(text):
            text = text.split(".")[0]
        if not _INT.match(text):
            raise CellError(f"应为整数：{text}", f"not a whole number: {text}")
        value = int(text.split(".")[0])  # "12.0" is 12; _INT allows only zeros after the point
        if value < 0:
            raise CellError(f"不能为负数：{text}", f"must not be negative: {text}")
        if field.max is not None and value > field.max:
            raise CellError(f"数值不合理（超过{field.max}）：{text}", f"implausible (over {field.max}): {text}")
        return value
    if kind == "money":  # 元 with at most two decimals (3,000.50, 3000元) -> fen, exactly
        from .money import MoneyError, yuan_to_fen

        amount = _MONEY_SUFFIX.sub("", text).strip()
        try:
            fen = yuan_to_fen(amount)
        except MoneyError:
            raise CellError(f"应为金额（元，最多两位小数）：{text}", f"not an amount in yuan (at most 2 decimals): {text}") from None
        if fen < 0:
            raise CellError(f"金额不能为负数：{text}", f"must not be negative: {text}")
        if field.max is not None and fen > field.max * 100:
            raise CellError(f"金额不合理（超过{field.max}元）：{text}", f"implausible (over {field.max} yuan): {text}")
        return fen
    if kind == "bool":
        low = text.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise CellError(f"应填“是”或“否”：{text}", f"expected 是/否 (yes/no): {text}")
    if kind == "sex":
        try:
            return _SEX[text.lower()]
        except KeyError:
            raise CellError(f"性别应为“男”或“女”：{text}", f"sex must be 男 or 女: {text}") from None
    if kind == "date":
        try:
            return parse_date(text)
        except DateError as exc:
            raise CellError(exc.zh, exc.en) from None
    if kind == "choice":
        if text in field.refused:  # known, and not paid: the reject says why, not "unknown"
            raise CellError(*field.refused[text])
        code = field.choices.get(text) or field.choices.get(text.lower())
        if code is None:
            names = list(dict.fromkeys(k for k in field.choices
                                       if not k.isascii() and unicodedata.normalize("NFKC", k) == k))
            more = ""
            if len(names) > MAX_LISTED_CHOICES:  # too many to read: each value once, by its first name
                first: dict[str, str] = {}
                for k in names:
                    first.setdefault(field.choices[k], k)
                names, more = list(first.values()), "等"
            options = "、".join(names)
            raise CellError(f"无法识别：{text}（可填：{options}{more}）",
                            f"unknown value: {text} (one of: {options}{' …' if more else ''})")
        return code
    if kind == "id_number":
        return parse_id_number(text)
    raise AssertionError(kind)


@frozen
class IdNumber:
    number: str
    birth: RosterDate
    sex: int
    region_known: bool


_PLAIN_ID = re.compile(r"[0-9]{15}|[0-9]{17}[0-9Xx]")
_ID18 = re.compile(r"[0-9]{17}[0-9X]")


@lru_cache(maxsize=1 << 16)
def region_known(code: str) -> bool:
    """Is a 6-digit 行政区划代码 known? Any period counts: stdnum checks it against the birth
    year, but people born before 1997 got their numbers under codes valid at registration.
    Looked up once per code: a province has a few thousand, its roster millions of numbers."""
    from stdnum import numdb  # here, not at start-up: python-stdnum's import costs about 12 ms

    return any("county" in props for _, props in numdb.get("cn/loc").info(code))


ID_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)  # ISO 7064 MOD 11-2
ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)  # check character for each sum mod 11
ID_PLACES = 10 ** np.arange(16, -1, -1, dtype=np.int64)  # the 17 digits as one number
ID_CHUNK = 1 << 18  # numbers read at a time: bounded temporaries for a province's roster
LONG_COLUMN = 4096  # from here a pattern is matched in polars


@frozen
class IdNumbers:
    """身份证号 read together, as columns: the 18-character number (None where it cannot be
    read, with the reason in ``errors``), the birth date and sex it holds, whether its region
    code is known."""

    numbers: np.ndarray  # object: str or None
    year: np.ndarray
    month: np.ndarray
    day: np.ndarray
    sex: np.ndarray
    known: np.ndarray  # bool
    value: np.ndarray  # int64: the number as one integer (check character X as 10), 0 where unreadable
    errors: dict[int, CellError]


_ID_SEPARATORS = re.compile(r"[\s\-‐‑–—]")


def read_id_numbers(texts: Sequence[str]) -> IdNumbers:
    """GB 11643 公民身份号码, many at once: length, digits, check digit, birth date.

    A plain number (18 characters, or 15 digits of the first generation) is cleaned up by
    upper-casing; any other text by python-stdnum. The checks then run on a digit matrix."""
    n = len(texts)
    numbers = np.empty(n, dtype=object)
    numbers[:] = texts
    shaped = _match_all(numbers, _ID18)  # 18 characters as written: taken as they are
    from stdnum.cn import ric  # here, not at start-up: python-stdnum's import is slow
    for j in np.flatnonzero(~shaped):  # the rest one by one: a lower-case x, 15 digits, spaces, junk
        text = texts[j]
        # spaces and hyphens a clerk types to group the digits (530421 1938 0412 1213) are no part of it
        plain = _ID_SEPARATORS.sub("", text)
        number = plain.upper() if _PLAIN_ID.fullmatch(plain) else ric.compact(plain)  # stdnum's clean-up is slow
        if len(number) == 15 and number.isdigit():
            # first generation (before 1999): 6-digit region, YYMMDD, 3-digit sequence, no check digit
            number = number[:6] + "19" + number[6:]
            number += ric.calc_check_digit(number + "0")
        numbers[j] = number
        shaped[j] = _ID18.fullmatch(number) is not None
    # small integer types: a province's roster gathers these per row
    year, (month, day, sex) = np.zeros(n, dtype=np.int16), (np.zeros(n, dtype=np.int8) for _ in range(3))
    known = np.zeros(n, dtype=bool)
    value = np.zeros(n, dtype=np.int64)
    errors: dict[int, CellError] = {}
    for j in np.flatnonzero(~shaped):
        text = texts[j]
        errors[int(j)] = (CellError(f"身份证号应为18位（或15位旧号）：{text}",
                                    f"an ID number has 18 characters (or 15, old style): {text}")
                          if len(numbers[j]) != 18 else
                          CellError(f"身份证号格式不对：{text}", f"malformed ID number: {text}"))
    rows = np.flatnonzero(shaped)
    for at in range(0, len(rows), ID_CHUNK):
        part = rows[at:at + ID_CHUNK]
        m = np.frombuffer("".join(numbers[part]).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
        d = m[:, :17].astype(np.int64) - ord("0")
        check_ok = ID_CHECK[(d @ ID_WEIGHTS) % 11] == m[:, 17]
        y = d[:, 6] * 1000 + d[:, 7] * 100 + d[:, 8] * 10 + d[:, 9]
        mo, dd = d[:, 10] * 10 + d[:, 11], d[:, 12] * 10 + d[:, 13]
        real = (y >= 1) & (mo >= 1) & (mo <= 12) & (dd >= 1) & (dd <= days_in_month(y, np.clip(mo, 1, 12)))
        ok = check_ok & real
        for k in np.flatnonzero(~ok):
            text = texts[part[k]]
            errors[int(part[k])] = (
                CellError(f"身份证号校验码不对：{text}", f"ID number check digit is wrong: {text}") if not check_ok[k]
                else CellError(f"身份证号中的出生日期不存在：{text}", f"ID number holds no valid birth date: {text}"))
        good = part[ok]
        year[good], month[good], day[good] = y[ok], mo[ok], dd[ok]
        sex[good] = np.where(d[ok, 16] % 2 == 1, MALE, FEMALE)  # the 17th digit: odd for men
        regions = d[ok, :6] @ np.array([10**5, 10**4, 10**3, 100, 10, 1])
        codes, back = np.unique(regions, return_inverse=True)
        known[good] = np.array([region_known(f"{c:06d}") for c in codes], dtype=bool)[back.reshape(-1)]
        # one integer per number (under 1.1e18): equal numbers compare and sort as int64, not strings
        check_value = np.where(m[ok, 17] == ord("X"), 10, m[ok, 17].astype(np.int64) - ord("0"))
        value[good] = (d[ok] @ ID_PLACES) * 11 + check_value
    numbers[list(errors)] = None
    return IdNumbers(numbers, year, month, day, sex, known, value, errors)


def _match_all(texts: np.ndarray, pattern: re.Pattern) -> np.ndarray:
    """Which texts match ``pattern`` whole: in polars for a long column, else one by one."""
    if len(texts) < LONG_COLUMN:
        return np.array([pattern.fullmatch(t) is not None for t in texts], dtype=bool)
    import polars as pl

    return pl.Series(texts, dtype=pl.String).str.contains(f"^(?:{pattern.pattern})$").fill_null(False).to_numpy()


def parse_id_number(text: str) -> IdNumber:
    """One 身份证号 (raises CellError naming what is wrong); the roster reads many at once."""
    r = read_id_numbers([text])
    if r.errors:
        raise r.errors[0]
    return IdNumber(r.numbers[0], RosterDate(int(r.year[0]), int(r.month[0]), int(r.day[0])), int(r.sex[0]),
                    bool(r.known[0]))


@frozen
class ParsedColumn:
    """A parsed column kept as distinct values plus an index, so typed views stay cheap."""

    uniq: np.ndarray  # object array of parsed distinct values (default where blank or bad)
    inverse: np.ndarray  # row position -> index into uniq
    present: np.ndarray  # bool per row: the cell was not blank
    errors: dict[int, CellError]  # row position -> why the cell was refused
    kind: str = ""  # the field's kind: "text" values are the cell texts themselves
    parts: Mapping[str, np.ndarray] = {}  # ID numbers: birth year, month, day, sex, known, per distinct value

    def objects(self) -> np.ndarray:
        return self.uniq[self.inverse]

    def encoded(self) -> Encoded:
        """The values as codes into the distinct ones: cheap to index, group and count."""
        return Encoded(self.inverse, self.uniq)

    def ints(self, missing: int = 0) -> np.ndarray:
        """Whole numbers per row (read-only; one value throughout is a view, not a column)."""
        u = np.array([missing if v is None else int(v) for v in self.uniq], dtype=np.int64)
        if len(u) == 1:  # a view for a province; a plain array for a handful of rows (cheaper)
            n = len(self.inverse)
            return np.full(n, u[0], dtype=np.int64) if n <= SMALL else np.broadcast_to(u[0], n)
        return u[self.inverse]

    def flags(self) -> np.ndarray:
        """A yes/no column as bools (the default where blank)."""
        return np.array([bool(v) for v in self.uniq], dtype=bool)[self.inverse]

    def dates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """year, month, day arrays (read-only); 0 where missing, day 0 for month precision."""
        parts = np.array(
            [(0, 0, 0) if v is None else (v.year, v.month, v.day) for v in self.uniq], dtype=np.int64
        ).reshape(-1, 3)
        if len(parts) == 1:  # one value throughout (a column the roster lacks): a view, no memory
            n = len(self.inverse)
            if n <= SMALL:  # a handful of rows (the one-person API): a plain array is cheaper than a view
                return tuple(np.full(n, parts[0, k], dtype=np.int64) for k in range(3))
            return tuple(np.broadcast_to(parts[0, k], n) for k in range(3))
        return parts[:, 0][self.inverse], parts[:, 1][self.inverse], parts[:, 2][self.inverse]


def parse_column(field: Field, cells: np.ndarray) -> ParsedColumn:
    """Parse a column of normalised strings, one distinct value at a time.

    Blank cells take the field's default and count as not present.
    """
    if isinstance(cells, Encoded):  # already one entry per distinct text
        uniq, inverse = cells.values, cells.codes
    elif len(cells) <= SMALL:  # one person from the API: no sort for a handful of cells
        index: dict[str, int] = {}
        inverse = np.array([index.setdefault(str(c), len(index)) for c in cells], dtype=np.int64)
        uniq = np.array(list(index) or [""], dtype=object)[: len(index)]
    else:
        uniq, inverse = np.unique(cells.astype(str), return_inverse=True)
    if field.kind == "text":  # nothing to parse: the texts are the values
        values = np.array(uniq, dtype=object)
        present = np.array([t != "" for t in uniq], dtype=bool) if len(uniq) < 4096 else (values != "")
        values[~present] = field.default  # a blank cell takes the default, as below
        return ParsedColumn(values, np.asarray(inverse).reshape(-1), present[inverse].reshape(-1), {}, "text")
    if field.kind == "id_number":  # read together, as columns: a province has millions of them
        return _id_number_column(uniq, np.asarray(inverse).reshape(-1))
    if field.means_blank:  # 至今 (or 至 今) is a blank cell, read and counted as one
        uniq = np.array(["" if re.sub(r"\s+", "", str(t)) in field.means_blank else t for t in uniq], dtype=object)
    parsed: list[Any] = []
    failed: dict[int, CellError] = {}
    for j, text in enumerate(uniq):
        if text == "":
            parsed.append(field.default)
            continue
        try:
            parsed.append(parse_cell(field, text))
        except CellError as exc:
            parsed.append(field.default)
            failed[j] = exc
    values = np.empty(len(uniq), dtype=object)
    values[:] = parsed
    errors: dict[int, CellError] = {}
    if failed:
        for pos in np.flatnonzero(np.isin(inverse, list(failed))):
            errors[int(pos)] = failed[int(inverse[pos])]
    present = np.array([t != "" for t in uniq], dtype=bool)
    return ParsedColumn(values, inverse.reshape(-1), present[inverse].reshape(-1), errors, field.kind)


def _id_number_column(uniq: np.ndarray, inverse: np.ndarray) -> ParsedColumn:
    texts = np.asarray(uniq, dtype=object)
    present_uniq = np.not_equal(texts, "")
    if not present_uniq.any():  # no numbers (a roster or a person without them): nothing to read
        none = np.zeros(len(texts), dtype=np.int8)
        parts = {"year": none.astype(np.int16), "month": none, "day": none, "sex": none, "known": none.astype(bool),
                 "value": none.astype(np.int64)}
        return ParsedColumn(np.full(len(texts), None, dtype=object), inverse, present_uniq[inverse], {}, "id_number",
                            parts)
    ids = read_id_numbers(texts)
    failed = {j: e for j, e in ids.errors.items() if present_uniq[j]}  # a blank is absent, not wrong
    errors: dict[int, CellError] = {}
    if failed:
        for pos in np.flatnonzero(np.isin(inverse, list(failed))):
            errors[int(pos)] = failed[int(inverse[pos])]
    parts = {"year": ids.year, "month": ids.month, "day": ids.day, "sex": ids.sex, "known": ids.known,
             "value": ids.value}
    return ParsedColumn(ids.numbers, inverse, present_uniq[inverse], errors, "id_number", parts)


def choice_map(entries: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """code -> accepted names  ==>  accepted name (and lower-case English) -> code."""
    out: dict[str, str] = {}
    for code, names in entries.items():
        for name in (code, *names):
            out[name] = code
            out[name.lower()] = code
            out[unicodedata.normalize("NFKC", name)] = code  # cells are read NFKC: （ is (
    return out
