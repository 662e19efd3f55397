"""Nothing lost (SPEC §7): hypothesis corrupts random cells of valid rosters; every row
still ends as a result or a reject, only corrupted rows are rejected, and everyone whose
rows were left alone keeps the amount they had before. Since issue 10 the corruption
includes Excel error values (a VLOOKUP's #N/A: never a blank that lets a default apply),
invisible characters in keys, and CR line ends in the file itself."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from entitlements import Calculator
from tests.test_properties import SLOW, brigade_rows, people

ERRORS = ["#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", " #n/a "]  # as Excel exports them to CSV
GARBAGE = st.sampled_from(["", "abc", "-5", "2099-13-45", "1940-02-30", "男女", "9" * 12, "１２.５", "X", "是否",
                           *ERRORS])
INVISIBLE = st.sampled_from(["\u200b", "\ufeff", "\u200d", "\u2060", "\u00ad"])  # print as nothing: anywhere
SPACES = st.sampled_from(["\u00a0", "\u3000", " "])  # print as a space: at either end of a key
orgs = st.lists(st.tuples(st.sampled_from(["党委", "党总支", "党支部"]), st.integers(0, 200), st.booleans(),
                          st.integers(0, 12)), min_size=1, max_size=25)


def corrupt(data, rows: list[dict], key: str | None = None) -> tuple[set[int], set[int]]:
    """Overwrite a few random cells, and (given the ``key`` column) slip invisible characters
    into a few keys (the same person still); the indices of the rows touched, and of those
    given an error value."""
    touched: set[int] = set()
    for _ in range(data.draw(st.integers(0, len(rows)), label="cells")):
        i = data.draw(st.integers(0, len(rows) - 1), label="row")
        column = data.draw(st.sampled_from(sorted(rows[i])), label="column")
        rows[i][column] = data.draw(GARBAGE, label="value")
        touched.add(i)
    # an error value overwritten later by another garbage value is no longer there
    errors = {i for i in touched if any(v in ERRORS for v in rows[i].values())}
    for _ in range(data.draw(st.integers(0, 3), label="invisible keys") if key else 0):
        i = data.draw(st.integers(0, len(rows) - 1), label="row")
        if i not in touched:
            text = str(rows[i][key])
            if data.draw(st.booleans(), label="space"):
                rows[i][key] = data.draw(st.sampled_from([data.draw(SPACES) + text, text + data.draw(SPACES)]))
            else:
                at = data.draw(st.integers(0, len(text)), label="where")
                rows[i][key] = text[:at] + data.draw(INVISIBLE, label="mark") + text[at:]
    return touched, errors


def assert_nothing_lost(calc: Calculator, rows: list[dict], key: str, year: int, data) -> None:
    baseline = {b["id"]: (b["amount"], b["by_level"]) for b in calc.compute_roster(rows, year).to_json()["beneficiaries"]}
    broken = [dict(r) for r in rows]
    touched, errors = corrupt(data, broken, key)
    result = calc.compute_roster(broken, year).to_json()
    counts = result["rows"]
    assert counts["read"] == len(rows) and counts["accepted"] + counts["rejected"] == len(rows)
    rejected_rows = {r["row"] for r in result["rejects"]}
    assert rejected_rows <= {i + 1 for i in touched}  # records count rows from 1
    assert {i + 1 for i in errors} <= rejected_rows  # an error value is never read as a blank or a default
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


@SLOW
@given(people, st.sampled_from(["yunnan", "江川区"]), st.sampled_from(["\n", "\r\n", "\r", "mixed"]), st.data())
def test_a_roster_file_with_any_line_ends_reads_as_its_rows(tmp_path_factory, ps, profile, ends, data):
    """CR (old Mac), CRLF, LF, or a mix of them: the same rows, the same amounts."""
    rows = brigade_rows(ps)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(rows[0]))
    writer.writerows([list(r.values()) for r in rows])
    lines = buffer.getvalue().split("\n")[:-1]
    pick = (lambda k: data.draw(st.sampled_from(["\n", "\r\n", "\r"]), label="end")) if ends == "mixed" else (
        lambda k: ends)
    path = tmp_path_factory.mktemp("ends") / "roster.csv"
    path.write_bytes("".join(line + pick(k) for k, line in enumerate(lines)).encode("utf-8"))
    calc = Calculator("brigade_cadre_living", profile=profile)
    expected, got = calc.compute_roster(rows, 2025).to_json(), calc.compute_roster(path, 2025).to_json()
    assert got["rows"] == expected["rows"] and got["totals"] == expected["totals"]
    assert got["beneficiaries"] == expected["beneficiaries"]
