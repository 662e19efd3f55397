"""村（社区）干部绩效补贴 (issue 12, item 2) and the kit features it brought: a ``ratio`` standard
kind (exact to the basis point, never a float), a money roster column, an amount read from the
roster or else from the post's standard, and ratio factors on a component, rounded once."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from entitlements import Calculator, StandardsError
from entitlements.money import MoneyError, parse_ratio, ratio_text

from .conftest import run_cli

POLICY = ("--policy", "village_cadre_performance", "--profile", "澄江市")
STANDARDS = ("--standards", "examples/village_post_standards.csv")


# ---------- the ratio kind ----------

@pytest.mark.parametrize("text,exact", [("10%", Fraction(1, 10)), ("12.5%", Fraction(1, 8)), ("0.1", Fraction(1, 10)),
                                        ("１０％", Fraction(1, 10)), ("1", Fraction(1)), ("0", Fraction(0)),
                                        ("0.01%", Fraction(1, 10000)), ("1000%", Fraction(10)), (1, Fraction(1))])
def test_a_ratio_is_read_exactly_to_the_basis_point(text, exact):
    assert parse_ratio(text) == exact


@pytest.mark.parametrize("value,why", [(0.1, "不接受浮点数"), ("10", "含义不明"), ("1.2", "含义不明"), ("0.001%", "finer than a basis point"),
                                       ("1001%", "上限"), ("-5%", "not a ratio"), ("abc", "not a ratio"), (True, "bool")])
def test_a_ratio_that_is_not_exact_or_is_ambiguous_is_refused(value, why):
    with pytest.raises(MoneyError, match=why):
        parse_ratio(value)


def test_a_ratio_is_shown_as_the_exact_percentage():
    assert [ratio_text(Fraction(n, d)) for n, d in ((1, 10), (1, 8), (1, 2), (0, 1), (1, 10000))] == \
        ["10%", "12.5%", "50%", "0%", "0.01%"]


def _overlay(ratio_values):
    return {"sources": {"s": {"doc": "假设文件〔2025〕1号"}},
            "standards": {"performance.ratio": {"values": ratio_values}}}


def test_a_ratio_standard_from_a_file_is_used_from_its_month_and_prorated_within_the_year():
    calc = Calculator("village_cadre_performance", profile="澄江市",
                      standards=_overlay([{"from": "2021-01", "ratio": "10%", "source": "s"},
                                          {"from": "2025-07", "ratio": "12%", "source": "s"}]))
    cadre = {"id": "x", "base_pay": "2000", "months": 12, "grade": "优秀"}
    assert str(calc.compute(cadre, year=2024).amount) == "2400.00"
    # 2025: 2000 × (10% × 6 + 12% × 6)/12 × 12 months = 2640.00, summed exactly and rounded once
    assert str(calc.compute(cadre, year=2025).amount) == "2640.00"


@pytest.mark.parametrize("value,why", [({"ratio": 0.12}, "不接受浮点数"), ({"ratio": "12"}, "含义不明"),
                                       ({"amount": "12"}, "needs 'ratio'")])
def test_a_malformed_ratio_standard_is_refused_with_its_place(value, why):
    with pytest.raises(StandardsError, match=why) as info:
        Calculator("village_cadre_performance", profile="澄江市",
                   standards=_overlay([{"from": "2025-01", "source": "s", **value}]))
    assert "performance.ratio" in str(info.value)


def test_whatif_sets_a_ratio_and_a_coefficient_as_percentages():
    proc = run_cli("whatif", "examples/village_cadres_performance.csv", *POLICY, "--years", "2024",
                   "--set", "performance.ratio=12%", "--set", "coefficients.basic=60%", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    year = json.loads(proc.stdout)["years"][0]
    # 3300×12%×12 + 2400×12%×12 + 2133.33×12%×9 (2303.9964 → 2304.00) + 2200×12%×60%×12 + 0
    # + 2500×12%×60%×5 + 1950.55×12%×7 (1638.462 → 1638.46) = 14951.26
    assert year["baseline"]["amount"] == "12070.39" and year["scenarios"][0]["totals"]["amount"] == "14951.26"
    refused = run_cli("whatif", "examples/village_cadres_performance.csv", *POLICY, "--years", "2024",
                      "--set", "coefficients.basic=0.6")
    assert refused.returncode == 2 and "不接受浮点数" in refused.stderr


def test_an_amount_times_ratios_beyond_exact_int64_is_refused_not_wrapped():
    """50000 元/月 × 1000% × 1000% × 12 months: the doubled numerator the rounding forms would pass
    2^63; the run is refused rather than paid a wrapped amount."""
    calc = Calculator("village_cadre_performance", profile="澄江市").with_overrides(
        {"performance.ratio": "1000%", "coefficients.excellent": "1000%"})
    with pytest.raises(StandardsError, match="超出引擎可精确计算的范围"):
        calc.compute({"id": "x", "base_pay": "50000", "months": 12, "grade": "优秀"}, year=2024)
    assert str(calc.compute({"id": "x", "base_pay": "50000", "months": 1, "grade": "优秀"}, year=2024).amount) \
        == "5000000.00"  # 50000 × 1000% × 1000% × 1 month


# ---------- the roster ----------

def test_every_damaged_row_is_a_named_reject(tmp_path):
    path = tmp_path / "cadres.csv"
    path.write_text("编号,姓名,职务,基本报酬(元/月),任职月数,考核等次,所属村（社区）\n"
                    "B1,甲,书记,3000,13,优秀,旧城社区\nB2,乙,委员,2000,-1,称职,旧城社区\nB3,丙,委员,2000,6,,旧城社区\n"
                    "B4,丁,委员,2000,6,良好,旧城社区\nB5,戊,委员,,6,称职,旧城社区\nB6,己,委员,abc,6,称职,旧城社区\n"
                    "B7,庚,委员,-100,6,称职,旧城社区\nB8,辛,委员,300000,6,称职,旧城社区\nB9,壬,委员,2000.123,6,称职,旧城社区\n"
                    "B10,癸,委员,2000,6.5,称职,旧城社区\nB11,子,委员,2000,,称职,旧城社区\n"
                    "B12,丑,委员,\"￥2,000.50\",6个月,称职等次,旧城社区\nB12,寅,委员,2000,6,称职,旧城社区\n"
                    "合计,,,\"28,000.50\",,,\n", encoding="utf-8")
    proc = run_cli("calc", str(path), *POLICY, "--year", "2024", "--format", "json")
    doc = json.loads(proc.stdout)
    rejects = {(r["row"], r["column"]): r["reason"] for r in doc["rejects"]}
    assert set(rejects) == {(2, "任职月数"), (3, "任职月数"), (4, "考核等次"), (5, "考核等次"), (6, "基本报酬(元/月)"),
                            (7, "基本报酬(元/月)"), (8, "基本报酬(元/月)"), (9, "基本报酬(元/月)"),
                            (10, "基本报酬(元/月)"), (11, "任职月数"), (12, "任职月数"), (14, "编号")}
    assert "超过12" in rejects[2, "任职月数"] and "负数" in rejects[3, "任职月数"]
    assert "必填项为空" in rejects[4, "考核等次"] and "无法识别：良好" in rejects[5, "考核等次"]
    assert rejects[6, "基本报酬(元/月)"].startswith("基本报酬为空") and "超过50000元" in rejects[9, "基本报酬(元/月)"]
    assert any(n["row"] == 15 and "合计行" in n["message"] for n in doc["notices"])  # a total row, under a money column
    # the one row left: 2000.50 × 10% × 6 = 1200.30
    assert [(b["id"], b["amount"]) for b in doc["beneficiaries"]] == [("B12", "1200.30")]


def test_pay_from_the_post_standards_when_the_roster_gives_none(tmp_path):
    path = tmp_path / "cadres.csv"
    path.write_text("编号,姓名,职务,任职月数,考核等次,所属乡镇（街道）\nA1,甲,书记,12,优秀,右所镇\n"
                    "A2,乙,委员,6,基本合格,右所镇\nA3,丙,一肩挑,12,称职,海口镇\nA4,丁,,12,称职,海口镇\n", encoding="utf-8")
    proc = run_cli("calc", str(path), *POLICY, *STANDARDS, "--year", "2024", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    # 书记 2300 × 10% × 12 = 2760; 委员 1800 × 10% × 50% × 6 = 540; 一肩挑 2700 × 10% × 12 = 3240
    assert {b["id"]: b["amount"] for b in doc["beneficiaries"]} == {"A1": "2760.00", "A2": "540.00", "A3": "3240.00"}
    assert [(r["row"], r["column"]) for r in doc["rejects"]] == [(5, "职务")]
    assert set(doc["totals"]["by_unit"]) == {"右所镇", "海口镇"}  # no village column: the township is the unit
    explained = run_cli("explain", str(path), *POLICY, *STANDARDS, "--year", "2024", "--id", "A2")
    assert "委员岗位补贴标准 1800.00元/月" in explained.stdout and "village_post_standards.csv" in explained.stdout


def test_pay_from_post_standards_that_are_missing_is_refused_not_paid_zero(tmp_path):
    path = tmp_path / "cadres.csv"
    path.write_text("编号,职务,任职月数,考核等次\nA1,书记,12,优秀\nA2,副书记,12,优秀\n", encoding="utf-8")
    none = run_cli("calc", str(path), *POLICY, "--year", "2024")
    assert none.returncode == 2 and "缺少岗位补贴标准" in none.stderr and "--standards" in none.stderr
    lacking = run_cli("calc", str(path), *POLICY, *STANDARDS, "--year", "2024")  # the file has no 副书记
    assert lacking.returncode == 2 and "副书记2024年" in lacking.stderr
    assert run_cli("validate", str(path), *POLICY).returncode == 0  # the roster itself is fine
    neither = tmp_path / "neither.csv"
    neither.write_text("编号,任职月数,考核等次\nA1,12,优秀\n", encoding="utf-8")
    proc = run_cli("calc", str(neither), *POLICY, *STANDARDS, "--year", "2024")
    assert proc.returncode == 2 and "缺少基本报酬列" in proc.stderr


def test_counts_mode_is_refused_with_the_clear_message():
    proc = run_cli("calc", "--policy", "village_cadre_performance", "--year", "2024", "--profile", "澄江市",
                   "--count", "people=10")
    assert proc.returncode == 2 and "没有计数模式" in proc.stderr


def test_explain_shows_base_pay_ratio_coefficient_and_months_with_sources():
    proc = run_cli("explain", "examples/village_cadres_performance.csv", *POLICY, "--year", "2024", "--id", "CJP003")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "基本报酬 2133.33元/月 × 绩效补贴比例（占每月基本报酬） 10% × 考核兑现系数（称职/合格） 100% × 任职月数 9" in text
    assert "基本报酬：按花名册所填" in text and "澄改委发〔2021〕1号" in text and "假设" in text
    assert "绩效补贴: 1920.00（澄江市级 1920.00）" in text
    trace = json.loads(run_cli("explain", "examples/village_cadres_performance.csv", *POLICY, "--year", "2024",
                               "--id", "CJP006", "--format", "json").stdout)["trace"]
    item = trace["segments"][0]["components"][0]
    assert [f["value"] for f in item["factors"]] == ["10%", "50%"]
    assert item["standard"]["value"] == 250000 and item["per"]["value"] == 5


def test_budget_and_validate_on_the_example():
    budget = run_cli("budget", "examples/village_cadres_performance.csv", *POLICY, "--year", "2024")
    assert budget.returncode == 0, budget.stderr
    assert "| 村（社区）干部绩效补贴经费 | 6 | 12070.39 | 12070.39 |" in budget.stdout
    assert run_cli("validate", "examples/village_cadres_performance.xlsx", *POLICY).returncode == 0


def test_the_api_takes_a_cadre_by_field_names_or_headers():
    from entitlements.policies import PerformanceCadre

    calc = Calculator("village_cadre_performance", profile="澄江市")
    one = calc.compute({"id": "P1", "base_pay": "2133.33", "months": 9, "grade": "合格"}, year=2024)
    assert str(one.amount) == "1920.00" and str(one.by_level["county"]) == "1920.00"
    same = calc.compute({"编号": "P1", "基本报酬": "2133.33", "任职月数": "9", "考核等次": "称职"}, year=2024)
    assert same.amount == one.amount
    assert PerformanceCadre(months=9, grade="合格").months == 9


def test_a_grade_whose_coefficient_standard_is_missing_is_refused_not_paid_zero():
    """A profile that leaves out a grade's coefficient: the factor is refused, never taken as 0%."""
    import attrs
    import numpy as np

    from entitlements.columns import Encoded
    from entitlements.lines import Context, factor_values
    from entitlements.profiles import load_policy_data
    from entitlements.rules import by

    data = load_policy_data("village_cadre_performance", "yunnan.yuxi.chengjiang")
    grades = Encoded(np.array([0, 1], dtype=np.int64), np.array(["competent", "basic"], dtype=object))
    ctx = Context({"grade": grades}, data, 2024 * 12, 2)
    assert factor_values(by("coefficients", "grade"), ctx, data, 2024 * 12).tolist() == [10000, 5000]
    lacking = attrs.evolve(data, standards={k: v for k, v in data.standards.items() if k != "coefficients.basic"})
    with pytest.raises(StandardsError, match="coefficients.basic"):
        factor_values(by("coefficients", "grade"), Context({"grade": grades}, lacking, 2024 * 12, 2), lacking,
                      2024 * 12)


