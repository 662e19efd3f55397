"""Review revC (issue 12): the merged engine features composed — a cap together with ratio
factors, the reasons and the explanation of a capped line — and the per-unit rosters a clerk writes."""

from __future__ import annotations

import attrs

from entitlements import Calculator
from entitlements.rules import Component, standard

from entitlements.policies.capped_project_grants import CappedProjectGrants

SHARE = {"sources": {"t": {"doc": "test"}},
         "standards": {"share.ratio": {"kind": "ratio", "label": "补助比例", "values": [
             {"from": "2026-01", "ratio": "50%", "source": "t"}]}}}


class HalfOfRequest(CappedProjectGrants):
    """The capped grants, paying 50% of the request (a ratio factor), capped by the category."""
    open_paths = (*CappedProjectGrants.open_paths, "share.ratio")
    parts = (attrs.evolve(CappedProjectGrants.parts[0], factors=(standard("share.ratio"),)),)


def test_a_cap_with_ratio_factors_caps_the_share_and_says_capped_only_when_it_is():
    # 服务类 cap 50000: 62000 × 50% = 31000 is under it (not capped); 工程类 cap 500000:
    # 86000 × 50% = 43000; 120000 服务类 × 50% = 60000 is over 50000 -> 50000 (capped)
    rows = [{"项目编号": "A", "项目名称": "甲", "类别": "服务类", "申请金额": "62000"},
            {"项目编号": "B", "项目名称": "乙", "类别": "工程类", "申请金额": "86000"},
            {"项目编号": "C", "项目名称": "丙", "类别": "服务类", "申请金额": "120000"}]
    calc = Calculator(HalfOfRequest(), "呈贡区", standards=SHARE)
    result = calc.compute_roster(rows, 2026)
    got = {k: calc.entitlement(result, k) for k in "ABC"}
    assert {k: str(e.amount) for k, e in got.items()} == {"A": "31000.00", "B": "43000.00", "C": "50000.00"}
    reasons = {k: " ".join(e.reasons) for k, e in got.items()}
    assert "上限" not in reasons["A"] and "上限" not in reasons["B"]
    assert "按上限计" in reasons["C"]


def test_the_explanation_of_a_capped_share_shows_the_ratio_and_the_amount_paid():
    rows = [{"项目编号": "A", "项目名称": "甲", "类别": "服务类", "申请金额": "62000"},
            {"项目编号": "C", "项目名称": "丙", "类别": "服务类", "申请金额": "120000"}]
    calc = Calculator(HalfOfRequest(), "呈贡区", standards=SHARE)
    result = calc.compute_roster(rows, 2026)
    a, c = calc.entitlement(result, "A").explain(), calc.entitlement(result, "C").explain()
    assert "× 补助比例 50%" in a and "× 补助比例 50%" in c  # the factor was never shown for a request
    assert "取较小者 31000.00元" in a and "取较小者 50000.00元" in c  # was 50000.00 for A, paid 31000.00


def test_a_budget_cut_of_a_monthly_programme_cuts_its_months_alike():
    """A monthly Service programme with a programme budget (rules.Cut): the months an entitlement
    lists (逐月 in explain, ``months`` in the API) add up to the cut amount; each month was
    recomputed alone, uncut (or cut to the whole budget), and added up to the uncut line."""
    from decimal import Decimal

    from entitlements.rules import Cut
    from entitlements.policies.community_worker_pay import POLICY

    class CutPay(type(POLICY)):
        cut = Cut()

    calc = Calculator(CutPay(), "晋城市城区")
    for budget in (Decimal("100000"), Decimal("1000")):
        result = calc.compute_roster("examples/community_workers.csv", 2025, budget=budget)
        assert Decimal(result.to_json()["totals"]["amount"]) == budget
        one = calc.entitlement(result, "SQ001", budget=budget)
        assert one.amount < Decimal("53052.00")  # cut
        assert sum(one.months.values()) == one.amount, (budget, one.months)
        assert len(one.months) == 12 and max(one.months.values()) - min(one.months.values()) <= Decimal("0.01")


def test_a_budget_cut_applies_to_a_lump_sum_programme_too():
    """A programme paid as a lump sum (rules.LumpSum) with a budget (rules.Cut): --budget was
    accepted and silently ignored (the lump-sum path never cut)."""
    from decimal import Decimal

    from entitlements.rules import Cut
    from entitlements.policies.village_cadre_departure import POLICY

    class CutDeparture(type(POLICY)):
        cut = Cut()

    calc = Calculator(CutDeparture(), "澄江市", standards="examples/village_post_standards.csv")
    whole = calc.compute_roster("examples/village_departures.csv", 2024).to_json()
    assert whole["totals"]["amount"] == "6300.00"
    doc = calc.compute_roster("examples/village_departures.csv", 2024, budget=Decimal("1000")).to_json()
    assert doc["totals"]["amount"] == "1000.00"
    assert any("超出预算 1000.00 元" in n["message"] for n in doc["notices"])
    paid = [b for b in doc["beneficiaries"] if b["amount"] != "0.00"]
    result = calc.compute_roster("examples/village_departures.csv", 2024, budget=Decimal("1000"))
    one = calc.entitlement(result, paid[0]["id"], budget=Decimal("1000"))
    assert any("按项目预算比例削减" in r for r in one.reasons) and "预算削减" in one.explain()


