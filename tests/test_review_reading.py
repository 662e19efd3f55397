"""Findings of the hostile review after issue 10 (reading): error cells in any XML spelling,
rows with a beneficiary's data taken for totals, several roster sheets in one workbook, the
1904 date system, horizontal merges, quotes inside unquoted CSV cells, a DOS EOF mark.

Each test was seen failing on the code before its fix."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from entitlements import Calculator, InputError
from entitlements.rosterfile import read_roster
from entitlements.streaming import stream_summary

from .conftest import EXAMPLES, run_cli

REVIEW = Path("/work/review_files")
BRIGADE = ["编号", "姓名", "身份证号", "性别", "出生日期", "任职年限", "1984年前任职", "在职时领取国家补助",
           "离职日期", "死亡日期", "所属单位"]
P = ["-p", "brigade_cadre_living", "-y", "2025", "--profile", "江川区"]


def brigade() -> Calculator:
    return Calculator("brigade_cadre_living", profile="江川区")


def xlsx_rows(path: Path, rows: list[list[object]], merges: tuple[str, ...] = (), date1904: bool = False) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"date_1904": date1904})
    ws = book.add_worksheet("花名册")
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value not in ("", None):
                ws.write(i, j, value)
    for ref in merges:
        first = ref.split(":")[0]
        m = re.match(r"([A-Z]+)(\d+)", first)
        col = ord(m.group(1)) - 65
        ws.merge_range(ref, rows[int(m.group(2)) - 1][col])
    book.close()
    return path


def person(key: str, **kw) -> list[object]:
    row = {"编号": key, "姓名": "张" + key, "身份证号": "", "性别": "男", "出生日期": "1938-04", "任职年限": 16,
           "1984年前任职": "是", "在职时领取国家补助": "是", "离职日期": "1984-06", "死亡日期": "", "所属单位": "江城镇"}
    row.update(kw)
    return [row[h] for h in BRIGADE]


def summary(path: Path, fast: bool | None = None) -> dict:
    calc = brigade()
    return calc.compute_roster(read_roster(path, calc.policy.fields, fast=fast), 2025).to_json(summary=True)


# --- Finding 1: error cells and uncached formulas whatever the XML spelling ------------------------

def rewrite_sheet(src: Path, dst: Path, change) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = change(data)
            zout.writestr(item, data)
    return dst


@pytest.mark.parametrize("name", ["y_squote.xlsx", "y_space.xlsx"])
def test_review_error_cell_in_other_quoting_is_rejected(name):
    data = summary(REVIEW / name)
    assert data["rows"]["rejected"] == 1, data
    assert data["totals"]["amount"] == "996.00"
    assert any("J4" in r["reason"] or r.get("column") == "死亡日期" for r in data["rejects"])


def _error_and_formula_sheet(tmp_path: Path) -> Path:
    """A roster whose J3 is #N/A and J4 a formula never calculated (written by xlsxwriter)."""
    import xlsxwriter

    path = tmp_path / "base.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("花名册")
    for j, h in enumerate(BRIGADE):
        ws.write(0, j, h)
    for i, key in enumerate(["A1", "A2", "A3"], start=1):
        for j, v in enumerate(person(key)):
            if v not in ("", None):
                ws.write(i, j, v)
    ws.write_formula(2, 9, "=NA()", None, "#N/A")
    ws.write_formula(3, 9, "=DATE(2024,6,1)", None, "")
    book.close()
    return path


