"""Bad input: every problem named with row, column, value and reason; nothing lost."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from entitlements import Calculator, EntitlementInputError, InputError, StandardsError
from entitlements.dates import DateError, RosterDate, parse_date
from entitlements.fields import FEMALE, MALE, CellError, parse_id_number
from entitlements.reading import read_csv

from .conftest import EXAMPLES, run_cli, write_csv


@pytest.mark.parametrize("text, expected", [
    ("1940-05-12", RosterDate(1940, 5, 12)), ("1940/5/12", RosterDate(1940, 5, 12)),
    ("1940.05.12", RosterDate(1940, 5, 12)), ("1940年5月12日", RosterDate(1940, 5, 12)),
    ("19400512", RosterDate(1940, 5, 12)), ("1940.05", RosterDate(1940, 5)), ("1940-05", RosterDate(1940, 5)),
    ("1940年5月", RosterDate(1940, 5)), ("194005", RosterDate(1940, 5)), (" 1940-5 ", RosterDate(1940, 5)),
    ("1940-05-12 00:00:00", RosterDate(1940, 5, 12)),
])
def test_every_date_form_of_spec_3(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["1940-13-01", "1941-02-29", "1940.00", "12/05/1940", "去年", "1700-01-01"])
def test_impossible_or_unreadable_dates_are_refused_with_a_reason(text):
    with pytest.raises(DateError) as exc:
        parse_date(text)
    assert exc.value.zh and exc.value.en


def make_id(region: str, birth: str, seq: str) -> str:
    from stdnum.cn import ric

    base = region + birth + seq
    return base + ric.calc_check_digit(base + "0")


def test_id_number_reads_birth_and_sex_and_checks_the_digit():
    card = parse_id_number(make_id("530403", "19380412", "121"))
    assert card.birth == RosterDate(1938, 4, 12) and card.sex == 1 and card.region_known
    wrong = make_id("530403", "19380412", "121")[:-1] + ("0" if make_id("530403", "19380412", "121")[-1] != "0" else "1")
    with pytest.raises(ValueError, match="校验码"):
        parse_id_number(wrong)
    assert not parse_id_number(make_id("999999", "19380412", "122")).region_known


BRIGADE_HEADER = ["编号", "姓名", "身份证号", "性别", "出生日期", "任职年限", "死亡日期", "所属单位", "联系电话"]


def test_brigade_rejects_name_row_column_value_and_reason(tmp_path):
    good_id = make_id("530403", "19380412", "121")
    rows = [
        ["A1", "好人", "", "男", "1938-04", 16, "", "甲镇", ""],               # row 2 ok
        ["A2", "坏日期", "", "男", "1940-13-01", 16, "", "甲镇", ""],          # row 3 bad date
        ["A3", "坏性别", "", "未知", "1940-01", 16, "", "甲镇", ""],           # row 4 bad sex
        ["A4", "校验码", good_id[:-1] + ("0" if good_id[-1] != "0" else "1"), "男", "", 16, "", "甲镇", ""],  # row 5
        ["A5", "不一致", good_id, "女", "1938-04-12", 16, "", "甲镇", ""],     # row 6 sex disagrees
        ["A6", "出生不符", good_id, "男", "1939-04-12", 16, "", "甲镇", ""],   # row 7 birth disagrees
        ["A7", "先死", "", "男", "1940-01", 16, "1930-01", "甲镇", ""],        # row 8 death before birth
        ["A1", "重复", "", "男", "1938-04", 16, "", "甲镇", ""],               # row 9 duplicate id
        ["A8", "负年限", "", "男", "1938-04", -3, "", "甲镇", ""],             # row 10 negative
        ["A9", "荒谬", "", "男", "1938-04", 120, "", "甲镇", ""],              # row 11 absurd
        # row 12 ok: read from ID (its own number: one shared with rows 6 and 7 would be a reject)
        ["A10", "身份证", make_id("530403", "19380412", "131"), "", "", 16, "", "甲镇", ""],
    ]
    path = write_csv(tmp_path / "bad.csv", BRIGADE_HEADER, rows)
    result = Calculator("brigade_cadre_living").compute_roster(path, 2025)
    data = result.to_json()
    by_row = {r["row"]: r for r in data["rejects"]}
    assert set(by_row) == {3, 4, 5, 6, 7, 8, 9, 10, 11}
    assert by_row[3]["column"] == "出生日期" and by_row[3]["value"] == "1940-13-01" and "月份" in by_row[3]["reason"]
    assert by_row[4]["column"] == "性别" and by_row[4]["value"] == "未知"
    assert by_row[5]["column"] == "身份证号" and "校验码" in by_row[5]["reason"]
    assert by_row[6]["column"] == "性别" and "身份证号" in by_row[6]["reason"]
    assert by_row[7]["column"] == "出生日期" and "1938-04-12" in by_row[7]["reason"]
    assert by_row[8]["column"] == "死亡日期"
    assert by_row[9]["column"] == "编号" and "第2行" in by_row[9]["reason"]
    assert by_row[10]["column"] == "任职年限" and "负" in by_row[10]["reason"]
    assert by_row[11]["column"] == "任职年限" and "120" in by_row[11]["reason"]
    assert data["rows"] == {"read": 11, "accepted": 2, "rejected": 9}
    assert [b["id"] for b in data["beneficiaries"]] == ["A1", "A10"]
    assert data["beneficiaries"][1]["paid_months"] == 12  # sex and birth read from the ID number
    assert any(n["column"] == "联系电话" for n in data["notices"])  # unknown header reported, not dropped


def test_rejects_in_english(tmp_path):
    path = write_csv(tmp_path / "bad.csv", BRIGADE_HEADER, [["A1", "x", "", "男", "1940-13-01", 16, "", "", ""]])
    data = Calculator("brigade_cadre_living", lang="en").compute_roster(path, 2025).to_json()
    assert data["rejects"][0]["reason"].startswith("no such month")


def test_missing_required_columns_is_an_input_error(tmp_path):
    path = write_csv(tmp_path / "no_type.csv", ["组织编号", "党员人数"], [["O1", 5]])
    with pytest.raises(InputError, match="组织类型"):
        Calculator("two_new_16321").compute_roster(path, 2025)
    path = write_csv(tmp_path / "no_sex.csv", ["编号", "任职年限"], [["A", 12]])
    with pytest.raises(InputError, match="性别"):
        Calculator("brigade_cadre_living").compute_roster(path, 2025)


def test_two_new_unknown_type_negative_count_and_months_over_twelve(tmp_path):
    path = write_csv(tmp_path / "orgs.csv", ["组织编号", "组织类型", "党员人数", "书记任职月数"], [
        ["O1", "党支部", 5, 12], ["O2", "党小组", 5, 12], ["O3", "党支部", -1, 12], ["O4", "党支部", 5, 13],
        ["O5", "", 5, 12]])
    data = Calculator("two_new_16321").compute_roster(path, 2025).to_json()
    reasons = {r["row"]: (r["column"], r["reason"]) for r in data["rejects"]}
    assert reasons[3][0] == "组织类型" and "党委" in reasons[3][1]  # lists what is accepted
    assert reasons[4][0] == "党员人数"
    assert reasons[5][0] == "书记任职月数"
    assert reasons[6][0] == "组织类型" and "必填" in reasons[6][1]
    assert data["rows"] == {"read": 5, "accepted": 1, "rejected": 4}


def test_village_end_before_start_unknown_post_and_whole_person_rejected(tmp_path):
    path = write_csv(tmp_path / "v.csv", ["编号", "职务", "任职开始", "任职结束"], [
        ["V1", "委员", "2015-01-01", "2017-12-31"],
        ["V1", "主任", "2018-01-01", "2017-12-31"],   # end before start: V1 cannot be paid from row 2 alone
        ["V2", "村长", "2015-01-01", "2017-12-31"],   # unknown post
        ["V3", "委员", "2015-01-01", ""],             # blank end
        ["V4", "委员", "2015-01-01", "2020-12-31"],
    ])
    data = Calculator("village_cadre_departure", standards={
        "sources": {"t": {"doc": "t"}},
        "standards": {"posts.member": {"kind": "money", "values": [{"from": "2010-01", "amount": "1200", "source": "t"}]}},
    }).compute_roster(path, 2020).to_json()
    rows = {r["row"]: r for r in data["rejects"]}
    assert rows[3]["column"] == "任职结束" and "早于" in rows[3]["reason"]
    assert rows[2]["column"] == "编号" and "第3行" in rows[2]["reason"]
    assert rows[4]["column"] == "职务" and rows[4]["value"] == "村长"
    assert rows[5]["column"] == "任职结束"
    assert data["rows"] == {"read": 5, "accepted": 1, "rejected": 4}
    assert data["beneficiaries"][0]["amount"] == "7200.00"  # 6 years × 1200


def test_village_missing_post_standard_is_a_refusal_not_a_crash(tmp_path):
    # issue 10: paying 0.00 with a reason was silently wrong; no post standards stop the run
    path = write_csv(tmp_path / "v.csv", ["编号", "职务", "任职开始", "任职结束"], [["V1", "书记", "2015-01", "2020-01"]])
    with pytest.raises(StandardsError, match="缺少岗位补贴标准"):
        Calculator("village_cadre_departure").compute_roster(path, 2020)


def test_api_errors_name_the_field():
    calc = Calculator("brigade_cadre_living")
    with pytest.raises(EntitlementInputError) as exc:
        calc.compute({"id": "x", "sex": "男", "birth_date": "1940-02-30", "tenure_years": 12}, year=2025)
    assert exc.value.field == "birth_date" and exc.value.value == "1940-02-30"
    with pytest.raises(EntitlementInputError) as exc:
        calc.compute({"id": "x", "sex": "M", "birth_date": "1940-02", "tenure_years": "twelve"}, year=2025)
    assert exc.value.field == "tenure_years"


def test_gbk_csv_and_blank_lines(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("组织编号,组织类型,党员人数\n\nO1,党支部,3\n".encode("gb18030"))
    table = read_csv(path)
    assert table.row_numbers.tolist() == [3]  # as Excel numbers it: the blank line is row 2
    data = Calculator("two_new_16321").compute_roster(path, 2025).to_json()
    assert data["totals"]["amount"] == "5700.00"  # 3000 + 12 × 200 + 3 × 100


def test_unreadable_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError):
        read_csv(tmp_path / "missing.csv")


def test_typed_models_and_clerk_style_numbers():
    import datetime as dt

    from entitlements.policies import BrigadeCadre, PartyOrganisation, VillageCadre

    calc = Calculator("brigade_cadre_living", profile="江川区")
    by_tenure = calc.compute(BrigadeCadre(id="A", sex="男", birth_date=dt.date(1938, 4, 1), tenure_years=16), year=2025)
    by_spans = calc.compute(BrigadeCadre(id="A", sex="男", birth_date="1938-04",
                                         spans=[{"start": "1960-01", "end": "1976-06"}]), year=2025)
    assert by_tenure.amount == by_spans.amount == 996  # 16 whole years either way
    # "15.5年" is 15 whole years: the 11–15 tier
    assert calc.compute({"id": "x", "sex": "男性", "birth_date": "1938-04", "tenure_years": "15.5年"}, year=2025).amount == 936
    org = Calculator("two_new_16321").compute(PartyOrganisation(org_id="o", org_type="党委", members=10), year=2025)
    assert org.amount == 10000 + 2400 + 1000
    v = Calculator("village_cadre_departure", standards=str(EXAMPLES / "village_post_standards.csv"))
    one = v.compute(VillageCadre(id="V", spans=[{"post": "委员", "start": dt.date(2015, 1, 1), "end": dt.date(2017, 12, 31)}]),
                    year=2017)
    assert one.amount == 4800


def test_header_variants_as_sheets_write_them(tmp_path):
    chinese = write_csv(tmp_path / "zh.csv", [" 组织编号", "组织类型", "党员人数（人）", "书记任职月数(个月)", "乡镇（街道）"],
                        [["O1", "党支部", 3, 6, "甲镇"]])
    english = write_csv(tmp_path / "en.csv", ["org_id", "ORG_TYPE", "members", "secretary_months", "unit"],
                        [["O1", "branch", 3, 6, "甲镇"]])
    for path in (chinese, english):
        data = Calculator("two_new_16321").compute_roster(path, 2025).to_json()
        # no unknown column; the missing 书记是否公职人员 is said once (paid as not a public servant)
        assert [n["column"] for n in data["notices"]] == ["书记是否公职人员"]
        assert data["beneficiaries"][0]["amount"] == "4500.00"  # 3000 + 6×200 + 3×100
        assert data["totals"]["by_unit"]["甲镇"]["amount"] == "4500.00"


def test_a_row_with_more_cells_than_the_header_is_rejected_not_fatal(tmp_path):
    path = tmp_path / "shifted.csv"
    path.write_text("组织编号,组织类型,党员人数\nO1,党支部,3\nO2,党支部,3,5,x\n", encoding="utf-8")
    data = Calculator("two_new_16321").compute_roster(path, 2025).to_json()
    assert data["rejects"][0]["row"] == 3 and data["rejects"][0]["value"] == "5、x"
    assert data["rows"] == {"read": 2, "accepted": 1, "rejected": 1}


def test_fifteen_digit_first_generation_id_numbers():
    card = parse_id_number("530421380412121")  # 1938-04-12, odd sequence: male
    assert card.birth == RosterDate(1938, 4, 12) and card.sex == 1 and len(card.number) == 18
    with pytest.raises(ValueError, match="18位"):
        parse_id_number("53042138041212")



def _stdnum_reading(text: str):
    """What python-stdnum's own functions make of a text, once the spaces and hyphens a clerk types
    to group the digits are taken out (as the reader does): (number, birth, sex digit) or None."""
    import re

    from stdnum.cn import ric

    number = ric.compact(re.sub(r"[\s\-‐‑–—]", "", text))
    if len(number) == 15 and number.isdigit():
        number = number[:6] + "19" + number[6:]
        number += ric.calc_check_digit(number + "0")
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        return None
    if number[17] != ric.calc_check_digit(number):
        return None
    try:
        born = ric.get_birth_date(number)
    except Exception:
        return None
    return number, (born.year, born.month, born.day), int(number[16]) % 2


import datetime as _dt

digits = st.one_of(  # 17 digits: any, or region, a real birth date and a sequence number
    st.text(alphabet="0123456789", min_size=17, max_size=17),
    st.builds(lambda region, born, seq: f"{region}{born:%Y%m%d}{seq}",
              st.text(alphabet="0123456789", min_size=6, max_size=6),
              st.dates(min_value=_dt.date(1900, 1, 1), max_value=_dt.date(2025, 12, 31)),
              st.text(alphabet="0123456789", min_size=3, max_size=3)),
)
id_texts = st.one_of(
    st.text(alphabet="0123456789Xx -", min_size=14, max_size=20),  # noise around the lengths
    st.text(alphabet="0123456789", min_size=15, max_size=15),  # old 15-digit numbers
    st.tuples(digits, st.sampled_from(["right", "right, lower", "wrong"]), st.sampled_from(["", " ", "-"])),
)


@settings(max_examples=400, deadline=None)
@given(id_texts)
@example("53042119400101008x")  # a lower-case check character X
@example("530421 19400101 008X")
def test_id_number_fast_path_reads_as_stdnum_does(text):
    """The quick reading of plain numbers agrees with stdnum's clean-up, check digit and date."""
    from stdnum.cn import ric

    if isinstance(text, tuple):  # 17 digits, a check character, maybe a separator
        body, check, sep = text
        digit = ric.calc_check_digit(body + "0")
        last = {"right": digit, "right, lower": digit.lower(), "wrong": "0" if digit != "0" else "1"}[check]
        text = body[:6] + sep + body[6:] + last
    expected = _stdnum_reading(text)
    try:
        got = parse_id_number(text)
    except CellError:
        assert expected is None, text
        return
    assert expected is not None, text
    number, birth, odd = expected
    assert (got.number, (got.birth.year, got.birth.month, got.birth.day)) == (number, birth)
    assert got.sex == (MALE if odd else FEMALE)


