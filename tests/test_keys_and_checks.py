"""Beneficiary keys, duplicates and per-policy cross-field checks (issue 10 "Never silently wrong").

One person is never paid twice and two people are never merged: invisible characters do
not make a new key, one 身份证号 on two beneficiaries rejects every row involved, and the
span rows of one 编号 that name two people are rejected together. Impossible dates and
tenures are rejects; missing post standards stop the run; a village cadre departs in the
end month as written."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from entitlements import Calculator, StandardsError
from entitlements import dates as dates_module
from entitlements.fields import normalise_cell
from entitlements.streaming import stream_summary
from tests.conftest import EXAMPLES, run_cli, write_csv
from tests.test_nothing_lost import corrupt
from tests.test_properties import SLOW, brigade_rows, people

STANDARDS = EXAMPLES / "village_post_standards.csv"
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


def id_number(birth: str = "19400512", seq: str = "123", region: str = "530421") -> str:
    body = region + birth + seq
    return body + ric.calc_check_digit(body + "0")  # it reads the first 17 of 18


def brigade(**kw) -> dict:
    row = {"编号": "P1", "姓名": "张三", "性别": "男", "出生日期": "1940-05-12", "任职年限": 16, "所属单位": "甲镇"}
    row.update(kw)
    return row


def village(key="V1", post="委员", start="2015-01-01", end="2017-12-31", **kw) -> dict:
    row = {"编号": key, "姓名": "李明华", "职务": post, "任职开始": start, "任职结束": end, "所属村（社区）": "甲村"}
    row.update(kw)
    return row


def by_id(result) -> dict:
    return {b["id"]: b for b in result.to_json()["beneficiaries"]}


def rejects(result) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for r in result.to_json()["rejects"]:
        out.setdefault(r["row"], []).append(r)
    return out


jiangchuan = Calculator("brigade_cadre_living", profile="江川区")
chengjiang = Calculator("village_cadre_departure", profile="澄江市", standards=STANDARDS)


# ---------- invisible characters ----------

@pytest.mark.parametrize("mark", INVISIBLE)
def test_zero_width_and_bom_are_removed_anywhere_in_a_cell(mark):
    assert normalise_cell(f"{mark}P{mark}1{mark}") == "P1"


def test_nbsp_and_ideographic_space_are_spaces_stripped_at_the_ends():
    assert normalise_cell("\u00a0P1\u3000") == "P1"
    assert normalise_cell("张\u00a0三") == "张 三"  # inside a text a space stays a space


@pytest.mark.parametrize("mark", [*INVISIBLE, "\u00a0", "\u3000"])
def test_an_id_with_an_invisible_character_is_the_same_person(mark):
    result = jiangchuan.compute_roster([brigade(), brigade(编号=f"P1{mark}", 姓名="张三")], 2025)
    assert list(by_id(result)) == ["P1"]
    assert "编号重复" in rejects(result)[2][0]["reason"]


def test_invisible_characters_in_a_csv_key_join_a_persons_span_rows(tmp_path):
    path = write_csv(tmp_path / "v.csv", ["编号", "职务", "任职开始", "任职结束"],
                     [["\ufeffV1", "委员", "2015-01-01", "2017-12-31"], ["V1\u200b", "主任", "2018-01-01", "2020-12-31"]])
    result = chengjiang.compute_roster(path, 2020)
    assert {k: b["amount"] for k, b in by_id(result).items()} == {"V1": "11100.00"}


# ---------- one 身份证号 on two beneficiaries ----------

def test_one_id_number_under_two_ids_rejects_both_rows_naming_each_other():
    card = id_number()
    result = jiangchuan.compute_roster(
        [brigade(编号="P1", 身份证号=card), brigade(编号="P2", 身份证号=card), brigade(编号="P3")], 2025)
    assert list(by_id(result)) == ["P3"]
    got = rejects(result)
    assert set(got) == {1, 2}
    assert "第2行（编号P2）" in got[1][0]["reason"] and "第1行（编号P1）" in got[2][0]["reason"]
    assert got[1][0]["column"] == "身份证号" and got[1][0]["value"] == card
    assert "同一人不能重复发放" in got[1][0]["reason"]
    assert result.to_json()["rows"] == {"read": 3, "accepted": 1, "rejected": 2}


def test_an_id_number_given_as_the_key_of_another_row_is_the_same_person():
    card = id_number()
    result = jiangchuan.compute_roster([brigade(编号="P1", 身份证号=card), brigade(编号="", 身份证号=card)], 2025)
    assert by_id(result) == {} and set(rejects(result)) == {1, 2}


def test_one_id_number_under_two_village_ids_rejects_every_span_row():
    card = id_number("19600101")
    rows = [village("V1", 身份证号=card), village("V1", "主任", "2018-01-01", "2020-12-31", 身份证号=card),
            village("V2", "委员", "2016-01-01", "2020-12-31", 身份证号=card), village("V3")]
    result = chengjiang.compute_roster(rows, 2020)
    assert list(by_id(result)) == ["V3"]
    got = rejects(result)
    assert set(got) == {1, 2, 3}
    assert "第3行（编号V2）" in got[1][0]["reason"] and "第1行（编号V1）" in got[3][0]["reason"]


def test_one_id_number_under_two_brigade_span_ids_is_rejected():
    card = id_number("19400512")
    rows = [{"编号": k, "身份证号": card, "任职开始": "1960-01", "任职结束": "1980-01"} for k in ("P1", "P2")]
    result = jiangchuan.compute_roster(rows, 2025)
    assert by_id(result) == {} and set(rejects(result)) == {1, 2}


def test_duplicate_id_numbers_through_the_console_exit_1_under_strict(tmp_path):
    card = id_number()
    path = write_csv(tmp_path / "b.csv", ["编号", "身份证号", "任职年限"], [["P1", card, 16], ["P2", card, 16]])
    proc = run_cli("calc", str(path), "--policy", "brigade_cadre_living", "--year", "2025", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["rows"]["rejected"] == 2 and data["totals"]["amount"] == "0.00"
    proc = run_cli("calc", str(path), "--policy", "brigade_cadre_living", "--year", "2025", "--strict")
    assert proc.returncode == 1


def test_duplicate_id_numbers_in_batches_are_refused_or_rejected_alike(tmp_path):
    card = id_number()
    rows = [["P1", card, 16], ["P3", id_number(seq="135"), 16], ["P2", card, 16]]
    path = write_csv(tmp_path / "b.csv", ["编号", "身份证号", "任职年限"], rows)
    whole = jiangchuan.compute_roster(path, 2025).to_json(summary=True)
    assert whole["rows"]["rejected"] == 2
    batched = stream_summary(jiangchuan, path, 2025, batch_rows=3)  # one batch: the same checks
    assert batched["rows"] == whole["rows"] and batched["totals"] == whole["totals"]
    from entitlements import InputError

    with pytest.raises(InputError, match="身份证号"):  # apart: the earlier row is already counted
        stream_summary(jiangchuan, path, 2025, batch_rows=1)
    proc = run_cli("calc", str(path), "--policy", "brigade_cadre_living", "--year", "2025", "--format", "json",
                   "--batch-rows", "1")
    assert proc.returncode == 2 and "身份证号" in proc.stderr and "Traceback" not in proc.stderr


# ---------- village: one 编号, two people ----------

def test_span_rows_of_one_id_with_two_names_are_rejected_together():
    rows = [village("V1", 姓名="李明华"), village("V1", "主任", "2018-01-01", "2020-12-31", 姓名="王建国"), village("V2")]
    result = chengjiang.compute_roster(rows, 2020)
    assert list(by_id(result)) == ["V2"]
    got = rejects(result)
    assert set(got) == {1, 2}
    assert got[2][0]["column"] == "姓名" and "第1行" in got[2][0]["reason"] and "李明华" in got[2][0]["reason"]


def test_span_rows_of_one_id_with_two_id_numbers_are_rejected_together():
    rows = [village("V1", 身份证号=id_number("19600101")),
            village("V1", "主任", "2018-01-01", "2020-12-31", 身份证号=id_number("19610101"))]
    result = chengjiang.compute_roster(rows, 2020)
    assert by_id(result) == {} and set(rejects(result)) == {1, 2}
    assert rejects(result)[2][0]["column"] == "身份证号"


def test_a_blank_name_on_one_span_row_is_no_conflict():
    rows = [village("V1"), village("V1", "主任", "2018-01-01", "2020-12-31", 姓名="")]
    assert by_id(chengjiang.compute_roster(rows, 2020))["V1"]["amount"] == "11100.00"


# ---------- two_new: organisations keyed by name ----------

def org(**kw) -> dict:
    row = {"组织编号": "", "组织名称": "甲公司党支部", "组织类型": "党支部", "党员人数": 5, "所属单位": "甲镇"}
    row.update(kw)
    return row


def test_two_organisations_with_one_name_and_no_id_are_not_paid_twice():
    calc = Calculator("two_new_16321")
    result = calc.compute_roster([org(), org(), org(组织名称="乙公司党支部")], 2025)
    assert len(by_id(result)) == 2
    r = rejects(result)[2][0]
    assert r["column"] == "组织名称" and "第1行" in r["reason"]


def test_an_organisation_without_id_named_like_one_with_an_id_is_rejected():
    calc = Calculator("two_new_16321")
    result = calc.compute_roster([org(组织编号="O1"), org()], 2025)
    assert list(by_id(result)) == ["O1"]
    assert "第1行" in rejects(result)[2][0]["reason"]


def test_organisations_known_by_name_in_batches_as_in_one_piece(tmp_path):
    from entitlements import InputError

    calc = Calculator("two_new_16321")
    header = ["组织编号", "组织名称", "组织类型", "党员人数"]
    later = write_csv(tmp_path / "a.csv", header, [["O1", "甲", "党支部", 5], ["O2", "乙", "党支部", 5],
                                                    ["", "甲", "党支部", 5], ["", "丙", "党支部", 5]])
    whole = calc.compute_roster(later, 2025).to_json(summary=True)
    assert [r["row"] for r in whole["rejects"]] == [4]
    batched = stream_summary(calc, later, 2025, batch_rows=1)
    assert batched["rows"] == whole["rows"] and batched["totals"] == whole["totals"]
    assert [r["row"] for r in batched["rejects"]] == [4]
    earlier = write_csv(tmp_path / "b.csv", header, [["", "甲", "党支部", 5], ["O2", "乙", "党支部", 5],
                                                      ["O1", "甲", "党支部", 5]])
    assert [r["row"] for r in calc.compute_roster(earlier, 2025).to_json()["rejects"]] == [2]
    with pytest.raises(InputError, match="组织编号"):  # row 2 is counted already when row 4 comes
        stream_summary(calc, earlier, 2025, batch_rows=1)


# ---------- impossible dates and tenures ----------

@pytest.fixture
def today_2026(monkeypatch):
    monkeypatch.setattr(dates_module, "today", lambda: dt.date(2026, 6, 15))


def test_tenure_longer_than_a_life_before_the_reform_is_rejected():
    result = jiangchuan.compute_roster([brigade(出生日期="1930-03-01", 任职年限=80), brigade(编号="P2",
                                        出生日期="1930-03-01", 任职年限=40)], 2025)
    got = rejects(result)
    assert set(got) == {1} and got[1][0]["column"] == "任职年限"
    assert "1984" in got[1][0]["reason"] and "14" in got[1][0]["reason"]
    assert by_id(result)["P2"]["amount"] != "0.00"


def test_birth_after_today_is_rejected(today_2026):
    result = jiangchuan.compute_roster([brigade(出生日期="2026-07-01", 任职年限=0)], 2025)
    assert rejects(result)[1][0]["column"] == "出生日期"


def test_death_after_today_is_rejected(today_2026):
    result = jiangchuan.compute_roster([brigade(死亡日期="2026-07-01"), brigade(编号="P2", 死亡日期="2026-06-15")], 2025)
    got = rejects(result)
    assert set(got) == {1} and got[1][0]["column"] == "死亡日期" and "2026-06-15" in got[1][0]["reason"]


def test_death_after_today_is_rejected_with_the_real_today():
    result = jiangchuan.compute_roster([brigade(死亡日期=f"{dt.date.today().year + 1}-01-01")], 2025)
    assert rejects(result)[1][0]["column"] == "死亡日期"


def test_village_service_before_the_id_number_birth_is_rejected():
    result = chengjiang.compute_roster([village(身份证号=id_number("19900101"), 任职开始="1985-01-01")], 2020)
    r = rejects(result)[1][0]
    assert r["column"] == "任职开始" and "出生" in r["reason"]


def test_village_service_before_the_minimum_age_is_rejected():
    ok = village("V2", 身份证号=id_number("19970101", "246"), start="2015-01-01")  # 18 on the day it starts
    young = village("V1", 身份证号=id_number("19980101"), start="2015-01-01")  # 17
    result = chengjiang.compute_roster([young, ok], 2017)
    r = rejects(result)[1][0]
    assert set(rejects(result)) == {1} and r["column"] == "任职开始" and "18" in r["reason"]


def test_brigade_span_before_the_minimum_age_is_rejected():
    rows = [{"编号": "P1", "性别": "男", "出生日期": "1950-01", "任职开始": "1960-01", "任职结束": "1980-01"}]
    r = rejects(jiangchuan.compute_roster(rows, 2025))[1][0]
    assert r["column"] == "任职开始" and "14" in r["reason"]


def test_village_id_number_birth_after_today_is_rejected(today_2026):
    result = chengjiang.compute_roster([village(身份证号=id_number("20260701"), start="2026-08", end="2026-09")], 2026)
    assert rejects(result)[1][0]["column"] == "身份证号"


# ---------- post standards ----------

def test_village_without_post_standards_is_refused():
    calc = Calculator("village_cadre_departure", profile="澄江市")
    with pytest.raises(StandardsError, match="缺少岗位补贴标准"):
        calc.compute_roster([village()], 2017)
    proc = run_cli("calc", "examples/village_departures.csv", "--policy", "village_cadre_departure", "--year", "2020")
    assert proc.returncode == 2
    assert "缺少岗位补贴标准" in proc.stderr and "--standards" in proc.stderr and "Traceback" not in proc.stderr


def test_validate_checks_a_village_roster_without_post_standards(tmp_path):
    path = write_csv(tmp_path / "v.csv", ["编号", "职务", "任职开始", "任职结束"],
                     [["V1", "委员", "2025-01", "2026-01"], ["V2", "委员", "2026-01", "2025-01"]])
    proc = run_cli("validate", str(path), "--policy", "village_cadre_departure", "--year", "2026", "--format", "json")
    assert proc.returncode == 1, proc.stderr  # the roster's own problem, not the missing standards
    assert [r["row"] for r in json.loads(proc.stdout)["rejects"]] == [3]


def test_a_post_without_a_standard_for_a_year_served_is_refused(tmp_path):
    standards = write_csv(tmp_path / "s.csv", ["职务", "年度", "月岗位补贴标准"], [["委员", "2016", "1600"]])
    calc = Calculator("village_cadre_departure", profile="澄江市", standards=standards)
    with pytest.raises(StandardsError, match="委员2015年"):
        calc.compute_roster([village()], 2017)
    with pytest.raises(StandardsError, match="主任"):
        calc.compute({"id": "V1", "spans": [{"post": "主任", "start": "2016-01", "end": "2017-01"}]}, 2017)
    roster = write_csv(tmp_path / "v.csv", ["编号", "职务", "任职开始", "任职结束"], [["V1", "委员", "2015-01", "2018-01"]])
    proc = run_cli("calc", str(roster), "--policy", "village_cadre_departure", "--year", "2018",
                   "--standards", str(standards))
    assert proc.returncode == 2 and "委员2015年" in proc.stderr, proc.stderr


def test_an_excluded_person_needs_no_standard(tmp_path):
    standards = write_csv(tmp_path / "s.csv", ["职务", "年度", "月岗位补贴标准"], [["委员", "2015", "1500"]])
    calc = Calculator("village_cadre_departure", profile="澄江市", standards=standards)
    rows = [village(), village("V2", "主任", 不予发放原因="因违纪违法被罢免")]
    assert by_id(calc.compute_roster(rows, 2017))["V2"]["amount"] == "0.00"


# ---------- departure month ----------

def test_a_month_precision_end_departs_in_that_month():
    rows = [village("V1", start="2022.01", end="2025.01")]
    assert by_id(chengjiang.compute_roster(rows, 2025))["V1"]["amount"] != "0.00"
    in_2024 = by_id(chengjiang.compute_roster(rows, 2024))["V1"]
    assert in_2024["amount"] == "0.00" and "2025-01" in in_2024["reasons"][0]


def test_a_day_precision_end_departs_in_its_own_month():
    rows = [village("V1", start="2022-01-01", end="2024-12-31")]
    assert by_id(chengjiang.compute_roster(rows, 2024))["V1"]["amount"] != "0.00"
    assert by_id(chengjiang.compute_roster(rows, 2025))["V1"]["amount"] == "0.00"


def test_both_forms_of_one_service_pay_the_same_in_their_departure_years():
    day = [village("V1", start="2022-01-01", end="2024-12-31")]
    month = [village("V1", start="2022.01", end="2025.01")]
    assert by_id(chengjiang.compute_roster(day, 2024))["V1"]["amount"] == \
        by_id(chengjiang.compute_roster(month, 2025))["V1"]["amount"]


def test_explain_states_the_departure_month_as_written(tmp_path):
    path = write_csv(tmp_path / "v.csv", ["编号", "职务", "任职开始", "任职结束"], [["V1", "委员", "2022.01", "2025.01"]])
    proc = run_cli("explain", str(path), "--policy", "village_cadre_departure", "--year", "2024",
                   "--standards", str(STANDARDS), "--id", "V1")
    assert proc.returncode == 0, proc.stderr
    assert "离任时间2025-01" in proc.stdout and "离任月份为任职结束日期所在月份" in proc.stdout
    proc = run_cli("explain", str(path), "--policy", "village_cadre_departure", "--year", "2025",
                   "--standards", str(STANDARDS), "--id", "V1", "--lang", "en")
    assert "departs in the month of the end date as written" in proc.stdout


# ---------- nothing lost: invisible characters and shared 身份证号 ----------

@SLOW
@given(people, st.sampled_from(["yunnan", "江川区"]), st.integers(2001, 2027), st.data())
def test_invisible_characters_in_ids_change_no_amount(ps, profile, year, data):
    calc = Calculator("brigade_cadre_living", profile=profile)
    rows = brigade_rows(ps)
    baseline = {b["id"]: b["amount"] for b in calc.compute_roster(rows, year).to_json()["beneficiaries"]}
    for r in rows:
        marks = data.draw(st.lists(st.sampled_from([*INVISIBLE, "\u00a0", "\u3000"]), max_size=3), label="marks")
        if marks:
            at = data.draw(st.integers(0, len(r["编号"])), label="at")
            middle = [m for m in marks if m not in ("\u00a0", "\u3000")]  # spaces only at the ends
            r["编号"] = "".join(middle) + r["编号"][:at] + "".join(middle) + r["编号"][at:] + "".join(marks)
    result = calc.compute_roster(rows, year).to_json()
    assert result["rejects"] == []
    assert {b["id"]: b["amount"] for b in result["beneficiaries"]} == baseline


@SLOW
@given(people, st.sampled_from(["yunnan", "江川区"]), st.integers(2001, 2027), st.data())
def test_shared_id_numbers_reject_the_rows_involved_and_nothing_else(ps, profile, year, data):
    calc = Calculator("brigade_cadre_living", profile=profile)
    rows = brigade_rows(ps)
    for i, r in enumerate(rows):  # each a valid 身份证号 agreeing with the row's sex and birth date
        b = r["出生日期"].replace("-", "")
        seq = f"{(2 * i + (1 if r['性别'] == '男' else 0)) % 1000:03d}"
        r["身份证号"] = id_number(b, seq)
    baseline = {b["id"]: b["amount"] for b in calc.compute_roster(rows, year).to_json()["beneficiaries"]}
    assert len(baseline) == len(rows)
    shared, pairs = set(), []
    for _ in range(data.draw(st.integers(0, len(rows) // 2), label="copies")):
        a, b = data.draw(st.integers(0, len(rows) - 1)), data.draw(st.integers(0, len(rows) - 1))
        if a != b and {a, b}.isdisjoint(shared):
            rows[b] = {**rows[b], **{c: rows[a][c] for c in ("身份证号", "性别", "出生日期", "任职年限")}}
            shared |= {a, b}
            pairs.append((a, b))
    touched = corrupt(data, rows)[0] if data.draw(st.booleans(), label="corrupt too") else set()
    result = calc.compute_roster(rows, year).to_json()
    counts = result["rows"]
    assert counts["accepted"] + counts["rejected"] == counts["read"] == len(rows)
    assert len(result["beneficiaries"]) + counts["rejected"] == len(rows)
    rejected = {r["row"] for r in result["rejects"]}
    for a, b in pairs:  # both rows of a pair left alone otherwise: both rejected
        if not {a, b} & touched:
            assert {a + 1, b + 1} <= rejected
    assert rejected <= {i + 1 for i in shared | touched}
    amounts = {b["id"]: b["amount"] for b in result["beneficiaries"]}
    for i, r in enumerate(rows):
        if i not in shared | touched:
            assert amounts[r["编号"]] == baseline[r["编号"]]


def test_the_spec_worked_example_in_both_forms_in_their_departure_years():
    person = {"id": "v1", "spans": [{"post": "委员", "start": "2015.01", "end": "2018.01"},
                                    {"post": "主任", "start": "2018.01", "end": "2021.01"}]}
    assert chengjiang.compute(person, year=2021).amount == Decimal("11100.00")


@SLOW
@given(st.lists(st.tuples(st.integers(0, 15), st.integers(0, 6), st.booleans()), min_size=1, max_size=30),
       st.integers(1, 8))
def test_shared_id_numbers_in_batches_match_the_whole_roster_or_stop(tmp_path_factory, ps, batch_rows):
    """Keys P0.., numbers from a small pool (some shared, some rows with a bad tenure):
    in batches the totals, counts and rejected rows are the whole roster's, or the run stops
    because a counted beneficiary shares its number with a later one."""
    from entitlements import InputError

    ps = sorted(ps, key=lambda p: p[0])  # a key's rows together, as batches require
    rows = [[f"P{k}", id_number("19400512", f"{n:02d}1"), 16 if ok else 99] for k, n, ok in ps]
    path = write_csv(tmp_path_factory.mktemp("s") / "b.csv", ["编号", "身份证号", "任职年限"], rows)
    whole = jiangchuan.compute_roster(path, 2025).to_json(summary=True)
    try:
        batched = stream_summary(jiangchuan, path, 2025, batch_rows)
    except InputError as exc:
        assert "身份证号" in str(exc)
        return
    assert batched["totals"] == whole["totals"] and batched["rows"] == whole["rows"]
    assert {r["row"] for r in batched["rejects"]} == {r["row"] for r in whole["rejects"]}


def test_a_row_repeating_the_id_of_a_rejected_row_is_not_paid_in_its_place(tmp_path):
    """Row 2 is damaged, row 4 repeats its 编号: row 4 is not the person's row (which of the two the
    clerk meant is not ours to guess), in one piece and in batches alike; the reason says what to do."""
    insured = Calculator("village_accident_insurance", profile="澄江市")
    path = write_csv(tmp_path / "d.csv", ["编号", "姓名", "身份证号", "所属单位"],
                     [["A1", "张三", "X", "右所镇"], ["B1", "李四", "", "右所镇"], ["A1", "张三", "", "右所镇"]])
    whole = insured.compute_roster(path, 2024).to_json()
    assert whole["totals"]["amount"] == "260.00" and whole["rows"]["rejected"] == 2
    assert "第2行已被拒收" in whole["rejects"][1]["reason"] and whole["rejects"][1]["row"] == 4
    for batch_rows in (1, 2, 3):  # the repeat in another batch than the rejected row, or in the same
        batched = stream_summary(insured, path, 2024, batch_rows=batch_rows)
        assert batched["rows"] == whole["rows"] and batched["totals"] == whole["totals"]
        assert {r["row"] for r in batched["rejects"]} == {2, 4}
