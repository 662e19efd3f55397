"""Reading rosters as staff keep them: CSV, or Excel/WPS sheets with title rows above the
header, merged cells, 小计/合计 rows and a 填表人 footer.

The header row is the row that names the most of the policy's columns; rows above it,
total rows and footers are skipped and reported as notices, never silently. Excel cells
keep their type until the column they are in is known: a number in a date column is an
Excel serial date, a number in a 身份证号 column may have lost digits (Excel keeps 15
significant digits), a number elsewhere is its plain decimal text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import numpy as np

from .fields import Field, normalise_cell, normalise_header
from .roster import (EXCEL_ERRORS, CellFault, InputError, Notice, Table, column_letter, error_literal, error_reason,
                     make_table)

EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
DOS_EOF = "\x1a"  # Ctrl-Z, written at the end of a file by old DOS tools
FAST_CSV_BYTES = 1 << 20  # below a megabyte the careful reader takes no longer than starting polars
HEADER_SEARCH_ROWS = 30  # title rows above the header are few; do not scan a whole sheet
TOTAL_LABELS = ("合计", "总计", "小计", "共计")  # also after a unit's name: 江城镇小计
MAX_TOTAL_LABEL = 20
# a footer line opens with one of these words and a colon (填表人：张三); 联系人甲 is a name, not a footer
FOOTER_PREFIXES = ("填表人", "制表人", "填报人", "审核人", "审批人", "统计人", "负责人", "单位负责人", "联系电话",
                   "联系人", "填表日期", "制表日期", "填报日期", "备注", "说明", "注")
FOOTER_FIRST_CHARACTERS = frozenset(p[0] for p in FOOTER_PREFIXES)
_FOOTER = re.compile(rf"^(?:{'|'.join(sorted(FOOTER_PREFIXES, key=len, reverse=True))})[:：]")
# what a total row may carry under a beneficiary's columns: sums and counts (64, 44人, 44行)
_TOTAL_LIKE = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?(?:人|个|名|行|户|条|项|元|年|月|个月)?$")
FURTHER_HEADER_ROWS = 10_000  # where a header is not among the first rows, how far to look to say where it is
INVISIBLE = "\ufeff\x00\u200b\u200c\u200d\u2060\u00ad"  # BOMs, NULs and zero-width marks before a header
EXCEL_DIGITS = 15  # Excel stores numbers as doubles and shows 15 significant digits
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 given Excel's phantom 1900-02-29
EXCEL_PHANTOM_LEAP_DAY = 60
EXCEL_1904_EPOCH = dt.date(1904, 1, 1)  # serial 0 in a workbook of the 1904 date system (old Mac Excel)
MAX_EXCEL_SERIAL = 2_958_465  # 9999-12-31

Row = tuple[int, list[object]]  # (row number as the user sees it, cells)


def clean_header(text: object) -> str:
    """A header cell without BOMs, NULs and zero-width marks (a BOM saved twice, a NUL
    before the first header), normalised as any cell."""
    return normalise_cell(str(text).translate({ord(c): None for c in INVISIBLE}) if text is not None else "")


def check_roster_path(path: Path) -> None:
    """A FIFO, device or directory is not a roster: reading it would hang or fail obscurely."""
    import stat

    try:
        mode = path.stat().st_mode
    except OSError:
        return  # a missing file: the readers say so
    if stat.S_ISDIR(mode):
        raise InputError(f"花名册不是普通文件，而是一个目录 (the roster is a directory, not a regular file): {path}")
    if not stat.S_ISREG(mode):
        raise InputError(f"花名册不是普通文件（管道、设备等无法作为花名册读取）"
                         f"(the roster is not a regular file: a pipe or device cannot be read as a roster): {path}")


def read_excel(path: Path, fields: Sequence[Field] = (), sheet: str | None = None) -> Table:
    """An Excel/WPS/ODS workbook's roster sheet as a table (``rosterfile.read_roster`` picks the reader)."""
    if sheet is None and fields:
        sheet = roster_sheet(path, fields)
    rows, origin = _excel_rows(path, sheet)
    return build_table(rows, fields, origin, date1904=uses_1904_dates(path))


def read_csv(path: str | Path, fields: Sequence[Field] = ()) -> Table:
    return build_table(_csv_rows(Path(path)), fields, str(path))


