"""Rosters (花名册): tables of cells in, parsed columns and named rejects out.

Every data row ends in exactly one place: accepted (it becomes, or belongs to, a
beneficiary) or rejected with its row number as the user sees it, the column, the
value and a reason in Chinese (English on request).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from attrs import define, field, frozen

from .columns import Encoded
from .fields import PERIOD_UNITS, Field, ParsedColumn, header_unit, normalise_cell, normalise_header, parse_column


# a running number and a remarks column: expected on a clerk's sheet, not worth a notice (a policy
# that reads one, as 备注（不予发放）, names it among its own columns, which are matched first)
SERIAL_HEADERS = frozenset({"序号", "no.", "no", "备注", "说明"})


# Excel's error values (and LibreOffice's Err:nnn): in a cell they mean the value is unknown
EXCEL_ERRORS = frozenset({"#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NULL!", "#NUM!", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#DATA!",
                          "#EXTERNAL!", "#PYTHON!"})
_LIBRE_ERROR = re.compile(r"^ERR:\d{3}$")


def error_literal(text: str) -> str | None:
    """The Excel error value a cell's whole text is (#N/A …), or None. A CSV exported from
    Excel carries the error as this text; it never means a blank."""
    if not text or text[0] not in "#Ee":
        return None
    upper = text.strip().upper()
    return upper if upper in EXCEL_ERRORS or _LIBRE_ERROR.match(upper) else None


def error_reason(error: str, cell: str = "", formula: str = "") -> tuple[str, str]:
    """Why an error cell is refused: its value is unknown, never the column's default."""
    zh = "，".join(x for x in (cell, f"公式 {formula}" if formula else "") if x)
    en = ", ".join(x for x in (cell, f"formula {formula}" if formula else "") if x)
    at_zh, at_en = (f"（{zh}）", f" ({en})") if zh else ("", "")
    return (f"单元格为错误值 {error}{at_zh}，其值未知，请在 Excel 中更正后重新保存",
            f"the cell holds the error value {error}{at_en}: its value is unknown; correct it in Excel and save again")


class CellFault:
    """An Excel cell whose value is unknown: an error value (#N/A …) or a formula saved
    without its result. It reads as ``text`` and is refused with ``zh``/``en``."""

    __slots__ = ("text", "zh", "en")

    def __init__(self, text: str, zh: str, en: str):
        self.text, self.zh, self.en = text, zh, en


class InputError(ValueError):
    """The input cannot be read as a roster at all (exit code 2)."""


@frozen
class Reject:
    row: int
    column: str
    value: str
    zh: str
    en: str

    def reason(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


@frozen
class Notice:
    row: int | None
    column: str
    value: str
    zh: str
    en: str

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


@define
class Table:
    """Raw cells by original header, normalised to stripped NFKC strings."""

    headers: list[str]
    cells: dict[str, np.ndarray]
    row_numbers: np.ndarray  # as the user sees them (CSV: header is row 1)
    origin: str
    row_errors: dict[int, tuple[str, str, str]] = field(factory=dict)  # pos -> (value, zh, en)
    # header -> pos -> (zh, en): cells the reader knows are damaged (an ID number Excel cut to 15 digits)
    cell_errors: dict[str, dict[int, tuple[str, str]]] = field(factory=dict)
    skipped: list[Notice] = field(factory=list)  # title, total and footer rows: reported, not data

    def __len__(self) -> int:
        return len(self.row_numbers)


def table_from_records(records: Sequence[Mapping[str, object]], origin: str = "input") -> Table:
    """Dicts (API input) as a table; row numbers count from 1."""
    headers: list[str] = []
    for rec in records:
        for key in rec:
            if key not in headers:
                headers.append(str(key))
    rows = [[_cell(rec.get(h)) for h in headers] for rec in records]
    table = make_table(headers, rows, list(range(1, len(records) + 1)), origin)
    for header, column in table.cells.items():  # "#N/A" copied from a sheet is an unknown value, never a blank
        faults = {pos: error_reason(error) for pos, text in enumerate(column) if (error := error_literal(text))}
        if faults:
            table.cell_errors[header] = faults
    return table


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)


def column_letter(j: int) -> str:
    """Excel's name of the column at index ``j`` (0 -> A, 26 -> AA)."""
    letters = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        letters = chr(ord("A") + r) + letters
    return letters