def _namespaced(data: bytes) -> bytes:
    """Every element of the sheet with an x: prefix, attributes in single quotes, reordered."""
    text = data.decode()
    text = text.replace('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                        'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"', 1)
    text = re.sub(r"<(/?)(?!\?)([A-Za-z]+)", r"<\1x:\2", text)
    text = re.sub(r'<x:c r="([A-Z]+\d+)"((?: [a-z]+="[^"]*")*)', lambda m: f'<x:c{m.group(2)} r="{m.group(1)}"', text)
    text = text.replace('t="e"', "t = 'e'").replace("<x:v></x:v>", "<x:v/>")
    return text.encode()


@pytest.mark.parametrize("change", [
    lambda d: d.replace(b't="e"', b"t='e'"),
    lambda d: d.replace(b't="e"', b't = "e"'),
    lambda d: d.replace(b"<v></v>", b"<v/>"),
    lambda d: d.replace(b"<v></v>", b"<v/>").replace(b'r="J4"', b"r='J4'"),
    _namespaced,
    lambda d: d.replace(b"<v>#N/A</v>", b"<v><![CDATA[#N/A]]></v>"),
    lambda d: d.replace(b"</f><v></v>", b"</f>\n  <v></v>"),
], ids=["squote", "spaces", "selfclosing-v", "ref-squote", "namespaced", "cdata", "whitespace"])
def test_review_faults_found_whatever_the_spelling(tmp_path, change):
    base = _error_and_formula_sheet(tmp_path)
    plain = summary(base)
    assert plain["rows"]["rejected"] == 2, plain  # the error cell and the uncached formula
    variant = rewrite_sheet(base, tmp_path / "variant.xlsx", change)
    data = summary(variant)
    assert data["rows"] == plain["rows"], data
    assert data["totals"]["amount"] == plain["totals"]["amount"]


def test_review_error_type_written_as_an_entity_is_not_read_as_blank(tmp_path):
    base = _error_and_formula_sheet(tmp_path)
    variant = rewrite_sheet(base, tmp_path / "variant.xlsx", lambda d: d.replace(b't="e"', b't="&#101;"'))
    try:
        data = summary(variant)
    except InputError:
        return  # calamine refuses the sheet: exit 2, not a blank
    assert data["rows"]["rejected"] == 2, data


def test_review_fault_scan_stays_fast(tmp_path):
    """10^5 formulas with cached values, namespaced: found none, in well under a second or two."""
    import time

    from entitlements.workbook_faults import _faults_by_pattern

    cells = b"".join(b'<x:row r="%d"><x:c r="A%d" s="1"><x:f>B%d+1</x:f><x:v>%d</x:v></x:c></x:row>' % (i, i, i, i)
                     for i in range(1, 100_001))
    start = time.perf_counter()
    assert _faults_by_pattern(cells) == {}
    assert time.perf_counter() - start < 3


# --- Findings 4 and 19: totals and footers ---------------------------------------------------------

@pytest.mark.parametrize("fast", [False, True])
def test_review_name_ending_in_xiaoji_with_an_id_is_data(tmp_path, fast):
    path = tmp_path / "a1.csv"
    text = (REVIEW / "a1.csv").read_text(encoding="utf-8")
    if fast:  # above the fast path's threshold
        text += "\n" * (1 << 20)
    path.write_text(text, encoding="utf-8")
    data = summary(path, fast=fast)
    assert data["rows"]["read"] == 3, data


def test_review_name_ending_in_xiaoji_in_batches(tmp_path):
    data = stream_summary(brigade(), REVIEW / "a1.csv", 2025, batch_rows=1)
    assert data["rows"]["read"] == 3, data


def test_review_footer_label_with_id_is_data():
    data = summary(REVIEW / "m_jcxj.xlsx")
    assert data["rows"]["read"] == 5, data


@pytest.mark.parametrize("name,read", [("m_sub_unit.xlsx", 2), ("m_total_unit.xlsx", 4)])
def test_review_subtotal_with_the_unit_name_is_a_total(name, read):
    data = summary(REVIEW / name)
    assert data["rows"]["read"] == read, data
    assert data["rows"]["rejected"] == 0, data
    assert any("合计行" in n["message"] for n in data["notices"]), data


def test_review_subtotal_with_unit_name_in_csv_all_paths(tmp_path):
    rows = [person("A1"), person("A2"), ["小计", "", "", "", "", "32人", "", "", "", "", "江城镇"],
            ["合计", "共2人", "", "", "", "32", "", "", "", "", "全区"]]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(",".join(map(str, r)) for r in [BRIGADE, *rows]) + "\n", encoding="utf-8")
    for fast in (False, True):
        data = summary(path, fast=fast)
        assert data["rows"]["read"] == 2 and data["rows"]["rejected"] == 0, data
    data = stream_summary(brigade(), path, 2025, batch_rows=1)
    assert data["rows"]["read"] == 2 and data["rows"]["rejected"] == 0, data


@pytest.mark.parametrize("cell,value", [("性别", "男"), ("出生日期", "1940-01"), ("姓名", "王")])
def test_review_total_label_with_person_data_is_data(tmp_path, cell, value):
    row = ["小计", "", "", "", "", "32", "", "", "", "", ""]
    row[BRIGADE.index(cell)] = value
    path = tmp_path / "t.csv"
    path.write_text("\n".join(",".join(map(str, r)) for r in [BRIGADE, person("A1"), row]) + "\n", encoding="utf-8")
    data = summary(path)
    assert data["rows"]["read"] == 2, data