CSV_FIELD_LIMIT = (1 << 31) - 1  # a cell may be long; an unclosed quote is found below, not by the field limit


def _csv_rows(path: Path) -> list[Row]:
    """Rows of a CSV, numbered as Excel numbers them. A line ends at CRLF, LF or a bare CR
    (old Mac files, mixed endings), as Excel reads them; an unclosed quote is an error."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取文件 cannot read {path}: {exc.strerror}") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError(f"文件编码无法识别（应为 UTF-8 或 GBK）: {path}")
    del raw
    if text.endswith(DOS_EOF) or text.rstrip("\r\n").endswith(DOS_EOF):
        text = text.rstrip("\r\n").rstrip(DOS_EOF)  # an old tool's end-of-file mark: not a row
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text))
    rows: list[Row] = []
    spans: list[tuple[int, int]] = []  # (record index, first physical line) of records spanning lines
    line = start = 0
    for i, cells in enumerate(reader):
        start = line + 1
        if reader.line_num > start:
            spans.append((i, start))
        line = reader.line_num
        rows.append((i + 1, cells))
    if rows and (not spans or spans[-1][0] != len(rows) - 1) and any("\n" in c for c in rows[-1][1]):
        spans.append((len(rows) - 1, start))  # a quote opened on the last line holds its line end
    _check_quotes(text, rows, spans, path)
    return rows


def _check_quotes(text: str, rows: list[Row], spans: list[tuple[int, int]], path: Path) -> None:
    """An opening quote that never closes swallows the lines after it into one cell: a
    quoted cell holding whole roster lines (as many commas as a row has), or a quote still
    open at the end of the file. A quoted note spanning a few lines is a cell like any other."""
    if not spans:
        return
    widths: dict[int, int] = {}
    for _, cells in rows[:1000]:
        widths[len(cells)] = widths.get(len(cells), 0) + 1
    usual = max(widths, key=widths.__getitem__)
    for i, first_line in spans:
        before = 0
        for cell in rows[i][1]:
            inner = cell.count("\n")
            if inner and any(part.count(",") >= max(2, usual - 1) for part in cell.split("\n")[1:]):
                _unclosed(path, first_line + before, inner)
            before += inner
    i, first_line = spans[-1]
    if i == len(rows) - 1:  # the last record spans lines: is its quote still open at the end?
        start = 0
        for _ in range(first_line - 1):
            start = text.index("\n", start) + 1
        try:
            list(csv.reader(io.StringIO(text[start:]), strict=True))
        except csv.Error:
            _unclosed(path, first_line, text.count("\n", start))


def _unclosed(path: Path, line: int, lines: int) -> None:
    raise InputError(f"{path}: 第{line}行有未闭合的引号，其后约{lines}行被并入同一个单元格；请检查该行的双引号 "
                     f"(an unclosed quote on line {line} swallows about {lines} lines after it into one cell: "
                     "check the double quotes on that line)")


def roster_sheet(path: Path, fields: Sequence[Field]) -> str | None:
    """Without --sheet, which sheet is the roster: where several visible sheets have a
    roster header (one 花名册 per 乡镇), computing the first alone would silently drop the
    others, so the run stops and names them (exit 2). Otherwise None: the first visible
    sheet, as documented (a 填表说明 sheet first is reported as having no header)."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        visible = [m.name for m in book.sheets_metadata if str(m.visible).endswith("Visible") and
                   str(m.typ).endswith("WorkSheet")]
        if len(visible) < 2:
            return None
        known = {normalise_header(h) for f in fields for h in f.headers()}
        required = [f for f in fields if f.required]
        rosters = []
        for name in visible:
            head = book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS)
            if any(header_hits(cells, known) >= 2 and not _lacks(cells, required) for cells in head):
                rosters.append(name)
    except Exception:  # noqa: BLE001 - an unreadable workbook or sheet: the reader says what is wrong
        return None
    if len(rosters) > 1:
        names = "、".join(f"“{n}”" for n in rosters)
        raise InputError(f"{path}: 工作簿中有多个工作表带花名册表头（{names}），只算其一会漏掉其余的人；"
                         f"请用 --sheet 逐表计算，或合并为一个工作表后计算 (several sheets have a roster header: "
                         f"{', '.join(rosters)}; computing one would leave out the others: compute each with "
                         f"--sheet NAME, or merge them into one sheet)")
    if len(rosters) == 1 and rosters[0] != visible[0]:  # a 填表说明 first: say where the roster is, not guess
        raise InputError(f"{path}: 第一个工作表“{visible[0]}”没有花名册表头，花名册像是在工作表“{rosters[0]}”："
                         f"请加 --sheet {rosters[0]} (the first sheet '{visible[0]}' has no roster header; the roster "
                         f"seems to be on sheet '{rosters[0]}': add --sheet {rosters[0]})")
    return None


