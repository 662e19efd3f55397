"""Every xlsx the tool writes is set up to print: A4, landscape when wide, one page wide, the
header repeated, 第 N 页 共 M 页, a merged title, 单位：元, the total in figures and in 大写, and
a signature block. Checked in the file (openpyxl) and in a LibreOffice PDF render (page count)."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from entitlements import Calculator
from entitlements.capitals import rmb_capitals
from entitlements.output import Sheet, allocation_sheet, rejects_sheet, unit_sheet
from entitlements.workbook import build_workbook

from .conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
ARGS = ("--policy", "brigade_cadre_living", "--profile", "江川区", "--year", "2025")


def roster_of(rows: int, path: Path) -> Path:
    """``rows`` people cloned from the bundled brigade roster (its people without a 身份证号), new ids."""
    with (ROOT / "examples" / "brigade_cadres.csv").open(encoding="utf-8-sig") as fh:
        head, *body = list(csv.reader(fh))
    body = [r for r in body if not r[head.index("身份证号")]]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        for i in range(rows):
            w.writerow([f"P{i + 1:03d}", *body[i % len(body)][1:]])
    return path


def cells(sheet) -> list[str]:
    return [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]


def in_words(sheet) -> str:
    """The 大写 of the sheet's 大写 line."""
    line = next(v for v in cells(sheet) if "大写" in v or "in words" in v)
    return re.search(r"人民币([零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整]+)", line).group(1)


