"""Issue 13 item 6: the table's rows are streamed as XML (workbook._stream_rows), not written cell
by cell through xlsxwriter; what a reader sees is the same as the cell-by-cell path, to the fen."""

from __future__ import annotations

import openpyxl
import pytest
import xlsxwriter.worksheet

from entitlements import workbook
from entitlements.output import Sheet

TRICKY = ["普通", " 前后空格 ", "a & b < c > d \"q\"", "=HYPERLINK(\"x\")", "_x0000_ 字面", "控制\x01字符", "行\n换",
          "x" * 40_000, "0012", "530421199001011213"]


def sheet_of(rows: int) -> Sheet:
    body = []
    for i in range(rows):
        text = TRICKY[i % len(TRICKY)]
        body.append([f"ID{i}", text, None if i % 3 == 0 else i, "" if i % 4 == 0 else i * 137 - 50, 10**13 + 1 - i if i != 2 else 27400, "是"])
    total = ["合计", "", "", sum(r[3] for r in body if r[3] != ""), sum(r[4] for r in body), ""]
    return Sheet("分配表", "标题", ["编号", "名称", "月数", "金额", "大额", "是否"],
                 ["text", "text", "int", "money", "money", "text"], body, total, groups=[("分项", 3, 4)])


def read(path) -> list[list]:
    ws = openpyxl.load_workbook(path)["分配表"]
    return [[(c.value, type(c.value).__name__, c.number_format, c.data_type) for c in row] for row in ws.iter_rows()]


def test_streamed_rows_read_back_as_the_cell_by_cell_ones(tmp_path, monkeypatch):
    sheet = sheet_of(60)
    streamed = tmp_path / "streamed.xlsx"
    workbook.build_workbook(str(streamed), [sheet])
    monkeypatch.setattr(workbook, "_stream_rows", lambda *a: False)  # the per-cell path
    cells = tmp_path / "cells.xlsx"
    workbook.build_workbook(str(cells), [sheet])
    assert read(streamed) == read(cells)
    body = read(streamed)[4:64]
    assert body[1][3][0] == 87 / 100 and body[1][4][0] == 10**13 / 100 and body[2][4][:2] == (274, "int")  # fen / 100, the nearest double
    assert body[0][3][0] is None and body[0][2][0] is None  # blanks stay blank


def test_a_text_looking_like_xlsxwriters_rich_string_markup_is_kept_as_text(tmp_path):
    # xlsxwriter writes a cell "<r>…</r>" unescaped as rich-text markup, and its text is lost
    sheet = Sheet("分配表", "标题", ["编号", "名称"], ["text", "text"], [["A1", "<r>rich</r>"], ["A2", "<r><t>x</t></r>"]])
    workbook.build_workbook(str(tmp_path / "b.xlsx"), [sheet])
    ws = openpyxl.load_workbook(tmp_path / "b.xlsx")["分配表"]
    assert [ws["B4"].value, ws["B5"].value] == ["<r>rich</r>", "<r><t>x</t></r>"]


def test_the_table_is_not_written_cell_by_cell(tmp_path, monkeypatch):
    calls = []
    original = xlsxwriter.worksheet.Worksheet._write_cell
    monkeypatch.setattr(xlsxwriter.worksheet.Worksheet, "_write_cell",
                        lambda self, *a: calls.append(a[0]) or original(self, *a))
    workbook.build_workbook(str(tmp_path / "b.xlsx"), [sheet_of(2000)])
    assert len([r for r in calls if 4 <= r < 2004]) == 0 and calls  # the frame still goes through xlsxwriter


@pytest.mark.parametrize("rows", [0, 1, workbook.STREAM_CHUNK + 3])
def test_any_number_of_rows_and_the_totals_formula_below_them(tmp_path, rows):
    sheet = sheet_of(rows)
    path = tmp_path / "b.xlsx"
    workbook.build_workbook(str(path), [sheet])
    ws = openpyxl.load_workbook(path)["分配表"]
    assert ws.cell(row=5 + rows, column=1).value == "合计"
    if rows:
        assert ws.cell(row=5 + rows, column=4).value == f"=SUM(D5:D{4 + rows})"
        assert ws.cell(row=4 + rows, column=1).value == f"ID{rows - 1}"
