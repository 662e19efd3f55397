"""Damaged rosters as staff produce them (issue 10, "never silently wrong"): Excel error
cells and uncached formulas, rows mistaken for totals or footers, lookalike headers,
unclosed quotes, bare CR line ends, a FIFO given as the roster, misleading messages.

Each case ends in a named reject or exit code 2 with a clear message, never a default."""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from entitlements import Calculator, InputError
from entitlements.rosterfile import read_roster
from entitlements.streaming import stream_summary

from .conftest import EXAMPLES, ROOT, run_cli, run_installed

BRIGADE = ["编号", "姓名", "身份证号", "性别", "出生日期", "任职年限", "1984年前任职", "在职时领取国家补助",
           "离职日期", "死亡日期", "所属单位"]
VILLAGE = ["编号", "姓名", "身份证号", "职务", "任职开始", "任职结束", "所属村（社区）", "不予发放原因"]
TWO_NEW = ["组织编号", "组织名称", "组织类型", "党员人数", "书记是否公职人员", "书记任职月数", "所属单位"]
STANDARDS = str(EXAMPLES / "village_post_standards.csv")


def brigade_rows(n: int = 4) -> list[list[str]]:
    return [[f"B{k}", f"人{k}", "", "男", "1938-04", "16", "是", "是", "1984-06", "", "甲镇"] for k in range(1, n + 1)]


def village_rows() -> list[list[str]]:
    return [["V1", "甲", "", "委员", "2015-01-01", "2017-12-31", "某社区", ""],
            ["V2", "乙", "", "主任", "2015-01-01", "2019-12-31", "某社区", ""]]


def two_new_rows() -> list[list[str]]:
    return [["O1", "某公司党支部", "党支部", "30", "否", "12", "甲镇"],
            ["O2", "某协会党支部", "党支部", "10", "否", "12", "甲镇"]]


def calculator(policy: str) -> Calculator:
    if policy == "brigade_cadre_living":
        return Calculator(policy, profile="江川区")
    if policy == "village_cadre_departure":
        return Calculator(policy, profile="澄江市", standards=STANDARDS)
    return Calculator(policy)


def cli_options(policy: str) -> list[str]:
    if policy == "brigade_cadre_living":
        return ["--policy", policy, "--profile", "江川区"]
    if policy == "village_cadre_departure":
        return ["--policy", policy, "--profile", "澄江市", "--standards", STANDARDS]
    return ["--policy", policy]