@settings(max_examples=60, deadline=None)
@given(st.lists(id_texts, min_size=0, max_size=40))
@example(["5304211940010100801", "53042119400101008X", "X53042119400101008", "53042119400101008x", "530421400101008"])
def test_id_numbers_read_together_as_one_by_one(items):
    """A column of numbers read at once (in chunks of three, matched in polars) says what each says alone."""
    import entitlements.fields as fields
    from stdnum.cn import ric

    texts = []
    for item in items:
        if isinstance(item, tuple):
            body, check, sep = item
            digit = ric.calc_check_digit(body + "0")
            item = body[:6] + sep + body[6:] + (digit if check.startswith("right") else "0" if digit != "0" else "1")
        texts.append(item)
    saved = fields.ID_CHUNK, fields.LONG_COLUMN
    fields.ID_CHUNK, fields.LONG_COLUMN = 3, 0  # chunks of three, patterns matched in polars
    try:
        together = fields.read_id_numbers(texts)
    finally:
        fields.ID_CHUNK, fields.LONG_COLUMN = saved
    for j, text in enumerate(texts):
        try:
            one = parse_id_number(text)
        except CellError as exc:
            assert j in together.errors and together.errors[j].zh == exc.zh and together.numbers[j] is None
            continue
        assert j not in together.errors and together.numbers[j] == one.number
        assert (together.year[j], together.month[j], together.day[j]) == (one.birth.year, one.birth.month, one.birth.day)
        assert (together.sex[j], together.known[j]) == (one.sex, one.region_known)