def make_table(header: Sequence[str], rows: Sequence[Sequence[str]], lines: Sequence[int], origin: str) -> Table:
    headers = [normalise_cell(h) for h in header]
    seen: dict[str, int] = {}
    for j, h in enumerate(headers):
        if h and h in seen:
            raise InputError(f"{origin}: 表头重复：{column_letter(seen[h])}列和{column_letter(j)}列都是“{h}”；"
                             f"请删去或改名其中一列 (duplicate header '{h}' in columns {column_letter(seen[h])} "
                             f"and {column_letter(j)}: remove or rename one)")
        seen[h] = j
    cells = {}
    for j, h in enumerate(headers):
        col = np.empty(len(rows), dtype=object)
        col[:] = [normalise_cell(r[j]) for r in rows]
        cells[h] = col
    return Table(headers, cells, np.asarray(lines, dtype=np.int64), origin)


@define
class ParsedTable:
    table: Table
    columns: dict[str, ParsedColumn]  # by field name
    headers: dict[str, str]  # field name -> header as written in the file
    rejects: list[Reject]
    notices: list[Notice]
    rejected: np.ndarray  # bool per row
    labels: dict[str, str] = field(factory=dict)  # field name -> Chinese header, for a column the file lacks

    def column(self, name: str) -> str:
        """The column as the user knows it: its header in the file, else the field's Chinese header."""
        return self.headers.get(name) or self.labels.get(name, name)

    def reject(self, positions: Iterable[int], field: str, zh: str, en: str, value: str | None = None) -> None:
        column = self.column(field)
        for pos in positions:
            pos = int(pos)
            cell = value if value is not None else self.cell(field, pos)
            self.rejects.append(Reject(int(self.table.row_numbers[pos]), column, cell, zh, en))
            self.rejected[pos] = True

    def notice(self, positions: Iterable[int], field: str, zh: str, en: str) -> None:
        for pos in positions:
            pos = int(pos)
            self.notices.append(Notice(int(self.table.row_numbers[pos]), self.column(field),
                                       self.cell(field, pos), zh, en))

    def cell(self, field: str, pos: int) -> str:
        header = self.headers.get(field)
        return "" if header is None else str(self.table.cells[header][pos])

    def has(self, field: str) -> bool:
        return field in self.headers

    def hint(self, missing: Sequence[Field]) -> str:
        """For a message on missing columns: the headers found and the closest to each missing one."""
        return columns_hint(self.table.headers, set(self.headers.values()), missing)


def match_headers(table: Table, fields: Sequence[Field]) -> tuple[dict[str, str], list[Notice]]:
    """Field name -> header in the file; unknown headers become notices, not silent drops."""
    key = (tuple(table.headers), id(fields), table.origin)
    hit = _HEADER_MATCHES.get(key)
    if hit is None or hit[0] is not fields:
        if len(_HEADER_MATCHES) > MAX_HEADER_MATCHES:
            _HEADER_MATCHES.clear()
        hit = _HEADER_MATCHES[key] = (fields, *_match_headers(key[0], fields, table.origin))
    return dict(hit[1]), list(hit[2])


_HEADER_MATCHES: dict[tuple, tuple] = {}  # a payroll loop sends the same keys on every call
MAX_HEADER_MATCHES = 1024


def _match_headers(headers: tuple[str, ...], fields: Sequence[Field], origin: str):
    field_of = {}
    for f in fields:
        for candidate in f.headers():
            field_of.setdefault(normalise_header(candidate), f)
    columns: dict[str, list[int]] = {}  # field name -> columns naming it
    for j, h in enumerate(headers):
        if h and (f := field_of.get(normalise_header(h))) is not None:
            columns.setdefault(f.name, []).append(j)
    ambiguous = []  # an output-only field named by several columns: read from none (its output says why)
    for name, at in columns.items():
        if len(at) > 1:  # 出生日期 and 出生 日期, 身份证号 and 公民身份号码: which one is meant is not ours to guess
            f = next(f for f in fields if f.name == name)
            both = "、".join(f"{column_letter(j)}列“{headers[j]}”" for j in at)
            both_en = ", ".join(f"{column_letter(j)} '{headers[j]}'" for j in at)
            if f.output_only:
                ambiguous.append(Notice(None, f.header, "", f"多列都对应“{f.header}”：{both}，均未读取",
                                        f"several columns map to {f.label_en}: {both_en}; none is read"))
                continue
            raise InputError(f"{origin}: 多列都对应“{f.header}”：{both}；请删去或改名多余的列 "
                             f"(several columns map to {f.label_en}: {both_en}; remove or rename the extra ones)")
    mapping = {name: headers[at[0]] for name, at in columns.items() if len(at) == 1 or name not in
               {f.name for f in fields if f.output_only}}
    _refuse_wan_yuan(headers, field_of, origin)
    _refuse_other_periods(mapping, fields, origin)
    missing = [f for f in fields if f.required and f.name not in mapping]
    if missing:
        wanted = "、".join(f"{f.header}（{f.name}）" for f in missing)
        raise InputError(f"{origin}: 缺少必填列 missing required column(s): {wanted}"
                         f"{columns_hint(headers, set(mapping.values()), missing)}")
    used = {headers[j] for at in columns.values() for j in at}
    unknown = [h for h in headers if h and h not in used and normalise_header(h) not in SERIAL_HEADERS]
    # a column only an output reads does not stop a run when it looks misnamed (that output refuses)
    _refuse_lookalikes(unknown, [f for f in fields if f.name not in mapping and not f.output_only], origin)
    notices = tuple(Notice(None, h, "", f"未识别的列，已忽略：{h}", f"unknown column ignored: {h}") for h in unknown)
    return tuple(mapping.items()), (*ambiguous, *notices)