def uses_1904_dates(path: Path) -> bool:
    """Whether an .xlsx/.xlsm counts serial dates from 1904-01-01 (workbookPr date1904="1"
    or "true"): a plain number in a date column is then four years and a day later than in
    the usual 1900 system. (Date-formatted cells are converted by calamine already.)"""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return False
    import zipfile
    from xml.etree import ElementTree as ET

    try:
        with zipfile.ZipFile(path) as book:
            root = ET.fromstring(book.read("xl/workbook.xml"))
    except (OSError, KeyError, zipfile.BadZipFile, ET.ParseError):
        return False  # calamine read it: a part we cannot find has nothing to add
    pr = next((el for el in root if el.tag.rsplit("}", 1)[-1] == "workbookPr"), None)
    return pr is not None and (pr.get("date1904") or "").strip().lower() in ("1", "true")


def _excel_rows(path: Path, sheet: str | None) -> tuple[list[Row], str]:
    from python_calamine import CalamineError, CalamineWorkbook

    if path.suffix.lower() == ".xlsb":
        # calamine reads an .xlsb error cell (#N/A) as blank, and its binary records are not
        # checked here: refused rather than read with a #N/A 死亡日期 taken as no date of death
        raise InputError(f"不接受 .xlsb（二进制工作簿）花名册：其中的错误值单元格（#N/A 等）无法识别，会被当作空白。"
                         f"请在 Excel 或 WPS 中另存为 .xlsx 后重试 (.xlsb rosters are refused: their error cells "
                         f"such as #N/A cannot be told from blanks; save it as .xlsx and try again): {path}")
    try:
        book = CalamineWorkbook.from_path(str(path))
    except FileNotFoundError:
        raise InputError(f"无法读取文件 cannot read {path}: 文件不存在 no such file") from None
    except (CalamineError, OSError, ValueError) as exc:
        raise InputError(f"无法读取 Excel 文件 cannot read workbook {path}：文件可能已损坏，或并非 Excel 文件（只是改了扩展名）。"
                         f"请在 Excel 或 WPS 中打开并另存为 .xlsx 后重试 (the file may be damaged or not a workbook: "
                         f"open it in Excel or WPS, save it as .xlsx and try again; the reader said: {exc})") from None
    visible = [m.name for m in book.sheets_metadata if str(m.visible).endswith("Visible") and
               str(m.typ).endswith("WorkSheet")]
    if sheet is None:
        if not visible:
            raise InputError(f"工作簿中没有可见的工作表 no visible worksheet in {path}")
        sheet = visible[0]
    elif sheet not in book.sheet_names:
        raise InputError(f"工作簿 {path} 中没有工作表“{sheet}” (no sheet '{sheet}'); "
                         f"可用 sheets: {'、'.join(book.sheet_names)}")
    try:
        ws = book.get_sheet_by_name(sheet)
        grid = ws.to_python(skip_empty_area=False)
        merged = ws.merged_cell_ranges or []
    except (CalamineError, ValueError) as exc:
        raise InputError(f"无法读取工作表 cannot read sheet '{sheet}' of {path}: {exc}") from None
    # calamine reads an error cell (#N/A) and a formula saved without its result as blank:
    # the sheet's XML says which they are, so they are refused rather than defaulted
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        from .workbook_faults import ods_faults, sheet_faults, xls_faults

        scan = {".xls": xls_faults, ".ods": ods_faults}.get(suffix, sheet_faults)
        for (r, c), fault in scan(path, book.sheet_names.index(sheet), sheet).items():
            while len(grid) <= r:
                grid.append([""] * (len(grid[0]) if grid else 0))
            if len(grid[r]) <= c:
                grid[r].extend([""] * (c + 1 - len(grid[r])))
            grid[r][c] = fault
    # a merged block shows its value down its first column (乡镇 merged down a group of rows);
    # the columns further right it covers are another field's, whose value is unknown (1984-06
    # merged over 离职日期 and 死亡日期 is not a date of death): refused in a data row, while a
    # title or a 合计 merged across columns still reads as that text
    for (r0, c0), (r1, c1) in merged:
        if r0 < len(grid) and c0 < len(grid[r0]):
            value = grid[r0][c0]
            covered = value if c1 == c0 or _is_blank(value) else _merged_across(value, r0, c0, r1, c1)
            for r in range(r0, min(r1, len(grid) - 1) + 1):
                for c in range(c0, min(c1, len(grid[r]) - 1) + 1):
                    grid[r][c] = value if c == c0 else covered
    return [(i + 1, row) for i, row in enumerate(grid)], f"{path}[{sheet}]"


