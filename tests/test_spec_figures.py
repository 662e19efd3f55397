"""Every figure SPEC.md says a correct calculation must reproduce, from the documents."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pytest

from entitlements import Calculator
from entitlements.dates import parse_date, service_months
from entitlements.money import fen_to_yuan
from entitlements.splits import split_lines
from entitlements.standards import SplitRule

from .conftest import run_cli

CHENGJIANG_2024 = {"committee": 6, "general_branch": 9, "branch": 112, "paid_secretary": 95, "member": 1274}


def test_chengjiang_2024_16321_counts():
    """澄江市2024: 6 党委, 9 党总支, 112 党支部, 95 paid secretaries, 1274 members."""
    result = Calculator("two_new_16321", profile="yunnan.yuxi.chengjiang").compute_counts(CHENGJIANG_2024, 2024)
    totals = result.to_json()["totals"]
    assert totals["by_level"] == {"province": "0.00", "prefecture": "288700.00", "county": "516700.00"}
    assert totals["amount"] == "805400.00"
    # the county share line by line as the budget text adds it: 30000+27000+168000+228000+63700
    lines = {b["id"]: b["by_level"]["county"] for b in result.to_json()["beneficiaries"]}
    assert lines == {"committee": "30000.00", "general_branch": "27000.00", "branch": "168000.00",
                     "paid_secretary": "228000.00", "member": "63700.00"}


def test_chengjiang_2024_16321_through_the_console_command():
    proc = run_cli("calc", "--policy", "two_new_16321", "--year", "2024", "--profile", "yunnan.yuxi.chengjiang",
                   "--count", "committee=6", "--count", "general_branch=9", "--count", "branch=112",
                   "--count", "paid_secretary=95", "--count", "member=1274", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    totals = json.loads(proc.stdout)["totals"]
    assert (totals["by_level"]["county"], totals["by_level"]["prefecture"], totals["amount"]) == \
        ("516700.00", "288700.00", "805400.00")


def test_chengjiang_counts_with_chinese_keys_and_alias():
    proc = run_cli("calc", "--policy", "two_new_16321", "--year", "2024", "--profile", "澄江市",
                   "--count", "党委=6", "--count", "党总支=9", "--count", "党支部=112", "--count", "书记=95",
                   "--count", "党员=1274", "--format", "json")
    assert json.loads(proc.stdout)["totals"]["by_level"]["county"] == "516700.00"


def test_jiangchuan_default_is_all_district():
    """江川区: 区级财政统筹全额预算资金 — the 16321 funding is the district's alone."""
    result = Calculator("two_new_16321", profile="江川区").compute_counts(CHENGJIANG_2024, 2025)
    by_level = result.to_json()["totals"]["by_level"]
    assert by_level == {"province": "0.00", "prefecture": "0.00", "county": "805400.00"}


# Illustrative later raise (not a real standard): brings the tiers to the 2025 Jiangchuan
# average so that 44 people cost 21387元 a month, as the budget text states.
LATER_RAISE = {
    "sources": {"illustrative": {"doc": "示例（非真实标准）illustrative"}},
    "standards": {
        "layers.later_raises": {"kind": "money", "label": "后续提标（示例）", "unit": "元/人/月",
                                "values": [{"from": "2010-01", "amount": "400", "source": "illustrative"}]},
        "splits.layers.later_raises": {"kind": "split", "values": [
            {"from": "2010-01", "rule": "ratio", "shares": {"province": 5, "prefecture": 3, "county": 2},
             "source": "illustrative"}]},
    },
}


def jiangchuan_44() -> list[dict]:
    """44 people eligible all of 2025: 19 in the 11–15 tier, 10 in 21–30, 15 in 31+."""
    people = []
    for i, tenure in enumerate([12] * 19 + [25] * 10 + [33] * 15):
        people.append({"编号": f"P{i:03d}", "姓名": f"人员{i}", "性别": "男" if i % 3 else "女",
                       "出生日期": f"19{25 + i % 10}-0{1 + i % 9}", "任职年限": tenure, "所属单位": "江城镇"})
    return people


def test_jiangchuan_2025_any_44_people_prefecture_pays_274_each():
    result = Calculator("brigade_cadre_living", profile="江川区").compute_roster(jiangchuan_44(), 2025)
    totals = result.to_json()["totals"]
    assert totals["beneficiaries"] == 44
    assert totals["by_level"]["prefecture"] == "12056.00"
    total = Decimal(totals["amount"])
    assert Decimal(totals["by_level"]["county"]) == total - Decimal("12056.00")
    assert totals["by_level"]["province"] == "0.00"


def test_jiangchuan_2025_monthly_21387_gives_256644_and_district_244588():
    calc = Calculator("brigade_cadre_living", profile="江川区", standards=LATER_RAISE)
    year = calc.compute_roster(jiangchuan_44(), 2025)
    monthly = sum(calc.compute({**p}, month="2025-01").amount for p in jiangchuan_44())
    assert monthly == Decimal("21387.00")
    totals = year.to_json()["totals"]
    assert totals["amount"] == "256644.00"
    assert totals["by_level"] == {"province": "0.00", "prefecture": "12056.00", "county": "244588.00"}
    assert year.computation.paid_months.sum() == 44 * 12


