"""Excel output (xlsxwriter): sheets with a title line, a frozen Chinese header, money to
two decimals, and a totals row whose SUM formulas carry the exact totals as cached values.

Every sheet is set up to print as a filed form: A4, landscape when wider than portrait
holds, one page wide, the header row repeated on each page, 第 N 页 共 M 页 in the footer,
a merged title. A sheet with money adds a units line (单位：元), and one with a grand total
(Sheet.grand_total) its 大写 line under the totals row and a signature block (填表人、审核人、
负责人、填报日期, 单位（盖章）). The header is on the third row of every sheet (after any preamble
lines), below a band grouping its columns (Sheet.groups: 分项, 分级负担) where the sheet has one.

Money is exact integer fen up to this point. An xlsx number is a double, so a cell holds
fen / 100: the double nearest the two-decimal amount, which every reader shows (and
rounds back) as exactly that amount.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .capitals import rmb_capitals
from .output import Sheet, write_file_atomic

FEN_PER_YUAN = 100
MONEY_FORMAT = "#,##0.00"
MAX_COLUMN_WIDTH = 40
HEADER_WRAP = 12  # a header wider than this (six CJK characters) wraps onto more lines
LINE_HEIGHT = 14  # points per line of wrapped header text (11-point font)
A4 = 9  # xlsxwriter's paper code
# Portrait A4 less 0.4" margins is 190 mm, about 100 columns of Excel's default width unit
# (one digit of the default 11-point font, about 1.85 mm with its padding): a wider table
# turns landscape (277 mm, about 150), and fit_to_pages scales down whatever is wider still.
PORTRAIT_WIDTH = 100
_BLANK = "\u3000" * 6  # room to sign by hand
PRINT_FRAME = {
    "zh": {"units": "单位：元", "footer": "&C第 &P 页 共 &N 页",
           "words": "合计（大写）：人民币{words}　　（小写）：¥{figures}",
           "sign": ["填表人：", "审核人：", "负责人：", f"填报日期：{_BLANK}年\u3000\u3000月\u3000\u3000日"],
           "seal": f"单位（盖章）：{_BLANK * 2}"},
    "en": {"units": "Unit: yuan", "footer": "&CPage &P of &N",
           "words": "Total in words: 人民币{words}    (in figures: ¥{figures})",
           "sign": ["Prepared by:", "Checked by:", "Approved by:", "Date:"],
           "seal": f"Unit (seal):{_BLANK * 2}"},
}


def write_workbook(path: str | Path, sheets: Sequence[Sheet]) -> None:
    """All ``sheets`` into one .xlsx, written atomically (a failed run leaves no file)."""
    write_file_atomic(path, lambda tmp: build_workbook(tmp, sheets))


def build_workbook(file: str, sheets: Sequence[Sheet]) -> None:
    """All ``sheets`` into the .xlsx ``file``.

    xlsxwriter spills rows to temporary files (names and ids in them): they go in the folder
    of ``file``, a private staging folder that is removed whether the run ends well or not,
    rather than in $TMPDIR where an interrupted run would leave them.
    """
    import xlsxwriter

    book = xlsxwriter.Workbook(file, {"constant_memory": True, "tmpdir": os.path.dirname(os.path.abspath(file))})
    styles = {
        "header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                   "valign": "vcenter"}),
        "header_band": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center",
                                        "valign": "vcenter"}),
        "money": book.add_format({"num_format": MONEY_FORMAT}),
        "int": book.add_format({"num_format": "0"}),
        "text": book.add_format({"num_format": "@"}),  # keeps 身份证号 and codes as text
        "wrap": book.add_format({"num_format": "@", "text_wrap": True}),  # a text wider than MAX_COLUMN_WIDTH
        "total_money": book.add_format({"num_format": MONEY_FORMAT, "bold": True, "top": 1}),
        "total_int": book.add_format({"num_format": "0", "bold": True, "top": 1}),
        "total_text": book.add_format({"bold": True, "top": 1}),
        "note": book.add_format({"italic": True, "text_wrap": True, "valign": "top"}),
        "title": book.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter",
                                  "text_wrap": True}),
        "units": book.add_format({"align": "right"}),
        "preamble": book.add_format({"text_wrap": True, "valign": "top"}),
        "words": book.add_format({"bold": True, "border": 1}),
        "sign": book.add_format({"valign": "bottom"}),
        "seal": book.add_format({"align": "right", "valign": "bottom"}),
    }
    for sheet in sheets:
        _write_sheet(book, sheet, styles)
    book.close()


def _write_sheet(book, sheet: Sheet, styles) -> None:
    from xlsxwriter.utility import xl_col_to_name

    ws = book.add_worksheet(sheet.name[:31])
    widths = column_widths(sheet)
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    frame = PRINT_FRAME["en" if sheet.lang == "en" else "zh"]
    has_money = "money" in sheet.kinds
    # rows are streamed out in order (constant_memory), so the frame is written top to bottom
    # a title wider than the table (14-point type: 14/11 of a width unit a unit) wraps
    ws.set_row(0, 24 if _width(sheet.title) * 14 <= sum(widths) * 11 else 20 * -(-_width(sheet.title) * 14 // (sum(widths) * 11)))
    _merged(ws, 0, len(widths), sheet.title, styles["title"])
    if has_money:
        _merged(ws, 1, len(widths), frame["units"], styles["units"])
    for k, line in enumerate(sheet.preamble):  # lines between the title and the table (a 公示 list's basis, period)
        _merged(ws, 2 + k, len(widths), line, styles["preamble"])
    band_row = 2 + len(sheet.preamble)  # below the title and units line, on every sheet
    if sheet.groups:  # a band over groups of columns (分项, 分级负担): printed and frozen with the header
        grouped = {j for _, a, b in sheet.groups for j in range(a, b + 1)}
        for j in range(len(widths)):
            if j not in grouped:
                ws.write_blank(band_row, j, None, styles["header"])
        for label, a, b in sorted(sheet.groups, key=lambda g: g[1]):
            if b > a:
                ws.merge_range(band_row, a, band_row, b, label, styles["header_band"])
            else:
                ws.write_string(band_row, a, label, styles["header_band"])
    header_row = band_row + (1 if sheet.groups else 0)
    ws.set_row(header_row, LINE_HEIGHT * _header_lines(sheet, widths))  # a long header wraps
    for j, h in enumerate(sheet.header):
        ws.write_string(header_row, j, h, styles["header"])
    ws.freeze_panes(header_row + 1, 0)
    first = header_row + 1
    # a text column at the cap wraps: else a longer text is cut at the next filled cell, or runs off the
    # table and shrinks the whole printed page to fit it in
    kinds = ["wrap" if k == "text" and w >= MAX_COLUMN_WIDTH else k for k, w in zip(sheet.kinds, widths)]
    wrapped = [j for j, k in enumerate(kinds) if k == "wrap"]
    if not _stream_rows(ws, first, sheet, styles, kinds, widths):
        for i, row in enumerate(sheet.rows):
            lines = _lines(row, wrapped, widths)
            if lines > 1:  # no reader sizes a row to its wrapped text on opening (LibreOffice does not)
                ws.set_row(first + i, LINE_HEIGHT * lines)
            for j, (value, kind) in enumerate(zip(row, kinds)):
                _write_cell(ws, first + i, j, value, kind, styles)
    last = first + len(sheet.rows) - 1
    if sheet.total is not None:
        r = last + 1
        for j, (value, kind) in enumerate(zip(sheet.total, sheet.kinds)):
            # a sum only where the totals row holds a number: a label (合计 in a 序号 column) stays a label
            if kind in ("money", "int") and isinstance(value, (int, np.integer)) and not isinstance(value, bool):
                column = xl_col_to_name(j)
                formula = f"=SUM({column}{first + 1}:{column}{last + 1})" if sheet.rows else "=0"
                cached = value / FEN_PER_YUAN if kind == "money" else value
                ws.write_formula(r, j, formula, styles[f"total_{kind}"], cached)
            elif value not in ("", None):
                ws.write_string(r, j, str(value), styles["total_text"])
        last = r
    grand = sheet.grand_total() if has_money else None
    if grand is not None and grand >= 0:  # a negative amount has no 大写 (capitals.py)
        last += 1
        _merged(ws, last, len(widths), frame["words"].format(words=rmb_capitals(grand), figures=_figures(grand)),
                styles["words"])
    for k, note in enumerate(sheet.notes):  # across the table's width, wrapped, so that it prints whole
        ws.set_row(last + 2 + k, LINE_HEIGHT * -(-_width(note) // sum(widths)))
        _merged(ws, last + 2 + k, len(widths), note, styles["note"])
    last += 1 + len(sheet.notes)
    if grand is not None and sheet.signed:
        _signatures(ws, last + 2, widths, frame, styles)
    _page_setup(ws, sheet, widths, band_row, header_row, frame)
    if sheet.chart and sheet.rows:
        _add_chart(book, ws, sheet, first, first + len(sheet.rows) - 1)


def column_widths(sheet: Sheet) -> list[int]:
    """Column widths (characters) from a sample of the rows (they are streamed out as written),
    the totals row (the widest amounts) and the header, which wraps past HEADER_WRAP."""
    widths = [8] * len(sheet.header)
    for row in [*sheet.rows[:1000], *([sheet.total] if sheet.total is not None else [])]:
        for j, (value, kind) in enumerate(zip(row, sheet.kinds)):
            if value not in ("", None):
                text = _figures(value) if kind == "money" and isinstance(value, int) else str(value)
                widths[j] = max(widths[j], _width(text))
    widths = [max(w, min(_width(h), HEADER_WRAP)) for w, h in zip(widths, sheet.header)]
    return [min(w + 2, MAX_COLUMN_WIDTH) for w in widths]


def _header_lines(sheet: Sheet, widths: Sequence[int]) -> int:
    """Lines of the tallest wrapped header: no reader sizes a row to its wrapped text on opening
    (LibreOffice does not), so the height is set. A CJK character is under two width units in
    the common fonts: this errs on the tall side, never cutting a header."""
    return max([1, *(-(-_width(h) // w) for h, w in zip(sheet.header, widths))])


def landscape(sheet: Sheet, widths: Sequence[int]) -> bool:
    """Landscape when the columns are wider than portrait A4 holds at full size, or a chart
    (720 px, about 100 columns) stands beside them."""
    return bool(sheet.chart) or sum(widths) > PORTRAIT_WIDTH


def _page_setup(ws, sheet: Sheet, widths: Sequence[int], band_row: int, header_row: int,
                frame: dict[str, str]) -> None:
    ws.set_paper(A4)
    if landscape(sheet, widths):
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as the rows need
    ws.repeat_rows(band_row, header_row)  # the band (when any) and the header, on every page
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.7)
    ws.set_footer(frame["footer"], {"margin": 0.3})
    ws.center_horizontally()


def _merged(ws, row: int, columns: int, text: str, style) -> None:
    if columns > 1:
        ws.merge_range(row, 0, row, columns - 1, text, style)
    else:
        ws.write_string(row, 0, text, style)


def _sign_edges(widths: Sequence[int], fields: Sequence[str]) -> list[int] | None:
    """Column edges of 填表人、审核人、负责人 (the columns shared evenly) and 填报日期 (at the right, as
    many columns as its 年 月 日 need): a merged cell clips its text. None when the sheet is too narrow."""
    columns, need = len(widths), _width(fields[-1])
    start = next((c for c in range(columns - 1, -1, -1) if sum(widths[c:]) >= need), -1)
    others = len(fields) - 1
    if start < others:
        return None
    edges = [round(k * start / others) for k in range(others)] + [start, columns]
    if any(sum(widths[a:b]) < _width(text) for text, a, b in zip(fields, edges, edges[1:])):
        return None
    return edges


def _signatures(ws, row: int, widths: Sequence[int], frame: dict[str, str], styles) -> None:
    """填表人、审核人、负责人、填报日期 spread over the width (one per line when too narrow), then 单位（盖章）."""
    fields, columns = frame["sign"], len(widths)
    edges = _sign_edges(widths, fields)
    if edges is not None:
        for text, a, b in zip(fields, edges, edges[1:]):
            if b - a > 1:
                ws.merge_range(row, a, row, b - 1, text, styles["sign"])
            else:
                ws.write_string(row, a, text, styles["sign"])
        row += 1
    else:
        for text in fields:
            _merged(ws, row, columns, text, styles["sign"])
            row += 1
    ws.set_row(row + 1, 36)  # room for the seal
    _merged(ws, row + 1, columns, frame["seal"], styles["seal"])


def _figures(fen: int) -> str:
    """Exact fen as the money format shows it: 1,234.50."""
    yuan, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{'-' if fen < 0 else ''}{yuan:,}.{cents:02d}"


def _add_chart(book, ws, sheet: Sheet, first: int, last: int) -> None:
    """A native clustered column chart: categories from column A, one series per other column."""
    chart = book.add_chart({"type": "column"})
    name = ws.get_name()
    for j in range(1, len(sheet.header)):
        chart.add_series({
            "name": [name, first - 1, j],
            "categories": [name, first, 0, last, 0],
            "values": [name, first, j, last, j],
            "data_labels": {"value": False},
        })
    chart.set_title({"name": sheet.chart})
    chart.set_y_axis({"name": "元", "num_format": "#,##0"})
    chart.set_size({"width": 720, "height": 400})
    ws.insert_chart(first - 1, len(sheet.header) + 1, chart)


def _write_cell(ws, r: int, j: int, value, kind: str, styles) -> None:
    if value is None or value == "":
        return
    if kind == "money":
        ws.write_number(r, j, value / FEN_PER_YUAN, styles["money"])
    elif kind == "int":
        ws.write_number(r, j, value, styles["int"])
    else:
        ws.write_string(r, j, str(value), styles["wrap" if kind == "wrap" else "text"])


STREAM_CHUNK = 10_000  # rows rendered at a time: the XML of a chunk is held, not the sheet's


def _lines(row, wrapped: Sequence[int], widths: Sequence[int]) -> int:
    """The lines a row's wrapped texts take (1 when none wraps)."""
    return max([1, *(-(-_width(str(row[j] or "")) // widths[j]) for j in wrapped)])


def _stream_rows(ws, first: int, sheet: Sheet, styles, kinds: Sequence[str], widths: Sequence[int]) -> bool:
    """The table's rows written straight into the worksheet's row file as XML, column by column:
    xlsxwriter's per-cell calls (a cell object, a dict, attribute escaping per cell) were most of
    the time of a large 分配表. The cells are what ``_write_cell`` writes: money as fen / 100 (the
    double nearest the amount, printed as xlsxwriter prints it: 16 significant digits, 274 for
    274.00), counts as integers, text as escaped inline strings, blanks left out. Only in constant-memory mode, where rows stream to that file in
    order; False (nothing written) where this xlsxwriter does not work so, and the caller writes
    cell by cell."""
    fh = getattr(ws, "row_data_fh", None)
    needed = ("_write_single_row", "_check_dimensions", "_escape_control_characters", "_escape_data", "previous_row")
    if not getattr(ws, "constant_memory", False) or fh is None or not all(hasattr(ws, a) for a in needed):
        return False
    try:
        from xlsxwriter.utility import _preserve_whitespace, _utf16_len, _utf16_truncate, xl_col_to_name
    except ImportError:
        return False
    n, width = len(sheet.rows), len(sheet.kinds)
    if n == 0:
        return True
    # what is pending (the header) is written out and the row pointer moved past the table, so the
    # totals row that follows is written as usual; the sheet's extent first, which a moved pointer refuses
    ws._check_dimensions(first + n - 1, width - 1)
    ws._write_single_row(first + n)
    strmax = ws.xls_strmax
    texts: dict[str, str] = {}  # distinct texts (units, tiers, reasons) rendered once

    def text_xml(value: str) -> str:
        if len(value) > strmax // 2 and _utf16_len(value) > strmax:
            value = _utf16_truncate(value, strmax)  # as xlsxwriter's write_string does
        value = ws._escape_control_characters(value)
        space = ' xml:space="preserve"' if _preserve_whitespace(value) else ""
        return f'" t="inlineStr"><is><t{space}>{ws._escape_data(value)}</t></is></c>'

    parts = []
    wrapped = [j for j, k in enumerate(kinds) if k == "wrap"]
    for j, kind in enumerate(kinds):
        style = styles[kind if kind in ("money", "int", "wrap") else "text"]._get_xf_index()
        parts.append((f'<c r="{xl_col_to_name(j)}', f'" s="{style}', kind))
    for start in range(0, n, STREAM_CHUNK):
        chunk = sheet.rows[start:start + STREAM_CHUNK]
        numbers = range(first + start + 1, first + start + len(chunk) + 1)  # 1-based row numbers
        cells = []
        for (column, style, kind), values in zip(parts, zip(*chunk)):
            if kind == "money":
                cells.append([f"{column}{r}{style}\"><v>{v / FEN_PER_YUAN:.16G}</v></c>" if v is not None and v != "" else ""
                              for r, v in zip(numbers, values)])
            elif kind == "int":
                cells.append([f"{column}{r}{style}\"><v>{v:.16G}</v></c>" if v is not None and v != "" else ""
                              for r, v in zip(numbers, values)])
            else:
                rendered = []
                for r, v in zip(numbers, values):
                    if v is None or v == "":
                        rendered.append("")
                        continue
                    v = str(v)
                    tail = texts.get(v)
                    if tail is None:
                        tail = text_xml(v)
                        if len(texts) < 100_000:  # ids and names are all distinct: no point holding them all
                            texts[v] = tail
                    rendered.append(f"{column}{r}{style}{tail}")
                cells.append(rendered)
        heights = [_lines(row, wrapped, widths) for row in chunk] if wrapped else [1] * len(chunk)
        fh.write("".join(f'<row r="{r}"{_height(h)}>{"".join(row)}</row>'
                         for r, row, h in zip(numbers, zip(*cells), heights)))
    return True


def _height(lines: int) -> str:
    """A row's height attributes when its wrapped text takes several lines (as set_row writes them)."""
    return "" if lines <= 1 else f' ht="{LINE_HEIGHT * lines}" customHeight="1"'


def _width(text: str) -> int:
    """Display width: a CJK character takes two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
