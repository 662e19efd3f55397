"""Every figure SPEC.md says a correct calculation must reproduce, from the documents."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np

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
    assert [c.value for c in sheet[2]][:4] == ["编号", "名称", "所属单位", "意外伤害保险费"]
    assert sheet.max_row == 2 + 6 + 1  # title, header, six cadres, the totals row


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