def _merged_across(value: object, r0: int, c0: int, r1: int, c1: int) -> object:
    """What a cell right of a merge's first column reads as: the merge's text, refused."""
    if isinstance(value, CellFault):
        return value
    ref = f"{_column_letter(c0)}{r0 + 1}:{_column_letter(c1)}{r1 + 1}"
    return CellFault(_text(value), f"合并单元格跨越多列（{ref}），此列的值无法确定",
                     f"a merged cell spans several columns ({ref}): this column's value is unknown")


def _is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _text(cell: object) -> str:
    """A cell as text where its column does not give it a meaning of its own."""
    if cell is None:
        return ""
    if isinstance(cell, CellFault):
        return cell.text
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, float):  # as Excel shows it: a formula's 42000.499999999996 is 42000.5
        return str(int(cell)) if cell.is_integer() else format(cell, f".{EXCEL_DIGITS}g")
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return normalise_cell(cell)


def _date_text(cell: object, date1904: bool = False) -> tuple[str, tuple[str, str] | None]:
    """A number in a date column: a serial date, or a date typed as 1940.05 that Excel took for a number."""
    if isinstance(cell, dt.datetime):  # a date cell with a time of day: the day is what counts
        return cell.date().isoformat(), None
    if not isinstance(cell, (int, float)) or isinstance(cell, bool):
        return _text(cell), None
    number = float(cell)
    whole = int(number)
    if 1800 <= whole <= 2200 and not number.is_integer():  # 1940.05 typed into a number cell
        text = repr(number)
        if text.endswith(".1"):
            return text, (f"Excel 把日期存成了数字 {text}，无法区分1月与10月，请把该列设为文本后重填",
                          f"Excel stored the date as the number {text}: January or October? "
                          "Set the column to text and re-enter it")
        return text, None
    if number.is_integer() and len(str(whole)) in (4, 6, 8):  # 1940, 194005, 19400512
        return str(whole), None
    if date1904 and 0 <= whole <= MAX_EXCEL_SERIAL - (EXCEL_1904_EPOCH - EXCEL_EPOCH).days:
        return (EXCEL_1904_EPOCH + dt.timedelta(days=whole)).isoformat(), None
    if not date1904 and 1 <= whole <= MAX_EXCEL_SERIAL and whole != EXCEL_PHANTOM_LEAP_DAY:
        offset = whole if whole > EXCEL_PHANTOM_LEAP_DAY else whole + 1
        return (EXCEL_EPOCH + dt.timedelta(days=offset)).isoformat(), None
    return _text(cell), None


def _id_text(cell: object) -> tuple[str, tuple[str, str] | None]:
    if not isinstance(cell, (int, float)) or isinstance(cell, bool):
        return _text(cell), None
    text = _text(cell)
    if len(text) > EXCEL_DIGITS:
        return text, ("身份证号以数字保存，Excel 只保留15位有效数字，末尾几位已丢失；请把该列设为文本后重填",
                      "the ID number was stored as a number: Excel keeps 15 significant digits, so the last "
                      "digits are lost. Set the column to text and re-enter it")
    return text, None


def _digits_text(cell: object, header: str) -> tuple[str, tuple[str, str] | None]:
    """A number in a column of digits (银行账号): more than 15 digits cannot be its true value."""
    text = _text(cell)
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and len(text) > EXCEL_DIGITS:
        return text, (f"{header}以数字保存，Excel 只保留15位有效数字，末尾几位已丢失；请把该列设为文本后重填",
                      f"{header} was stored as a number: Excel keeps 15 significant digits, so the last digits "
                      "are lost. Set the column to text and re-enter it")
    return text, None


