"""capped_project_grants (issue 12, item 7) and the kit features it brought: a money column
(``Field`` kind "money"), a component paid what the roster asks (``rules.column``) capped by a
standard (``Component.cap``), and a programme budget its lines are cut to pro rata (``rules.Cut``)."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from entitlements import Calculator
from entitlements.errors import EntitlementInputError
from entitlements.fields import CellError, Field, parse_cell

from .conftest import run_cli

POLICY = ("--policy", "capped_project_grants", "--profile", "呈贡区", "--year", "2026")
EXAMPLE = "examples/chenggong_projects.csv"
CAPPED = {"CG2026-01": "86000.00", "CG2026-02": "50000.00", "CG2026-03": "45800.50", "CG2026-04": "38000.00",
          "CG2026-05": "28600.00"}  # requests capped: 62000 服务类 -> 50000; total 248400.50
CUT = {"CG2026-01": "43726.96", "CG2026-02": "25422.65", "CG2026-03": "23287.41", "CG2026-04": "19321.22",
       "CG2026-05": "14541.76"}  # see test_spec_figures.test_chenggong_2026_grants_cut_to_the_budget


def calc_json(*args: str) -> dict:
    proc = run_cli("calc", *args, *POLICY, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def amounts(doc: dict) -> dict[str, str]:
    return {b["id"]: b["amount"] for b in doc["beneficiaries"]}


def test_without_a_budget_each_project_gets_its_request_capped_by_its_category():
    doc = calc_json(EXAMPLE)
    assert amounts(doc) == CAPPED and doc["totals"]["amount"] == "248400.50"
    assert doc["totals"]["by_level"]["county"] == "248400.50" and doc["notices"] == []


def test_a_budget_the_capped_requests_stay_within_cuts_nothing():
    doc = calc_json(EXAMPLE, "--budget", "300000")
    assert amounts(doc) == CAPPED and doc["notices"] == []
    proc = run_cli("explain", EXAMPLE, *POLICY, "--budget", "300000", "--id", "CG2026-02")
    assert "未超出预算：不削减" in proc.stdout


def test_a_budget_below_the_capped_total_cuts_pro_rata_and_says_so():
    doc = calc_json(EXAMPLE, "--budget", "126300")
    assert amounts(doc) == CUT and doc["totals"]["amount"] == "126300.00"
    assert any("超出预算 126300.00 元" in n["message"] for n in doc["notices"])


def test_the_xlsx_twin_computes_the_same():
    assert amounts(calc_json("examples/chenggong_projects.xlsx", "--budget", "126300")) == CUT


def test_explain_shows_request_cap_and_cut():
    proc = run_cli("explain", EXAMPLE, *POLICY, "--budget", "126300", "--id", "CG2026-02")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "申请金额 62000.00元，服务类项目补助上限 50000.00元/个，取较小者 50000.00元" in text
    assert "项目预算 126300.00元（本次计算给定 --budget）" in text
    assert "封顶后合计 248400.50元超出预算" in text and "50000.00元 → 25422.65元" in text
    assert "不高于5万元" in text or "呈贡区" in text  # the cap's citation
    doc = json.loads(run_cli("explain", EXAMPLE, *POLICY, "--budget", "126300", "--id", "CG2026-02",
                             "--format", "json").stdout)
    (item,) = doc["trace"]["segments"][0]["components"]
    assert item["requested"]["value"] == 6200000 and item["cap"]["value"] == 5000000 and item["capped"] == 5000000
    assert item["cap"]["path"] == "caps.service" and "呈贡区" in item["cap"]["source"]
    assert doc["trace"]["cut"] == {"label": {"zh": "项目预算", "en": "programme budget"}, "budget": "126300.00",
                                   "total": "248400.50", "cut": True, "before": "50000.00", "after": "25422.65",
                                   "option": "budget"}
    assert doc["amount"] == "25422.65"


def test_a_clerks_headers_and_category_words_are_read(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("编号,名称,项目类别,申请补助金额（元）,街道\nA,甲,工程,\"520,000.00\",龙城街道\nB,乙,服务类项目,50000元,"
                    "龙城街道\nC,丙,党建引领基层治理,35000,洛龙街道\nD,丁,治理,12000.5,洛龙街道\n", encoding="utf-8")
    doc = calc_json(str(path))
    assert amounts(doc) == {"A": "500000.00", "B": "50000.00", "C": "30000.00", "D": "12000.50"}
    assert doc["rejects"] == []


def test_damaged_rows_are_named_rejects(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("项目编号,项目名称,类别,申请金额,所属街道\nP1,甲,工程类,1000,龙城街道\nP2,乙,绿化类,2000,龙城街道\n"
                    "P3,丙,服务类,,龙城街道\nP4,丁,服务类,-5,龙城街道\nP5,戊,治理类,abc,龙城街道\nP1,己,治理类,100,龙城街道\n"
                    "P7,庚,治理类,12.345,龙城街道\nP8,辛,服务类,0,龙城街道\nP9,壬,,100,龙城街道\n"
                    "P10,癸,工程类,20000000,龙城街道\n", encoding="utf-8")
    doc = calc_json(str(path))
    got = {r["row"]: (r["column"], r["reason"]) for r in doc["rejects"]}
    assert sorted(got) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert got[3][0] == "类别" and "无法识别：绿化类" in got[3][1]
    assert got[4] == ("申请金额", "必填项为空：申请金额")
    assert "不能为负数" in got[5][1] and "应为金额" in got[6][1] and "应为金额" in got[8][1]
    assert got[7][0] == "项目编号" and "重复，与第2行相同" in got[7][1]
    assert got[9][1] == "申请金额应大于0" and got[10] == ("类别", "必填项为空：类别")
    assert "金额不合理" in got[11][1]
    assert amounts(doc) == {"P1": "1000.00"}


def test_counts_mode_is_refused_with_the_kits_message():
    proc = run_cli("calc", *POLICY, "--count", "project=3")
    assert proc.returncode == 2 and "没有计数模式" in proc.stderr


def test_a_bad_budget_is_refused():
    for bad, words in (("abc", "--budget 应为金额"), ("-5", "项目预算应在"), ("1.005", "--budget 应为金额")):
        proc = run_cli("calc", EXAMPLE, *POLICY, "--budget", bad)
        assert proc.returncode == 2 and words in proc.stderr, (bad, proc.stderr)


def test_a_budget_for_a_policy_without_a_cut_is_refused_not_ignored():
    proc = run_cli("calc", "examples/rural_branches.csv", "--policy", "rural_member_training", "--year", "2025",
                   "--budget", "100")
    assert proc.returncode == 2 and "没有选项 budget" in proc.stderr


def test_batches_refuse_a_budget():
    proc = run_cli("calc", EXAMPLE, *POLICY, "--budget", "126300", "--batch-rows", "2", "--format", "json")
    assert proc.returncode == 2 and "不能分批" in proc.stderr


def test_validate_budget_and_whatif():
    assert run_cli("validate", EXAMPLE, "--policy", "capped_project_grants", "--profile", "呈贡区").returncode == 0
    proc = run_cli("budget", EXAMPLE, *POLICY, "--budget", "126300")
    assert proc.returncode == 0 and "126300.00" in proc.stdout and "项目补助" in proc.stdout
    doc = json.loads(run_cli("whatif", EXAMPLE, "--policy", "capped_project_grants", "--profile", "呈贡区",
                             "--year", "2026", "--set", "caps.service=60000", "--format", "json").stdout)
    assert json.dumps(doc, ensure_ascii=False).count("258400.50") >= 1  # CG2026-02 capped at 60000 instead
    cut = json.loads(run_cli("whatif", EXAMPLE, "--policy", "capped_project_grants", "--profile", "呈贡区",
                             "--year", "2026", "--set", "caps.service=60000", "--budget", "126300",
                             "--format", "json").stdout)
    assert "258400.50" not in json.dumps(cut) and "126300.00" in json.dumps(cut)


def test_no_caps_before_2026():
    doc = json.loads(run_cli("calc", EXAMPLE, "--policy", "capped_project_grants", "--profile", "呈贡区",
                             "--year", "2025", "--format", "json").stdout)
    assert doc["totals"]["amount"] == "0.00"
    assert any("2026-01" in r for r in doc["beneficiaries"][0]["reasons"])


# ---- the API ----

def test_the_api_takes_the_budget_as_a_decimal():
    calc = Calculator("capped_project_grants", profile="呈贡区")
    result = calc.compute_roster(EXAMPLE, 2026, budget=Decimal("126300"))
    assert result.to_json()["totals"]["amount"] == "126300.00"
    assert calc.entitlement(result, "CG2026-02", budget=Decimal("126300")).amount == Decimal("25422.65")
    with pytest.raises(EntitlementInputError, match="budget"):
        calc.compute_roster(EXAMPLE, 2026, budget="126300")  # a typed option: not a text
    one = calc.compute({"项目编号": "X", "类别": "服务类", "申请金额": "62000"}, year=2026)
    assert one.amount == Decimal("50000.00")
    with pytest.raises(EntitlementInputError, match="请用项目花名册计算"):  # a budget is the whole programme's
        calc.compute({"项目编号": "X", "类别": "服务类", "申请金额": "62000"}, year=2026, budget=Decimal("1000"))


BUDGET_2026 = {
    "sources": {"plan": {"doc": "呈贡区2026年社会治理工作经费项目文本", "quote": "呈贡区2026年度民生小实事项目经费安排12.63万元"}},
    "standards": {"budget.total": {"kind": "money", "label": "民生小实事项目经费", "unit": "元",
                                   "values": [{"from": "2026-01", "amount": "126300", "source": "plan"}]}},
}


def test_a_profile_budget_standard_cuts_and_the_option_overrides_it():
    calc = Calculator("capped_project_grants", profile="呈贡区", standards=BUDGET_2026)
    result = calc.compute_roster(EXAMPLE, 2026)
    assert {b["id"]: b["amount"] for b in result.to_json()["beneficiaries"]} == CUT
    trace = calc.entitlement(result, "CG2026-01").trace["cut"]
    assert trace["path"] == "budget.total" and "呈贡区2026年" in trace["source"] and trace["budget"] == "126300.00"
    assert calc.compute_roster(EXAMPLE, 2026, budget=Decimal("500000")).to_json()["totals"]["amount"] == "248400.50"


# ---- the kit: a money field ----

def test_a_money_field_reads_yuan_to_the_fen():
    f = Field("x", "金额", "money", "amount", max=1000)
    assert [parse_cell(f, t) for t in ("12", "12.5", "12.05", "1,000", "3元", "0", "¥8.5")] == \
        [1200, 1250, 1205, 100000, 300, 0, 850]
    for bad in ("12.345", "-1", "abc", "1,5", "1000.01", "nan", "1e3x", "5万", "¥"):
        with pytest.raises(CellError):
            parse_cell(f, bad)


# ---- properties of the cut (hypothesis) ----

CATEGORIES = ("工程类", "服务类", "治理类")
CAP_FEN = {"工程类": 50_000_000, "服务类": 5_000_000, "治理类": 3_000_000}
projects = st.lists(st.tuples(st.sampled_from(CATEGORIES), st.integers(1, 60_000_000)), min_size=1, max_size=12)


def grants(rows: list[tuple[str, int]], budget_fen: int, order: list[int] | None = None) -> dict[str, int]:
    order = list(range(len(rows))) if order is None else order
    records = [{"项目编号": f"P{i:02d}", "类别": rows[i][0], "申请金额": f"{rows[i][1] // 100}.{rows[i][1] % 100:02d}"}
               for i in order]
    calc = Calculator("capped_project_grants", profile="呈贡区")
    doc = calc.compute_roster(records, 2026, budget=Decimal(budget_fen) / 100).to_json()
    return {b["id"]: int(Decimal(b["amount"]) * 100) for b in doc["beneficiaries"]}


@settings(max_examples=60)
@given(projects, st.integers(0, 100_000_000), st.randoms(use_true_random=False))
def test_cut_grants_add_up_to_the_budget_never_exceed_the_capped_request_and_ignore_row_order(rows, budget, rnd):
    got = grants(rows, budget)
    capped = {f"P{i:02d}": min(r, CAP_FEN[c]) for i, (c, r) in enumerate(rows)}
    assert sum(got.values()) == min(budget, sum(capped.values()))  # exactly the budget, or no cut
    assert all(0 <= got[k] <= capped[k] for k in capped)
    if sum(capped.values()) <= budget:
        assert got == capped
    order = list(range(len(rows)))
    rnd.shuffle(order)
    assert grants(rows, budget, order) == got


@settings(max_examples=40)
@given(projects, st.integers(0, 100_000_000), st.data())
def test_a_larger_request_never_gets_a_smaller_grant(rows, budget, data):
    i = data.draw(st.integers(0, len(rows) - 1))
    more = data.draw(st.integers(1, 10_000_000))
    bigger = list(rows)
    bigger[i] = (rows[i][0], rows[i][1] + more)
    key = f"P{i:02d}"
    assert grants(bigger, budget)[key] >= grants(rows, budget)[key]


def test_equal_remainders_go_to_the_smallest_id():
    """Three equal requests and a budget of 1 fen: the fen goes to the smallest 项目编号, whatever the order."""
    rows = [("服务类", 100)] * 3
    assert grants(rows, 1) == {"P00": 1, "P01": 0, "P02": 0}
    assert grants(rows, 1, [2, 0, 1]) == {"P00": 1, "P01": 0, "P02": 0}
    assert np.sum(list(grants(rows, 2).values())) == 2


def test_a_total_row_summing_the_requests_is_skipped_not_rejected(tmp_path):
    """A clerk's sheet ends with 合计 and the sum of the 申请金额: a money column holds sums like a number column."""
    path = tmp_path / "h.csv"
    path.write_text("序号,项目名称,项目分类,申请补助经费（元）,实施街道,备注\n1,甲,工程,600000,龙城街道,\n"
                    "2,乙,服务,52000.5,洛龙街道,\n合计,,,\"652,000.50\",,\n", encoding="utf-8")
    doc = calc_json(str(path))
    assert doc["rejects"] == [] and doc["totals"]["amount"] == "550000.00"  # 500000 + 50000, capped
    assert any("合计行" in n["message"] for n in doc["notices"])


