"""The 一卡通 payment list (issue 13, item 3): `entitlements payments`.

Who is listed, who waits for an account and why, totals against calc's to the fen, one
month of a monthly programme, refusals, and a file only its owner may read."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from decimal import Decimal

import openpyxl
import pytest
from stdnum import luhn
from stdnum.cn import ric

from entitlements import Calculator

from .conftest import EXAMPLES, run_cli, write_csv

BRIGADE = EXAMPLES / "brigade_cadres_payments.csv"
POLICY = ["--policy", "village_accident_insurance", "--year", "2024", "--profile", "澄江市"]


def id_number(seq: int) -> str:
    base = f"53042219800101{seq:03d}"
    return base + ric.calc_check_digit(base + "0")


def card(n: int) -> str:
    """A fake 19-digit card number that passes Luhn (prefix 9999: no bank issues it)."""
    body = f"9999{n:014d}"
    return body + luhn.calc_check_digit(body)


def bad_luhn(n: int) -> str:
    good = card(n)
    return good[:-1] + str((int(good[-1]) + 1) % 10)


def accounts_roster(tmp_path):
    spaced = card(6)
    rows = [
        ["A1", "王一", id_number(11), card(1), "澄江市农村信用合作联社", "右所镇"],
        ["A2", "王二", id_number(21), bad_luhn(2), "中国农业银行澄江支行", "右所镇"],
        ["A3", "王三", id_number(31), "62220212345", "", "龙街街道"],
        ["A4", "王四", id_number(41), "6222A21234567890123", "", "龙街街道"],
        ["A5", "王五", id_number(51), "", "", "龙街街道"],
        ["A6", "王六", id_number(61), " ".join(spaced[i:i + 4] for i in range(0, 19, 4)), "", "海口镇"],
        ["A7", "王七", "", card(7), "", "海口镇"],
        ["A8", "", id_number(81), card(8), "", "海口镇"],
    ]
    return write_csv(tmp_path / "insured.csv", ["编号", "姓名", "身份证号", "银行账号", "开户行", "所属单位"], rows)


def sheet_rows(ws) -> tuple[list[str], list[list[object]], list[object] | None]:
    """Header, body rows and the totals row of a written sheet, wherever its title rows end."""
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(values) if r and r[0] in ("序号", "no."))
    header = [str(h) for h in values[start] if h is not None]
    body, total = [], None
    for r in values[start + 1:]:
        if r[0] in ("合计", "total"):
            total = r
            break
        if r[0] is not None and str(r[0]).isdigit():  # 序号
            body.append(r[:len(header)])
    return header, body, total


def fen(value) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def calc_total(*args: str) -> int:
    done = run_cli("calc", *args, "--format", "json")
    assert done.returncode == 0, done.stderr
    return fen(json.loads(done.stdout)["totals"]["amount"])


def test_accounts_are_checked_and_people_without_a_usable_one_wait_on_their_own_sheet(tmp_path):
    roster, out = accounts_roster(tmp_path), tmp_path / "一卡通.xlsx"
    done = run_cli("payments", str(roster), *POLICY, "--out", str(out))
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out, data_only=True)
    assert book.sheetnames[:2] == ["一卡通发放清单", "待补银行账号"]
    header, body, total = sheet_rows(book["一卡通发放清单"])
    assert header[:8] == ["序号", "姓名", "身份证号", "银行账号", "开户行", "金额", "补贴项目名称", "所属单位"]
    col = {h: j for j, h in enumerate(header)}
    listed = {r[col["姓名"]]: r for r in body}
    assert sorted(listed) == ["王一", "王二", "王六"]
    assert [r[0] for r in body] == ["1", "2", "3"]
    assert listed["王一"][col["身份证号"]] == id_number(11)  # full: this file is not published
    assert listed["王一"][col["银行账号"]] == card(1)
    assert listed["王一"][col["开户行"]] == "澄江市农村信用合作联社"
    assert listed["王六"][col["银行账号"]] == card(6)  # typed in groups of four: read as one number
    assert listed["王一"][col["补贴项目名称"]] == "村组干部意外伤害保险"
    assert "Luhn" in listed["王二"][col["备注"]]  # a failed check digit is a notice on the row, not a refusal
    assert not listed["王一"][col["备注"]]
    assert fen(total[col["金额"]]) == 3 * 26000
    p_header, pending, p_total = sheet_rows(book["待补银行账号"])
    pc = {h: j for j, h in enumerate(p_header)}
    why = {r[pc["编号"]]: r[pc["原因"]] for r in pending}
    assert set(why) == {"A3", "A4", "A5", "A7", "A8"}
    assert "16" in why["A3"] and "19" in why["A3"]
    assert "数字" in why["A4"]
    assert "银行账号" in why["A5"]
    assert "身份证号" in why["A7"]
    assert "姓名" in why["A8"]
    # the list and the people waiting add up to calc's paid total, to the fen
    assert fen(total[col["金额"]]) + fen(p_total[pc["金额"]]) == calc_total(str(roster), *POLICY)


def test_totals_equal_calcs_paid_total_and_people_paid_nothing_are_not_listed(tmp_path):
    out = tmp_path / "list.xlsx"
    args = ["--policy", "brigade_cadre_living", "--year", "2025", "--profile", "江川区"]
    done = run_cli("payments", str(BRIGADE), *args, "--out", str(out))
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out, data_only=True)
    header, body, total = sheet_rows(book["一卡通发放清单"])
    amount = header.index("金额")
    assert len(body) == 6  # 4 of the 10 are paid nothing in 2025
    assert all(fen(r[amount]) > 0 for r in body)
    assert fen(total[amount]) == calc_total(str(BRIGADE), *args) == 543000
    assert sum(fen(r[amount]) for r in body) == fen(total[amount])
    texts = [str(c) for r in book["一卡通发放清单"].iter_rows(values_only=True) for c in r if c]
    assert any("4人" in t and "未列入" in t for t in texts)
    assert "待补银行账号" not in book.sheetnames or not sheet_rows(book["待补银行账号"])[1]
    assert "4 " in done.stderr or "4人" in done.stderr


def month_amounts(month: str) -> dict[str, int]:
    calc = Calculator("brigade_cadre_living", profile="江川区")
    result = calc.compute_roster(BRIGADE, 2025)
    out = {}
    for pid in result.computation.who.ids:
        one = calc.entitlement(result, str(pid))
        out[one.name] = fen(one.months[month])
    return {k: v for k, v in out.items() if v}


@pytest.mark.parametrize("month", ["2025-06", "2025-07"])
def test_one_month_of_a_monthly_programme(tmp_path, month):
    out = tmp_path / "month.xlsx"
    done = run_cli("payments", str(BRIGADE), "--policy", "brigade_cadre_living", "--year", "2025",
                   "--profile", "江川区", "--month", month, "--out", str(out))
    assert done.returncode == 0, done.stderr
    header, body, total = sheet_rows(openpyxl.load_workbook(out, data_only=True)["一卡通发放清单"])
    amount, name = header.index("金额"), header.index("姓名")
    expected = month_amounts(month)
    assert {r[name]: fen(r[amount]) for r in body} == expected
    assert fen(total[amount]) == sum(expected.values())
    assert ("王正华" in expected) == (month == "2025-06")  # died 2025-06: paid that month, not after


def test_month_refused_where_it_makes_no_sense(tmp_path):
    roster = accounts_roster(tmp_path)
    annual = run_cli("payments", str(roster), *POLICY, "--month", "2024-03", "--out", str(tmp_path / "a.xlsx"))
    assert annual.returncode == 2
    assert "--month" in annual.stderr and "按年" in annual.stderr
    outside = run_cli("payments", str(BRIGADE), "--policy", "brigade_cadre_living", "--year", "2025",
                      "--profile", "江川区", "--month", "2024-12", "--out", str(tmp_path / "b.xlsx"))
    assert outside.returncode == 2
    assert "2025" in outside.stderr
    assert not (tmp_path / "a.xlsx").exists() and not (tmp_path / "b.xlsx").exists()


def test_a_programme_of_organisations_is_refused(tmp_path):
    out = tmp_path / "orgs.xlsx"
    done = run_cli("payments", str(EXAMPLES / "two_new_orgs.csv"), "--policy", "two_new_16321", "--year", "2025",
                   "--profile", "江川区", "--out", str(out))
    assert done.returncode == 2
    assert "身份证号" in done.stderr and "two_new_16321" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


@pytest.mark.parametrize("ext", ["xlsx", "csv"])
def test_the_list_is_readable_by_its_owner_only(tmp_path, ext):
    roster, out = accounts_roster(tmp_path), tmp_path / f"一卡通.{ext}"
    out.write_text("old", encoding="utf-8")
    os.chmod(out, 0o644)
    old = os.umask(0o022)
    try:
        done = run_cli("payments", str(roster), *POLICY, "--out", str(out))
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    written = [p for p in tmp_path.iterdir() if p.name.startswith("一卡通")]
    assert len(written) == (1 if ext == "xlsx" else 2)  # csv: the list and its 待补银行账号 beside it
    for path in written:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_csv_holds_the_list_and_the_people_waiting_beside_it(tmp_path):
    roster, out = accounts_roster(tmp_path), tmp_path / "list.csv"
    done = run_cli("payments", str(roster), *POLICY, "--out", str(out))
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][:8] == ["序号", "姓名", "身份证号", "银行账号", "开户行", "金额", "补贴项目名称", "所属单位"]
    assert [r[1] for r in rows[1:4]] == ["王一", "王二", "王六"]
    assert rows[1][3] == card(1) and rows[1][5] == "260.00"
    assert rows[4][0] == "合计" and rows[4][5] == "780.00"
    pending_path = tmp_path / "list.待补银行账号.csv"
    pending = list(csv.reader(io.StringIO(pending_path.read_text(encoding="utf-8-sig"))))
    assert {r[1] for r in pending[1:-1]} == {"A3", "A4", "A5", "A7", "A8"}
    assert pending[-1][0] == "合计"
    assert str(pending_path) in done.stderr or pending_path.name in done.stderr
    english = run_cli("payments", str(roster), *POLICY, "--out", str(tmp_path / "en.csv"), "--lang", "en")
    assert english.returncode == 0, english.stderr
    head = (tmp_path / "en.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert head.startswith("no.,name,ID number,bank account")


def test_calc_accepts_the_account_columns_and_pays_the_same(tmp_path):
    args = ["--policy", "brigade_cadre_living", "--year", "2025", "--profile", "江川区", "--format", "json"]
    with_accounts = json.loads(run_cli("calc", str(BRIGADE), *args).stdout)
    assert not [n for n in with_accounts["notices"] if n["column"] in ("银行账号", "开户行")]
    assert with_accounts["totals"] == json.loads(run_cli("calc", str(EXAMPLES / "brigade_cadres.csv"), *args).stdout)["totals"]


def test_a_damaged_account_cell_is_no_reject_in_calc_and_waits_in_the_list(tmp_path):
    roster = write_csv(tmp_path / "r.csv", ["编号", "姓名", "身份证号", "一卡通账号", "所属单位"],
                       [["B1", "李一", id_number(13), "#N/A", "右所镇"], ["B2", "李二", id_number(23), card(3), "右所镇"]])
    data = json.loads(run_cli("calc", str(roster), *POLICY, "--format", "json").stdout)
    assert data["rows"]["rejected"] == 0 and data["totals"]["amount"] == "520.00"
    out = tmp_path / "l.xlsx"
    done = run_cli("payments", str(roster), *POLICY, "--out", str(out))
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out, data_only=True)
    header, pending, _ = sheet_rows(book["待补银行账号"])
    assert [r[header.index("编号")] for r in pending] == ["B1"]
    assert "#N/A" in pending[0][header.index("原因")]


def test_an_account_stored_as_an_excel_number_has_lost_digits_and_waits(tmp_path):
    import xlsxwriter

    roster = tmp_path / "r.xlsx"
    book = xlsxwriter.Workbook(str(roster))
    ws = book.add_worksheet()
    for j, h in enumerate(["编号", "姓名", "身份证号", "社保卡号", "所属单位"]):
        ws.write_string(0, j, h)
    ws.write_row(1, 0, ["C1", "赵一", id_number(15)])
    ws.write_number(1, 3, float(card(4)))  # Excel keeps 15 significant digits
    ws.write_string(1, 4, "右所镇")
    book.close()
    out = tmp_path / "l.xlsx"
    done = run_cli("payments", str(roster), *POLICY, "--out", str(out))
    assert done.returncode == 0, done.stderr
    header, pending, _ = sheet_rows(openpyxl.load_workbook(out, data_only=True)["待补银行账号"])
    assert [r[header.index("编号")] for r in pending] == ["C1"]
    assert "15" in pending[0][header.index("原因")]


def test_a_roster_without_an_account_column_is_refused_naming_the_headers(tmp_path):
    done = run_cli("payments", str(EXAMPLES / "brigade_cadres.csv"), "--policy", "brigade_cadre_living",
                   "--year", "2025", "--profile", "江川区", "--out", str(tmp_path / "x.xlsx"))
    assert done.returncode == 2
    assert "银行账号" in done.stderr and "找到的列" in done.stderr


def test_two_account_columns_are_refused_and_a_sheets_own_header_can_be_mapped(tmp_path):
    both = write_csv(tmp_path / "both.csv", ["编号", "姓名", "身份证号", "社保卡号", "银行账号", "所属单位"],
                     [["D1", "钱一", id_number(17), card(9), card(10), "右所镇"]])
    data = json.loads(run_cli("calc", str(both), *POLICY, "--format", "json").stdout)
    assert data["totals"]["amount"] == "260.00"  # calc is not stopped by columns it does not read
    done = run_cli("payments", str(both), *POLICY, "--out", str(tmp_path / "x.xlsx"))
    assert done.returncode == 2
    assert "社保卡号" in done.stderr and "银行账号" in done.stderr
    own = write_csv(tmp_path / "own.csv", ["编号", "姓名", "身份证号", "收款卡号", "所属单位"],
                    [["D1", "钱一", id_number(17), card(9), "右所镇"]])
    out = tmp_path / "own.xlsx"
    done = run_cli("payments", str(own), *POLICY, "--columns", "收款卡号=银行账号", "--out", str(out))
    assert done.returncode == 0, done.stderr
    header, body, _ = sheet_rows(openpyxl.load_workbook(out, data_only=True)["一卡通发放清单"])
    assert [r[header.index("银行账号")] for r in body] == [card(9)]


def test_a_person_of_several_rows_needs_one_account(tmp_path):
    rows = [["E1", "孙一", id_number(19), "委员", "2015-01-01", "2019-12-31", "右所镇", card(11)],
            ["E1", "孙一", id_number(19), "主任", "2020-01-01", "2024-12-31", "右所镇", card(12)],
            ["E2", "孙二", id_number(29), "委员", "2015-01-01", "2019-12-31", "右所镇", card(13)],
            ["E2", "孙二", id_number(29), "主任", "2020-01-01", "2024-12-31", "右所镇", ""]]
    roster = write_csv(tmp_path / "dep.csv", ["编号", "姓名", "身份证号", "职务", "任职开始", "任职结束", "所属单位", "银行账号"], rows)
    args = ["--policy", "village_cadre_departure", "--year", "2024", "--standards",
            str(EXAMPLES / "village_post_standards.csv")]
    out = tmp_path / "dep.xlsx"
    done = run_cli("payments", str(roster), *args, "--out", str(out))
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out, data_only=True)
    header, body, total = sheet_rows(book["一卡通发放清单"])
    assert [(r[header.index("姓名")], r[header.index("银行账号")]) for r in body] == [("孙二", card(13))]  # a blank is no conflict
    p_header, pending, p_total = sheet_rows(book["待补银行账号"])
    assert [r[p_header.index("编号")] for r in pending] == ["E1"]
    assert "不一致" in pending[0][p_header.index("原因")]
    amount = header.index("金额")
    assert fen(total[amount]) + fen(p_total[p_header.index("金额")]) == calc_total(str(roster), *args) > 0


@pytest.mark.parametrize("damage", ["bare_cr", "bom_nul", "unclosed_quote", "junk", "formula_name", "empty"])
def test_a_hostile_roster_is_listed_or_refused_never_a_traceback(tmp_path, damage):
    text = accounts_roster(tmp_path).read_text(encoding="utf-8")
    content = {
        "bare_cr": text.replace("\n", "\r").encode(),
        "bom_nul": ("\ufeff\x00" + text).encode(),
        "unclosed_quote": text.replace("王三", '"王三', 1).encode(),
        "junk": bytes(range(256)) * 20,
        "formula_name": text.replace("王一", '=HYPERLINK("http://x","点此")', 1).encode(),
        "empty": b"",
    }[damage]
    roster = tmp_path / "h.csv"
    roster.write_bytes(content)
    out = tmp_path / "h.csv.out.csv"
    done = run_cli("payments", str(roster), *POLICY, "--out", str(out), "--format", "csv")
    assert "Traceback" not in done.stderr
    assert roster.read_bytes() == content
    assert done.returncode in (0, 2), done.stderr
    if done.returncode == 2:
        assert not out.exists()
        return
    listed = out.read_text(encoding="utf-8-sig")
    assert "\n=" not in listed and ",=" not in listed  # a formula name stays text
    if damage in ("bare_cr", "bom_nul"):
        assert listed.count(card(1)) == 1 and "780.00" in listed


def test_a_month_is_listed_where_a_standard_changes_later_in_the_year(tmp_path):
    """A condition's standard that changes in 2025-07 refuses the whole year (compute it in
    parts, e.g. --month); the list of 2025-06 is that part and must not be refused with it."""
    standards = tmp_path / "age.toml"
    standards.write_text('[sources.test]\ndoc = "测试"\n[standards."eligibility.age_male"]\nkind = "number"\n'
                         'label = "男性年龄条件"\nunit = "周岁"\nvalues = [{ from = "1990-01", value = 55, source = "test" },'
                         ' { from = "2025-07", value = 60, source = "test" }]\n', encoding="utf-8")
    args = ["--policy", "brigade_cadre_living", "--year", "2025", "--profile", "江川区", "--standards", str(standards)]
    assert run_cli("calc", str(BRIGADE), *args).returncode == 2
    out = tmp_path / "june.xlsx"
    done = run_cli("payments", str(BRIGADE), *args, "--month", "2025-06", "--out", str(out))
    assert done.returncode == 0, done.stderr
    header, body, total = sheet_rows(openpyxl.load_workbook(out, data_only=True)["一卡通发放清单"])
    assert fen(total[header.index("金额")]) == sum(month_amounts("2025-06").values())
