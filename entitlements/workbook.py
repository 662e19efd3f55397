"""Excel output (xlsxwriter): sheets with a title line, a frozen Chinese header, money to
two decimals, and a totals row whose SUM formulas carry the exact totals as cached values.

Money is exact integer fen up to this point. An xlsx number is a double, so a cell holds
fen / 100: the double nearest the two-decimal amount, which every reader shows (and
rounds back) as exactly that amount.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from .output import Sheet, write_file_atomic

FEN_PER_YUAN = 100
MONEY_FORMAT = "#,##0.00"
MAX_COLUMN_WIDTH = 40


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
        "title": book.add_format({"bold": True, "font_size": 13}),
        "header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                   "valign": "vcenter"}),
        "money": book.add_format({"num_format": MONEY_FORMAT}),
        "int": book.add_format({"num_format": "0"}),
        "text": book.add_format({"num_format": "@"}),  # keeps 身份证号 and codes as text
        "total_money": book.add_format({"num_format": MONEY_FORMAT, "bold": True, "top": 1}),
        "total_int": book.add_format({"num_format": "0", "bold": True, "top": 1}),
        "total_text": book.add_format({"bold": True, "top": 1}),
        "note": book.add_format({"italic": True}),
    }
    for sheet in sheets:
        _write_sheet(book, sheet, styles)
    book.close()


def _write_sheet(book, sheet: Sheet, styles) -> None:
    from xlsxwriter.utility import xl_col_to_name

    ws = book.add_worksheet(sheet.name[:31])
    # widths first, from the header and a sample: rows are streamed out as they are written
    widths = [max(8, _width(h)) for h in sheet.header]
    for row in sheet.rows[:1000]:
        for j, (value, kind) in enumerate(zip(row, sheet.kinds)):
            if kind == "text":
                widths[j] = max(widths[j], _width(str(value)))
    for j, w in enumerate(widths):
        ws.set_column(j, j, min(w + 2, MAX_COLUMN_WIDTH))
    ws.write_string(0, 0, sheet.title, styles["title"])
    for k, line in enumerate(sheet.preamble):
        ws.write_string(1 + k, 0, line)
    header_row = 1 + len(sheet.preamble)
    for j, h in enumerate(sheet.header):
        ws.write_string(header_row, j, h, styles["header"])
    ws.freeze_panes(header_row + 1, 0)
    first = header_row + 1
    for i, row in enumerate(sheet.rows):
        for j, (value, kind) in enumerate(zip(row, sheet.kinds)):
            _write_cell(ws, first + i, j, value, kind, styles)
    last = first + len(sheet.rows) - 1
    if sheet.total is not None:
        r = last + 1
        for j, (value, kind) in enumerate(zip(sheet.total, sheet.kinds)):
            if kind in ("money", "int") and value not in ("", None):
                column = xl_col_to_name(j)
                formula = f"=SUM({column}{first + 1}:{column}{last + 1})" if sheet.rows else "=0"
                cached = value / FEN_PER_YUAN if kind == "money" else value
                ws.write_formula(r, j, formula, styles[f"total_{kind}"], cached)
            elif value not in ("", None):
                ws.write_string(r, j, str(value), styles["total_text"])
        last = r
    for k, note in enumerate(sheet.notes):
        ws.write_string(last + 2 + k, 0, note, styles["note"])
    if sheet.chart and sheet.rows:
        _add_chart(book, ws, sheet, first, first + len(sheet.rows) - 1)


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
        ws.write_string(r, j, str(value), styles["text"])


def _width(text: str) -> int:
    """Display width: a CJK character takes two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