def _row_label(cells: Sequence[str]) -> str:
    first = next((c for c in cells if c), "")
    return re.sub(r"\s+", "", first)


SUM_KINDS = frozenset({"int", "money"})  # a total row may carry sums and counts under these columns
COUNT_KINDS = frozenset({"text", "choice"})  # and a count of rows or people (10行, 9人) under these
_COUNT = re.compile(r"^共?\d[\d,]*(?:人|个|名|行|户|条|项)$")
UNIT_FIELD = "unit"  # the field naming a row's unit (所属单位, 乡镇): a total row may name its unit there


def skip_reason(cells: Sequence[str], data_columns: Mapping[int, str] | Collection[int] = ()
                ) -> tuple[str, tuple[str, str] | None]:
    """A row's label (its first non-empty cell, without spaces), and why the row is skipped
    (None: a data row, computed or rejected).

    A total row's label IS a total: 合计, 小计, 总计, 共计 (合 计, 合计：) or a unit's name
    before one (江城镇小计). A footer's label opens with 填表人, 审核人, 备注 … and a colon
    (填表人：张三). Either is skipped only when the row carries no beneficiary data. Under the
    columns the policy knows (``data_columns``: column -> "sum", "count", "unit" or "data")
    it holds nothing but: sums and counts (64, 44人) under a number column ("sum"), a count
    with its unit (10行, 9人; not a bare number, which may be an 编号) under a text column
    ("count"), any unit's name under the unit column, and elsewhere only the label again (a
    merged 合计), more totals or footer texts. A 身份证号, a date, a sex or a name is a beneficiary's: so 王小计 with an
    ID number, 联系人：with an ID number, or an 编号 小计 with a birth date are data rows."""
    at = next((j for j, c in enumerate(cells) if c), None)
    if at is None:
        return "", None
    compact = re.sub(r"\s+", "", cells[at])
    bare = compact.rstrip(":：")
    if bare.endswith(TOTAL_LABELS) and len(bare) <= MAX_TOTAL_LABEL:
        why = ("合计行，已跳过（不参与计算）", "total row, skipped (not computed)")
        unit = bare[:-2]
    elif _FOOTER.match(compact):
        why, unit = ("表尾说明行，已跳过", "footer line, skipped"), None
    else:
        return compact, None
    roles = data_columns if isinstance(data_columns, Mapping) else dict.fromkeys(data_columns, "sum")
    for j, role in roles.items():
        if j == at or j >= len(cells) or not cells[j]:
            continue
        other = re.sub(r"\s+", "", cells[j])
        if role == "unit" or other == compact or other == unit or _FOOTER.match(other):
            continue
        bare_other = other.rstrip(":：")
        if bare_other.endswith(TOTAL_LABELS) and len(bare_other) <= MAX_TOTAL_LABEL and role != "data":
            continue
        if bare_other in TOTAL_LABELS:
            continue
        if role == "sum" and _TOTAL_LIKE.match(other) or role == "count" and _COUNT.match(other):
            continue
        return compact, None  # a beneficiary's data: the row is computed or rejected, never dropped
    return compact, why


def data_columns(header: Sequence[str], fields: Sequence[Field]) -> dict[int, str]:
    """Columns whose header names one of the policy's fields, where beneficiary data lies,
    each with what a total row may hold there: "sum" (a number field), "count" (a text or
    choice field: 10行), "unit" (the unit field) or "data" (ID numbers, dates, sex, yes/no:
    only the total's label again)."""
    by_header = {normalise_header(h): f for f in fields for h in f.headers()}
    roles = {}
    for j, h in enumerate(header):
        f = by_header.get(normalise_header(h)) if h else None
        if f is not None:
            roles[j] = ("unit" if f.name == UNIT_FIELD else "sum" if f.kind in SUM_KINDS
                        else "count" if f.kind in COUNT_KINDS else "data")
    return roles


def header_hits(cells: Sequence[object], known: set[str]) -> int:
    return len({normalise_header(clean_header(_text(c))) for c in cells if not _is_blank(c)} & known)


