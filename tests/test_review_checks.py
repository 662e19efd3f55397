"""The hostile review after issue 10 (REVIEW.md findings 3, 6–10, 13, 14, 16, 18): invisible
characters, repeated counts and standards, thousands grouping, 2025.1, 不予发放原因 = 无,
tenure against spans, mistyped or empty standards, Chinese-first messages."""

from __future__ import annotations

import pytest

from entitlements import Calculator
from entitlements.fields import normalise_cell
from entitlements.rosterfile import read_roster

from .conftest import EXAMPLES, run_cli

BRIGADE_HEADER = "编号,姓名,身份证号,性别,出生日期,任职年限,1984年前任职,在职时领取国家补助,离职日期,死亡日期,所属单位"
BRIGADE_ROW = "{id},李桂英,,女,1942-03-05,12,是,是,,,江城镇"
JIANGCHUAN = ["-p", "brigade_cadre_living", "-y", "2025", "--profile", "江川区"]
jiangchuan = Calculator("brigade_cadre_living", profile="江川区")


# --- Finding 3: every invisible or control character is removed from a cell -----------------

INVISIBLES = ["\u2066", "\u2067", "\u2068", "\u2069", "\u061c", "\u200e", "\u200f", "\ufeff", "\x00", "\x1a",
              "\x7f", "\x85", "\u206a", "\U000e0001"]


@pytest.mark.parametrize("mark", INVISIBLES, ids=lambda m: f"U+{ord(m):04X}")
def test_invisible_and_control_characters_are_removed(mark):
    assert normalise_cell(f"JC{mark}002{mark}") == "JC002"


def test_tab_and_line_breaks_inside_a_cell_are_kept():
    assert normalise_cell("a\tb\nc\r\nd") == "a\tb\nc\r\nd"


@pytest.mark.parametrize("mark", ["\u2066", "\x00", "\u061c", "\u2069"], ids=lambda m: f"U+{ord(m):04X}")
@pytest.mark.parametrize("fast", [False, True], ids=["careful", "fast"])
def test_a_mark_after_an_id_is_not_a_second_person(tmp_path, mark, fast):
    path = tmp_path / "r.csv"
    path.write_text("\n".join([BRIGADE_HEADER, BRIGADE_ROW.format(id="JC002"), BRIGADE_ROW.format(id=f"JC002{mark}")])
                    + "\n", encoding="utf-8")
    result = jiangchuan.compute_roster(read_roster(path, jiangchuan.policy.fields, fast=fast), 2025)
    assert result.to_json()["totals"]["beneficiaries"] == 1  # the second row is the same person: rejected, not paid twice
    assert len(result.rejects) == 1


def test_an_isolate_after_an_organisation_name_is_not_a_second_organisation(tmp_path):
    path = tmp_path / "n.csv"
    path.write_text("组织编号,组织名称,组织类型,党员人数,书记是否公职人员,书记任职月数,所属单位\n"
                    ",某公司党支部,党支部,9,否,12,凤麓街道\n"
                    ",某公司党支部\u2066,党支部,9,否,12,凤麓街道\n", encoding="utf-8")
    proc = run_cli("calc", str(path), "-p", "two_new_16321", "-y", "2025", "-f", "json")
    import json
    out = json.loads(proc.stdout)
    assert out["totals"]["beneficiaries"] == 1, proc.stdout[:2000]


# --- Finding 7: a count given twice is refused, not added up -----------------------------------

COUNTS16 = ["-p", "two_new_16321", "-y", "2025", "--profile", "澄江市"]


@pytest.mark.parametrize("second", ["branch=7", "党支部=7", " branch =7"])
def test_a_count_given_twice_on_the_command_line_is_refused(second):
    proc = run_cli("calc", *COUNTS16, "--count", "branch=5", "--count", second)
    assert proc.returncode == 2, proc.stdout[:500]
    assert "计数项重复" in proc.stderr and "branch" in proc.stderr and "Traceback" not in proc.stderr


def test_a_count_given_twice_through_the_api_is_refused():
    from entitlements import EntitlementInputError

    with pytest.raises(EntitlementInputError) as caught:
        Calculator("two_new_16321").compute_counts({"branch": 5, "党支部": 7}, 2025)
    assert "计数项重复：branch 与 党支部 是同一项" in str(caught.value)
    assert "branch" in caught.value.reason_en and "党支部" in caught.value.reason_en