# --- Finding 5: several roster sheets ---------------------------------------------------------------

def test_review_second_roster_sheet_is_refused():
    proc = run_cli("calc", str(REVIEW / "hs2.xlsx"), *P, "-f", "json")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "前卫镇" in proc.stderr and "--sheet" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run_cli("calc", str(REVIEW / "hs2.xlsx"), *P, "-f", "json", "--sheet", "前卫镇")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["rows"]["read"] == 1


@pytest.mark.parametrize("name", ["brigade_cadres.xlsx", "brigade_cadres_with_errors.xlsx"])
def test_review_examples_still_read(name):
    proc = run_cli("calc", str(EXAMPLES / name), *P, "-f", "json")
    assert proc.returncode == 0, proc.stderr


# --- Finding 11: the 1904 date system ---------------------------------------------------------------

def test_review_1904_serial_dates():
    calc = brigade()
    table = read_roster(REVIEW / "e1904.xlsx", calc.policy.fields)
    assert list(table.cells["死亡日期"]) == ["2025-03-10", "2025-03-10"]


def test_review_1904_written_as_true(tmp_path):
    src = REVIEW / "e1904.xlsx"
    dst = tmp_path / "t.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b'date1904="1"', b"date1904 = 'true'")
            zout.writestr(item, data)
    table = read_roster(dst, brigade().policy.fields)
    assert list(table.cells["死亡日期"])[1] == "2025-03-10"


# --- Finding 12: horizontal merges -----------------------------------------------------------------

def test_review_horizontal_merge_across_fields_is_rejected():
    data = summary(REVIEW / "m_hmerge2.xlsx")
    assert data["rows"]["rejected"] == 1, data
    reject = data["rejects"][0]
    assert reject["row"] == 2 and "I2:J2" in reject["reason"], reject


def test_review_merged_total_label_and_title_still_work(tmp_path):
    rows = [["江川区花名册"] + [""] * 10, BRIGADE, person("A1"), person("A2"),
            ["合计", "", "", "", "", 32, "", "", "", "", ""]]
    path = xlsx_rows(tmp_path / "t.xlsx", rows, merges=("A1:K1", "A5:E5"))
    data = summary(path)
    assert data["rows"] == {"read": 2, "accepted": 2, "rejected": 0}, data


# --- Finding 18: quotes in the middle of an unquoted cell under --batch-rows ----------------------

@pytest.mark.parametrize("name", ['"李"桂英', '李"桂英'])
def test_review_quote_inside_a_cell_in_batches(tmp_path, name):
    path = tmp_path / "q.csv"
    lines = [",".join(BRIGADE), ",".join(map(str, person("A1"))), ",".join(map(str, person("A2", 姓名=name))),
             ",".join(map(str, person("A3")))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole = run_cli("calc", str(path), *P, "-f", "json")
    batched = run_cli("calc", str(path), *P, "-f", "json", "--batch-rows", "1")
    assert "Traceback" not in batched.stderr and "polars" not in batched.stderr.lower()
    if whole.returncode == 0 and batched.returncode == 0:
        assert json.loads(batched.stdout)["totals"] == json.loads(whole.stdout)["totals"]
    else:
        assert batched.returncode == 2 and re.search(r"[\u4e00-\u9fff]", batched.stderr), batched.stderr
    assert whole.returncode == 0 and batched.returncode == 0, (whole.stderr, batched.stderr)


# --- Finding 20: a DOS EOF mark ---------------------------------------------------------------------

@pytest.mark.parametrize("fast", [False, True])
def test_review_trailing_dos_eof_is_not_a_row(tmp_path, fast):
    path = tmp_path / "eof.csv"
    body = "\n".join(",".join(map(str, r)) for r in [BRIGADE, person("A1"), person("A2")]) + "\n"
    if fast:
        body += "\n" * (1 << 20)
    path.write_bytes(body.encode() + b"\x1a")
    data = summary(path, fast=fast)
    assert data["rows"] == {"read": 2, "accepted": 2, "rejected": 0}, data
    data = stream_summary(brigade(), path, 2025, batch_rows=1)
    assert data["rows"] == {"read": 2, "accepted": 2, "rejected": 0}, data