def test_the_reasons_column_says_which_projects_were_capped_and_cut():
    """The allocation sheet's 说明 (the JSON's reasons): a capped project and the cut, in words."""
    doc = calc_json(EXAMPLE, "--budget", "126300")
    reasons = {b["id"]: b["reasons"] for b in doc["beneficiaries"]}
    assert reasons["CG2026-02"] == ["申请金额 62000.00元超过服务类项目补助上限 50000.00元，按上限计",
                                    "按项目预算比例削减：50000.00元 → 25422.65元"]
    assert reasons["CG2026-01"] == ["按项目预算比例削减：86000.00元 → 43726.96元"]
    assert {b["id"]: b["reasons"] for b in calc_json(EXAMPLE)["beneficiaries"]}["CG2026-01"] == []
    assert calc_json(EXAMPLE, "--budget", "300000")["beneficiaries"][1]["reasons"] == [
        "申请金额 62000.00元超过服务类项目补助上限 50000.00元，按上限计"]
    en = json.loads(run_cli("calc", EXAMPLE, *POLICY, "--budget", "126300", "--format", "json", "--lang", "en").stdout)
    assert en["beneficiaries"][1]["reasons"] == [
        "requested amount 62000.00 above the cap 服务类项目补助上限 50000.00: the cap is paid",
        "cut pro rata to the programme budget: 50000.00 → 25422.65"]