def test_the_allocation_workbook_is_set_up_to_print(tmp_path):
    out = tmp_path / "分配表.xlsx"
    proc = run_cli("calc", str(roster_of(100, tmp_path / "r.csv")), *ARGS, "--format", "xlsx", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    book = openpyxl.load_workbook(out)
    for ws in book.worksheets:  # every sheet: A4, one page wide (1, the default, is not written), header repeated
        assert ws.page_setup.paperSize == 9 and (ws.page_setup.fitToWidth or 1) == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        # the 分配表's header has a band above it (分项, 分级负担): both rows repeat and are frozen
        band = ws.title == "分配表"
        assert ws.print_title_rows == ("$3:$4" if band else "$3:$3") and ws.freeze_panes == ("A5" if band else "A4")
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
        assert "A1" in {str(r).split(":")[0] for r in ws.merged_cells.ranges}  # the merged title
    alloc, units = book["分配表"], book["按单位汇总"]
    assert alloc.page_setup.orientation == "landscape"  # 12 columns with the 说明: wide
    assert alloc["A2"].value == "单位：元" and alloc["A4"].value == "编号"
    assert {str(r) for r in alloc.merged_cells.ranges} >= {"G3:H3", "I3:K3"}  # 分项 over the 2 layers, 分级负担 over 3 levels
    assert alloc["G3"].value == "分项" and alloc["I3"].value == "分级负担"
    data = run_cli("calc", str(tmp_path / "r.csv"), *ARGS, "--format", "json").stdout
    total = int(Decimal(json.loads(data)["totals"]["amount"]) * 100)
    for ws in (alloc, units):
        text = cells(ws)
        assert in_words(ws) == rmb_capitals(total)
        assert any(v.startswith("填表人：") and "审核人：" not in v for v in text)
        assert {"审核人：", "负责人："} <= {v for v in text} and any(v.startswith("填报日期：") for v in text)
        assert any(v.startswith("单位（盖章）") for v in text)
    assert book["退回"]["A2"].value is None  # no money: no units line, no 大写, no signatures
    assert not any("填表人" in v for v in cells(book["退回"]))


def test_english_frame_under_lang_en(tmp_path):
    out = tmp_path / "allocation.xlsx"
    proc = run_cli("calc", str(ROOT / "examples" / "brigade_cadres.csv"), *ARGS, "--format", "xlsx", "--out", str(out),
                   "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    ws = openpyxl.load_workbook(out)["allocation"]
    assert ws.oddFooter.center.text == "Page &P of &N" and ws["A2"].value == "Unit: yuan"
    assert any(v.startswith("Total in words") for v in cells(ws)) and any(v.startswith("Prepared by") for v in cells(ws))


def test_budget_table_states_its_year_total_in_capitals(tmp_path):
    out = tmp_path / "budget.xlsx"
    proc = run_cli("budget", str(ROOT / "examples" / "brigade_cadres.csv"), *ARGS, "--format", "xlsx", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    ws = openpyxl.load_workbook(out)["预算表"]
    json_out = run_cli("calc", str(ROOT / "examples" / "brigade_cadres.csv"), *ARGS, "--format", "json").stdout
    total = int(Decimal(json.loads(json_out)["totals"]["amount"]) * 100)
    assert in_words(ws) == rmb_capitals(total)


def test_a_narrow_sheet_prints_portrait():
    sheet = Sheet("s", "窄表", ["单位", "金额"], ["text", "money"], [["甲", 100]], ["合计", 100])
    from entitlements import workbook

    assert not workbook.landscape(sheet, workbook.column_widths(sheet))


# ---------- rendered by LibreOffice ----------

def render(files: list[Path], outdir: Path) -> dict[str, int]:
    """Pages of each file's PDF rendering (LibreOffice, a private profile so parallel runs don't collide)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) 未安装，无法渲染 PDF 检查页数: not installed, the page-count check is skipped")
    profile = (outdir / "lo-profile").as_uri()
    proc = subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(outdir), *map(str, files)], capture_output=True, text=True, timeout=300)
    pages = {}
    for f in files:
        pdf = outdir / (f.stem + ".pdf")
        assert pdf.exists(), proc.stdout + proc.stderr
        pages[f.stem] = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))
    return pages


def test_a_100_row_allocation_sheet_prints_on_the_expected_pages(tmp_path):
    result = Calculator("brigade_cadre_living", profile="江川区").compute_roster(roster_of(100, tmp_path / "r.csv"), 2025)
    alone = tmp_path / "alloc100.xlsx"
    build_workbook(str(alone), [allocation_sheet(result)])
    ten = tmp_path / "alloc10.xlsx"
    build_workbook(str(ten), [allocation_sheet(Calculator("brigade_cadre_living", profile="江川区")
                                               .compute_roster(ROOT / "examples" / "brigade_cadres.csv", 2025))])
    whole = tmp_path / "whole.xlsx"
    build_workbook(str(whole), [allocation_sheet(result), unit_sheet(result), rejects_sheet(result)])
    pages = render([alone, ten, whole], tmp_path)
    # A4 landscape, one page wide: the 100 rows, their title, header, totals, 大写 line and signatures
    assert pages == {"alloc100": EXPECTED_100, "alloc10": 1, "whole": EXPECTED_100 + 2}
    assert in_words(openpyxl.load_workbook(alone, data_only=True)["分配表"]) == rmb_capitals(result.ledger.amount)


# 2 since the 分配表 shows 任职年限, 档次 and 月标准 (issue 13 item 5): wider, so scaled down to one
# page wide it holds more rows a page (3 before)
EXPECTED_100 = 2


def test_a_narrow_table_with_its_chart_beside_it_prints_landscape():
    from entitlements import workbook

    sheet = Sheet("s", "图", ["级次", "基准"], ["text", "money"], [["县级", 100]], chart="图")
    assert workbook.landscape(sheet, workbook.column_widths(sheet))


def test_small_and_odd_sheets_still_get_their_frame(tmp_path):
    """One column, a title wider than the table, a negative total (no 大写: there is none for it)."""
    sheets = [Sheet("one", "一列的表" * 10, ["金额"], ["money"], [[5]], [7]),
              Sheet("neg", "差额", ["项目", "差额"], ["text", "money"], [["甲", -300]], ["合计", -300])]
    build_workbook(str(tmp_path / "x.xlsx"), sheets)
    book = openpyxl.load_workbook(tmp_path / "x.xlsx")
    one, neg = book["one"], book["neg"]
    assert "人民币柒分" in " ".join(cells(one)) and "填表人：" in cells(one)
    assert one.row_dimensions[1].height > 24  # the long title wraps onto more lines
    assert not any("大写" in v for v in cells(neg)) and "审核人：" in cells(neg)


def test_a_label_in_a_number_column_of_the_totals_row_stays_a_label(tmp_path):
    """The 公示 list's 合计 sits in its 序号 column (kind int): it was written as =SUM(A…) with 合计 as
    the cached value, so Excel, recalculating on opening, showed the sum of the serial numbers."""
    import openpyxl

    from entitlements.output import Sheet
    from entitlements.workbook import build_workbook

    sheet = Sheet("公示", "公示名单", ["序号", "姓名", "金额"], ["int", "text", "money"],
                  [[1, "张三", 10000], [2, "李四", 20000]], total=["合计", "2人", 30000], signed=False)
    path = tmp_path / "notice.xlsx"
    build_workbook(str(path), [sheet])
    cells = [row for row in openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True)]
    total = next(row for row in cells if row[0] is not None and "合计" in str(row[0]) and "大写" not in str(row[0]))
    assert total[0] == "合计" and str(total[2]).startswith("=SUM(C")