def test_policies_lists_the_ratio_standards_as_percentages_with_their_citations():
    listing = run_cli("policies", "village_cadre_performance")
    assert listing.returncode == 0, listing.stderr
    assert "2021-01 起: 10%" in listing.stdout and "澄改委发〔2021〕1号" in listing.stdout
    assert "2021-01 起: 50%" in listing.stdout and "假设 assumption" in listing.stdout
    paths = run_cli("policies", "village_cadre_performance", "--paths")
    assert paths.returncode == 0, paths.stderr
    assert "ratio  10%" in paths.stdout and "ratio  0%" in paths.stdout


def test_a_condition_or_note_naming_a_ratio_standard_shows_it_as_a_percentage():
    from entitlements.trace import fill_in

    result = Calculator("village_cadre_performance", profile="澄江市").compute_roster(
        [{"id": "x", "base_pay": "2000", "months": 12, "grade": "优秀"}], 2024)
    assert fill_in("按{performance.ratio}核定，基本称职兑现{coefficients.basic}", result.computation, 0) == \
        "按10%核定，基本称职兑现50%"


def test_a_roster_of_names_only_knows_a_cadre_by_name_and_refuses_a_repeated_one(tmp_path):
    """序号, 姓名 and no 编号 or 身份证号 column, headers as clerks write them: a name twice cannot be
    told apart and is a reject, a blank name too; the rest are paid."""
    path = tmp_path / "names.csv"
    path.write_text("序号,姓名,所属村（居）,职位,基本报酬（元）,任职月数（月）,绩效考核结果\n1,张三,旧城社区,书记,3000,12,优秀\n"
                    "2,李四,旧城社区,委员,2000,12,称职\n3,张三,松元社区,委员,2000,12,称职\n4,,松元社区,委员,2000,12,称职\n",
                    encoding="utf-8")
    doc = json.loads(run_cli("calc", str(path), *POLICY, "--year", "2024", "--format", "json").stdout)
    assert {b["id"]: b["amount"] for b in doc["beneficiaries"]} == {"张三": "3600.00", "李四": "2400.00"}
    assert [(r["row"], r["column"], r["reason"]) for r in doc["rejects"]] == [
        (4, "姓名", "姓名重复，与第2行相同"), (5, "姓名", "姓名为空（花名册无编号、身份证号列）")]
    assert doc["totals"]["amount"] == "6000.00" and set(doc["totals"]["by_unit"]) == {"旧城社区"}