def test_a_blank_unit_among_named_ones_is_said_on_its_row(tmp_path):
    """A clerk who leaves 所属单位 blank to mean "the same as above" gets a notice on that row (the row is
    computed, and summed per unit under no unit); a roster without units at all says nothing."""
    import json as _json

    lines = (EXAMPLES / "brigade_cadres.csv").read_text(encoding="utf-8-sig").splitlines()
    head, rows = lines[0], lines[1:]
    unit = head.split(",").index("所属单位")
    cells = rows[1].split(",")
    cells[unit] = ""
    roster = tmp_path / "blank_unit.csv"
    roster.write_text("\n".join([head, rows[0], ",".join(cells), *rows[2:]]) + "\n", encoding="utf-8")
    out = run_cli("calc", str(roster), "--policy", "brigade_cadre_living", "--year", "2025", "--profile", "江川区",
                  "--format", "json")
    got = _json.loads(out.stdout)
    said = [n for n in got["notices"] if n["column"] == "所属单位"]
    assert [n["row"] for n in said] == [3] and "为空" in said[0]["message"]
    whole = _json.loads(run_cli("calc", str(EXAMPLES / "brigade_cadres.csv"), "--policy", "brigade_cadre_living",
                                "--year", "2025", "--profile", "江川区", "--format", "json").stdout)
    assert got["totals"]["amount"] == whole["totals"]["amount"]  # computed all the same
    assert not [n for n in whole["notices"] if n["column"] == "所属单位"]


def test_a_damaged_workbook_says_what_to_do(tmp_path):
    broken = tmp_path / "花名册.xlsx"
    broken.write_bytes(b"not a zip at all" * 10)
    out = run_cli("calc", str(broken), "--policy", "brigade_cadre_living", "--year", "2025")
    assert out.returncode == 2 and "另存为 .xlsx" in out.stderr and "花名册.xlsx" in out.stderr
