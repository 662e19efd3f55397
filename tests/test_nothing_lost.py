"""Nothing lost (SPEC §7): hypothesis corrupts random cells of valid rosters; every row
still ends as a result or a reject, only corrupted rows are rejected, and everyone whose
rows were left alone keeps the amount they had before."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from entitlements import Calculator
from tests.test_properties import SLOW, brigade_rows, people

GARBAGE = st.sampled_from(["", "abc", "-5", "2099-13-45", "1940-02-30", "男女", "9" * 12, "１２.５", "X", "是否"])
orgs = st.lists(st.tuples(st.sampled_from(["党委", "党总支", "党支部"]), st.integers(0, 200), st.booleans(),
                          st.integers(0, 12)), min_size=1, max_size=25)


def corrupt(data, rows: list[dict]) -> set[int]:
    """Overwrite a few random cells; the indices of the rows touched."""
    touched = set()
    for _ in range(data.draw(st.integers(0, len(rows)), label="cells")):
        i = data.draw(st.integers(0, len(rows) - 1), label="row")
        column = data.draw(st.sampled_from(sorted(rows[i])), label="column")
        rows[i][column] = data.draw(GARBAGE, label="value")
        touched.add(i)
    return touched


def assert_nothing_lost(calc: Calculator, rows: list[dict], key: str, year: int, data) -> None:
    baseline = {b["id"]: (b["amount"], b["by_level"]) for b in calc.compute_roster(rows, year).to_json()["beneficiaries"]}
    broken = [dict(r) for r in rows]
    touched = corrupt(data, broken)
    result = calc.compute_roster(broken, year).to_json()
    counts = result["rows"]
    assert counts["read"] == len(rows) and counts["accepted"] + counts["rejected"] == len(rows)
    rejected_rows = {r["row"] for r in result["rejects"]}
    assert rejected_rows <= {i + 1 for i in touched}  # records count rows from 1
    assert len(result["beneficiaries"]) + counts["rejected"] == len(rows)  # one row per beneficiary here
    amounts = {b["id"]: (b["amount"], b["by_level"]) for b in result["beneficiaries"]}
    for i, row in enumerate(rows):
        if i not in touched:
            assert amounts[row[key]] == baseline[row[key]]


@SLOW
@given(people, st.sampled_from(["yunnan", "江川区"]), st.integers(2001, 2027), st.data())
def test_corrupted_brigade_rosters_lose_nothing(ps, profile, year, data):
    assert_nothing_lost(Calculator("brigade_cadre_living", profile=profile), brigade_rows(ps), "编号", year, data)


@SLOW
@given(orgs, st.sampled_from(["yunnan", "澄江市"]), st.data())
def test_corrupted_two_new_rosters_lose_nothing(os_, profile, data):
    rows = [{"组织编号": f"O{i}", "组织类型": t, "党员人数": m, "书记是否公职人员": "是" if ps else "否",
             "书记任职月数": sm, "所属单位": "甲镇"} for i, (t, m, ps, sm) in enumerate(os_)]
    assert_nothing_lost(Calculator("two_new_16321", profile=profile), rows, "组织编号", 2025, data)