def test_whatif_counts_given_twice_are_refused_and_a_relative_change_still_applies(tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text('name = "more"\n[[counts]]\nbranch = "+20"\n', encoding="utf-8")
    proc = run_cli("whatif", *COUNTS16[:2], "--years", "2025", "--count", "branch=5", "--count", "党支部=7",
                   "--scenario", str(scenario))
    assert proc.returncode == 2 and "计数项重复" in proc.stderr, proc.stderr
    proc = run_cli("whatif", *COUNTS16[:2], "--years", "2025", "--count", "branch=5", "--scenario", str(scenario))
    assert proc.returncode == 0, proc.stderr


# --- Finding 8: duplicate standards are refused, naming file and line -------------------------

VILLAGE = ["-p", "village_cadre_departure", "-y", "2020"]
VILLAGE_ROSTER = str(EXAMPLES / "village_departures.csv")
RAISE = '[sources.later]\ndoc = "x"\n[standards."layers.raise_2002"]\nkind = "money"\nlabel = "x"\nunit = "元/人/月"\n'


def refused(proc, *words):
    assert proc.returncode == 2, (proc.stdout[:500], proc.stderr)
    assert "Traceback" not in proc.stderr
    for w in words:
        assert w in proc.stderr, proc.stderr
    return proc.stderr


@pytest.mark.parametrize("rows, lines", [
    (["委员,2015,1500", "委员,2015,2500"], ("第2行", "第3行")),
    (["委员,2015,1500", "委员,2015,1500"], ("第2行", "第3行")),
    (["委员,2015,1500", "一肩挑,2015,2500", "书记主任一肩挑,2015,2600"], ("第3行", "第4行")),
])
def test_a_post_standard_given_twice_for_one_year_is_refused(tmp_path, rows, lines):
    path = tmp_path / "s.csv"
    path.write_text("职务,年度,月岗位补贴标准\n" + "\n".join(rows) + "\n", encoding="utf-8")
    refused(run_cli("calc", VILLAGE_ROSTER, *VILLAGE, "--standards", str(path)), "s.csv", *lines, "2015", "重复")


def test_a_standards_value_list_with_one_start_twice_is_refused(tmp_path):
    path = tmp_path / "st.toml"
    path.write_text(RAISE + 'values = [{ from = "2025-01", amount = "100", source = "later" },'
                            '{ from = "2025-1", amount = "500", source = "later" }]\n', encoding="utf-8")
    refused(run_cli("calc", str(EXAMPLES / "brigade_cadres.csv"), *JIANGCHUAN, "--standards", str(path)),
            "st.toml:3", "layers.raise_2002", "2025-01", "重复")


def test_a_scenario_setting_one_path_twice_from_one_month_is_refused(tmp_path):
    path = tmp_path / "sc.toml"
    path.write_text('name = "a"\n[[set]]\npath = "org_funding.branch"\nvalue = "4000"\nfrom = "2025-01"\n'
                    '[[set]]\npath = "org_funding.branch"\nvalue = "5000"\nfrom = "2025-01"\n', encoding="utf-8")
    refused(run_cli("whatif", *COUNTS16[:2], "--years", "2025", "--count", "branch=5", "--scenario", str(path)),
            "org_funding.branch", "2025-01", "重复")
    refused(run_cli("whatif", *COUNTS16[:2], "--years", "2025", "--count", "branch=5",
                    "--set", "org_funding.branch=4000", "--set", "org_funding.branch=5000"), "org_funding.branch", "重复")
    # two months of one path are two changes, as before
    proc = run_cli("whatif", *COUNTS16[:2], "--years", "2025", "--count", "branch=5",
                   "--set", "org_funding.branch=4000@2025-01", "--set", "org_funding.branch=5000@2025-07")
    assert proc.returncode == 0, proc.stderr


# --- Finding 9: thousands grouping is checked ---------------------------------------------------

@pytest.mark.parametrize("text, fen", [("1,500", 150000), ("12,345.50", 1234550), ("1,234,567", 123456700),
                                       ("-1,500", -150000)])
def test_proper_thousands_grouping_is_read(text, fen):
    from entitlements.money import yuan_to_fen

    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["1,5", "3,5", "15,00", "1,5000", ",500", "1,,500", "1500,", "12,345.5,0"])
def test_a_comma_that_is_no_thousands_grouping_is_refused(text):
    from entitlements.money import MoneyError, yuan_to_fen

    with pytest.raises(MoneyError) as caught:
        yuan_to_fen(text)
    assert text in str(caught.value)


def test_a_set_value_with_a_stray_comma_is_refused():
    refused(run_cli("calc", *COUNTS16, "--count", "branch=1", "--set", "org_funding.branch=3,5")
            if False else run_cli("whatif", *COUNTS16[:2], "--years", "2025", "--count", "branch=1",
                                  "--set", "org_funding.branch=3,5"), "3,5")


