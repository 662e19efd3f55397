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
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .fields import Field, normalise_cell, normalise_header
from .roster import InputError, Notice, Table, make_table

EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
FAST_CSV_BYTES = 1 << 20  # below a megabyte the careful reader takes no longer than starting polars
HEADER_SEARCH_ROWS = 30  # title rows above the header are few; do not scan a whole sheet
TOTAL_LABELS = ("合计", "总计", "小计", "共计")  # also as an ending: 江城镇小计
MAX_TOTAL_LABEL = 20
FOOTER_PREFIXES = ("填表人", "制表人", "填报人", "审核人", "负责人", "单位负责人", "联系电话", "联系人",
                   "填表日期", "制表日期", "填报日期", "备注:", "说明:", "注:")
FOOTER_FIRST_CHARACTERS = frozenset(p[0] for p in FOOTER_PREFIXES)
EXCEL_DIGITS = 15  # Excel stores numbers as doubles and shows 15 significant digits
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 given Excel's phantom 1900-02-29
EXCEL_PHANTOM_LEAP_DAY = 60
MAX_EXCEL_SERIAL = 2_958_465  # 9999-12-31

Row = tuple[int, list[object]]  # (row number as the user sees it, cells)


def read_roster(path: str | Path, fields: Sequence[Field] = (), sheet: str | None = None,
                fast: bool | None = None) -> Table:
    """A roster file as a table: .csv (UTF-8 or GB18030) or an Excel/WPS/ODS workbook.

    A large UTF-8 CSV is read by polars (``fast``; by default from FAST_CSV_BYTES up) into
    dictionary-encoded columns; any file it cannot read line for line goes the careful way.
    """
    path = Path(path)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        rows, origin = _excel_rows(path, sheet)
        return build_table(rows, fields, origin)
    if sheet is not None:
        raise InputError(f"--sheet 只适用于 Excel 文件 (--sheet applies to Excel files): {path}")
    if fast is None:
        fast = path.is_file() and path.stat().st_size >= FAST_CSV_BYTES
    if fast:
        from .fastcsv import read_csv_columns

        table = read_csv_columns(path, fields)
        if table is not None:
            return table
    return build_table(_csv_rows(path), fields, str(path))


def read_csv(path: str | Path, fields: Sequence[Field] = ()) -> Table:
    return build_table(_csv_rows(Path(path)), fields, str(path))


def _csv_rows(path: Path) -> list[Row]:
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
    return [(i + 1, list(r)) for i, r in enumerate(csv.reader(io.StringIO(text)))]


def _excel_rows(path: Path, sheet: str | None) -> tuple[list[Row], str]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except FileNotFoundError:
        raise InputError(f"无法读取文件 cannot read {path}: 文件不存在 no such file") from None
    except (CalamineError, OSError, ValueError) as exc:
        raise InputError(f"无法读取 Excel 文件 cannot read workbook {path}: {exc}") from None
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
    # a merged block shows its value in every cell it covers (乡镇 merged down a group of rows)
    for (r0, c0), (r1, c1) in merged:
        if r0 < len(grid) and c0 < len(grid[r0]):
            value = grid[r0][c0]
            for r in range(r0, min(r1, len(grid) - 1) + 1):
                for c in range(c0, min(c1, len(grid[r]) - 1) + 1):
                    grid[r][c] = value
    return [(i + 1, row) for i, row in enumerate(grid)], f"{path}[{sheet}]"


