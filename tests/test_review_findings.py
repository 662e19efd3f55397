"""Findings of the hostile review of issue 10 that live between the reader and the API.

A column the policy needs, misnamed: ignoring it with a notice let
the field's default apply — a dead man paid all year, an excluded cadre paid. Common
spellings are aliases; any other header that looks like a column the roster lacks stops
the run (exit 2) naming both, through the console command and the API alike."""

from __future__ import annotations

import json
import unicodedata

import pytest

from entitlements import Calculator, EntitlementInputError, StandardsError

from .conftest import EXAMPLES, run_cli, write_csv

BRIGADE = ("-p", "brigade_cadre_living", "-y", "2025", "--profile", "江川区")
VILLAGE = ("-p", "village_cadre_departure", "-y", "2017", "--standards", str(EXAMPLES / "village_post_standards.csv"))


@pytest.mark.parametrize("header", ["死亡年月", "去世日期", "死亡时间"])
def test_common_spellings_of_the_death_date_are_read(tmp_path, header):
    path = write_csv(tmp_path / "r.csv", ["编号", "性别", "出生日期", "任职年限", header],
                     [["A1", "男", "1938-04", 16, "2024-03"]])
    proc = run_cli("calc", str(path), *BRIGADE, "-f", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["totals"]["amount"] == "0.00"  # died in 2024: nothing in 2025


@pytest.mark.parametrize("header", ["不发放原因", "不予发放理由", "免发原因"])
def test_common_spellings_of_the_exclusion_reason_are_read(tmp_path, header):
    path = write_csv(tmp_path / "r.csv", ["编号", "职务", "任职开始", "任职结束", header],
                     [["V1", "委员", "2015-01-01", "2017-12-31", "因违纪违法被罢免"]])
    proc = run_cli("calc", str(path), *VILLAGE, "-f", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["totals"]["amount"] == "0.00"


@pytest.mark.parametrize("args, header, row, field", [
    (BRIGADE, "死亡日期（年月）", ["A1", "男", "1938-04", 16, "2024-03"], "死亡日期"),
    (VILLAGE, "不予发放说明", ["V1", "委员", "2015-01-01", "2017-12-31", "因违纪违法被罢免"], "不予发放原因"),
    (("-p", "two_new_16321", "-y", "2025"), "党员总数", ["O1", "党支部", 80], "党员人数"),
])
def test_a_header_that_looks_like_a_missing_column_stops_the_run(tmp_path, args, header, row, field):
    first = {"two_new_16321": ["组织编号", "组织类型"]}.get(args[1], ["编号", "性别", "出生日期", "任职年限"]
                                                          if "brigade" in args[1] else ["编号", "职务", "任职开始", "任职结束"])
    path = write_csv(tmp_path / "r.csv", [*first, header], [row])
    proc = run_cli("calc", str(path), *args, "-f", "json")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert unicodedata.normalize("NFKC", header) in proc.stderr and field in proc.stderr and not proc.stdout
    assert proc.stderr.count("但像是") == 1 and "value=" not in proc.stderr  # said once, no empty value shown


def test_unrelated_unknown_columns_are_still_only_notices(tmp_path):
    path = write_csv(tmp_path / "r.csv", ["编号", "性别", "出生日期", "任职年限", "备注", "联系电话", "民族"],
                     [["A1", "男", "1938-04", 16, "", "123", "汉"]])
    proc = run_cli("calc", str(path), *BRIGADE, "-f", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["totals"]["amount"] == "996.00"
    assert {n["column"] for n in data["notices"]} >= {"联系电话", "民族"}


def test_the_api_refuses_a_mistyped_key_rather_than_ignore_it():
    calc = Calculator("brigade_cadre_living", profile="江川区")
    with pytest.raises(EntitlementInputError) as exc:
        calc.compute({"id": "A1", "sex": "男", "birth_date": "1938-04", "tenure_years": 16, "death": "2020-01"},
                     year=2025)
    assert exc.value.field == "death_date" and "death" in exc.value.reason


def test_explain_finds_an_id_typed_with_spaces_or_an_invisible_character():
    for typed in ("JC004 ", " JC004", "JC\u200b004"):
        proc = run_cli("explain", str(EXAMPLES / "brigade_cadres.csv"), *BRIGADE, "--id", typed)
        assert proc.returncode == 0 and "JC004" in proc.stdout, proc.stderr


def test_explain_on_a_rejected_row_says_why_not_only_not_found(tmp_path):
    """A clerk asks for the person whose row was rejected: the answer names that row's reject."""
    roster = write_csv(tmp_path / "r.csv", ["编号", "姓名", "性别", "出生日期", "任职年限"],
                       [["A1", "张三", "男", "1938-04", "abc"], ["A2", "李四", "男", "1938-04", "16"]])
    proc = run_cli("explain", str(roster), *BRIGADE, "--id", "A1")
    assert proc.returncode == 2
    assert "第2行" in proc.stderr and "任职年限" in proc.stderr and "abc" in proc.stderr, proc.stderr


@pytest.mark.parametrize("mark", ["\u2066", "\u2069", "\u061c", "\x00", "\x1a", "\u200e"])
def test_every_format_or_control_character_is_removed_from_keys(tmp_path, mark):
    """A direction isolate (U+2066), the Arabic letter mark, NUL or Ctrl-Z in a key is not a new person."""
    rows = [["JC002", "男", "1938-04", 16], ["JC002" + mark, "男", "1938-04", 16]]
    result = Calculator("brigade_cadre_living", profile="江川区").compute_roster(
        write_csv(tmp_path / "r.csv", ["编号", "性别", "出生日期", "任职年限"], rows), 2025).to_json()
    assert result["totals"]["amount"] == "996.00" and result["rows"]["rejected"] == 1
    assert "重复" in result["rejects"][0]["reason"]
    orgs = [["", "某公司党支部", "党支部", 9], ["", "某公司党支部" + mark, "党支部", 9]]
    result = Calculator("two_new_16321").compute_roster(
        write_csv(tmp_path / "o.csv", ["组织编号", "组织名称", "组织类型", "党员人数"], orgs), 2025).to_json()
    assert result["rows"]["rejected"] == 1 and result["totals"]["beneficiaries"] == 1


@pytest.mark.parametrize("counts", [("branch=5", "branch=7"), ("branch=5", "党支部=7"), ("党员=10", "member=10")])
def test_a_count_given_twice_is_refused_not_added(counts):
    """A clerk re-typing a corrected count (or the same count by its Chinese name) must not double it."""
    proc = run_cli("calc", "-p", "two_new_16321", "-y", "2025", *(a for c in counts for a in ("--count", c)))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and not proc.stdout, proc.stderr
    with pytest.raises(EntitlementInputError):
        Calculator("two_new_16321").compute_counts({"branch": 5, "党支部": 7}, 2025)


LAYER = '[sources.later]\ndoc = "某文"\n[standards."layers.raise_2008"]\nkind = "money"\nunit = "元/人/月"\n'


@pytest.mark.parametrize("values, says", [
    ("values = []", "不能为空"),  # was an IndexError traceback
    ('values = [{ from = "2008-01", amount = "100", source = "later" }, '
     '{ from = "2008-01", amount = "500", source = "later" }]', "同一起始月份"),  # was: the later silently won
])
def test_a_standard_with_no_value_or_two_values_from_one_month_is_refused(tmp_path, values, says):
    path = tmp_path / "s.toml"
    path.write_text(LAYER + values + "\n", encoding="utf-8")
    proc = run_cli("calc", str(EXAMPLES / "brigade_cadres.csv"), *BRIGADE, "--standards", str(path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and says in proc.stderr, proc.stderr
    assert "s.toml" in proc.stderr


@pytest.mark.parametrize("rows", [[["委员", 2015, 1500], ["委员", 2015, 2500]],
                                  [["一肩挑", 2015, 2500], ["书记主任一肩挑", 2015, 2600]]])
def test_two_post_standards_for_one_post_and_year_are_refused(tmp_path, rows):
    path = write_csv(tmp_path / "posts.csv", ["职务", "年度", "月岗位补贴标准"], rows)
    proc = run_cli("calc", str(EXAMPLES / "village_departures.csv"), *VILLAGE[:4], "--standards", str(path))
    assert proc.returncode == 2 and "第3行" in proc.stderr and "重复" in proc.stderr, proc.stderr


def test_a_scenario_overriding_one_path_twice_from_one_month_is_refused(tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text('name = "x"\n[[set]]\npath = "org_funding.branch"\nvalue = "4000"\nfrom = "2025-01"\n'
                        '[[set]]\npath = "org_funding.branch"\nvalue = "5000"\nfrom = "2025-01"\n', encoding="utf-8")
    base = ("whatif", "-p", "two_new_16321", "-y", "2025", "--count", "branch=3")
    for extra in (("--scenario", str(scenario)),
                  ("--set", "org_funding.branch=4000", "--set", "org_funding.branch=5000")):
        proc = run_cli(*base, *extra)
        assert proc.returncode == 2 and "两次" in proc.stderr and not proc.stdout, proc.stderr


def test_a_comma_that_is_no_thousands_separator_is_refused(tmp_path):
    """"1,5" was read as 15 元; 1,500 stays 1500."""
    posts = write_csv(tmp_path / "posts.csv", ["职务", "年度", "月岗位补贴标准"], [["委员", 2015, "1,5"]])
    proc = run_cli("calc", str(EXAMPLES / "village_departures.csv"), *VILLAGE[:4], "--standards", str(posts))
    assert proc.returncode == 2 and "1,5" in proc.stderr, proc.stderr
    proc = run_cli("whatif", "-p", "two_new_16321", "-y", "2025", "--count", "branch=3", "--set",
                   "org_funding.branch=3,5")
    assert proc.returncode == 2 and "逗号" in proc.stderr, proc.stderr
    proc = run_cli("whatif", "-p", "two_new_16321", "-y", "2025", "--count", "branch=3", "--set",
                   'org_funding.branch="4,000"', "-f", "json")
    assert proc.returncode == 0 and "12000.00" in proc.stdout, proc.stderr


@pytest.mark.parametrize("death", ["2025.1", 2025.1])
def test_a_date_written_2025_dot_1_is_ambiguous_in_every_reader(tmp_path, death):
    """January or October? The xlsx reader refused it already; CSV and the API took January."""
    calc = Calculator("brigade_cadre_living", profile="江川区")
    with pytest.raises(EntitlementInputError) as exc:
        calc.compute({"id": "A1", "sex": "男", "birth_date": "1938-04", "tenure_years": 16, "death_date": death},
                     year=2025)
    assert exc.value.field == "death_date" and "10月" in exc.value.reason
    path = write_csv(tmp_path / "r.csv", ["编号", "性别", "出生日期", "任职年限", "死亡日期"],
                     [["A1", "男", "1938-04", 16, death]])
    data = calc.compute_roster(path, 2025).to_json()
    assert data["rows"]["rejected"] == 1 and data["totals"]["amount"] == "0.00"


@pytest.mark.parametrize("none", ["无", "没有", "否", "0", "-", "/", "N/A"])
def test_a_word_saying_no_reason_does_not_exclude(tmp_path, none):
    """不予发放原因 = 无 means there is none: the cadre is paid, not excluded."""
    path = write_csv(tmp_path / "r.csv", ["编号", "职务", "任职开始", "任职结束", "不予发放原因"],
                     [["V1", "委员", "2015-01-01", "2017-12-31", none], ["V2", "委员", "2015-01-01", "2017-12-31", ""]])
    data = Calculator("village_cadre_departure", standards=EXAMPLES / "village_post_standards.csv").compute_roster(
        path, 2017).to_json()
    amounts = {b["id"]: b["amount"] for b in data["beneficiaries"]}
    assert amounts["V1"] == amounts["V2"] == "4800.00"


def test_a_standards_file_naming_no_standard_of_the_policy_is_refused(tmp_path):
    """layer.raise_2002 for layers.raise_2002 was a new standard nothing reads: the raise silently not made."""
    path = tmp_path / "s.toml"
    path.write_text(LAYER.replace("layers.raise_2008", "layer.raise_2002")
                    + 'values = [{ from = "2025-01", amount = "100", source = "later" }]\n', encoding="utf-8")
    proc = run_cli("calc", str(EXAMPLES / "brigade_cadres.csv"), *BRIGADE, "--standards", str(path))
    assert proc.returncode == 2 and "layers.raise_2002" in proc.stderr and "s.toml:3" in proc.stderr, proc.stderr
    with pytest.raises(StandardsError):
        Calculator("brigade_cadre_living", standards={"standards": {"layer.raise_2002": {
            "kind": "money", "values": [{"from": "2025-01", "amount": "100", "source": "later"}]}},
            "sources": {"later": {"doc": "某文"}}})


def test_toml_files_saved_with_a_bom_are_read(tmp_path):
    """Notepad saves UTF-8 with a BOM; it was refused as 'Invalid statement'."""
    standards = tmp_path / "s.toml"
    standards.write_bytes(("\ufeff" + LAYER + 'values = [{ from = "2025-01", amount = "100", source = "later" }]\n'
                           '[standards."splits.layers.raise_2008"]\nkind = "split"\nvalues = [{ from = "2025-01", '
                           'rule = "ratio", shares = { county = 1 }, source = "later" }]\n').encode("utf-8"))
    proc = run_cli("calc", str(EXAMPLES / "brigade_cadres.csv"), *BRIGADE, "--standards", str(standards))
    assert proc.returncode == 0, proc.stderr
    scenario = tmp_path / "w.toml"
    scenario.write_bytes('\ufeffname = "x"\n[[set]]\npath = "org_funding.branch"\nvalue = "4000"\n'.encode("utf-8"))
    proc = run_cli("whatif", "-p", "two_new_16321", "-y", "2025", "--count", "branch=3", "--scenario", str(scenario))
    assert proc.returncode == 0, proc.stderr


def test_tenure_and_service_dates_that_disagree_are_rejected(tmp_path):
    """Both 任职年限 and 任职开始/任职结束 given: the dates were silently ignored."""
    path = write_csv(tmp_path / "r.csv", ["编号", "性别", "出生日期", "任职年限", "任职开始", "任职结束"],
                     [["A1", "男", "1938-04", 16, "1960-01", "1970-01"],   # 10 years, not 16
                      ["A2", "男", "1938-04", 16, "1960-01", "1976-01"]])  # 16 years: agrees
    data = Calculator("brigade_cadre_living", profile="江川区").compute_roster(path, 2025).to_json()
    assert [(r["row"], r["column"]) for r in data["rejects"]] == [(2, "任职年限")]
    assert "不一致" in data["rejects"][0]["reason"]
    assert {b["id"]: b["amount"] for b in data["beneficiaries"]} == {"A2": "996.00"}


def test_control_characters_in_keys_are_removed_on_the_fast_csv_path(tmp_path):
    """The polars reader took any ASCII text as needing only a strip: NUL stayed in a key."""
    from entitlements.rosterfile import read_roster

    rows = [[f"P{i}", "男", "1938-04", 16] for i in range(3)] + [["P0\x00", "男", "1938-04", 16]]
    path = write_csv(tmp_path / "r.csv", ["编号", "性别", "出生日期", "任职年限"], rows)
    calc = Calculator("brigade_cadre_living")
    keys = read_roster(path, calc.policy.fields, fast=True).cells["编号"]
    keys = keys.values[keys.codes] if hasattr(keys, "codes") else keys  # dictionary-encoded from polars
    assert list(keys) == ["P0", "P1", "P2", "P0"]
    assert calc.compute_roster(path, 2025).to_json()["rows"]["rejected"] == 1  # P0 listed twice


def test_a_sheet_whose_error_cells_cannot_be_checked_is_refused(tmp_path, monkeypatch):
    """Were the sheet's XML part not found, its error cells would read as blank: refused instead."""
    import entitlements.workbook_faults as faults
    from entitlements import InputError

    monkeypatch.setattr(faults, "_sheet_part", lambda book, index, name: None)
    with pytest.raises(InputError, match="错误值单元格"):
        Calculator("brigade_cadre_living").compute_roster(EXAMPLES / "brigade_cadres.xlsx", 2025)


@pytest.mark.parametrize(("who", "cited", "not_cited"), [("JC004", "age_male", "age_female"),
                                                          ("JC002", "age_female", "age_male")])
def test_explain_cites_only_the_age_standard_of_the_persons_sex(who, cited, not_cited):
    proc = run_cli("explain", str(EXAMPLES / "brigade_cadres.csv"), *BRIGADE, "--id", who)
    assert proc.returncode == 0, proc.stderr
    assert f"eligibility.{cited}" in proc.stdout and f"eligibility.{not_cited}" not in proc.stdout


def test_english_explanation_names_layers_in_english_not_by_their_keys():
    proc = run_cli("explain", str(EXAMPLES / "brigade_cadres.csv"), *BRIGADE, "--id", "JC004", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert "base living subsidy (tiered by tenure): 336.00" in proc.stdout
    assert "2002 raise (60 yuan a month more): 720.00" in proc.stdout


def test_a_row_with_dates_but_no_tenure_in_a_tenure_roster_is_told_what_to_do(tmp_path):
    """A roster mixing 任职年限 rows and date rows: the dated row is rejected (which the clerk meant
    is not ours to guess), and the reason says how to fix the sheet."""
    roster = write_csv(tmp_path / "r.csv", ["编号", "姓名", "性别", "出生日期", "任职年限", "任职开始", "任职结束"],
                       [["A1", "张三", "男", "1938-04", "16", "", ""], ["A2", "李四", "男", "1938-04", "", "1960-01", "1978-12"]])
    proc = run_cli("calc", str(roster), *BRIGADE, "--format", "json")
    data = json.loads(proc.stdout)
    assert data["totals"]["amount"] == "996.00" and [r["row"] for r in data["rejects"]] == [3]
    assert "删去该列" in data["rejects"][0]["reason"]


def test_a_what_if_on_a_split_the_profiles_total_split_replaces_is_refused():
    """Under 江川区 the programme's total is split (市级 274元/人/年, the rest 区级): a --set on the
    2002 raise's own split changes nothing, so it is refused rather than shown as 'no difference'."""
    split = 'splits.layers.raise_2002={rule="ratio",shares={county=1}}'
    proc = run_cli("whatif", str(EXAMPLES / "brigade_cadres.csv"), *BRIGADE, "--set", split)
    assert proc.returncode == 2 and "splits.total" in proc.stderr, proc.stderr
    yunnan = run_cli("whatif", str(EXAMPLES / "brigade_cadres.csv"), "-p", "brigade_cadre_living", "-y", "2025",
                     "--set", split, "--format", "json")
    assert yunnan.returncode == 0, yunnan.stderr  # where no total split is in force, the same --set works
