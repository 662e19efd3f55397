"""Rosters read the way clerks write them (issue 13, item 4): header synonyms, a user's own
headers mapped with --columns (CLI and API), 序号 and 备注 expected, an ID number typed in groups."""

from __future__ import annotations

import json

import pytest

from entitlements import Calculator, EntitlementInputError

from .conftest import run_cli, write_csv

CANONICAL = (["编号", "姓名", "身份证号", "性别", "出生日期", "任职年限", "所属单位"],
             [["A1", "张三", "", "男", "1938-04", "16", "甲镇"], ["A2", "李四", "530421193804121213", "", "", "21", "乙镇"]])


def brigade(tmp_path, header, rows, *args):
    path = write_csv(tmp_path / "r.csv", header, rows)
    proc = run_cli("calc", str(path), "--policy", "brigade_cadre_living", "--year", "2025", "--format", "json", *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_common_synonyms_compute_what_the_canonical_headers_compute(tmp_path):
    canonical = brigade(tmp_path, *CANONICAL)
    header = ["序号", "编号", "姓名", "公民身份证号码", "性别", "出生日期", "连续任职年限", "所在乡镇", "备注"]
    rows = [["1", *CANONICAL[1][0], ""], ["2", *CANONICAL[1][1], "无"]]
    clerk = brigade(tmp_path, header, rows)
    assert clerk["totals"] == canonical["totals"] and clerk["rejects"] == []
    assert clerk["notices"] == []  # 序号 and 备注 are expected columns, not unknown ones
    assert brigade(tmp_path, ["编号", "姓名", "身份证号", "性别", "出生日期", "任职时间（年）", "所属单位"],
                   CANONICAL[1])["totals"] == canonical["totals"]


def test_a_sheets_own_headers_mapped_with_columns(tmp_path):
    canonical = brigade(tmp_path, *CANONICAL)
    header = ["编号", "姓名", "证件号", "性别", "出生日期", "干部任职年数", "镇别"]
    mapped = brigade(tmp_path, header, CANONICAL[1], "--columns", "证件号=身份证号,干部任职年数=任职年限",
                     "--columns", "镇别=所属单位")
    assert mapped["totals"] == canonical["totals"] and mapped["rejects"] == []
    api = Calculator("brigade_cadre_living", columns={"证件号": "身份证号", "干部任职年数": "tenure_years",
                                                      "镇别": "所属单位"})
    path = write_csv(tmp_path / "m.csv", header, CANONICAL[1])
    assert api.compute_roster(path, 2025).to_json()["totals"] == canonical["totals"]


@pytest.mark.parametrize(("columns", "says"), [({"证件号": "学历"}, "没有“学历”列"),
                                               ({"姓名": "身份证号"}, "已是本政策的另一列"),
                                               ({"": "身份证号"}, "表中列名=本政策列名")])
def test_a_mapping_to_no_column_is_refused(columns, says):
    with pytest.raises(EntitlementInputError) as info:
        Calculator("brigade_cadre_living", columns=columns)
    assert info.value.field == "columns" and says in str(info.value)


def test_a_bad_columns_option_exits_2(tmp_path):
    path = write_csv(tmp_path / "r.csv", *CANONICAL)
    for bad in ("证件号", "证件号=学历"):
        proc = run_cli("calc", str(path), "--policy", "brigade_cadre_living", "--year", "2025", "--columns", bad)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr


def test_an_id_number_typed_in_groups_is_read(tmp_path):
    canonical = brigade(tmp_path, *CANONICAL)
    rows = [CANONICAL[1][0], ["A2", "李四", "530421 1938 0412 1213", "", "", "21", "乙镇"]]
    assert brigade(tmp_path, CANONICAL[0], rows)["totals"] == canonical["totals"]


def test_a_blank_public_servant_cell_is_said_not_silent(tmp_path):
    """A blank 书记是否公职人员 pays the stipend (as not a public servant): said on the row, and once
    when the column is missing altogether."""
    header = ["组织编号", "组织名称", "组织类型", "党员人数", "书记是否公职人员", "所属单位"]
    path = write_csv(tmp_path / "o.csv", header, [["A", "甲", "党支部", "5", "", "镇"], ["B", "乙", "党支部", "5", "否", "镇"]])
    data = Calculator("two_new_16321").compute_roster(path, 2024).to_json()
    assert [(n["row"], n["message"]) for n in data["notices"]] == [(2, "书记是否公职人员未填：按非公职人员计发")]
    path = write_csv(tmp_path / "o2.csv", [h for h in header if h != "书记是否公职人员"], [["A", "甲", "党支部", "5", "镇"]])
    data = Calculator("two_new_16321").compute_roster(path, 2024).to_json()
    assert [n["message"] for n in data["notices"]] == ["本表无“书记是否公职人员”列：按非公职人员计发"]


def test_explain_finds_a_person_by_a_unique_name_and_lists_namesakes(tmp_path):
    path = write_csv(tmp_path / "n.csv", ["编号", "姓名", "性别", "出生日期", "任职年限", "所属单位"],
                     [["A1", "张三", "男", "1938-04", "16", "甲镇"], ["A2", "张三", "男", "1939-04", "21", "乙镇"],
                      ["A3", "李四", "男", "1938-04", "16", "甲镇"]])
    args = ("--policy", "brigade_cadre_living", "--year", "2025")
    found = run_cli("explain", str(path), *args, "--id", "李四")
    assert found.returncode == 0 and "A3 李四" in found.stdout, found.stderr
    shared = run_cli("explain", str(path), *args, "--id", "张三")
    assert shared.returncode == 2 and "A1（甲镇）" in shared.stderr and "A2（乙镇）" in shared.stderr


def test_a_first_sheet_of_instructions_suggests_the_roster_sheet(tmp_path):
    import xlsxwriter

    path = tmp_path / "two.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("填表说明").write(0, 0, "请按下表填写，任职年限为整数")
    sheet = book.add_worksheet("花名册")
    for r, row in enumerate([CANONICAL[0], CANONICAL[1][0]]):
        sheet.write_row(r, 0, row)
    book.close()
    args = ("--policy", "brigade_cadre_living", "--year", "2025")
    proc = run_cli("calc", str(path), *args)
    assert proc.returncode == 2 and "--sheet 花名册" in proc.stderr, proc.stderr
    assert run_cli("calc", str(path), *args, "--sheet", "花名册").returncode == 0


def test_a_blank_member_count_is_said_not_silently_zero(tmp_path):
    header = ["组织编号", "组织名称", "组织类型", "党员人数", "书记是否公职人员", "所属单位"]
    path = write_csv(tmp_path / "o.csv", header, [["A", "甲", "党支部", "", "否", "镇"], ["B", "乙", "党支部", "5", "否", "镇"]])
    data = Calculator("two_new_16321").compute_roster(path, 2024).to_json()
    assert [(n["row"], n["column"]) for n in data["notices"]] == [(2, "党员人数")]
    assert "按0人计" in data["notices"][0]["message"]