_WAN_YUAN = re.compile(r"\((万元|万)\)$")


def _refuse_wan_yuan(headers: Sequence[str], field_of: Mapping[str, Field], origin: str) -> None:
    """A money column in 万元 (申请金额（万元）): its 5.5 is 55000 元, and read as 元 it would be 5.50,
    so the run stops and says to convert, rather than suggest the bare header."""
    for h in headers:
        text = normalise_header(h) if h else ""
        f = field_of.get(_WAN_YUAN.sub("", text))
        if f is not None and f.kind == "money" and _WAN_YUAN.search(text):
            raise InputError(f"{origin}: 列“{h}”以万元为单位，本表金额按元计：请换算为元（5.5万元写作55000），"
                             f"列名写作“{f.header}”或“{f.header}（元）” (column '{h}' is in 万元 (10,000 yuan); amounts "
                             f"are read in yuan: convert them and name the column {f.header})")


def _refuse_other_periods(mapping: dict[str, str], fields: Sequence[Field], origin: str) -> None:
    """A header's unit is read as noise (基本报酬（元/月） is 基本报酬), but one naming another period
    than the field's (基本报酬（元/年） for an amount a month) would pay twelve times over: refused."""
    for f in fields:
        unit = header_unit(mapping.get(f.name, ""))
        if f.unit and PERIOD_UNITS.get(unit, PERIOD_UNITS.get(f.unit)) != PERIOD_UNITS.get(f.unit):
            raise InputError(f"{origin}: 列“{mapping[f.name]}”的单位是{unit}，而“{f.header}”应按{f.unit}填写；"
                             f"请换算为{f.unit}后把列名改为“{f.header}（{f.unit}）” (column '{mapping[f.name]}' is in "
                             f"{unit}, but {f.label_en} is in {f.unit}: convert it and rename the column)")


_DATE_WORDS = re.compile(r"(日期|时间|年月日|年月|日)$")
LOOKALIKE_RATIO = 0.65  # 党员数 ~ 党员人数 (0.86), 不予发放说明 ~ 不予发放原因 (0.67); not 任职时间（年） ~ 任职开始时间 (0.62)


def _refuse_lookalikes(unknown: Sequence[str], absent: Sequence[Field], origin: str) -> None:
    """An unknown header that looks like a column the roster lacks (不发放原因 for 不予发放原因,
    死亡日期（年月） for 死亡日期) is most likely that column misnamed. Ignoring it would let the
    field's default apply (a withheld payment paid, a dead person paid all year), so the run
    stops and names both: guessing that they are the same column would be no better."""
    def plain(text: str) -> str:  # as normalise_header, but a unit such as （年） is kept: it tells 任职时间（年）
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()  # from 任职开始时间

    for h in unknown:
        text = plain(h)
        for f in absent:
            names = [plain(c) for c in f.headers()]
            if f.kind == "date":  # 死亡年月, 死亡日期（年月）, 去世时间: a date column is named by what happened
                names += [stem for n in names if len(stem := _DATE_WORDS.sub("", n)) >= 2]
            if any(difflib.SequenceMatcher(None, text, n).ratio() >= LOOKALIKE_RATIO or (len(n) >= 2 and n in text)
                   for n in names):
                raise InputError(f"{origin}: 列“{h}”未识别，但像是“{f.header}”（{f.name}）；未识别的列不参与计算，"
                                 f"按缺少“{f.header}”计算可能发错金额。请把列名改为“{f.header}”，或改为与之无关的名称 "
                                 f"(column '{h}' is unknown but looks like {f.label_en} ({f.header}), which the roster "
                                 f"lacks: computing without it could pay the wrong amount; rename the column)")


