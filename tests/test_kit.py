"""The policy kit's speed kernels against their readable formulas, on random rosters.

- distinct-case grouping (lines.compute_lines): the lines are those of computing every
  beneficiary on its own;
- running sums over a post × month standards grid (service.credited_sums): the credit is
  the month-by-month rule (service.credit_by_month);
- the trace: what ``explain`` shows adds up to the lines.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import entitlements.lines as lines_module
from entitlements import Calculator
from entitlements.service import PostTable, credit_by_month, credited_sums
from entitlements.standards import DatedValue, Source, Standard

SOURCE = Source("t", "test")


def no_grouping(*columns):
    n = len(columns[0])
    return np.arange(n), np.arange(n)


def brigade_rows(rnd: random.Random, n: int) -> list[dict]:
    rows = []
    for i in range(n):
        born = rnd.randint(1920, 1945)
        row = {"编号": f"P{i}", "性别": rnd.choice("男女"), "出生日期": f"{born}-{rnd.randint(1, 12):02d}",
               "任职年限": rnd.randint(5, max(5, min(40, 1984 - born - 14))), "所属单位": rnd.choice("甲乙丙")}
        if rnd.random() < 0.3:
            row["死亡日期"] = f"{rnd.randint(2020, 2025)}-{rnd.randint(1, 12):02d}-15"
        if rnd.random() < 0.2:
            row["离职日期"] = f"{rnd.randint(1975, 2000)}-{rnd.randint(1, 12):02d}"
        rows.append(row)
    return rows


def org_rows(rnd: random.Random, n: int) -> list[dict]:
    return [{"组织编号": f"O{i}", "组织类型": rnd.choice(["党委", "党总支", "党支部"]), "党员人数": rnd.randint(0, 40),
             "书记是否公职人员": rnd.choice(["是", "否"]), "书记任职月数": rnd.randint(0, 12),
             "所属单位": rnd.choice("甲乙丙")} for i in range(n)]


def by_id(result) -> dict:
    return {b["id"]: (b["amount"], b["by_level"], b["by_component"], b.get("paid_months"))
            for b in result.to_json()["beneficiaries"]}


@pytest.mark.parametrize("policy,profile,rows", [
    ("brigade_cadre_living", "江川区", brigade_rows), ("brigade_cadre_living", "yunnan", brigade_rows),
    ("two_new_16321", "澄江市", org_rows), ("two_new_16321", "yunnan", org_rows)])
@pytest.mark.parametrize("seed", range(4))
def test_distinct_cases_give_each_beneficiary_its_own_lines(policy, profile, rows, seed, monkeypatch):
    roster = rows(random.Random(seed), 300)
    calc = Calculator(policy, profile=profile)
    grouped = {year: by_id(calc.compute_roster(roster, year)) for year in (2001, 2025)}
    monkeypatch.setattr(lines_module, "distinct_rows", no_grouping)
    for year, expected in grouped.items():
        assert by_id(calc.compute_roster(roster, year)) == expected


def test_grouping_is_really_used_on_a_large_roster(monkeypatch):
    """The test above would pass if grouping never happened: make sure it does."""
    seen = []
    real = lines_module.distinct_rows

    def spy(*columns):
        rep, group = real(*columns)
        seen.append((len(columns[0]), len(rep)))
        return rep, group

    monkeypatch.setattr(lines_module, "distinct_rows", spy)
    Calculator("brigade_cadre_living", profile="江川区").compute_roster(brigade_rows(random.Random(1), 2000), 2025)
    assert seen and seen[0][1] < seen[0][0] // 2


def post_table(rnd: random.Random, posts: int) -> PostTable:
    table = []
    for _ in range(posts):
        if rnd.random() < 0.1:
            table.append(None)
            continue
        starts = sorted(rnd.sample(range(2000 * 12, 2026 * 12), 3))
        if rnd.random() < 0.8:
            starts[0] = 1990 * 12
        table.append(Standard("posts.x", "money", "", "", tuple(
            DatedValue(s, rnd.randint(800, 4000) * 100, SOURCE) for s in starts)))
    return PostTable(table, combined=posts - 1, pair=(0, 1))


@settings(max_examples=150)
@given(st.integers(0, 10**6), st.lists(st.tuples(st.integers(0, 4), st.integers(0, 5), st.integers(1995 * 12, 2024 * 12),
                                                 st.integers(1, 120)), min_size=1, max_size=12),
       st.booleans())
def test_running_sums_equal_the_month_by_month_rule(seed, spans, at_departure):
    table = post_table(random.Random(seed), 6)
    owner = np.array([o for o, *_ in spans], dtype=np.int64)
    post = np.array([p for _, p, *_ in spans], dtype=np.int64)
    first = np.array([f for *_, f, _ in spans], dtype=np.int64)
    stop = first + np.array([m for *_, m in spans], dtype=np.int64)
    n = 5
    departure = np.zeros(n, dtype=np.int64)
    np.maximum.at(departure, owner, stop - 1)
    order = np.lexsort((first, owner))
    numerator, missing = credited_sums({"owner": owner[order], "post": post[order], "first": first[order],
                                        "stop": stop[order]}, n, departure, table, at_departure)
    for person in range(n):
        mine = [(int(p), int(f), int(s)) for o, p, f, s in zip(owner, post, first, stop) if o == person]
        expected = credit_by_month(mine, table, int(departure[person]), at_departure)
        if expected is None:
            assert missing[person]
        else:
            assert not missing[person] and int(numerator[person]) == expected


@pytest.mark.parametrize("policy,profile,roster,year,standards", [
    ("brigade_cadre_living", "江川区", "brigade_cadres.csv", 2025, None),
    ("two_new_16321", "澄江市", "two_new_orgs.csv", 2025, None),
    ("village_cadre_departure", "澄江市", "village_departures.csv", 2021, "village_post_standards.csv"),
    ("village_accident_insurance", "澄江市", "village_cadres_insured.csv", 2024, None)])
def test_the_trace_adds_up_to_the_lines_and_cites_every_standard(policy, profile, roster, year, standards):
    from .conftest import EXAMPLES

    calc = Calculator(policy, profile=profile, standards=None if standards is None else EXAMPLES / standards)
    result = calc.compute_roster(EXAMPLES / roster, year)
    for b in result.to_json()["beneficiaries"]:
        one = calc.entitlement(result, b["id"])
        trace = one.trace
        assert {line["component"]: line["amount"] for line in trace["lines"]} == b["by_component"]
        used = [c["standard"] for seg in trace["segments"] for c in seg["components"] if "standard" in c]
        used += [p for p in trace.get("lump_sum", {}).get("pieces", [])]
        assert all(u.get("source") for u in used if u.get("value") is not None), used
        assert trace["splits"] and all(s["source"] for s in trace["splits"])


def test_any_policy_may_have_its_total_split_by_a_standards_file():
    """splits.total is an engine concept: a file may split 16321's whole programme, which
    never had one (a fixed per-capita share of 500元/年 to the prefecture, the rest county)."""
    total = {"sources": {"s": {"doc": "示例 illustrative"}}, "standards": {"splits.total": {
        "kind": "split", "values": [{"from": "2017-01", "rule": "fixed_per_capita", "level": "prefecture",
                                     "amount": "500", "remainder": "county", "source": "s"}]}}}
    calc = Calculator("two_new_16321", profile="yunnan", standards=total)
    one = calc.compute({"org_id": "o", "org_type": "党支部", "members": 9}, year=2025)
    assert one.amount == 6300 and one.by_level["prefecture"] == 500 and one.by_level["county"] == 5800
    assert sum(one.by_component.values()) == one.amount
    misspelt = {**total, "standards": {"splits.totals": total["standards"]["splits.total"]}}
    with pytest.raises(Exception, match="splits.totals"):
        Calculator("two_new_16321", standards=misspelt)
    scenario = calc.with_overrides({"splits.total": {"rule": "ratio", "shares": {"province": 1, "county": 1}}})
    assert scenario.compute({"org_id": "o", "org_type": "党支部"}, year=2025).by_level["province"] == 2700


# ---------- review findings (issue 11), each seen failing before its fix ----------

PER_CAPITA = {"sources": {"t": {"doc": "测试文"}}, "standards": {"splits.premium": {"kind": "split", "values": [
    {"from": "2023-01", "rule": "fixed_per_capita", "level": "prefecture", "remainder": "county", "amount": "50",
     "source": "t"}]}}}


def test_counts_mode_gives_what_that_many_identical_rows_give():
    """A count of N is N beneficiaries alike: a per-capita share is paid N times, and each line
    is rounded and split as one roster row's (not once for the whole count)."""
    calc = Calculator("village_accident_insurance", profile="澄江市", standards=PER_CAPITA)
    counts = calc.compute_counts({"people": 1563}, 2024).to_json()["totals"]
    roster = calc.compute_roster([{"编号": f"A{i}"} for i in range(1563)], 2024).to_json()["totals"]
    assert counts["by_level"] == roster["by_level"] and counts["by_level"]["prefecture"] == "78150.00"
    odd = {"sources": {"t": {"doc": "测试文"}}, "standards": {"premium.per_person": {"values": [
        {"from": "2023-01", "amount": "260", "source": "t"}, {"from": "2024-07", "amount": "260.99", "source": "t"}]}}}
    calc = Calculator("village_accident_insurance", profile="澄江市", standards=odd)
    counts = calc.compute_counts({"people": 1563}, 2024).to_json()["totals"]
    roster = calc.compute_roster([{"编号": f"A{i}"} for i in range(1563)], 2024).to_json()["totals"]
    assert counts["amount"] == roster["amount"] == "407161.50"  # 1563 × 260.50 (260.495 rounded per person)
    branch = {"sources": {"t": {"doc": "测试文"}}, "standards": {"org_funding.branch": {"values": [
        {"from": "2017-01", "amount": "3000.01", "source": "t"}]}}}
    calc = Calculator("two_new_16321", profile="澄江市", standards=branch)
    counts = calc.compute_counts({"branch": 112}, 2025).to_json()["totals"]["by_level"]
    rows = calc.compute_roster([{"组织编号": f"O{i}", "组织类型": "党支部", "书记任职月数": 0} for i in range(112)],
                               2025).to_json()["totals"]["by_level"]
    assert counts == rows


