"""Excel rosters in, Excel results out, the budget table, and the progress bar."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from entitlements import Calculator
from entitlements.output import write_file_atomic
from tests.conftest import EXAMPLES, ROOT, console_command, run_cli, write_csv
from tests.test_spec_figures import LATER_RAISE, jiangchuan_44

TWINS = [
    ("brigade_cadres", "brigade_cadre_living", "江川区", []),
    ("two_new_orgs", "two_new_16321", "澄江市", []),
    ("village_departures", "village_cadre_departure", "澄江市",
     ["--include-earlier", "--standards", str(EXAMPLES / "village_post_standards.csv")]),
]


def summary(*args: str) -> dict:
    proc = run_cli("calc", *args, "--year", "2025", "--format", "json", "--summary")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("name, policy, profile, extra", TWINS)
def test_bundled_xlsx_rosters_compute_the_same_as_their_csv_twins(name, policy, profile, extra):
    from_csv = summary(str(EXAMPLES / f"{name}.csv"), "--policy", policy, "--profile", profile, *extra)
    from_xlsx = summary(str(EXAMPLES / f"{name}.xlsx"), "--policy", policy, "--profile", profile, *extra)
    assert from_xlsx["totals"] == from_csv["totals"]
    assert from_xlsx["rows"] == from_csv["rows"] and from_xlsx["rejects"] == []
    assert Decimal(from_xlsx["totals"]["amount"]) > 0
    skipped = {n["message"] for n in from_xlsx["notices"]}
    assert {"表头以上的标题行，已跳过", "合计行，已跳过（不参与计算）", "表尾说明行，已跳过"} <= skipped


def test_broken_rows_are_named_by_excel_row_and_the_rest_still_computes():
    args = ("--policy", "brigade_cadre_living", "--profile", "江川区")
    broken = summary(str(EXAMPLES / "brigade_cadres_with_errors.xlsx"), *args)
    clean = summary(str(EXAMPLES / "brigade_cadres.xlsx"), *args)
    # rows 4-13 are the clean roster; 14-19 each hold one mistake (examples/make_xlsx.py)
    by_row = {r["row"]: (r["column"], r["reason"]) for r in broken["rejects"]}
    assert by_row == {
        14: ("身份证号", "身份证号校验码不对：530421193804121214"),
        15: ("性别", "性别与身份证号不一致（身份证号为女）"),
        16: ("出生日期", "日期不存在：1940-02-30"),
        17: ("任职年限", "不能为负数：-3"),
        18: ("编号", "编号重复，与第7行相同"),
        19: ("死亡日期", "死亡日期早于出生日期"),
    }
    assert broken["rows"] == {"read": 16, "accepted": 10, "rejected": 6}
    assert broken["totals"] == clean["totals"]
    proc = run_cli("validate", str(EXAMPLES / "brigade_cadres_with_errors.xlsx"), *args, "--lang", "en")
    assert proc.returncode == 1 and "check digit is wrong" in proc.stdout and "row 1" not in proc.stdout


def test_xlsx_output_opens_in_openpyxl_and_its_totals_row_matches_the_json(tmp_path):
    roster = str(EXAMPLES / "two_new_orgs.xlsx")
    args = ("--policy", "two_new_16321", "--profile", "澄江市", "--year", "2025")
    out = tmp_path / "分配表.xlsx"
    proc = run_cli("calc", roster, *args, "--format", "xlsx", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(run_cli("calc", roster, *args, "--format", "json").stdout)
    book = openpyxl.load_workbook(out, data_only=True)  # cached values of the SUM formulas
    assert book.sheetnames == ["分配表", "按单位汇总", "退回", "提示"]
    sheet = book["分配表"]
    assert sheet.freeze_panes == "A5"  # title, units line, band (分项, 分级负担), header: the printed frame
    rows = list(sheet.iter_rows(values_only=True))
    end = next(k for k, r in enumerate(rows) if r[0] == "合计")  # the 大写 line and signatures follow
    header, body, total = rows[3], rows[4:end], rows[end]
    assert header[:3] == ("编号", "名称", "所属单位") and "澄江市级" in header and "玉溪市级" in header
    assert total[0] == "合计" and len(body) == len(data["beneficiaries"])

    def fen(value) -> Decimal:
        return Decimal(repr(float(value))).quantize(Decimal("0.01"))

    column = {h: k for k, h in enumerate(header)}
    assert fen(total[column["合计"]]) == Decimal(data["totals"]["amount"])
    assert fen(total[column["澄江市级"]]) == Decimal(data["totals"]["by_level"]["county"])
    assert fen(total[column["玉溪市级"]]) == Decimal(data["totals"]["by_level"]["prefecture"])
    for line, entry in zip(body, data["beneficiaries"]):
        assert line[0] == entry["id"] and fen(line[column["合计"]]) == Decimal(entry["amount"])
    assert sheet.cell(row=5, column=column["合计"] + 1).number_format == "#,##0.00"
    formula = openpyxl.load_workbook(out)["分配表"].cell(row=end + 1, column=column["合计"] + 1).value
    assert formula == f"=SUM({openpyxl.utils.get_column_letter(column['合计'] + 1)}5:"\
                      f"{openpyxl.utils.get_column_letter(column['合计'] + 1)}{end})"
    units = [r for r in book["按单位汇总"].iter_rows(values_only=True) if r[0] == "合计"]
    assert fen(units[0][-1]) == Decimal(data["totals"]["amount"])


def test_rejects_file_as_xlsx_and_csv(tmp_path):
    roster = str(EXAMPLES / "brigade_cadres_with_errors.xlsx")
    args = ("--policy", "brigade_cadre_living", "--profile", "江川区", "--year", "2025", "--format", "json")
    proc = run_cli("calc", roster, *args, "--rejects", str(tmp_path / "退回.xlsx"), "--strict")
    assert proc.returncode == 1  # --strict: there are rejects
    sheet = openpyxl.load_workbook(tmp_path / "退回.xlsx")["退回"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [r[0] for r in rows] == [14, 15, 16, 17, 18, 19]
    run_cli("calc", roster, *args, "--rejects", str(tmp_path / "退回.csv"))
    text = (tmp_path / "退回.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "行号,列,值,原因" and "14,身份证号,530421193804121214" in text


def make_xlsx(path: Path, rows: list[list], formats: dict | None = None, sheet: str = "Sheet1",
              merges: list[tuple] = ()) -> Path:
    book = xlsxwriter.Workbook(path)
    ws = book.add_worksheet(sheet)
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
            elif value is not None:
                ws.write(r, c, value)
    for r0, c0, r1, c1, value in merges:
        ws.merge_range(r0, c0, r1, c1, value)
    book.close()
    return path


BRIGADE_HEADER = ["编号", "身份证号", "性别", "出生日期", "任职年限", "所属乡镇"]


def test_excel_cells_as_staff_type_them(tmp_path):
    """Numbers for ID numbers, dates typed as numbers, serial dates, full-width digits, merged 乡镇."""
    rows = [
        ["2025年花名册", None, None, None, None, None],
        BRIGADE_HEADER,
        ["A1", 530421193804121213, None, None, 16, None],  # 18 digits as a number: Excel kept 15
        ["A2", 530421380412121, None, None, 16, None],  # a 15-digit first-generation number is exact
        ["A3", None, "男", 1940.05, 16, None],  # 1940.05 typed into a number cell
        ["A4", None, "男", 1940.1, 16, None],  # January or October?
        ["A5", None, "男", 14612, 16, None],  # serial number of 1940-01-02
        ["A6", None, "男", dt.date(1940, 3, 4), "１６ ", None],  # a date cell; full-width digits and a space
        ["甲镇小计", None, None, None, None, None],
    ]
    path = make_xlsx(tmp_path / "r.xlsx", rows, merges=[(2, 5, 7, 5, "江城镇")])
    result = Calculator("brigade_cadre_living").compute_roster(path, 2025)
    data = result.to_json()
    rejects = {r["row"]: r for r in data["rejects"]}
    assert set(rejects) == {3, 6}
    assert rejects[3]["column"] == "身份证号" and "15位有效数字" in rejects[3]["reason"]
    assert rejects[3]["value"].startswith("530421193804121")  # what survives depends on the writer
    assert rejects[6]["column"] == "出生日期" and "1月与10月" in rejects[6]["reason"]
    people = {b["id"]: b for b in data["beneficiaries"]}
    assert set(people) == {"A2", "A3", "A5", "A6"} and {b["unit"] for b in people.values()} == {"江城镇"}
    cols = result.computation.who.columns
    months = dict(zip(result.computation.who.ids, cols["birth_month"]))
    assert months["A3"] == 1940 * 12 + 4 and months["A5"] == 1940 * 12 and months["A6"] == 1940 * 12 + 2
    assert {n["message"] for n in data["notices"]} >= {"表头以上的标题行，已跳过", "合计行，已跳过（不参与计算）"}


def test_sheet_choice_and_unknown_sheet(tmp_path):
    path = tmp_path / "two.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("说明").write(0, 0, "本表为示例")
    ws = book.add_worksheet("花名册")
    ws.write_row(0, 0, ["组织编号", "组织类型", "党员人数"])
    ws.write_row(1, 0, ["O1", "党支部", 3])
    book.close()
    proc = run_cli("calc", str(path), "--policy", "two_new_16321", "--year", "2025", "--sheet", "花名册", "-f", "json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["totals"]["amount"] == "5700.00"
    proc = run_cli("calc", str(path), "--policy", "two_new_16321", "--year", "2025")  # first sheet has no header
    assert proc.returncode == 2 and "--sheet 花名册" in proc.stderr  # the sheet that has one is suggested
    proc = run_cli("calc", str(path), "--policy", "two_new_16321", "--year", "2025", "--sheet", "Sheet9")
    assert proc.returncode == 2 and "Sheet9" in proc.stderr and "花名册" in proc.stderr


def test_unreadable_workbook_exits_2(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip file")
    proc = run_cli("calc", str(bad), "--policy", "two_new_16321", "--year", "2025")
    assert proc.returncode == 2 and "bad.xlsx" in proc.stderr


def test_a_column_without_header_is_reported(tmp_path):
    path = write_csv(tmp_path / "r.csv", ["组织编号", "", "组织类型"], [["O1", "备忘", "党支部"]])
    data = Calculator("two_new_16321").compute_roster(path, 2025).to_json()
    assert any(n["row"] == 2 and "B列没有表头" in n["message"] for n in data["notices"])
    assert data["rows"]["accepted"] == 1


def test_failed_write_leaves_no_file_and_keeps_the_old_one(tmp_path):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")

    def half_then_fail(tmp: str) -> None:
        Path(tmp).write_bytes(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_file_atomic(target, half_then_fail)
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]
    proc = run_cli("calc", str(EXAMPLES / "two_new_orgs.csv"), "--policy", "two_new_16321", "--year", "2025",
                   "-f", "xlsx", "-o", str(tmp_path / "no_such_dir" / "out.xlsx"))
    assert proc.returncode == 2 and not (tmp_path / "no_such_dir").exists()


# ---------- the budget table ----------

def test_budget_table_reproduces_the_jiangchuan_2025_row(tmp_path):
    people = jiangchuan_44()
    roster = write_csv(tmp_path / "44.csv", list(people[0]), [list(p.values()) for p in people])
    standards = tmp_path / "later.toml"
    standards.write_text(_toml(LATER_RAISE), encoding="utf-8")
    args = (str(roster), "--policy", "brigade_cadre_living", "--year", "2025", "--profile", "江川区",
            "--standards", str(standards))
    proc = run_cli("budget", *args)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "| 项目名称 | 人数（人） | 月补助经费（元） | 年补助经费（元） | 年区级补助经费（元） | 年市级补助经费（元） |" in lines
    assert "| 农村原大队一级部分离职半脱产干部定期生活补助经费 | 44 | 21387.00 | 256644.00 | 244588.00 | 12056.00 |" in lines
    assert any(line.startswith("备注：2025年市级预算补助44人，标准为274元/人/年。") for line in lines)
    out = tmp_path / "budget.xlsx"
    assert run_cli("budget", *args, "--format", "xlsx", "--out", str(out)).returncode == 0
    rows = list(openpyxl.load_workbook(out)["预算表"].iter_rows(values_only=True))
    assert rows[2][:6] == ("项目名称", "人数（人）", "月补助经费（元）", "年补助经费（元）", "年区级补助经费（元）", "年市级补助经费（元）")
    assert rows[3] == ("农村原大队一级部分离职半脱产干部定期生活补助经费", 44, 21387, 256644, 244588, 12056)
    assert "合计（大写）：人民币贰拾伍万陆仟陆佰肆拾肆元整\u3000\u3000（小写）：¥256,644.00" in [r[0] for r in rows]


def test_budget_table_for_chengjiang_counts_has_component_rows():
    proc = run_cli("budget", "--policy", "two_new_16321", "--year", "2024", "--profile", "澄江市",
                   "--count", "党委=6", "--count", "党总支=9", "--count", "党支部=112", "--count", "书记=95",
                   "--count", "党员=1274")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "| 两新组织党建工作经费（“16321”标准） | 127 | 805400.00 | 516700.00 | 288700.00 |" in lines
    assert "| 其中：书记专项工作津贴 | 95 | 228000.00 | 228000.00 | 0.00 |" in lines
    assert "| 其中：党员教育培训经费 | 1274 | 127400.00 | 63700.00 | 63700.00 |" in lines
    assert "月补助经费" not in proc.stdout  # not a monthly policy


def _toml(table: dict) -> str:
    """The LATER_RAISE overlay as a TOML file (no writer in the standard library)."""
    src = table["sources"]["illustrative"]["doc"]
    raise_ = table["standards"]["layers.later_raises"]
    return (f'[sources.illustrative]\ndoc = "{src}"\n\n'
            f'[standards."layers.later_raises"]\nkind = "money"\nlabel = "{raise_["label"]}"\nunit = "元/人/月"\n'
            'values = [{ from = "2010-01", amount = "400", source = "illustrative" }]\n\n'
            '[standards."splits.layers.later_raises"]\nkind = "split"\n'
            'values = [{ from = "2010-01", rule = "ratio", shares = { province = 5, prefecture = 3, county = 2 }, '
            'source = "illustrative" }]\n')


# ---------- progress ----------

def test_progress_bar_only_on_a_terminal():
    args = [console_command(), "calc", "examples/brigade_cadres.xlsx", "--policy", "brigade_cadre_living",
            "--year", "2025", "--profile", "江川区", "--format", "csv"]
    piped = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert piped.returncode == 0 and piped.stderr == ""  # silent in pipes
    leader, follower = pty.openpty()
    proc = subprocess.Popen(args, stdout=follower, stderr=follower, cwd=ROOT,
                            env={**os.environ, "TERM": "xterm", "COLUMNS": "120"})
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command has finished
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait(timeout=120) == 0
    os.close(leader)
    text = seen.decode("utf-8", "replace")
    assert "\x1b[?25l" in text  # the bar hides the cursor while it draws
    assert "编号,名称" in text  # and the CSV still arrives


def test_old_xls_workbooks_read_too():
    """tests/fixtures/two_new_orgs.xls: examples/two_new_orgs.csv saved as BIFF8 (.xls) by xlwt,
    with a merged title row and a 合计 row."""
    from_xls = summary(str(ROOT / "tests" / "fixtures" / "two_new_orgs.xls"), "--policy", "two_new_16321",
                       "--profile", "澄江市")
    from_csv = summary(str(EXAMPLES / "two_new_orgs.csv"), "--policy", "two_new_16321", "--profile", "澄江市")
    assert from_xls["totals"] == from_csv["totals"] and from_xls["rows"] == from_csv["rows"]
