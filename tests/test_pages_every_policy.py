"""What a clerk prints, for every registered policy, rendered by LibreOffice (issue 13, "Done when" 1).

For each policy, from its bundled example (tests/test_library.py's LIBRARY) with its people keyed by
valid 身份证号 (test_publishable.id_roster) and, for a roster of people, a 银行账号 column added: the
分配表 workbook (calc), the budget table, the 公示 list and the 一卡通 payment list are written through
the console command and rendered to PDF in ONE LibreOffice call for all policies (CI time). Checked
in the PDF text: each sheet prints on its own page(s) as its rows say, the header row on every page;
every 大写 line equals rmb_capitals of its own figure and the figures equal calc's JSON total; the
date of the signature block is whole (年 月 日); no English frame words in the Chinese sheets; no
valid full 身份证号 in the 公示 or budget PDF; the payment list holds the numbers and says why not
to publish them. A policy that pays organisations refuses the payment list with exit 2.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from stdnum import luhn

from entitlements import registry
from entitlements.capitals import rmb_capitals

from .conftest import run_cli
from .test_library import LIBRARY
from .test_publishable import full_ids, id_roster

CAPITALS = re.compile(r"人民币([零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整]+)\s*（小写）：¥([0-9,]+\.[0-9]{2})")
FRAME_EN = re.compile(r"\b(Unit|Total|Page|Prepared|Checked|Approved|yuan|amount|Date)\b")


def is_people(policy: str) -> bool:
    return any(f.name == "id_number" for f in registry.get_policy(policy).fields)


def with_accounts(roster: Path) -> bool:
    """A roster of people (a 身份证号 column) gets a 银行账号 column: a Luhn-valid 19-digit card
    (prefix 9999: no bank issues it) per person (the 身份证号 is the key), so it has a payment list."""
    with roster.open(encoding="utf-8-sig", newline="") as fh:
        header, *body = list(csv.reader(fh))
    if "身份证号" not in header:  # a roster of organisations (rural_member_training's branches)
        return False
    key = header.index("身份证号")
    cards: dict[str, str] = {}
    for row in body:
        number = f"9999{len(cards) + 1:014d}"
        row.append(cards.setdefault(row[key], number + luhn.calc_check_digit(number)))
    with roster.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([[*header, "银行账号"], *body])
    return True


@dataclass
class Printed:
    total_fen: int
    files: dict[str, Path] = field(default_factory=dict)  # kind -> the xlsx written
    refused: subprocess.CompletedProcess | None = None  # payments, for a policy paying organisations


def write_outputs(policy: str, folder: Path) -> Printed:
    _, profile, year, extra, _ = LIBRARY[policy]
    roster, _ = id_roster(policy, folder)
    people = is_people(policy) and with_accounts(roster)
    base = [str(roster), "--policy", policy, "--profile", profile, "--year", str(year), *map(str, extra)]
    proc = run_cli("calc", *base, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["rows"]["rejected"] == 0, doc["rejects"]
    printed = Printed(int(Decimal(doc["totals"]["amount"]) * 100))
    commands = {"calc": ["calc", *base, "--format", "xlsx"], "budget": ["budget", *base, "--format", "xlsx"],
                "notice": ["notice", *base, "--format", "xlsx"]}
    if people:  # the payment list has no --budget: no programme of people is cut to a budget
        commands["payments"] = ["payments", *base]
    for kind, arguments in commands.items():
        out = folder / f"{policy}.{kind}.xlsx"
        proc = run_cli(*arguments, "--out", str(out))
        assert proc.returncode == 0 and out.exists(), (policy, kind, proc.stderr)
        printed.files[kind] = out
    if not people:  # organisations, or a roster without 身份证号: refused, and said why
        out = folder / f"{policy}.payments.xlsx"
        no_budget = [a for a, before in zip(base, ["", *base]) if "--budget" not in (a, before)]
        printed.refused = run_cli("payments", *no_budget, "--out", str(out))
        assert not out.exists()
    return printed


def render(files: list[Path], outdir: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    profile = (outdir / "lo-profile").as_uri()  # a private profile: parallel runs don't collide
    proc = subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(outdir), *map(str, files)], capture_output=True, text=True, timeout=600)
    missing = [f.name for f in files if not (outdir / f"{f.stem}.pdf").exists()]
    assert not missing, (missing, proc.stdout, proc.stderr)


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, Printed]:
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.skip("LibreOffice (soffice) 未安装，无法渲染 PDF 检查打印页数: not installed (CI installs it via .ci/run)")
    folder = tmp_path_factory.mktemp("pages")
    started = time.monotonic()
    every = {policy: write_outputs(policy, folder) for policy in sorted(LIBRARY)}
    written = time.monotonic()
    render([f for p in every.values() for f in p.files.values()], folder)
    print(f"\noutputs written in {written - started:.1f} s, rendered in {time.monotonic() - written:.1f} s")
    return every


def pages_of(pdf: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(pdf).pages]


def squeezed(text: str) -> str:
    """Text without blanks or line breaks: a wrapped title or header reads whole."""
    return re.sub(r"\s+", "", text)


def header_row(ws) -> int:
    assert ws.print_title_rows, f"{ws.title}: no header row repeated on each page"
    return int(re.match(r"\$(\d+):", ws.print_title_rows).group(1))


def expected_pages(ws) -> range:
    """The pages a sheet prints on, from its rows' heights: A4 less the margins, the header row
    repeated on each later page, everything scaled by the fit to one page wide. LibreOffice's
    own row heights (an unset row is about 12.75 points) and widths are not quite these, so the
    count is taken for the rows 10 % shorter and 10 % taller; a sheet well inside one page is 1."""
    paper_w, paper_h = (841.9, 595.3) if ws.page_setup.orientation == "landscape" else (595.3, 841.9)
    m = ws.page_margins
    body, room = paper_h - (m.top + m.bottom) * 72, paper_w - (m.left + m.right) * 72
    table = sum(int(w * 7 + 5) for w in column_widths(ws).values()) * 0.75  # 7 pixels a character, in points
    scale = min(1.0, room / table)
    heights = [(ws.row_dimensions[r].height or 12.75) * scale for r in range(1, ws.max_row + 1)]
    header = heights[header_row(ws) - 1]

    def pages(factor: float) -> int:
        n, left = 1, sum(heights) * factor - body
        while left > 0:
            n, left = n + 1, left - (body - header * factor)
        return n

    return range(pages(0.9), pages(1.1) + 1)


def sheets_of_pages(book: openpyxl.Workbook, pages: list[str]) -> list[str]:
    """The sheet each PDF page belongs to: a sheet's first page bears its title (the title is not
    repeated, the header row is)."""
    owners, k = [], -1
    for text in pages:
        if k + 1 < len(book.worksheets) and squeezed(str(book.worksheets[k + 1]["A1"].value)) in squeezed(text):
            k += 1
        assert k >= 0, "the first page bears no sheet's title"
        owners.append(book.worksheets[k].title)
    return owners


def column_widths(ws) -> dict[int, float]:
    """Each column's width as written (xlsxwriter writes equal neighbours as one <col min max>, which
    openpyxl keeps under the first letter only)."""
    widths: dict[int, float] = {}
    for dim in ws.column_dimensions.values():
        for c in range(dim.min, dim.max + 1):
            widths[c] = dim.width
    return widths


def test_every_registered_policy_is_printed_here():
    assert sorted(LIBRARY) == sorted(registry.policy_ids())


@pytest.mark.parametrize("policy", sorted(LIBRARY))
def test_every_sheet_prints_on_its_pages_with_its_capitals_and_no_full_id(policy, printed):
    p = printed[policy]
    for kind, xlsx in p.files.items():
        book = openpyxl.load_workbook(xlsx)
        pages = pages_of(xlsx.with_suffix(".pdf"))
        where = f"{policy} {kind}"
        owners = sheets_of_pages(book, pages)
        for ws in book.worksheets:  # each sheet on the pages its rows take, in order
            assert owners.count(ws.title) in expected_pages(ws), (where, ws.title, owners, expected_pages(ws))
        for name, text in zip(owners, pages):
            ws = book[name]
            flat = squeezed(text)
            header = [str(c.value) for c in ws[header_row(ws)] if c.value is not None]
            assert all(squeezed(h) in flat for h in header), (where, name, "header row not on every page", header)
            assert not FRAME_EN.search(text), (where, name, "English in a Chinese sheet", FRAME_EN.findall(text))
            if "填表人" in text:
                assert re.search(r"填报日期：\s*年\s*月\s*日", text), (where, name, "the signature date is cut", text)
        figures = []
        for text in pages:
            for words, fig in CAPITALS.findall(text):
                fen = int(Decimal(fig.replace(",", "")) * 100)
                assert words == rmb_capitals(fen), (where, words, fig)
                figures.append(fen)
        if kind == "payments":  # the list and the people waiting for an account share calc's total
            assert sum(figures) == p.total_fen, (where, figures, p.total_fen)
            assert full_ids("\n".join(pages)), f"{where}: the payment list holds the full 身份证号"
            assert "个人信息保护法" in "\n".join(pages) and "不得公示" in "\n".join(pages)
        else:  # 分配表 and 按单位汇总 each; the budget table; the 公示 list
            assert figures and set(figures) == {p.total_fen}, (where, figures, p.total_fen)
        if kind in ("notice", "budget"):
            assert not full_ids("\n".join(pages)), f"{where}: a full 身份证号 in a publishable PDF"
    if p.refused is not None:
        assert p.refused.returncode == 2 and "Traceback" not in p.refused.stderr, p.refused.stderr
        assert "一卡通" in p.refused.stderr and ("不是个人" in p.refused.stderr or "没有银行账号列" in p.refused.stderr)


def test_each_signature_field_gets_the_width_its_text_needs(tmp_path):
    """Without LibreOffice: a merged cell clips its text, so each of 填表人…填报日期 spans columns at
    least as wide as its text (the date's 年 月 日 were cut on a 7-column 按单位汇总), else one a line."""
    from entitlements.output import Sheet
    from entitlements.workbook import _width, build_workbook

    sheets = [Sheet(f"s{n}", "表", ["单位", *[f"列{k}" for k in range(n - 1)]], ["text", *["money"] * (n - 1)],
                    [["甲", *[100] * (n - 1)]], ["合计", *[100] * (n - 1)]) for n in (4, 5, 7, 9, 12)]
    build_workbook(str(tmp_path / "x.xlsx"), sheets)
    for ws in openpyxl.load_workbook(tmp_path / "x.xlsx").worksheets:
        widths = column_widths(ws)
        signs = [c for row in ws.iter_rows() for c in row if str(c.value or "").startswith(("填表人", "填报日期"))]
        assert len(signs) == 2, ws.title
        for cell in signs:
            span = next((r for r in ws.merged_cells.ranges if cell.coordinate in r), None)
            columns = range(span.min_col, span.max_col + 1) if span else [cell.column]
            room = sum(widths[c] for c in columns)
            assert room >= _width(cell.value), (ws.title, cell.value, room)


def test_the_payment_list_under_lang_en_has_an_english_frame(tmp_path):
    """Its header was English and its frame (单位：元, 大写 line, signatures, page footer) Chinese."""
    from .conftest import EXAMPLES

    out = tmp_path / "payments.xlsx"
    proc = run_cli("payments", str(EXAMPLES / "brigade_cadres_payments.csv"), "-p", "brigade_cadre_living",
                   "--profile", "江川区", "-y", "2025", "--lang", "en", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    for ws in openpyxl.load_workbook(out).worksheets:
        texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
        assert ws["A2"].value == "Unit: yuan" and ws.oddFooter.center.text == "Page &P of &N", ws.title
        assert any(t.startswith("Total in words") for t in texts) and "Prepared by:" in texts, ws.title
        assert not any(t.startswith(("填表人", "单位（盖章）", "合计（大写）")) for t in texts), ws.title


@pytest.mark.parametrize("policy", sorted(LIBRARY))
def test_no_text_cell_is_cut_at_its_column_edge(policy, printed):
    """A text wider than its column (capped at MAX_COLUMN_WIDTH) wraps: left alone, LibreOffice and
    Excel cut it at the next filled cell (the 公示 list's 补助标准 of two_new_16321 lost its 党员
    教育培训经费) or let it run off the table and shrink the whole page (a long 说明); wrapped, its
    row must be set tall enough (LibreOffice draws a wrapped text over the rows above otherwise).
    The PDF's text cannot tell (a cut cell's text is still in it), so the file is read."""
    from entitlements.workbook import LINE_HEIGHT, _width

    for kind, xlsx in printed[policy].files.items():
        for ws in openpyxl.load_workbook(xlsx).worksheets:
            widths = column_widths(ws)
            merged = {(r, c) for m in ws.merged_cells.ranges for r in range(m.min_row, m.max_row + 1)
                      for c in range(m.min_col, m.max_col + 1)}
            for row in ws.iter_rows(min_row=header_row(ws) + 1):
                for cell in row:
                    if not isinstance(cell.value, str) or cell.value.startswith("=") or (cell.row, cell.column) in merged:
                        continue
                    room = widths[cell.column]
                    assert _width(cell.value) <= room or cell.alignment.wrap_text, (
                        f"{policy} {kind} {ws.title}!{cell.coordinate}: {cell.value!r} is cut at {room}")
                    lines = -(-_width(cell.value) // int(room))  # and its row is as tall as its lines: no
                    height = ws.row_dimensions[cell.row].height  # reader sizes it on opening (LibreOffice)
                    assert lines == 1 or (height or 0) >= LINE_HEIGHT * lines - 1, (  # points: xlsxwriter rounds to pixels
                        f"{policy} {kind} {ws.title}!{cell.coordinate}: {lines} lines in a row {height} points tall")