class Uncapped(CappedProjectGrants):
    """The grants paying what each project asks, no cap (no standard decides when it is due), and
    a second component from a standard of 2026 (the service cap, as a flat amount)."""
    parts = (attrs.evolve(CappedProjectGrants.parts[0], cap=None),
             Component("flat", ("定额", "flat"), standard("caps.service"), split="splits.grant"))


def test_a_request_without_a_cap_is_never_said_to_be_before_its_standard():
    calc = Calculator(Uncapped(), "呈贡区")
    result = calc.compute_roster([{"项目编号": "A", "项目名称": "甲", "类别": "服务类", "申请金额": "62000"}], 2025)
    one = calc.entitlement(result, "A")
    assert str(one.amount) == "62000.00"
    assert not any("本期无补助" in r for r in one.reasons), one.reasons  # said "nothing due" of a paid line


def _performance_rows(rnd, n):
    return [{"编号": f"P{i}", "姓名": f"人{i}", "职务": rnd.choice(["书记主任一肩挑", "副主任", "委员"]),
             "基本报酬": str(rnd.choice([2400, 3300, 2999.99, 1234.56])), "任职月数": rnd.randint(0, 12),
             "考核等次": rnd.choice(["优秀", "称职", "基本称职", "不称职"])} for i in range(n)]


def _grant_rows(rnd, n):
    return [{"项目编号": f"G{i}", "项目名称": f"项目{i}", "类别": rnd.choice(["工程类", "服务类", "治理类"]),
             "申请金额": str(rnd.choice([10000, 29999.99, 30000.01, 62000, 86000.5]))} for i in range(n)]


def test_distinct_case_grouping_sees_the_new_columns(monkeypatch):
    """Grouping identical rows must key on every column a line reads: a money column, its
    fallback choice, a ratio factor's choice and a cap's choice (merged from three helpers)."""
    import random

    from entitlements import lines as lines_module

    from .test_kit import by_id, no_grouping

    cases = [("village_cadre_performance", "澄江市", 2024, _performance_rows),
             ("capped_project_grants", "呈贡区", 2026, _grant_rows)]
    grouped = {}
    for pid, profile, year, rows in cases:
        roster = rows(random.Random(7), 300)
        grouped[pid] = by_id(Calculator(pid, profile).compute_roster(roster, year)), roster
    monkeypatch.setattr(lines_module, "distinct_rows", no_grouping)
    for pid, profile, year, _ in cases:
        expected, roster = grouped[pid]
        assert by_id(Calculator(pid, profile).compute_roster(roster, year)) == expected


def test_a_clerks_units_roster_with_a_title_row_and_a_total_row(tmp_path):
    """服务群众专项经费 as a clerk writes it: a title row, 序号, 单位名称, 村（社区）类型, 所在乡镇 (was exit 2:
    'looks like 所属单位'), type variants, a blank row, #N/A, a unit listed twice, 合计 and 填表人 rows.
    By hand: 拥晖 社区党委 100000 + 仪凤 社区 100000 + 甲村委会 村委会 50000 + 乙村 村党总支 50000
    + 丁村 行政村 50000 + 戊社区 村改社区 50000 = 400000.00; rejects: 丙村 #N/A, 丁村 again, 己 居委会."""
    import json

    from .conftest import run_cli

    path = tmp_path / "units.csv"
    path.write_text("澄江市2024年党组织服务群众专项经费\n序号,单位名称,村（社区）类型,所在乡镇,备注\n"
                    "1,拥晖社区,社区党委,凤麓街道,\n２,仪凤社区, 社区 ,凤麓街道,\n3,甲村委会,村委会,右所镇,\n"
                    "4,乙村,村党总支,右所镇,\n,,,,\n5,丙村,#N/A,海口镇,\n6,丁村,行政村,海口镇,\n"
                    "7,丁村,社区,海口镇,重复\n8,戊社区,村改社区,龙街街道,\n9,己社区,居委会,龙街街道,\n"
                    "合计,,,,\n填表人：李四,,,,\n", encoding="utf-8")
    proc = run_cli("calc", str(path), "--policy", "service_grants", "--year", "2024", "--profile", "澄江市",
                   "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["totals"]["amount"] == "400000.00"
    assert doc["totals"]["by_component"] == {"community": "200000.00", "village": "200000.00"}
    assert doc["totals"]["by_unit"]["凤麓街道"]["amount"] == "200000.00"
    assert doc["rows"] == {"read": 9, "accepted": 6, "rejected": 3}
    rejects = {r["row"]: (r["column"], r["value"]) for r in doc["rejects"]}
    assert rejects == {8: ("村(社区)类型", "#N/A"), 10: ("单位名称", "丁村"), 12: ("村(社区)类型", "居委会")}


def test_a_type_word_that_names_no_one_type_is_refused_saying_what_to_write(tmp_path):
    """居委会 is a city 社区 (100000) or a 村改社区 (a 行政村, 50000): not guessed, and the reason says
    which word to write for each (it listed fifteen accepted words and no why)."""
    import json

    from .conftest import run_cli

    path = tmp_path / "units.csv"
    path.write_text("名称,类型\n甲社区,居委会\n乙社区,社区居委会\n", encoding="utf-8")
    doc = json.loads(run_cli("calc", str(path), "--policy", "service_grants", "--year", "2024", "--profile", "澄江市",
                             "--format", "json").stdout)
    assert doc["totals"]["amount"] == "0.00" and len(doc["rejects"]) == 2
    for r in doc["rejects"]:
        assert r["column"] == "类型" and "村改社区" in r["reason"] and "社区" in r["reason"], r
        assert "无法识别" not in r["reason"]