def test_base_tiers_and_2002_raise_split_by_their_own_ratios():
    """Before Jiangchuan's own rule: 5:3:2 on the tiers, 70/20/10 on the +60元."""
    calc = Calculator("brigade_cadre_living", profile="yunnan")
    one = calc.compute({"id": "x", "sex": "男", "birth_date": "1935-01", "tenure_years": 31}, year=2025)
    assert one.amount == Decimal("1140.00")  # (35 + 60) × 12
    assert one.by_component == {"base": Decimal("420.00"), "raise_2002": Decimal("720.00")}
    assert one.by_level == {"province": Decimal("714.00"), "prefecture": Decimal("270.00"), "county": Decimal("156.00")}


def test_tier_boundaries_as_the_1989_document_states():
    calc = Calculator("brigade_cadre_living")
    monthly = {}
    for tenure in (10, 11, 15, 16, 20, 21, 30, 31, 45):
        r = calc.compute({"id": "x", "sex": "女", "birth_date": "1925-01", "tenure_years": tenure}, month="2001-06")
        monthly[tenure] = r.amount
    assert monthly == {10: 0, 11: 18, 15: 18, 16: 23, 20: 23, 21: 28, 30: 28, 31: 35, 45: 35}


def test_village_worked_example_day_and_month_precision():
    """委员 2015–2017 at 1500/1600/1700 and 主任 2018–2020 at 2000/2100/2200 → 11100.00."""
    standards = {
        "sources": {"ex": {"doc": "SPEC §4.3 worked example"}},
        "standards": {
            "posts.member": {"kind": "money", "values": [
                {"from": f"{y}-01", "amount": str(a), "source": "ex"} for y, a in ((2015, 1500), (2016, 1600), (2017, 1700))]},
            "posts.director": {"kind": "money", "values": [
                {"from": f"{y}-01", "amount": str(a), "source": "ex"} for y, a in ((2018, 2000), (2019, 2100), (2020, 2200))]},
        },
    }
    calc = Calculator("village_cadre_departure", profile="澄江市", standards=standards)
    # each form in its departure year: a month-precision end (2021.01) departs in that month (SPEC §4.3)
    for year, spans in (
        (2020, [("委员", "2015-01-01", "2017-12-31"), ("主任", "2018-01-01", "2020-12-31")]),
        (2021, [("委员", "2015.01", "2018.01"), ("主任", "2018.01", "2021.01")]),
    ):
        person = {"id": "v1", "name": "李明华",
                  "spans": [{"post": p, "start": s, "end": e} for p, s, e in spans]}
        assert calc.compute(person, year=year).amount == Decimal("11100.00")


def test_service_length_conventions_of_spec_3():
    for start, end in (("2018-03-15", "2021-03-14"), ("2018.03", "2021.03")):
        s, e = parse_date(start), parse_date(end)
        _, months = service_months(s.year, s.month, s.day, e.year, e.month, e.day)
        assert int(months) == 36


def test_fixed_per_capita_prorates_and_rounds_once():
    rule = SplitRule("fixed_per_capita", level="prefecture", amount=27400, remainder="county")
    parts = split_lines(rule, np.array([114000, 66500, 10000]), np.array([12, 7, 12]))
    assert [fen_to_yuan(x) for x in parts["prefecture"]] == ["274.00", "159.83", "100.00"]  # 274×7/12, capped
    assert (parts["prefecture"] + parts["county"]).tolist() == [114000, 66500, 10000]


def test_fixed_total_rural_member_training_chengjiang_2023():
    """7428 members × 100元 = 742800.00, of which 玉溪 contributes a fixed 260000.00."""
    rule = SplitRule("fixed_total", level="prefecture", amount=26_000_000, remainder="county")
    lines = np.full(7428, 10000)
    parts = split_lines(rule, lines)
    assert fen_to_yuan(lines.sum()) == "742800.00"
    assert fen_to_yuan(parts["prefecture"].sum()) == "260000.00"
    assert fen_to_yuan(parts["county"].sum()) == "482800.00"
    assert ((parts["prefecture"] + parts["county"]) == lines).all()


def test_per_capita_share_rounds_once_per_person_year_across_a_mid_year_raise():
    """274 × 8/12 = 182.666… → 182.67 once, not 91.33 + 91.33 over two segments."""
    raise_may = {  # the 2002 raise goes from 60 to 70 in May 2025 (illustrative): a covered layer changes mid-year
        "sources": {"s": {"doc": "示例 illustrative"}},
        "standards": {"layers.raise_2002": {"values": [
            {"from": "2002-01", "amount": "60", "source": "yzf_2002_10"},
            {"from": "2025-05", "amount": "70", "source": "s"}]}},
    }
    calc = Calculator("brigade_cadre_living", profile="江川区", standards=raise_may)
    one = calc.compute({"id": "x", "sex": "男", "birth_date": "1935-01", "tenure_years": 12,
                        "death_date": "2025-08-20"}, year=2025)
    assert one.paid_months == 8
    assert one.amount == 78 * 8 + 10 * 4
    assert one.by_level["prefecture"] == Decimal("182.67")