def _is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _text(cell: object) -> str:
    """A cell as text where its column does not give it a meaning of its own."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return normalise_cell(cell)


def _date_text(cell: object) -> tuple[str, tuple[str, str] | None]:
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
    if 1 <= whole <= MAX_EXCEL_SERIAL and whole != EXCEL_PHANTOM_LEAP_DAY:
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


def _row_label(cells: Sequence[str]) -> str:
    first = next((c for c in cells if c), "")
    return re.sub(r"\s+", "", first)


def skip_reason(label: str) -> tuple[str, tuple[str, str] | None]:
    """A row's label without spaces, and why the row is skipped: a 合计/小计 row or a
    填表人 footer (None: a data row)."""
    compact = re.sub(r"\s+", "", label)
    if compact.endswith(TOTAL_LABELS) and len(compact) <= MAX_TOTAL_LABEL:
        return compact, ("合计行，已跳过（不参与计算）", "total row, skipped (not computed)")
    if compact.startswith(FOOTER_PREFIXES):
        return compact, ("表尾说明行，已跳过", "footer line, skipped")
    return compact, None


def find_header(rows: Sequence[Row], fields: Sequence[Field]) -> int:
    """Index in ``rows`` of the header: the row naming the most fields (the first such)."""
    known = {normalise_header(h) for f in fields for h in f.headers()}
    best, best_hits = None, 0
    for k, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        hits = len({normalise_header(_text(c)) for c in cells if not _is_blank(c)} & known)
        if hits > best_hits:
            best, best_hits = k, hits
    if best is not None:
        return best
    return 0  # nothing matched: the first row, so the missing-column error names what it holds


def build_table(rows: Sequence[Row], fields: Sequence[Field], origin: str) -> Table:
    """Header, data rows and skipped rows (titles, totals, footers) from raw cells.

    Column by column, and each distinct text normalised once: a million-row roster has
    millions of cells but few distinct values in most columns.
    """
    rows = [(n, cells) for n, cells in rows if _has_content(cells)]
    if not rows:
        raise InputError(f"文件为空 empty roster: {origin}")
    h = find_header(rows, fields) if fields else 0
    header = [_text(c) for c in rows[h][1]]
    while header and not header[-1]:
        header.pop()
    skipped = [Notice(n, "", _row_label([_text(c) for c in cells])[:40], "表头以上的标题行，已跳过",
                      "title row above the header, skipped") for n, cells in rows[:h]]
    body = rows[h + 1:]
    width = len(header)
    kinds = _column_kinds(header, fields)
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
    for text in set(label.tolist()):
        if "计" not in text and text.lstrip()[:1] not in FOOTER_FIRST_CHARACTERS:
            continue  # neither a total (合计, 小计 …) nor a footer: most labels, skipped cheaply
        compact, why = skip_reason(text)
        if why is None:
            continue
        for pos in np.flatnonzero(label == text):
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
        if kept:
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
    distinct text normalised once."""
    out = np.empty(len(raw), dtype=object)
    seen: dict[str, str] = {}

    def text_of(cell: str) -> str:
        text = seen[cell] = normalise_cell(cell)
        return text

    if all(type(c) is str for c in raw):  # CSV, and text columns of a sheet
        out[:] = [seen[c] if c in seen else text_of(c) for c in raw]
        return out
    texts = []
    for pos, cell in enumerate(raw):
        if type(cell) is str:
            text = seen[cell] if cell in seen else text_of(cell)
        elif convert is not None:
            text, problem = convert(cell)
            if problem:
                problems[pos] = problem
        else:
            text = _text(cell)
        texts.append(text)
    out[:] = texts
    return out


def _has_content(cells: Sequence[object]) -> bool:
    first = cells[0] if cells else None
    if type(first) is str and first.strip():  # the usual row: decided by its first cell
        return True
    return any(not _is_blank(c) for c in cells)


def _column_kinds(header: Sequence[str], fields: Sequence[Field]):
    """Column index -> converter for typed Excel cells, by the field each header names."""
    by_header = {normalise_header(h): f for f in fields for h in f.headers()}
    kinds = {}
    for j, h in enumerate(header):
        f = by_header.get(normalise_header(h)) if h else None
        if f is not None and f.kind == "date":
            kinds[j] = _date_text
        elif f is not None and f.kind == "id_number":
            kinds[j] = _id_text
    return kinds


def _column_letter(j: int) -> str:
    letters = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        letters = chr(ord("A") + r) + letters
    return letters