def find_header(rows: Sequence[Row], fields: Sequence[Field], origin: str = "") -> int:
    """Index in ``rows`` of the header: the row among the first HEADER_SEARCH_ROWS naming
    the most fields (the first such). Where none names a field, or the best lacks a required
    column, the rows below are searched to say where the header is; with none at all, the
    expected headers are listed (exit 2), rather than a data row taken for the header."""
    known = {normalise_header(h) for f in fields for h in f.headers()}
    best, best_hits = None, 0
    for k, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        hits = header_hits(cells, known)
        if hits > best_hits:
            best, best_hits = k, hits
    required = [f for f in fields if f.required]
    if best is not None and not _lacks(rows[best][1], required):
        return best
    for k in range(HEADER_SEARCH_ROWS, min(len(rows), HEADER_SEARCH_ROWS + FURTHER_HEADER_ROWS)):
        cells = rows[k][1]
        if header_hits(cells, known) > best_hits and not _lacks(cells, required):
            raise InputError(f"{origin}: 表头须在前{HEADER_SEARCH_ROWS}行内，第{rows[k][0]}行像是表头；"
                             f"请删去表头上方多余的行 (the header must be within the first {HEADER_SEARCH_ROWS} "
                             f"rows; row {rows[k][0]} looks like the header: delete the rows above it)")
    if best is None:
        expected = "、".join(f.header + ("（必填）" if f.required else "") for f in fields)
        raise InputError(f"{origin}: 未找到表头行：前{HEADER_SEARCH_ROWS}行中没有一行含有本政策的列名；应有的列：{expected} "
                         f"(no header row found: none of the first {HEADER_SEARCH_ROWS} rows names a column of this "
                         f"policy; expected: {', '.join(f.header for f in fields)})")
    return best  # a required column is missing: the header check names it and what was found


def _lacks(cells: Sequence[object], required: Sequence[Field]) -> bool:
    names = {normalise_header(clean_header(_text(c))) for c in cells if not _is_blank(c)}
    return any(not names & {normalise_header(h) for h in f.headers()} for f in required)


def build_table(rows: Sequence[Row], fields: Sequence[Field], origin: str, date1904: bool = False) -> Table:
    """Header, data rows and skipped rows (titles, totals, footers) from raw cells.

    Column by column, and each distinct text normalised once: a million-row roster has
    millions of cells but few distinct values in most columns.
    """
    rows = [(n, cells) for n, cells in rows if _has_content(cells)]
    if not rows:
        raise InputError(f"文件为空 empty roster: {origin}")
    h = find_header(rows, fields, origin) if fields else 0
    # every cell of the header row is a column, a blank one too: data under a column without
    # a header is reported and ignored; a row with more cells than the header row is shifted
    header = [clean_header(_text(c)) for c in rows[h][1]]
    skipped = [Notice(n, "", _row_label([_text(c) for c in cells])[:40], "表头以上的标题行，已跳过",
                      "title row above the header, skipped") for n, cells in rows[:h]]
    body = rows[h + 1:]
    width = len(header)
    kinds = _column_kinds(header, fields, date1904)
    lines = np.fromiter((n for n, _ in body), dtype=np.int64, count=len(body))
    columns: list[np.ndarray] = []
    problems: dict[int, dict[int, tuple[str, str]]] = {}  # column -> pos -> reason (before skipping)
    padding = [None] * width
    grid = zip(*(cells if len(cells) == width else (list(cells) + padding)[:width] for _, cells in body))
    for j, raw in enumerate(grid):
        columns.append(_column_text(raw, kinds.get(j), problems.setdefault(j, {})))
    if not body:
        columns = [np.empty(0, dtype=object) for _ in range(width)]
    # the label of a row is its first non-empty cell: 合计 rows and 填表人 footers are skipped
    label = np.full(len(body), "", dtype=object)
    for col in columns:
        label = np.where(label == "", col, label)
    wide = np.fromiter((len(cells) > width for _, cells in body), dtype=bool, count=len(body))
    for pos in np.flatnonzero(wide & (label == "")):  # only cells beyond the header: label from them
        label[pos] = next((t for t in (_text(c) for c in body[pos][1][width:]) if t), "")
    keep = np.ones(len(body), dtype=bool)
    known = data_columns(header, fields)
    for text in set(label.tolist()):
        if "计" not in text and text.lstrip()[:1] not in FOOTER_FIRST_CHARACTERS:
            continue  # neither a total (合计, 小计 …) nor a footer: most labels, skipped cheaply
        for pos in np.flatnonzero(label == text):
            cells = [col[pos] for col in columns] or [text]
            if not any(cells):
                cells = [text]
            compact, why = skip_reason(cells, known)
            if why is not None:
                keep[pos] = False
                skipped.append(Notice(int(lines[pos]), "", compact[:40], *why))
    new_pos = np.cumsum(keep) - 1  # position among the rows kept
    table = make_table(header, [], [], origin)
    table.cells = {hd: col[keep] for hd, col in zip(table.headers, columns) if hd}
    table.row_numbers = lines[keep]
    for pos in np.flatnonzero(wide & keep):
        extra = [t for t in (_text(c) for c in body[pos][1][width:]) if t]
        if extra:  # cells beyond the header: the row is shifted or malformed
            table.row_errors[int(new_pos[pos])] = ("、".join(extra), "本行的单元格多于表头列数，可能错位",
                                                   "more cells than the header has columns; the row may be shifted")
    for j, found in problems.items():
        kept = {int(new_pos[pos]): why for pos, why in found.items() if keep[pos]}
        if kept and table.headers[j]:
            table.cell_errors[table.headers[j]] = kept
    table.skipped.extend(sorted(skipped, key=lambda nt: nt.row))
    for j, col in enumerate(columns):
        if not header[j] and (filled := np.flatnonzero((col != "") & keep)).size:
            letter = _column_letter(j)
            table.skipped.append(Notice(int(lines[filled[0]]), letter, "", f"第{letter}列没有表头，其内容已忽略",
                                        f"column {letter} has no header; its cells are ignored"))
    return table