def test_chengjiang_2024_accident_insurance_through_the_console_command():
    """澄江市2024: 在职村组干部1563名 × 260元/人/年 = 406380.00, all county (预算文本项目10)."""
    for key in ("people", "人数"):
        proc = run_cli("calc", "--policy", "village_accident_insurance", "--year", "2024", "--profile", "澄江市",
                       "--count", f"{key}=1563", "--format", "json")
        assert proc.returncode == 0, proc.stderr
        totals = json.loads(proc.stdout)["totals"]
        assert totals["amount"] == "406380.00" and totals["by_level"]["county"] == "406380.00"
        assert totals["beneficiaries"] == 1563


def test_accident_insurance_from_a_roster():
    proc = run_cli("calc", "examples/village_cadres_insured.csv", "--policy", "village_accident_insurance",
                   "--year", "2024", "--profile", "澄江市", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["totals"]["amount"] == "1560.00" and doc["rows"] == {"read": 6, "accepted": 6, "rejected": 0}


def test_accident_insurance_explain_budget_whatif_and_xlsx_work_with_no_code_outside_its_folder(tmp_path):
    """Issue 11's proof of cost: the kit gives the new policy every command."""
    import openpyxl

    base = ["--policy", "village_accident_insurance", "--profile", "澄江市"]
    proc = run_cli("explain", "examples/village_cadres_insured.csv", *base, "--year", "2024", "--id", "CJB003")
    assert proc.returncode == 0, proc.stderr
    assert "260.00元/人/年" in proc.stdout and "项目10" in proc.stdout and "合计: 260.00" in proc.stdout
    proc = run_cli("budget", "--count", "人数=1563", *base, "--year", "2024")
    assert proc.returncode == 0, proc.stderr
    assert "| 1563 | 406380.00 | 406380.00 |" in proc.stdout
    proc = run_cli("whatif", "--count", "people=1563", *base, "--years", "2024-2025",
                   "--set", "premium.per_person=300", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    years = json.loads(proc.stdout)["years"]
    assert [y["scenarios"][0]["difference"]["amount"] for y in years] == ["62520.00", "62520.00"]
    out = tmp_path / "保险.xlsx"
    proc = run_cli("calc", "examples/village_cadres_insured.csv", *base, "--year", "2024", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert [c.value for c in sheet[4]][:4] == ["编号", "名称", "所属单位", "意外伤害保险费"]
    assert sheet["A11"].value == "合计"  # title, units line, band, header, six cadres, the totals row


def test_chengjiang_2023_rural_member_training_through_the_console_command():
    """澄江市2023: 7428名农村党员 × 100元 = 742800.00, of which 玉溪 a fixed 260000.00 (预算文本项目2)."""
    for key in ("member", "党员"):
        proc = run_cli("calc", "--policy", "rural_member_training", "--year", "2023", "--profile", "澄江市",
                       "--count", f"{key}=7428", "--format", "json")
        assert proc.returncode == 0, proc.stderr
        totals = json.loads(proc.stdout)["totals"]
        assert totals["amount"] == "742800.00"
        assert totals["by_level"] == {"province": "0.00", "prefecture": "260000.00", "county": "482800.00"}


def test_rural_member_training_from_a_branch_roster_and_a_member_roster(tmp_path):
    proc = run_cli("calc", "examples/rural_branches.csv", "--policy", "rural_member_training", "--year", "2025",
                   "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["totals"]["amount"] == "25700.00"  # (86 + 41 + 57 + 73) × 100
    members = tmp_path / "members.csv"
    members.write_text("编号,姓名\nM1,张三\nM2,李四\nM3,王五\n", encoding="utf-8")
    proc = run_cli("calc", str(members), "--policy", "rural_member_training", "--year", "2025", "--format", "json")
    assert json.loads(proc.stdout)["totals"]["amount"] == "300.00"
    blank = tmp_path / "blank.csv"
    blank.write_text("编号,党员人数\nZ1,12\nZ2,\n", encoding="utf-8")
    doc = json.loads(run_cli("calc", str(blank), "--policy", "rural_member_training", "--year", "2025",
                             "--format", "json").stdout)
    assert doc["totals"]["amount"] == "1200.00" and doc["rejects"][0]["row"] == 3  # a blank count is not 0


def test_joint_party_organisations_are_funded_as_their_type_and_a_temporary_branch_is_refused(tmp_path):
    """Issue 12, item 8: 联合党支部 is funded as a 党支部 (an assumption, said on its row); a
    临时党支部 is not funded by the standard and the reject says so."""
    path = tmp_path / "orgs.csv"
    path.write_text("组织编号,组织类型,党员人数,书记任职月数\nJ1,联合党支部,10,0\nJ2,联合党总支,0,0\nJ3,联合党委,0,0\n"
                    "T1,临时党支部,8,0\n", encoding="utf-8")
    doc = json.loads(run_cli("calc", str(path), "--policy", "two_new_16321", "--year", "2025", "--format", "json").stdout)
    amounts = {b["id"]: b["amount"] for b in doc["beneficiaries"]}
    assert amounts == {"J1": "4000.00", "J2": "6000.00", "J3": "10000.00"}
    assert [(r["row"], r["column"]) for r in doc["rejects"]] == [(5, "组织类型")]
    assert "临时党支部不在" in doc["rejects"][0]["reason"]
    notices = {n["row"]: n["message"] for n in doc["notices"]}
    assert "按党支部的标准计算" in notices[2] and "假设" in notices[2] and "按党委的标准计算" in notices[4]


def test_a_fixed_programme_share_larger_than_the_roster_is_said():
    """A roster of one town under 澄江市 carries the whole 260000 (capped at its total): said, not silent."""
    proc = run_cli("calc", "examples/rural_branches.csv", "--policy", "rural_member_training", "--year", "2023",
                   "--profile", "澄江市", "--format", "json")
    doc = json.loads(proc.stdout)
    assert doc["totals"]["by_level"]["prefecture"] == "25700.00"
    assert any("按合计封顶" in n["message"] and "260000.00" in n["message"] for n in doc["notices"])
    whole = run_cli("calc", "--policy", "rural_member_training", "--year", "2023", "--profile", "澄江市",
                    "--count", "党员=7428", "--format", "json")
    assert json.loads(whole.stdout)["notices"] == []


RETIRED = ("--policy", "retired_cadre_care", "--year", "2024", "--profile", "澄江市")


def test_chengjiang_2024_retired_cadre_festival_visits_through_the_console_command():
    """澄江市2024 (离退休老干部、老党员工作经费①): 200余人, 每人每节慰问金500元, 两节计20万元:
    200 people × 500 × 2 festivals (春节, 老年节) = 200000.00, county-funded (assumption)."""
    for key in ("person", "离退休干部", "人数"):
        proc = run_cli("calc", *RETIRED, "--count", f"{key}=200", "--format", "json")
        assert proc.returncode == 0, proc.stderr
        totals = json.loads(proc.stdout)["totals"]
        assert totals["amount"] == "200000.00"
        assert totals["by_level"] == {"province": "0.00", "prefecture": "0.00", "county": "200000.00"}
        assert (totals["by_component"]["spring_visit"], totals["by_component"]["elders_day_visit"]) == \
            ("100000.00", "100000.00")


def test_retired_cadre_festival_visits_from_a_roster_of_200(tmp_path):
    """The same figure from a roster: 200 rows, each 春节慰问 是 and 老年节慰问 是, csv and xlsx."""
    import xlsxwriter

    header = ["序号", "姓名", "所属单位", "春节慰问", "老年节慰问"]
    rows = [[str(k + 1), f"老干部{k + 1:03d}", "市直机关", "是", "是"] for k in range(200)]
    csv_path = tmp_path / "两节慰问.csv"
    csv_path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    xlsx_path = tmp_path / "两节慰问.xlsx"
    book = xlsxwriter.Workbook(xlsx_path)
    sheet = book.add_worksheet()
    for r, row in enumerate([header, *rows]):
        sheet.write_row(r, 0, row)
    book.close()
    for path in (csv_path, xlsx_path):
        doc = json.loads(run_cli("calc", str(path), *RETIRED, "--format", "json").stdout)
        assert doc["totals"]["amount"] == "200000.00" and doc["rejects"] == []
        assert doc["totals"]["beneficiaries"] == 200


def test_retired_cadre_care_the_other_budget_lines_from_counts_and_the_budget_table():
    """健康体检 200 × 800 = 160000; 书记1人 × 300 × 12 + 支委2人 × 200 × 12 = 8400; 党员9人 × 500 = 4500:
    the budget text's ③, ⑨ and ⑩; the 预算文本 table has a row per component with its 人数."""
    counts = ["--count", "person=200", "--count", "体检=200", "--count", "书记=1", "--count", "支委=2",
              "--count", "党员=9", "--count", "县内住院=50", "--count", "县外住院=10"]
    doc = json.loads(run_cli("calc", *RETIRED, *counts, "--format", "json").stdout)
    by = doc["totals"]["by_component"]
    assert (by["health_check"], by["secretary_stipend"], by["member_stipend"], by["party_activity"]) == \
        ("160000.00", "3600.00", "4800.00", "4500.00")
    assert (by["hospital_in"], by["hospital_out"]) == ("10000.00", "3000.00")
    assert doc["totals"]["amount"] == "385900.00"
    proc = run_cli("budget", *RETIRED, *counts)
    assert proc.returncode == 0, proc.stderr
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in proc.stdout.splitlines() if line.startswith("| ")}
    assert rows["其中：春节慰问金"] == ["200", "100000.00", "100000.00"]
    assert rows["其中：健康体检费"] == ["200", "160000.00", "160000.00"]
    assert rows["其中：离退休党支部支委工作补贴"] == ["2", "4800.00", "4800.00"]
    assert rows["其中：党员活动经费"] == ["9", "4500.00", "4500.00"]


def test_retired_cadre_care_example_roster_csv_and_xlsx_explain_validate_whatif():
    for name in ("examples/retired_cadres.csv", "examples/retired_cadres.xlsx"):
        doc = json.loads(run_cli("calc", name, *RETIRED, "--format", "json").stdout)
        assert doc["totals"]["amount"] == "21800.00" and doc["rejects"] == []
        amounts = {b["id"]: b["amount"] for b in doc["beneficiaries"]}
        # LT001: 2 × 500 + 800 + 2 × 200 (县内) + 12 × 300 (书记) + 500 (党员); LT003: 支委 6 months
        assert (amounts["LT001"], amounts["LT002"], amounts["LT003"]) == ("6300.00", "5000.00", "3500.00")
        assert amounts["LT005"] == "1800.00"  # 政治面貌 中共党员 in the 党员 column: the activity fund
    proc = run_cli("explain", "examples/retired_cadres.csv", *RETIRED, "--id", "LT003")
    assert proc.returncode == 0, proc.stderr
    assert "支部职务：书记：✗" in proc.stdout and "支部职务：委员：✓" in proc.stdout
    assert "离退休党支部书记工作补贴：不发放（非离退休党支部书记" in proc.stdout
    assert "200.00元/人/月 × 任职月数 6" in proc.stdout and "玉老通〔2018〕15号" in proc.stdout
    proc = run_cli("validate", "examples/retired_cadres.csv", "--policy", "retired_cadre_care", "--profile", "澄江市")
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("whatif", "--policy", "retired_cadre_care", "--profile", "澄江市", "--count", "person=200",
                   "--set", "festival_visit.per_festival=600", "--year", "2024", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "240000.00" in proc.stdout
    listing = run_cli("policies", "retired_cadre_care").stdout
    assert "festival_visit.per_festival" in listing and "澄办发〔2004〕5号" in listing and "假设" in listing


def test_retired_cadre_care_rulings_on_the_roster(tmp_path):
    """A blank 是/否 is a reject; a component whose column is absent is claimed for no one (a
    notice); a blank 住院次数 is 0; 任职月数 blank for a post, or given without one, is a reject;
    副书记 (no amount in the text) is refused; 预备党员 is a party member, said on its row."""
    path = tmp_path / "r.csv"
    path.write_text("姓名,身份证号,春节慰问,老年节慰问,县内住院次数,支部职务,任职月数,党员\n"
                    "甲,,是,,1,,,是\n"          # row 2: 老年节慰问 blank
                    "乙,,是,是,,书记,,否\n"       # row 3: 书记 without months
                    "丙,,否,否,,,5,否\n"          # row 4: months without a post
                    "丁,,否,否,,副书记,12,否\n"    # row 5: 副书记 refused
                    "戊,,否,否,25,,,否\n"         # row 6: 25 stays: implausible
                    "己,,是,是,,委员,3,预备党员\n",  # row 7: 1000 + 600 + 500
                    encoding="utf-8")
    doc = json.loads(run_cli("calc", str(path), *RETIRED, "--format", "json").stdout)
    rejects = {r["row"]: (r["column"], r["reason"]) for r in doc["rejects"]}
    assert rejects[2][0] == "老年节慰问" and "应填“是”或“否”" in rejects[2][1]
    assert rejects[3] == ("任职月数", "支部书记、支委未填任职月数")
    assert rejects[4][0] == "任职月数" and "支部职务为空" in rejects[4][1]
    assert rejects[5][0] == "支部职务" and "副书记" in rejects[5][1]
    assert rejects[6][0] == "县内住院次数"
    assert set(rejects) == {2, 3, 4, 5, 6}
    assert doc["totals"]["amount"] == "2100.00"
    notices = [(n["row"], n["column"], n["message"]) for n in doc["notices"]]
    assert (None, "体检", "花名册无“体检”列：本次不计健康体检费") in notices
    assert any(row == 7 and "按党员计发" in msg and "假设" in msg for row, _, msg in notices)


def test_retired_cadre_care_a_roster_that_claims_nothing_or_a_visit_twice_is_refused(tmp_path):
    none = tmp_path / "none.csv"
    none.write_text("姓名,原职务\n甲,处长\n", encoding="utf-8")
    proc = run_cli("calc", str(none), *RETIRED)
    assert proc.returncode == 2 and "没有任何补助项目列" in proc.stderr
    twice = tmp_path / "twice.csv"
    twice.write_text("姓名,两节慰问,春节慰问\n甲,是,是\n", encoding="utf-8")
    proc = run_cli("calc", str(twice), *RETIRED)
    assert proc.returncode == 2 and "不能同时使用" in proc.stderr
    both = tmp_path / "both.csv"
    both.write_text("姓名,两节慰问\n甲,是\n乙,否\n", encoding="utf-8")
    assert json.loads(run_cli("calc", str(both), *RETIRED, "--format", "json").stdout)["totals"]["amount"] == "1000.00"


def test_retired_cadre_care_is_computed_for_whole_years_only():
    """A visit is paid once: a month's period would pay a twelfth of it, so it is refused."""
    import pytest

    from entitlements.standards import StandardsError

    calc = Calculator("retired_cadre_care", profile="澄江市")
    assert calc.compute({"编号": "A", "春节慰问": "是"}, year=2024).amount == Decimal("500.00")
    with pytest.raises(StandardsError, match="只按整个预算年度计算"):
        calc.compute({"编号": "A", "春节慰问": "是"}, month="2024-02")


def test_retired_cadre_care_reads_the_headers_a_clerk_writes(tmp_path):
    """序号, 原职务 … beside 春节慰问（是/否）, 县内住院（次）, 党内职务, 任职月数（月）, 政治面貌 (中共党员/群众)."""
    path = tmp_path / "clerk.csv"
    path.write_text("序号,姓名,性别,原职务,原工作单位,春节慰问（是/否）,老年节慰问(是/否),体检（是否）,县内住院（次）,"
                    "县外住院次数,党内职务,任职月数（月）,政治面貌,备注\n"
                    "1,甲,男,处长,市直,是,是,是,1,,,,中共党员,\n"   # 1000 + 800 + 200 + 500
                    "2,乙,女,副处,市直,是,否,否,,2,书记,12,群众,\n",  # 500 + 600 + 3600
                    encoding="utf-8")
    doc = json.loads(run_cli("calc", str(path), *RETIRED, "--format", "json").stdout)
    assert doc["rejects"] == [] and doc["totals"]["amount"] == "7200.00"
    assert {b["name"]: b["amount"] for b in doc["beneficiaries"]} == {"甲": "2500.00", "乙": "4700.00"}
PER_UNIT_2024 = [  # 澄江市2024年预算文本，项目2 第4、5项: per-unit grants made of data only (issue 12, item 6)
    ("service_grants", {"community": 6, "village": 41}, {"社区": 6, "行政村": 41}, "2650000.00", 47),
    ("livelihood_projects", {"project": 20}, {"项目": 20}, "1000000.00", 20),
    ("four_level_meetings", {"meeting": 12}, {"现场会": 12}, "240000.00", 12),
    ("model_case_awards", {"case": 5}, {"案例": 5}, "250000.00", 5),
]


@pytest.mark.parametrize("policy,english,chinese,amount,units", PER_UNIT_2024, ids=[p[0] for p in PER_UNIT_2024])
def test_chengjiang_2024_per_unit_grants_through_the_console_command(policy, english, chinese, amount, units):
    """6 × 100000 + 41 × 50000 = 2650000.00; 20 × 50000 = 1000000.00; 12 × 20000 = 240000.00;
    5 × 50000 (不少于: a floor, said) = 250000.00; all county; English and Chinese keys alike."""
    for counts in (english, chinese):
        args = [a for key, n in counts.items() for a in ("--count", f"{key}={n}")]
        proc = run_cli("calc", "--policy", policy, "--year", "2024", "--profile", "澄江市", *args, "--format", "json")
        assert proc.returncode == 0, proc.stderr
        totals = json.loads(proc.stdout)["totals"]
        assert totals["amount"] == amount and totals["by_level"]["county"] == amount
        assert totals["beneficiaries"] == units
def test_chengqu_2025_joint_party_org_standards_through_the_console_command():
    """晋城市城区2025 (绩效目标表): 每个联合党组织3200元, 每名党建工作指导员500元/月/人, 应建联合党组织
    ≥9个. The published lines (省级 and 市级 13.31万 each, 133140元 each in the 绩效目标表) cannot be
    rebuilt from the text: it gives no actual counts (≥9 organisations, ≤80 instructors are bounds)
    and funds an instructors' 年终奖 of unstated size; 266280 is no 3200N+500M at all. What the text
    supports: 9 organisations give 28800.00, an instructor all year 6000.00, each split 1:1 (assumed)."""
    for org, ins in (("joint_org", "instructor"), ("联合党组织", "党建指导员"), ("联合党组织", "指导员")):
        proc = run_cli("calc", "--policy", "joint_party_org", "--year", "2025", "--profile", "晋城市城区",
                       "--count", f"{org}=9", "--count", f"{ins}=1", "--format", "json")
        assert proc.returncode == 0, proc.stderr
        totals = json.loads(proc.stdout)["totals"]
        assert totals["by_component"] == {"org_funding": "28800.00", "instructor_stipend": "6000.00"}
        assert totals["by_level"] == {"province": "17400.00", "prefecture": "17400.00", "county": "0.00"}
    # the 80 instructors the text allows, paid all year, would alone cost 480000.00: more than both lines
    proc = run_cli("calc", "--policy", "joint_party_org", "--year", "2025", "--profile", "城区",
                   "--count", "instructor=80", "--format", "json")
    assert json.loads(proc.stdout)["totals"]["amount"] == "480000.00"


def test_joint_party_org_roster_every_bad_row_a_named_reject(tmp_path):
    """A roster of 联合党组织 and 党建指导员 told apart by 类型; an instructor's months are 0-12
    and given; an organisation is funded by the year (a months cell other than 12 is refused)."""
    proc = run_cli("calc", "examples/joint_party_orgs.csv", "--policy", "joint_party_org", "--year", "2025",
                   "--profile", "城区", "--format", "json")
    doc = json.loads(proc.stdout)
    assert doc["totals"]["amount"] == "35800.00" and doc["rejects"] == []  # 4×3200 + 46 months×500
    bad = tmp_path / "bad.csv"
    bad.write_text("编号,名称,类型,任职月数\nA1,甲联合党支部,联合党组织,6\nA2,乙,党建指导员,\nA3,丙,党建指导员,13\n"
                   "A4,丁,,12\nA5,戊,临时党支部,12\nA6,己,党建指导员,-1\nA7,庚,党建指导员,5.5\nA8,辛联合党支部,联合党组织,12\n",
                   encoding="utf-8")
    doc = json.loads(run_cli("calc", str(bad), "--policy", "joint_party_org", "--year", "2025", "--profile", "城区",
                             "--format", "json").stdout)
    assert doc["totals"]["amount"] == "3200.00"
    assert [(r["row"], r["column"]) for r in doc["rejects"]] == [
        (2, "任职月数"), (3, "任职月数"), (4, "任职月数"), (5, "类型"), (6, "类型"), (7, "任职月数"), (8, "任职月数")]
    assert "不按月计" in doc["rejects"][0]["reason"] and "任职月数为空" in doc["rejects"][1]["reason"]
    # without a 类型 column: a roster with 任职月数 lists instructors, else organisations; said on each row
    people = tmp_path / "people.csv"
    people.write_text("姓名,任职月数\n甲,12\n乙,6\n", encoding="utf-8")
    doc = json.loads(run_cli("calc", str(people), "--policy", "joint_party_org", "--year", "2025", "--profile", "城区",
                             "--format", "json").stdout)
    assert doc["totals"]["amount"] == "9000.00" and len(doc["notices"]) == 2
    orgs = tmp_path / "orgs.csv"
    orgs.write_text("名称,所属单位\n甲联合党支部,东街街道\n乙联合党支部,西街街道\n", encoding="utf-8")
    doc = json.loads(run_cli("calc", str(orgs), "--policy", "joint_party_org", "--year", "2025", "--profile", "城区",
                             "--format", "json").stdout)
    assert doc["totals"]["amount"] == "6400.00" and "联合党组织名册" in doc["notices"][0]["message"]


def test_chengqu_2025_community_worker_pay_through_the_console_command(tmp_path):
    """晋城市城区2025 (社区建设工作经费): 一肩挑4421, 书记（主任）3684, 副书记（副主任）3316, 委员（社区
    工作者）2947元/月 (晋市委组发〔2019〕67号). The text gives no total of pay alone (its 27603870元
    adds insurance, allowances and union fees for ≥666 people), so the bundled roster is hand-computed:
    SQ001 一肩挑 4421×12 = 53052; SQ002 书记 3684×6 + 书记+主任=一肩挑 4421×6 = 48630; SQ003 主任
    3684×12 = 44208; SQ004 副书记+委员: the higher 3316×12 = 39792; SQ005 副主任 to 2025-08-31:
    3316×8 = 26528; SQ006 委员 from 2025-04-16: 2947×9 = 26523; SQ007 社区工作者 to 2025-03-31 then
    副主任: 2947×3 + 3316×9 = 38685; SQ008 left 2024: 0. Total 277418.00, 区级 100% (assumed)."""
    proc = run_cli("calc", "examples/community_workers.csv", "--policy", "community_worker_pay", "--year", "2025",
                   "--profile", "晋城市城区", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["totals"]["amount"] == "277418.00" and doc["rejects"] == []
    assert doc["totals"]["by_level"] == {"province": "0.00", "prefecture": "0.00", "county": "277418.00"}
    assert {b["id"]: b["amount"] for b in doc["beneficiaries"]} == {
        "SQ001": "53052.00", "SQ002": "48630.00", "SQ003": "44208.00", "SQ004": "39792.00", "SQ005": "26528.00",
        "SQ006": "26523.00", "SQ007": "38685.00", "SQ008": "0.00"}
    for keys in (("secretary_director", "member"), ("一肩挑", "社区工作者"), ("书记主任一肩挑", "委员")):
        proc = run_cli("calc", "--policy", "community_worker_pay", "--year", "2025", "--profile", "城区",
                       "--count", f"{keys[0]}=2", "--count", f"{keys[1]}=10", "--format", "json")
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["totals"]["amount"] == "459744.00"  # (4421×2 + 2947×10) × 12


def test_community_worker_roster_every_bad_row_a_named_reject(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("编号,姓名,职务,任职开始,任职结束\nB1,甲,网格员,2021-01-01,\nB2,乙,委员,,2025-06-30\n"
                   "B3,丙,委员,2025-06-01,2025-01-31\n,己,委员,2021-01-01,\nB7,庚,委员,2025-02-30,\n"
                   "B9,壬,书记,2021-01-01,\nB9,壬,主任,2021-13-01,\nOK,癸,委员（社区工作者）,2025-01-01,\n", encoding="utf-8")
    doc = json.loads(run_cli("calc", str(bad), "--policy", "community_worker_pay", "--year", "2025", "--profile", "城区",
                             "--format", "json").stdout)
    assert doc["totals"]["amount"] == "70728.00"  # 己 (known by 姓名, on one row) and 癸: 2947 × 12 each
    assert [(r["row"], r["column"]) for r in doc["rejects"]] == [
        (2, "职务"), (3, "任职开始"), (4, "任职结束"), (6, "任职开始"), (7, "编号"), (8, "任职开始")]
    # no 编号 nor 身份证号: known by 姓名 when the name is on one row only (two rows: one person or two?)
    names = tmp_path / "names.csv"
    names.write_text("姓名,职务,任职开始时间,任职结束时间\n张三,委员,2021-01-01,\n李四,书记,2021-01-01,\n"
                     "李四,主任,2025-07-01,\n王五,委员,2025-01,2025-07\n", encoding="utf-8")
    doc = json.loads(run_cli("calc", str(names), "--policy", "community_worker_pay", "--year", "2025", "--profile", "城区",
                             "--format", "json").stdout)
    assert {b["id"]: b["amount"] for b in doc["beneficiaries"]} == {"张三": "35364.00", "王五": "17682.00"}
    assert [(r["row"], r["column"]) for r in doc["rejects"]] == [(3, "姓名"), (4, "姓名")]
    assert "无法确定是否同一人" in doc["rejects"][0]["reason"]
def test_village_cadre_performance_bundled_example_through_the_console_command():
    """Issue 12, item 2: the seeds publish no total for 村（社区）干部绩效补贴, so the bundled example
    is computed by hand — 基本报酬 × 10% (澄改委发〔2021〕1号) × 考核兑现系数 × 任职月数, rounded once:
      CJP001 3300.00 × 10% × 100% (优秀)     × 12 = 3960.00
      CJP002 2400.00 × 10% × 100% (称职)     × 12 = 2880.00
      CJP003 2133.33 × 10% × 100% (合格)     ×  9 = 1919.997   → 1920.00 (once, not 213.33 × 9 = 1919.97)
      CJP004 2200.00 × 10% ×  50% (基本称职) × 12 = 1320.00
      CJP005 2000.00 × 10% ×   0% (不合格)   × 12 =    0.00
      CJP006 2500.00 × 10% ×  50% (基本合格) ×  5 =  625.00
      CJP007 1950.55 × 10% × 100% (优秀)     ×  7 = 1365.385   → 1365.39 (half up)
    total 3960 + 2880 + 1920 + 1320 + 0 + 625 + 1365.39 = 12070.39, all county (an assumption)."""
    expected = {"CJP001": "3960.00", "CJP002": "2880.00", "CJP003": "1920.00", "CJP004": "1320.00",
                "CJP005": "0.00", "CJP006": "625.00", "CJP007": "1365.39"}
    for roster in ("examples/village_cadres_performance.csv", "examples/village_cadres_performance.xlsx"):
        proc = run_cli("calc", roster, "--policy", "village_cadre_performance", "--year", "2024",
                       "--profile", "澄江市", "--format", "json")
        assert proc.returncode == 0, proc.stderr
        doc = json.loads(proc.stdout)
        assert doc["totals"]["amount"] == "12070.39" and doc["totals"]["by_level"]["county"] == "12070.39"
        assert {b["id"]: b["amount"] for b in doc["beneficiaries"]} == expected
        assert doc["rejects"] == []
def test_chenggong_2026_grants_cut_to_the_budget_through_the_console_command():
    """呈贡区2026 (issue 12, item 7): "呈贡区2026年度民生小实事项目经费安排12.63万元"; each project's
    request capped by its category (工程类 ≤ 50万, 服务类 ≤ 5万), then cut pro rata to the budget.

    examples/chenggong_projects.csv (illustrative projects), hand-checked in fen:
      requests 86000.00 工程, 62000.00 服务 (capped to 50000.00), 45800.50 工程, 38000 服务, 28600.00 工程
      capped total W = 8600000 + 5000000 + 4580050 + 3800000 + 2860000 = 24840050 fen; budget B = 12630000
      quota = capped × B / W:  CG01 4372696.51  CG02 2542265.41  CG03 2328740.54  CG04 1932121.71  CG05 1454175.82
      floors add up to 12629997: the 3 fen left go to the largest remainders (.82 CG05, .71 CG04, .54 CG03)
      → 43726.96 + 25422.65 + 23287.41 + 19321.22 + 14541.76 = 126300.00, all 区级 (财政全额拨款)."""
    proc = run_cli("calc", "examples/chenggong_projects.csv", "--policy", "capped_project_grants", "--year", "2026",
                   "--profile", "呈贡区", "--budget", "126300", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["totals"]["amount"] == "126300.00"
    assert doc["totals"]["by_level"] == {"province": "0.00", "prefecture": "0.00", "county": "126300.00"}
    assert {b["id"]: b["amount"] for b in doc["beneficiaries"]} == {
        "CG2026-01": "43726.96", "CG2026-02": "25422.65", "CG2026-03": "23287.41", "CG2026-04": "19321.22",
        "CG2026-05": "14541.76"}