def columns_hint(headers: Sequence[str], used: set[str], missing: Sequence[Field]) -> str:
    """"；找到的列：…；是否为 …？": the headers the file has, and for a missing column the
    closest unused header (difflib, as a scenario's --set path is suggested)."""
    found = [h for h in headers if h]
    free = {normalise_header(h): h for h in found if h not in used}
    guesses = []
    for f in missing:
        close = difflib.get_close_matches(normalise_header(f.header), list(free), n=1, cutoff=0.5)
        if close:
            guesses.append(f"{free.pop(close[0])} → {f.header}")  # each header suggested once
    hint = f"；找到的列 found: {'、'.join(found) or '（无）'}"
    if guesses:
        hint += f"；是否为 did you mean: {'、'.join(guesses)}？"
    return hint


def parse_table(table: Table, fields: Sequence[Field]) -> ParsedTable:
    mapping, notices = match_headers(table, fields)
    n = len(table)
    parsed = ParsedTable(table, {}, mapping, [], [*table.skipped, *notices], np.zeros(n, dtype=bool),
                         {f.name: f.header for f in fields})
    used = set(mapping.values())
    for header, damaged in table.cell_errors.items():
        if header not in used:  # an error cell in a column the policy does not read: reported, harmless
            for pos, (zh, en) in sorted(damaged.items()):
                parsed.notices.append(Notice(int(table.row_numbers[pos]), header, str(table.cells[header][pos]),
                                             f"{zh}（该列未使用）", f"{en} (the column is not used)"))
    for pos, (value, zh, en) in sorted(table.row_errors.items()):
        parsed.reject([pos], "", zh, en, value)
    empty = Encoded(np.zeros(n, dtype=np.uint8), np.array([""], dtype=object))  # a column the file lacks
    for f in fields:
        cells = table.cells[mapping[f.name]] if f.name in mapping else empty
        col = parse_column(f, cells)
        parsed.columns[f.name] = col
        if f.output_only:  # its faults are the output's to report: no row is rejected for them
            for pos, (zh, en) in sorted(table.cell_errors.get(mapping.get(f.name, ""), {}).items()):
                parsed.notice([pos], f.name, zh, en)
            continue
        if f.required:
            blank = np.flatnonzero(~col.present)
            parsed.reject(blank, f.name, f"必填项为空：{f.header}", f"required value missing: {f.label_en}", "")
        damaged = table.cell_errors.get(mapping.get(f.name, ""), {})
        for pos, (zh, en) in sorted(damaged.items()):
            parsed.reject([pos], f.name, zh, en)
        for pos, err in sorted(col.errors.items()):
            if pos not in damaged:  # one reason per cell: the reader's is the true one
                parsed.reject([pos], f.name, err.zh, err.en)
    _note_blank_units(parsed, fields)
    return parsed


def _note_blank_units(parsed: ParsedTable, fields: Sequence[Field]) -> None:
    """A row with its unit (所属单位, 乡镇) left blank where other rows name theirs: computed, and
    summed per unit under a blank one, which a clerk who meant "the same as above" would not expect."""
    unit = next((f for f in fields if f.name == "unit"), None)
    if unit is None or unit.required or "unit" not in parsed.headers:
        return
    present = parsed.columns["unit"].present
    blank = np.flatnonzero(~present & ~parsed.rejected)
    if len(blank) and present.any():
        parsed.notice(blank, "unit", f"{unit.header}为空：本行照常计算，分单位汇总中计入未填单位（如与上行同一单位，请填写）",
                      f"{unit.label_en or unit.header} is blank: computed, and summed per unit under no unit "
                      f"(if it is the unit above, write it in)")


def reject_groups(parsed: ParsedTable, keys: np.ndarray, key_field: str) -> None:
    """Where one row of a person is rejected, reject the person's other rows too.

    Paying from the remaining spans would pay the wrong amount; naming every row keeps
    nothing lost.
    """
    bad_keys = set(keys[parsed.rejected].tolist())
    if not bad_keys:
        return
    follow = np.flatnonzero(np.isin(keys, list(bad_keys)) & ~parsed.rejected)
    first_bad = {}
    for pos in np.flatnonzero(parsed.rejected):
        first_bad.setdefault(keys[pos], int(parsed.table.row_numbers[pos]))
    for pos in follow:
        row = first_bad[keys[pos]]
        parsed.reject([pos], key_field, f"同一人的第{row}行有误，此人暂不计算", f"another row of this person (row {row}) is rejected")
