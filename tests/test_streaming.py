"""Rosters larger than memory: computed batch by batch, the totals, row counts and rejected
rows are those of the whole roster in one piece, for any batch size."""

from __future__ import annotations

import csv
import io
import json
import os
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from entitlements import Calculator
from entitlements.streaming import stream_summary
from tests.conftest import EXAMPLES, run_cli

# each example computes a roster twice and in batches: fewer examples than the other properties
EXAMPLES_SETTINGS = settings(max_examples=max(10, int(os.environ.get("HYPOTHESIS_EXAMPLES", "40")) // 2), deadline=None)


def write(path, header, rows, titles=1):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for t in range(titles):
        w.writerow([f"某县2025年花名册{t}"])
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def same(calc, path, year, batch_rows, **options):
    whole = calc.compute_roster(path, year, **options).to_json(summary=True)
    batched = stream_summary(calc, path, year, batch_rows, **options)
    assert batched["totals"] == whole["totals"]
    assert batched["rows"] == whole["rows"]
    assert {r["row"] for r in batched["rejects"]} == {r["row"] for r in whole["rejects"]}
    return whole


people = st.lists(st.tuples(st.integers(0, 30), st.sampled_from(["男", "女", "x"]), st.integers(1920, 1965),
                            st.integers(1, 12), st.integers(-1, 45), st.sampled_from(["", "2020-05", "2025-07"]),
                            st.sampled_from(["甲镇", "乙镇"])), min_size=1, max_size=40)


@EXAMPLES_SETTINGS
@given(people, st.integers(1, 12), st.sampled_from(["yunnan", "江川区"]), st.booleans())
def test_brigade_in_batches_equals_one_piece(tmp_path_factory, ps, batch_rows, profile, blanks):
    rows = []
    for key, sex, y, m, tenure, death, unit in ps:  # repeated keys are duplicates, across batches too
        rows.append([f"P{key}", sex, f"{y}-{m:02d}", tenure, death, unit])
        if blanks and key % 7 == 0:
            rows.append([])
    rows.append(["合计", "", "", "", "", ""])
    path = write(tmp_path_factory.mktemp("b") / "r.csv", ["编号", "性别", "出生日期", "任职年限", "死亡日期", "所属单位"], rows)
    same(Calculator("brigade_cadre_living", profile=profile), path, 2025, batch_rows)


spans = st.lists(st.tuples(st.integers(0, 12), st.sampled_from(["书记", "主任", "委员", "副主任"]),
                           st.integers(2015 * 12, 2025 * 12), st.integers(1, 60)), min_size=1, max_size=40)  # where the standards are given


@EXAMPLES_SETTINGS
@given(spans, st.integers(1, 9), st.randoms())
def test_village_spans_in_batches_equal_one_piece(tmp_path_factory, sp, batch_rows, rnd):
    sp = sorted(sp, key=lambda s: s[0])  # a person's rows together, as batches require
    rows = [[f"V{o}", post, f"{a // 12}-{a % 12 + 1:02d}", f"{(a + n) // 12}-{(a + n) % 12 + 1:02d}", f"村{o % 3}"]
            for o, post, a, n in sp]
    path = write(tmp_path_factory.mktemp("v") / "r.csv", ["编号", "职务", "任职开始", "任职结束", "所属村（社区）"], rows)
    calc = Calculator("village_cadre_departure", profile="澄江市", standards=EXAMPLES / "village_post_standards.csv")
    same(calc, path, 2024, batch_rows, include_earlier=True)


def test_rows_of_a_person_apart_across_batches_are_named(tmp_path):
    rows = [["V1", "委员", "2015-01", "2018-01", "村"], ["V2", "主任", "2016-01", "2020-01", "村"],
            ["V1", "主任", "2018-01", "2021-01", "村"]]
    path = write(tmp_path / "r.csv", ["编号", "职务", "任职开始", "任职结束", "所属村（社区）"], rows, titles=0)
    calc = Calculator("village_cadre_departure", profile="澄江市", standards=EXAMPLES / "village_post_standards.csv")
    data = stream_summary(calc, path, 2021, batch_rows=1)
    assert [(r["row"], "须相邻" in r["reason"]) for r in data["rejects"]] == [(4, True)]


def test_cli_batches_and_their_limits(tmp_path):
    args = ("--policy", "two_new_16321", "--year", "2025", "--profile", "澄江市")
    whole = json.loads(run_cli("calc", str(EXAMPLES / "two_new_orgs.csv"), *args, "-f", "json", "--summary").stdout)
    proc = run_cli("calc", str(EXAMPLES / "two_new_orgs.csv"), *args, "-f", "json", "--batch-rows", "2")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["totals"] == whole["totals"]
    broken = write(tmp_path / "broken.csv", ["组织编号", "组织类型", "党员人数"],
                   [["O1", "党支部", 3], ["O1", "党支部", 3], ["O2", "党小组", 3]], titles=0)
    proc = run_cli("calc", str(broken), *args, "-f", "json", "--batch-rows", "1", "--rejects", str(tmp_path / "r.csv"))
    assert proc.returncode == 0 and json.loads(proc.stdout)["rows"] == {"read": 3, "accepted": 1, "rejected": 2}
    assert (tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()[1:] == [
        "3,组织编号,O1,编号重复，与第2行相同", "4,组织类型,党小组,无法识别：党小组（可填：党委、党总支、总支、党支部、支部、联合党委、联合党总支、联合党支部、联合支部）"]
    assert run_cli("calc", str(EXAMPLES / "two_new_orgs.xlsx"), *args, "-f", "json", "--batch-rows", "2").returncode == 2
    assert run_cli("calc", str(EXAMPLES / "two_new_orgs.csv"), *args, "--batch-rows", "2").returncode == 2  # table
    fixed = tmp_path / "fixed.toml"  # a fixed-total split needs the whole roster at once
    fixed.write_text('[standards."splits.member_training"]\nkind = "split"\nvalues = [{ from = "2017-01", '
                     'rule = "fixed_total", level = "prefecture", amount = "100", remainder = "county", '
                     'source = "yuzt_2017_20" }]\n', encoding="utf-8")
    proc = run_cli("calc", str(EXAMPLES / "two_new_orgs.csv"), *args, "-f", "json", "--batch-rows", "2",
                   "--standards", str(fixed))
    assert proc.returncode == 2 and "fixed" in proc.stderr, proc.stderr


def test_random_row_order_is_not_needed_for_one_row_policies(tmp_path):
    rnd = random.Random(3)
    rows = [[f"O{i}", rnd.choice(["党委", "党总支", "党支部"]), rnd.randint(0, 90), rnd.choice(["是", "否"]), 12, "街道"]
            for i in range(200)]
    path = write(tmp_path / "r.csv", ["组织编号", "组织类型", "党员人数", "书记是否公职人员", "书记任职月数", "所属单位"], rows)
    same(Calculator("two_new_16321", profile="澄江市"), path, 2025, 7)