def test_rounding_to_the_yuan_rounds_once():
    """260.495 元 rounds half up once to 260 元, not to 260.50 and then to 261."""
    yuan = {"sources": {"t": {"doc": "测试文"}}, "conventions": {"rounding": "yuan"},
            "standards": {"premium.per_person": {"values": [
                {"from": "2023-01", "amount": "260", "source": "t"}, {"from": "2024-07", "amount": "260.99", "source": "t"}]}}}
    one = Calculator("village_accident_insurance", profile="澄江市", standards=yuan).compute({"编号": "A"}, year=2024)
    assert one.amount == 260


def test_a_standards_file_that_would_drop_a_standards_history_is_refused(tmp_path):
    """A raise written alone from 2024-07 would leave January to June without a standard and
    silently pay nothing there; a --set override keeps the history by itself."""
    from entitlements import StandardsError

    later = {"sources": {"t": {"doc": "测试文"}}, "standards": {"premium.per_person": {"values": [
        {"from": "2024-07", "amount": "260.99", "source": "t"}]}}}
    with pytest.raises(StandardsError, match="2023-01至2024-07之间没有标准"):
        Calculator("village_accident_insurance", profile="澄江市", standards=later)
    kept = Calculator("village_accident_insurance", profile="澄江市").with_overrides(
        {"premium.per_person": ("260.99", "2024-07")})
    assert kept.compute({"编号": "A"}, year=2024).amount == 260.50


def test_a_condition_threshold_changing_within_the_period_is_refused():
    """Conditions are judged at the start of the period: a minimum tenure raised from 2025-07
    would be ignored for July to December, so the year is refused; each month alone computes."""
    from entitlements import StandardsError

    calc = Calculator("brigade_cadre_living", profile="澄江市").with_overrides(
        {"eligibility.min_tenure_years": ("12", "2025-07")})
    person = {"编号": "x", "性别": "男", "出生日期": "1935-01", "任职年限": 11}
    with pytest.raises(StandardsError, match="eligibility.min_tenure_years"):
        calc.compute(person, year=2025)
    assert calc.compute(person, month="2025-06").amount == 78
    assert calc.compute(person, month="2025-07").amount == 0