def test_a_post_standard_with_a_stray_comma_is_refused(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text('职务,年度,月岗位补贴标准\n委员,2015,"1,5"\n', encoding="utf-8")
    refused(run_cli("calc", VILLAGE_ROSTER, *VILLAGE, "--standards", str(path)), "1,5")


# --- Findings 14, 16, 18: mistyped, empty and BOM standards files --------------------------------

def test_a_standards_path_that_is_no_standard_is_refused_with_the_closest_one(tmp_path):
    path = tmp_path / "st.toml"
    path.write_text(RAISE.replace("layers.raise_2002", "layer.raise_2002")
                    + 'values = [{ from = "2025-01", amount = "100", source = "later" }]\n', encoding="utf-8")
    refused(run_cli("calc", str(EXAMPLES / "brigade_cadres.csv"), *JIANGCHUAN, "--standards", str(path)),
            "st.toml:3", "layer.raise_2002", "layers.raise_2002")


def test_an_empty_values_list_is_refused(tmp_path):
    path = tmp_path / "st.toml"
    path.write_text(RAISE + "values = []\n", encoding="utf-8")
    refused(run_cli("calc", str(EXAMPLES / "brigade_cadres.csv"), *JIANGCHUAN, "--standards", str(path)),
            "st.toml:3", "layers.raise_2002", "values")


def test_a_standards_file_and_a_scenario_with_a_bom_are_read(tmp_path):
    plain = RAISE + ('values = [{ from = "2002-01", amount = "60", source = "later" }, '  # the history kept (review, issue 11)
                     '{ from = "2025-01", amount = "100", source = "later" }]\n')
    (tmp_path / "a.toml").write_text(plain, encoding="utf-8")
    (tmp_path / "b.toml").write_text(plain, encoding="utf-8-sig")
    a = run_cli("calc", str(EXAMPLES / "brigade_cadres.csv"), *JIANGCHUAN, "--standards", str(tmp_path / "a.toml"))
    b = run_cli("calc", str(EXAMPLES / "brigade_cadres.csv"), *JIANGCHUAN, "--standards", str(tmp_path / "b.toml"))
    assert a.returncode == b.returncode == 0, b.stderr
    assert a.stdout == b.stdout
    (tmp_path / "sc.toml").write_text('name = "a"\n[[set]]\npath = "org_funding.branch"\nvalue = "4000"\n',
                                      encoding="utf-8-sig")
    proc = run_cli("whatif", *COUNTS16[:2], "--years", "2025", "--count", "branch=5",
                   "--scenario", str(tmp_path / "sc.toml"))
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("values, words", [
    ('[{ from = "2025-01", rule = "ratio", shares = { province = 0 }, source = "later" }]', ["份额"]),
    ('[{ from = "2025-01", rule = "ratio", shares = { city = 1 }, source = "later" }]', ["级次", "city"]),
    ('[{ from = "2025-01", rule = "fixed_total", amount = "100", level = "county", source = "later" }]',
     ["remainder"]),
    ('[{ from = "2025-01", rule = "ratio", shares = { county = 1 }, source = "nope" }]', ["来源", "nope"]),
    ('[{ from = "2025-01", rule = "ratio", shares = { county = 1 }, source = "later", colour = 1 }]',
     ["标准文件格式有误"]),
    ('[{ from = "2025-01", rule = "halves", source = "later" }]', ["标准文件格式有误"]),
])
def test_standards_messages_are_chinese_first(tmp_path, values, words):
    path = tmp_path / "st.toml"
    path.write_text('[sources.later]\ndoc = "x"\n[standards."splits.layers.raise_2002"]\nkind = "split"\n'
                    f"values = {values}\n", encoding="utf-8")
    message = refused(run_cli("calc", str(EXAMPLES / "brigade_cadres.csv"), *JIANGCHUAN, "--standards", str(path)),
                      *words)
    first = message.removeprefix("错误 error:").strip()
    assert any("\u4e00" <= c <= "\u9fff" for c in first.split("(")[0].split(":")[-1]), message


def test_tier_minimums_out_of_order_say_so_in_chinese():
    from entitlements import StandardsError

    with pytest.raises(StandardsError) as caught:
        Calculator("two_new_16321").with_standards if False else None
        from entitlements.standards import build_sources, build_standards

        sources = build_sources({"s": {"doc": "x"}}, "t")
        build_standards({"x": {"kind": "tiers", "values": [{"from": "2025-01", "source": "s",
                                                             "tiers": [{"min": 5, "amount": "1"},
                                                                       {"min": 1, "amount": "2"}]}]}}, sources, "t")
    assert "分档" in str(caught.value)


# --- Finding 10: 2025.1 is January or October ----------------------------------------------------

@pytest.mark.parametrize("value", ["2025.1", 2025.1, " 2025.1 "])
def test_a_year_point_one_is_ambiguous(value):
    from entitlements.dates import DateError, parse_date

    with pytest.raises(DateError) as caught:
        parse_date(value)
    assert "无法区分1月与10月" in caught.value.zh and "January or October" in caught.value.en


@pytest.mark.parametrize("value, month", [("2025.01", 1), ("2025.10", 10), ("2025.2", 2), ("2025.1.5", 1)])
def test_other_point_dates_are_read(value, month):
    from entitlements.dates import parse_date

    assert parse_date(value).month == month


def test_a_death_on_2025_point_1_is_rejected_not_paid(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("\n".join([BRIGADE_HEADER, "JC001,李桂英,,女,1942-03-05,12,是,是,,2025.1,江城镇"]) + "\n",
                    encoding="utf-8")
    import json

    proc = run_cli("calc", str(path), *JIANGCHUAN, "-f", "json")
    out = json.loads(proc.stdout)
    assert out["totals"]["amount"] == "0.00", proc.stdout[:1500]
    assert "无法区分1月与10月" in json.dumps(out, ensure_ascii=False)


# --- Finding 6: 不予发放原因 that says there is none -----------------------------------------------

VILLAGE_HEADER = "编号,姓名,身份证号,职务,任职开始,任职结束,所属村（社区）,不予发放原因"
STANDARDS = str(EXAMPLES / "village_post_standards.csv")


@pytest.mark.parametrize("word", ["无", "没有", "否", "0", "-", "—", "/", "／"])
def test_a_reason_that_says_none_is_no_reason(tmp_path, word):
    import json

    path = tmp_path / "v.csv"
    path.write_text("\n".join([VILLAGE_HEADER, "A1,李明,,委员,2016-01-01,2020-06-30,某村,",
                               f"A2,王芳,,委员,2016-01-01,2020-06-30,某村,{word}",
                               "A3,赵,,委员,2016-01-01,2020-06-30,某村,调任公职"]) + "\n", encoding="utf-8")
    proc = run_cli("calc", str(path), *VILLAGE, "--standards", STANDARDS, "-f", "json")
    assert proc.returncode == 0, proc.stderr
    amounts = {b["id"]: b["amount"] for b in json.loads(proc.stdout)["beneficiaries"]}
    assert amounts["A2"] == amounts["A1"] != "0.00"
    assert amounts["A3"] == "0.00"


# --- Finding 13: 任职年限 beside 任职开始/任职结束 --------------------------------------------------

SPAN_HEADER = "编号,姓名,性别,出生日期,任职年限,任职开始,任职结束,1984年前任职,在职时领取国家补助,所属单位"


def _spans_result(tmp_path, rows):
    path = tmp_path / "sp.csv"
    path.write_text("\n".join([SPAN_HEADER, *rows]) + "\n", encoding="utf-8")
    return jiangchuan.compute_roster(jiangchuan.read(path), 2025)


def test_tenure_that_disagrees_with_the_spans_is_rejected(tmp_path):
    result = _spans_result(tmp_path, ["JC001,张,男,1938-04,16,1960-01,1970-01,是,是,江城镇"])
    assert [r.row for r in result.rejects] == [2]
    assert "任职年限与任职起止日期不一致" in result.rejects[0].zh


@pytest.mark.parametrize("tenure, start, end", [("10", "1960-01", "1970-01"), ("16", "1960-01-01", "1975-12-31"),
                                                ("15", "1960-03", "1975-09"), ("16", "1960-03", "1975-09"),
                                                ("16", "", ""), ("16", "1960-01", "")])
def test_tenure_that_agrees_with_the_spans_or_stands_alone_is_fine(tmp_path, tenure, start, end):
    result = _spans_result(tmp_path, [f"JC001,张,男,1938-04,{tenure},{start},{end},是,是,江城镇"])
    assert result.rejects == [], [r.zh for r in result.rejects]


def test_a_mistyped_convention_and_an_unknown_table_are_refused_in_chinese(tmp_path):
    path = tmp_path / "st.toml"
    path.write_text('[conventions]\nstart = "same_month"\nstopp = "death_month"\n', encoding="utf-8")
    refused(run_cli("calc", str(EXAMPLES / "brigade_cadres.csv"), *JIANGCHUAN, "--standards", str(path)),
            "口径设置有误", "stopp", "不认识的字段")
    path.write_text('[standard."layers.base"]\nkind = "money"\n', encoding="utf-8")
    refused(run_cli("calc", str(EXAMPLES / "brigade_cadres.csv"), *JIANGCHUAN, "--standards", str(path)),
            "未知的表", "standard")