def csv_text(header: list[str], rows: list[list[str]], end: str = "\n") -> str:
    def cell(c: str) -> str:
        return '"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\n\r') else c
    return "".join(",".join(cell(c) for c in r) + end for r in [header, *rows])


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]], formulas=()) -> Path:
    """An xlsx roster; ``formulas``: (row index in ``rows``, column, formula, cached value or None).

    A cached value None leaves the cell without a cached value (as openpyxl and scripts write)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("花名册")
    sheet.write_row(0, 0, header)
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            if value not in ("", None):
                sheet.write(i, j, value)
    uncached = []
    for i, j, formula, value in formulas:
        sheet.write_formula(i + 1, j, formula, None, "" if value is None else value)
        if value is None:
            uncached.append(_cell_name(i + 1, j))
    book.close()
    if uncached:  # take the cached value out of those cells
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        xml = parts["xl/worksheets/sheet1.xml"].decode()
        for ref in uncached:
            xml = re.sub(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)<v>[^<]*</v>', r"\1\2", xml)
        parts["xl/worksheets/sheet1.xml"] = xml.encode()
        with zipfile.ZipFile(path, "w") as z:
            for n, b in parts.items():
                z.writestr(n, b)
    return path


def _cell_name(r: int, c: int) -> str:
    letters, c = "", c + 1
    while c:
        c, k = divmod(c - 1, 26)
        letters = chr(65 + k) + letters
    return f"{letters}{r + 1}"


def rejects_at(result, row: int) -> list[dict]:
    return [r for r in result.to_json()["rejects"] if r["row"] == row]


# ---- 2. Excel error cells and uncached formulas --------------------------------------------

ERROR_CASES = [
    ("brigade_cadre_living", BRIGADE, brigade_rows, "死亡日期"),
    ("brigade_cadre_living", BRIGADE, brigade_rows, "离职日期"),
    ("brigade_cadre_living", BRIGADE, brigade_rows, "1984年前任职"),
    ("brigade_cadre_living", BRIGADE, brigade_rows, "在职时领取国家补助"),
    ("brigade_cadre_living", BRIGADE, brigade_rows, "性别"),
    ("village_cadre_departure", VILLAGE, village_rows, "不予发放原因"),
    ("village_cadre_departure", VILLAGE, village_rows, "职务"),
    ("two_new_16321", TWO_NEW, two_new_rows, "书记是否公职人员"),
    ("two_new_16321", TWO_NEW, two_new_rows, "书记任职月数"),
    ("two_new_16321", TWO_NEW, two_new_rows, "党员人数"),
]


@pytest.mark.parametrize("error", ["#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NULL!", "#NUM!"])
def test_an_error_cell_is_a_reject_naming_the_error_not_a_default(tmp_path, error):
    path = write_xlsx(tmp_path / "r.xlsx", BRIGADE, brigade_rows(3),
                      [(1, BRIGADE.index("死亡日期"), "=VLOOKUP(A3,死亡!A:B,2,0)", error)])
    result = calculator("brigade_cadre_living").compute_roster(path, 2025)
    bad = rejects_at(result, 3)
    assert bad and bad[0]["column"] == "死亡日期" and bad[0]["value"] == error
    assert f"错误值 {error}" in bad[0]["reason"] and "J3" in bad[0]["reason"]
    assert result.to_json()["rows"] == {"read": 3, "accepted": 2, "rejected": 1}


@pytest.mark.parametrize("policy, header, rows, column", ERROR_CASES)
def test_an_error_cell_in_any_known_column_is_rejected(tmp_path, policy, header, rows, column):
    path = write_xlsx(tmp_path / "r.xlsx", header, rows(), [(0, header.index(column), "=NA()", "#N/A")])
    bad = rejects_at(calculator(policy).compute_roster(path, 2025), 2)
    assert [r["column"] for r in bad] == [column] and bad[0]["value"] == "#N/A", bad
    assert "单元格" in bad[0]["reason"] and "错误值 #N/A" in bad[0]["reason"]


@pytest.mark.parametrize("policy, header, rows, column", ERROR_CASES)
def test_an_error_literal_in_a_csv_is_rejected_by_every_reader(tmp_path, policy, header, rows, column):
    body = rows()
    body[0][header.index(column)] = "#N/A"
    path = write_text(tmp_path / "r.csv", csv_text(header, body))
    calc = calculator(policy)
    careful = calc.compute_roster(read_roster(path, calc.policy.fields, fast=False), 2025)
    fast = calc.compute_roster(read_roster(path, calc.policy.fields, fast=True), 2025)
    for result in (careful, fast):
        bad = rejects_at(result, 2)
        assert [r["column"] for r in bad] == [column] and "错误值 #N/A" in bad[0]["reason"], bad
    batched = stream_summary(calc, path, 2025, 1)
    assert batched["rejects"] == careful.to_json(summary=True)["rejects"]
    assert batched["rows"] == careful.to_json()["rows"]


def test_an_uncached_formula_is_a_reject_naming_the_formula(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", BRIGADE, brigade_rows(3),
                      [(2, BRIGADE.index("在职时领取国家补助"), '=IF(B4="","否","是")', None),
                       (0, BRIGADE.index("出生日期"), "=DATE(1938,4,1)", 13971)])  # cached: fine
    result = calculator("brigade_cadre_living").compute_roster(path, 2025)
    data = result.to_json()
    assert [r["row"] for r in data["rejects"]] == [4]
    bad = data["rejects"][0]
    assert bad["column"] == "在职时领取国家补助" and "未缓存" in bad["reason"] and "重新计算" in bad["reason"]
    assert 'IF(B4="","否","是")' in bad["value"] + bad["reason"]


def test_an_error_cell_in_an_unknown_column_is_a_notice(tmp_path):
    header = [*BRIGADE, "备注"]
    rows = [[*r, ""] for r in brigade_rows(2)]
    path = write_xlsx(tmp_path / "r.xlsx", header, rows, [(0, len(header) - 1, "=NA()", "#N/A")])
    data = calculator("brigade_cadre_living").compute_roster(path, 2025).to_json()
    assert data["rows"] == {"read": 2, "accepted": 2, "rejected": 0}
    assert any(n["row"] == 2 and n["column"] == "备注" and "#N/A" in n["message"] for n in data["notices"])


def test_an_error_cell_in_a_required_column_is_named_not_called_empty(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", VILLAGE, village_rows(), [(0, VILLAGE.index("任职开始"), "=NA()", "#N/A")])
    bad = rejects_at(calculator("village_cadre_departure").compute_roster(path, 2025), 2)
    assert bad and bad[0]["column"] == "任职开始" and bad[0]["value"] == "#N/A"
    assert not any("为空" in r["reason"] for r in bad)


# ---- 4. totals and footers ------------------------------------------------------------------

def brigade_table(rows: list[list[str]]) -> list[list[str]]:
    return [[*r, *[""] * (len(BRIGADE) - len(r))] for r in rows]


def test_people_and_ids_that_look_like_totals_or_footers_are_data(tmp_path):
    rows = brigade_table([
        ["", "王小计", "", "男", "1938-04", "16", "是", "是", "", "", "甲镇"],       # 2: a person named 王小计
        ["联系人甲", "李四", "", "男", "1938-04", "16", "是", "是", "", "", "甲镇"],  # 3: an id 联系人甲
        ["小计", "赵五", "", "男", "1938-04", "16", "是", "是", "", "", "甲镇"],      # 4: an id 小计 with data
        ["", "填表人张三", "", "男", "1938-04", "16", "是", "是", "", "", "甲镇"],    # 5: a name 填表人张三
        ["合 计", "", "", "", "", "64", "", "", "", "", ""],                          # 6: a total with a sum
        ["甲镇小计", "", "", "", "", "64", "", "", "", "", "甲镇"],                   # 7: a unit's subtotal
        ["填表人：张三", "", "", "", "", "", "", "", "", "", ""],                     # 8: a footer
        ["审核人:李四", "", "", "", "", "", "", "", "", "", ""],                      # 9: a footer
    ])
    path = write_text(tmp_path / "r.csv", csv_text(BRIGADE, rows))
    calc = calculator("brigade_cadre_living")
    for fast in (False, True):
        result = calc.compute_roster(read_roster(path, calc.policy.fields, fast=fast), 2025)
        data = result.to_json()
        skipped = {n["row"] for n in data["notices"] if "跳过" in n["message"]}
        assert skipped == {6, 7, 8, 9}, data["notices"]
        assert data["rows"]["read"] == 4
        # 王小计 and 填表人张三 have no 编号 (and no ID number): rejected, named, not lost
        assert {r["row"] for r in data["rejects"]} == {2, 5}
    batched = stream_summary(calc, path, 2025, 2)
    assert batched["rows"] == data["rows"] and batched["totals"] == result.to_json(summary=True)["totals"]


def test_a_total_label_with_beneficiary_data_is_a_data_row(tmp_path):
    rows = brigade_table([["B1", "甲", "", "男", "1938-04", "16"], ["合计", "", "", "男", "1938-04", "16"]])
    path = write_text(tmp_path / "r.csv", csv_text(BRIGADE, rows))
    data = calculator("brigade_cadre_living").compute_roster(path, 2025).to_json()
    assert data["rows"]["read"] == 2


def test_the_bundled_excel_totals_and_footers_are_still_skipped():
    for name, policy in (("brigade_cadres.xlsx", "brigade_cadre_living"), ("two_new_orgs.xlsx", "two_new_16321"),
                         ("village_departures.xlsx", "village_cadre_departure")):
        calc = calculator(policy)
        xlsx = calc.compute_roster(EXAMPLES / name, 2025).to_json(summary=True)
        csv_ = calc.compute_roster(EXAMPLES / name.replace(".xlsx", ".csv"), 2025).to_json(summary=True)
        assert xlsx["totals"] == csv_["totals"] and xlsx["rows"] == csv_["rows"]


# ---- 5. two headers for one field --------------------------------------------------------------

@pytest.mark.parametrize("first, second", [("出生日期", "出生 日期"), ("出生日期", "出生年月"), ("身份证号", "公民身份号码")])
def test_two_headers_for_one_field_exit_2_naming_both(tmp_path, first, second):
    header = ["编号", "性别", first, "任职年限", second]
    value = "1938-04" if "出生" in first else ""
    path = write_text(tmp_path / "r.csv", csv_text(header, [["B1", "男", value, "16", value]]))
    with pytest.raises(InputError) as exc:
        calculator("brigade_cadre_living").compute_roster(path, 2025)
    message = str(exc.value)
    assert first in message and second in message and "C列" in message and "E列" in message
    proc = run_cli("calc", str(path), *cli_options("brigade_cadre_living"), "--year", "2025")
    assert proc.returncode == 2 and second in proc.stderr and "Traceback" not in proc.stderr


def test_two_identical_headers_name_their_columns(tmp_path):
    path = write_text(tmp_path / "r.csv", csv_text(["编号", "性别", "出生日期", "任职年限", "性别"],
                                                   [["B1", "男", "1938-04", "16", "男"]]))
    with pytest.raises(InputError, match="B列.*E列"):
        calculator("brigade_cadre_living").compute_roster(path, 2025)


# ---- 9. unclosed quotes ---------------------------------------------------------------------------

def unclosed(n: int) -> str:
    rows = brigade_rows(n)
    rows[4][1] = '"人5'  # an opening quote that never closes, on line 6
    return "".join(",".join(r) + "\n" for r in [BRIGADE, *rows])


def test_an_unclosed_quote_exits_2_naming_its_line(tmp_path):
    path = write_text(tmp_path / "r.csv", unclosed(10))
    calc = calculator("brigade_cadre_living")
    for fast in (False, True):
        with pytest.raises(InputError, match="第6行"):
            read_roster(path, calc.policy.fields, fast=fast)
    proc = run_cli("calc", str(path), *cli_options("brigade_cadre_living"), "--year", "2025")
    assert proc.returncode == 2 and "第6行" in proc.stderr and "引号" in proc.stderr
    proc = run_cli("calc", str(path), *cli_options("brigade_cadre_living"), "--year", "2025", "--format", "json",
                   "--batch-rows", "3")
    assert proc.returncode == 2 and "第6行" in proc.stderr


def test_an_unclosed_quote_in_a_large_file_exits_2_not_field_limit(tmp_path):
    text = unclosed(30000)
    assert len(text.encode()) > 1 << 20
    path = write_text(tmp_path / "r.csv", text)
    proc = run_cli("calc", str(path), *cli_options("brigade_cadre_living"), "--year", "2025", "--format", "json",
                   "--summary")
    assert proc.returncode == 2 and "第6行" in proc.stderr and "field limit" not in proc.stderr


def test_a_quoted_cell_closing_later_does_not_swallow_rows(tmp_path):
    rows = brigade_rows(10)
    rows[2][1] = '"人3'
    rows[6][1] = '人7"'
    path = write_text(tmp_path / "r.csv", "".join(",".join(r) + "\n" for r in [BRIGADE, *rows]))
    with pytest.raises(InputError, match="第4行"):
        calculator("brigade_cadre_living").compute_roster(path, 2025)


def test_a_legitimate_multiline_cell_still_reads(tmp_path):
    header = [*BRIGADE, "备注"]
    rows = [[*r, ""] for r in brigade_rows(3)]
    rows[1][-1] = "第一行\n第二行"
    path = write_text(tmp_path / "r.csv", csv_text(header, rows))
    assert calculator("brigade_cadre_living").compute_roster(path, 2025).to_json()["rows"]["read"] == 3


# ---- 10. CR line ends -------------------------------------------------------------------------------

def cr_variants() -> dict[str, str]:
    lf = csv_text(BRIGADE, brigade_rows(6))
    lines = lf.splitlines(keepends=True)
    return {
        "cr": lf.replace("\n", "\r"),
        "mixed": "".join(line.replace("\n", "\r\n" if k % 2 else "\r") for k, line in enumerate(lines)),
        "cr_in_cell": lf.replace("人3,", "人\r3,", 1),
    }


@pytest.mark.parametrize("kind", ["cr", "mixed", "cr_in_cell"])
def test_bare_cr_line_ends_are_line_ends(tmp_path, kind):
    path = write_text(tmp_path / f"{kind}.csv", cr_variants()[kind])
    calc = calculator("brigade_cadre_living")
    whole = calc.compute_roster(path, 2025).to_json(summary=True)
    expected = 7 if kind == "cr_in_cell" else 6  # a CR in a cell ends the line there: two broken rows
    assert whole["rows"]["read"] == expected
    if kind != "cr_in_cell":
        assert whole["rows"]["rejected"] == 0
    fast = calc.compute_roster(read_roster(path, calc.policy.fields, fast=True), 2025).to_json(summary=True)
    assert fast["rows"] == whole["rows"] and fast["totals"] == whole["totals"]
    for n in (1, 2, 5):
        batched = stream_summary(calc, path, 2025, n)
        assert batched["rows"] == whole["rows"] and batched["totals"] == whole["totals"]
    proc = run_cli("validate", str(path), *cli_options("brigade_cadre_living"))
    assert "Traceback" not in proc.stderr


def damaged_rosters(tmp: Path) -> list[tuple[Path, str]]:
    out = [(EXAMPLES / "brigade_cadres.csv", "brigade_cadre_living"), (EXAMPLES / "two_new_orgs.csv", "two_new_16321"),
           (EXAMPLES / "village_departures.csv", "village_cadre_departure")]
    for kind, text in cr_variants().items():
        out.append((write_text(tmp / f"{kind}.csv", text), "brigade_cadre_living"))
    out.append((write_text(tmp / "unclosed.csv", unclosed(10)), "brigade_cadre_living"))
    bom = "\ufeff\x00" + csv_text(BRIGADE, brigade_rows(5))
    out.append((write_text(tmp / "bom.csv", bom), "brigade_cadre_living"))
    body = brigade_rows(5)
    body[1][BRIGADE.index("死亡日期")] = "#N/A"
    out.append((write_text(tmp / "na.csv", csv_text(BRIGADE, body)), "brigade_cadre_living"))
    for p in (ROOT / "tests" / "fixtures").glob("*.csv"):
        head = p.read_text(encoding="utf-8", errors="replace")[:200]
        policy = ("two_new_16321" if "组织" in head else "village_cadre_departure" if "职务" in head
                  else "brigade_cadre_living")
        out.append((p, policy))
    return out


def test_batches_agree_with_one_piece_on_every_roster(tmp_path):
    for path, policy in damaged_rosters(tmp_path):
        base = ["calc", str(path), *cli_options(policy), "--year", "2025", "--format", "json", "--summary"]
        whole = run_cli(*base)
        for n in (1, 3, 1000):
            batched = run_cli(*base, "--batch-rows", str(n))
            assert batched.returncode == whole.returncode, (path.name, n, whole.stderr, batched.stderr)
            if whole.returncode == 0:
                a, b = json.loads(whole.stdout), json.loads(batched.stdout)
                assert (a["totals"], a["rows"]) == (b["totals"], b["rows"]), (path.name, n)
                assert [(r["row"], r["column"]) for r in a["rejects"]] == \
                    [(r["row"], r["column"]) for r in b["rejects"]], (path.name, n)


# ---- 14. a FIFO or a directory as the roster ---------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("name", ["pipe.csv", "pipe.xlsx"])
def test_a_fifo_or_directory_roster_exits_2(tmp_path, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    for target in (fifo, folder):  # a process: were the FIFO opened, it would block
        proc = run_installed("calc", str(target), *cli_options("brigade_cadre_living"), "--year", "2025")
        assert proc.returncode == 2 and target.name in proc.stderr and "Traceback" not in proc.stderr
        with pytest.raises(InputError, match="普通文件"):
            calculator("brigade_cadre_living").compute_roster(target, 2025)
    proc = run_installed("calc", str(fifo), *cli_options("brigade_cadre_living"), "--year", "2025", "--format", "json",
                         "--batch-rows", "10")
    assert proc.returncode == 2 and (fifo.name in proc.stderr or fifo.suffix != ".csv")


# ---- 19. messages that mislead -------------------------------------------------------------------------

@pytest.mark.parametrize("prefix", ["\ufeff", "\ufeff\ufeff", "\x00", "\ufeff\x00", "\u200b"])
def test_a_bom_or_nul_before_the_header_is_stripped(tmp_path, prefix):
    path = write_text(tmp_path / "r.csv", prefix + csv_text(BRIGADE, brigade_rows(3)))
    data = calculator("brigade_cadre_living").compute_roster(path, 2025).to_json()
    assert data["rows"] == {"read": 3, "accepted": 3, "rejected": 0}, data["rejects"][:2]


def test_a_missing_key_column_is_named_in_chinese(tmp_path):
    header = ["姓名", "性别", "出生日期", "任职年限"]
    path = write_text(tmp_path / "r.csv", csv_text(header, [["甲", "男", "1938-04", "16"]]))
    bad = calculator("brigade_cadre_living").compute_roster(path, 2025).to_json()["rejects"]
    assert bad and bad[0]["column"] == "编号"


def test_a_header_below_the_scan_is_found_or_named(tmp_path):
    titles = "".join(f"说明第{k}行\n" for k in range(35))
    path = write_text(tmp_path / "r.csv", titles + csv_text(VILLAGE, village_rows()))
    proc = run_cli("calc", str(path), *cli_options("village_cadre_departure"), "--year", "2025")
    assert proc.returncode == 2 and "前30行" in proc.stderr and "第36行" in proc.stderr


def test_a_roster_without_a_header_row_says_so(tmp_path):
    rows = brigade_rows(3)
    path = write_text(tmp_path / "r.csv", "".join(",".join(r) + "\n" for r in rows))
    proc = run_cli("calc", str(path), *cli_options("brigade_cadre_living"), "--year", "2025")
    assert proc.returncode == 2 and "表头" in proc.stderr and "重复" not in proc.stderr
    assert "出生日期" in proc.stderr  # the expected headers are listed


def test_data_under_a_trailing_column_without_header_is_a_notice(tmp_path):
    header = [*BRIGADE, ""]
    rows = [[*r, "备忘"] for r in brigade_rows(3)]
    path = write_text(tmp_path / "r.csv", csv_text(header, rows))
    calc = calculator("brigade_cadre_living")
    for fast in (False, True):
        data = calc.compute_roster(read_roster(path, calc.policy.fields, fast=fast), 2025).to_json()
        assert data["rows"] == {"read": 3, "accepted": 3, "rejected": 0}
        assert any("L列没有表头" in n["message"] for n in data["notices"])
    xlsx = write_xlsx(tmp_path / "r.xlsx", BRIGADE, [[*r, "备忘"] for r in brigade_rows(3)])
    data = calc.compute_roster(xlsx, 2025).to_json()
    assert data["rows"] == {"read": 3, "accepted": 3, "rejected": 0}
    assert any("L列没有表头" in n["message"] for n in data["notices"])


def test_a_missing_required_column_lists_what_was_found_and_the_closest(tmp_path):
    header = ["编号", "姓名", "职务", "任职开始日", "任职结束", "所属村（社区）"]
    path = write_text(tmp_path / "r.csv", csv_text(header, [["V1", "甲", "委员", "2015-01-01", "2017-12-31", "某社区"]]))
    proc = run_cli("calc", str(path), *cli_options("village_cadre_departure"), "--year", "2025")
    assert proc.returncode == 2
    assert "找到的列" in proc.stderr and "任职开始日" in proc.stderr and "是否为" in proc.stderr


def test_a_total_row_in_excel_sheet_with_error_literal_text(tmp_path):
    """An error literal typed as text in a sheet (a CSV pasted in) is an error cell too."""
    rows = brigade_rows(2)
    rows[0][BRIGADE.index("死亡日期")] = "#N/A"
    path = write_xlsx(tmp_path / "r.xlsx", BRIGADE, rows)
    bad = rejects_at(calculator("brigade_cadre_living").compute_roster(path, 2025), 2)
    assert bad and bad[0]["column"] == "死亡日期" and "错误值 #N/A" in bad[0]["reason"]


def test_missing_tenure_lists_what_was_found_and_the_closest(tmp_path):
    header = ["编号", "性别", "出生日期", "担任职务年数（年）"]
    path = write_text(tmp_path / "r.csv", csv_text(header, [["B1", "男", "1938-04", "16"]]))
    with pytest.raises(InputError) as exc:
        calculator("brigade_cadre_living").compute_roster(path, 2025)
    assert "找到的列" in str(exc.value) and "是否为" in str(exc.value) and "担任职务年数(年) → 任职年限" in str(exc.value)


def test_a_formula_whose_cached_result_is_empty_text_is_blank(tmp_path):
    """Excel saves a formula giving "" as t="str" with an empty <v>: a blank, not a fault."""
    path = write_xlsx(tmp_path / "r.xlsx", BRIGADE, brigade_rows(2),
                      [(0, BRIGADE.index("死亡日期"), '=IF(1,"","")', "")])
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    assert '<c r="J2"><f>' in xml
    parts["xl/worksheets/sheet1.xml"] = xml.replace('<c r="J2"><f>', '<c r="J2" t="str"><f>').encode()
    with zipfile.ZipFile(path, "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)
    data = calculator("brigade_cadre_living").compute_roster(path, 2025).to_json()
    assert data["rows"] == {"read": 2, "accepted": 2, "rejected": 0}, data["rejects"]


def test_cells_without_references_are_counted_by_the_xml_parser():
    from entitlements.workbook_faults import _faults, _faults_by_pattern

    xml = (b'<worksheet><sheetData><row r="1"><c t="s"><v>0</v></c><c><f>1+1</f><v/></c></row>'
           b'<row><c t="e"><f>NA()</f><v>#N/A</v></c><c><v>3</v></c><c><f>A1</f><v>2</v></c></row></sheetData></worksheet>')
    assert _faults_by_pattern(xml) is None
    found = {k: v.text for k, v in _faults(xml).items()}
    assert found == {(0, 1): "=1+1", (1, 0): "#N/A"}