def _column_text(raw: Sequence[object], convert, problems: dict[int, tuple[str, str]]) -> np.ndarray:
    """One column as normalised text: typed cells through ``convert`` (or plain text), each
    distinct text normalised once. Error cells (an Excel error value, an uncached formula, a
    text that is an error value such as #N/A in a CSV exported from Excel) go to ``problems``."""
    out = np.empty(len(raw), dtype=object)
    seen: dict[str, str] = {}

    def text_of(cell: str) -> str:
        text = seen[cell] = normalise_cell(cell)
        return text

    if all(type(c) is str for c in raw):  # CSV, and text columns of a sheet
        out[:] = [seen[c] if c in seen else text_of(c) for c in raw]
        _error_literals(out, seen.values(), problems)
        return out
    texts = []
    for pos, cell in enumerate(raw):
        if type(cell) is str:
            text = seen[cell] if cell in seen else text_of(cell)
        elif isinstance(cell, CellFault):
            text = cell.text
            problems[pos] = (cell.zh, cell.en)
        elif convert is not None:
            text, problem = convert(cell)
            if problem:
                problems[pos] = problem
        else:
            text = _text(cell)
        texts.append(text)
    out[:] = texts
    _error_literals(out, seen.values(), problems)
    return out


def _error_literals(column: np.ndarray, distinct, problems: dict[int, tuple[str, str]]) -> None:
    """Cells whose whole text is an Excel error value: refused like the error cells they were."""
    for text in {t for t in distinct if error_literal(t)}:
        for pos in np.flatnonzero(column == text):
            problems.setdefault(int(pos), error_reason(error_literal(text)))


def _has_content(cells: Sequence[object]) -> bool:
    first = cells[0] if cells else None
    if type(first) is str and first.strip():  # the usual row: decided by its first cell
        return True
    return any(not _is_blank(c) for c in cells)


def _column_kinds(header: Sequence[str], fields: Sequence[Field], date1904: bool = False):
    """Column index -> converter for typed Excel cells, by the field each header names."""
    by_header = {normalise_header(h): f for f in fields for h in f.headers()}
    kinds = {}
    for j, h in enumerate(header):
        f = by_header.get(normalise_header(h)) if h else None
        if f is not None and f.kind == "date":
            kinds[j] = _date_text if not date1904 else lambda cell: _date_text(cell, date1904=True)
        elif f is not None and f.kind == "id_number":
            kinds[j] = _id_text
        elif f is not None and f.output_only:  # a 银行账号 typed into a number cell
            kinds[j] = lambda cell, header=f.header: _digits_text(cell, header)
    return kinds


_column_letter = column_letter

