"""Review of the 澄江市 programmes as a county clerk writes rosters (revA).

A roster of retired cadres is keyed 编号, else 身份证号, else 姓名 (three key fields). A clerk's
roster often has no 编号 column, and leaves some 身份证号 blank."""

from __future__ import annotations

import json

import pytest

from .conftest import EXAMPLES, run_cli, write_csv

RETIRED = ("-p", "retired_cadre_care", "-y", "2024", "--profile", "澄江市", "-f", "json")
WANG = "530422194803121239"  # a valid 身份证号 (check digit right)


def test_a_person_listed_with_and_without_the_id_number_is_not_paid_twice(tmp_path):
    # 王德明 once with his 身份证号, once with it left blank: one person, 1000 元 of visits, not 2000
    path = write_csv(tmp_path / "r.csv", ["姓名", "身份证号码", "春节慰问", "老年节慰问"],
                     [["王德明", WANG, "是", "是"], ["王德明", "", "是", "是"]])
    proc = run_cli("calc", str(path), *RETIRED)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["totals"]["amount"] == "1000.00"
    assert out["rows"] == {"read": 2, "accepted": 1, "rejected": 1}
    (reject,) = out["rejects"]
    assert reject["row"] == 3 and reject["column"] == "姓名" and reject["value"] == "王德明"
    assert "第2行" in reject["reason"] and "身份证号码" in reject["reason"]


def test_a_repeated_id_number_is_named_as_the_id_number_not_the_name(tmp_path):
    # no 编号 column: the rows are known by 身份证号, so a repeat is the 身份证号's, in its column
    path = write_csv(tmp_path / "r.csv", ["姓名", "身份证号码", "春节慰问", "老年节慰问"],
                     [["王德明", WANG, "是", "是"], ["刘家顺", WANG, "是", "是"]])
    proc = run_cli("calc", str(path), *RETIRED)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["totals"]["amount"] == "1000.00"
    (reject,) = out["rejects"]
    assert reject["row"] == 3 and reject["column"] == "身份证号码" and reject["value"] == WANG
    assert reject["reason"].startswith("身份证号重复，与第2行相同"), reject["reason"]


PERFORMANCE = ("-p", "village_cadre_performance", "-y", "2024", "--profile", "澄江市", "-f", "json")


def test_a_clerks_所在乡镇_and_所在村_headers_are_read(tmp_path):
    # 所在乡镇 / 所在村（社区） are how clerks head these columns: they stopped the run (exit 2)
    path = write_csv(tmp_path / "r.csv", ["编号", "所在乡镇", "所在村（社区）", "基本报酬", "任职月数", "考核等次"],
                     [["P1", "右所镇", "旧城社区", "2000", 12, "优秀"], ["P2", "海口镇", "中山村", "2200", 6, "称职"]])
    proc = run_cli("calc", str(path), *PERFORMANCE)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["totals"]["amount"] == "3720.00"  # 2000 × 10% × 12 = 2400.00, 2200 × 10% × 6 = 1320.00
    assert set(out["totals"]["by_unit"]) == {"旧城社区", "中山村"}


def test_a_clerks_所在乡镇_header_is_the_township_alone(tmp_path):
    # without a village column the township is the unit
    path = write_csv(tmp_path / "r.csv", ["编号", "所在乡镇（街道）", "基本报酬", "任职月数", "考核等次"],
                     [["P1", "右所镇", "2000", 12, "优秀"]])
    proc = run_cli("calc", str(path), *PERFORMANCE)
    assert proc.returncode == 0, proc.stderr
    assert set(json.loads(proc.stdout)["totals"]["by_unit"]) == {"右所镇"}


TRAINING = ("-p", "rural_member_training", "-y", "2024", "--profile", "澄江市", "-f", "json")


def test_a_roster_of_members_tells_two_of_one_name_apart_by_the_id_number(tmp_path):
    # one member a row: the 身份证号码 column was ignored, so a second 张三 (another person) was
    # rejected as a repeat, and one 身份证号 under two names was paid twice
    path = write_csv(tmp_path / "r.csv", ["序号", "姓名", "身份证号码", "所在乡镇"],
                     [[1, "张三", "530422198001011239", "右所镇"], [2, "张三", "530422198203031254", "右所镇"],
                      [3, "赵六", "530422198001011239", "右所镇"], [4, "王五", "", "右所镇"]])
    proc = run_cli("calc", str(path), *TRAINING)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["totals"]["amount"] == "300.00"  # the two 张三 and 王五, 100 元 each
    assert out["rows"] == {"read": 4, "accepted": 3, "rejected": 1}
    (reject,) = out["rejects"]
    assert reject["row"] == 4 and reject["column"] == "身份证号码" and "第2行" in reject["reason"]


def test_a_row_without_any_key_names_every_key_and_a_column_the_roster_has(tmp_path):
    # three key fields: the reason said '编号和名称均为空' (not 身份证号), in a 编号 column the roster lacks
    path = write_csv(tmp_path / "r.csv", ["姓名", "身份证号码", "所在乡镇"],
                     [["张三", "530422198001011239", "右所镇"], ["", "", "右所镇"]])
    out = json.loads(run_cli("calc", str(path), *TRAINING).stdout)
    (reject,) = out["rejects"]
    assert reject["row"] == 3 and reject["column"] == "身份证号码"  # the first key column the roster has
    assert reject["reason"] == "编号、身份证号和名称均为空", reject["reason"]


def test_in_batches_a_person_listed_with_and_without_the_id_number_is_not_paid_twice(tmp_path):
    # --batch-rows: the check across batches read only the first two key fields (编号, 身份证号)
    path = write_csv(tmp_path / "r.csv", ["姓名", "身份证号码", "两节慰问"],
                     [["张三", "530422198001011239", "是"], ["李四", "530422198203031254", "是"],
                      ["王五", "530422198304041267", "是"], ["张三", "", "是"]])
    proc = run_cli("calc", str(path), *RETIRED, "--batch-rows", "2")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["totals"]["amount"] == "3000.00"  # three people, two festivals × 500
    assert out["rows"] == {"read": 4, "accepted": 3, "rejected": 1}
    (reject,) = out["rejects"]
    assert reject["row"] == 5 and reject["column"] == "姓名" and "第2行" in reject["reason"]


def test_in_batches_a_repeat_is_named_in_the_column_of_its_key(tmp_path):
    # --batch-rows: a repeat met in an earlier batch was always '编号重复' in a '编号' column, on a
    # roster whose rows are known by 身份证号 (no 编号 column)
    path = write_csv(tmp_path / "r.csv", ["姓名", "身份证号码", "两节慰问"],
                     [["张三", "530422198001011239", "是"], ["李四", "530422198203031254", "是"],
                      ["王五", "530422198304041267", "是"], ["张三", "530422198001011239", "是"]])
    proc = run_cli("calc", str(path), *RETIRED, "--batch-rows", "2")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["totals"]["amount"] == "3000.00"
    (reject,) = out["rejects"]
    assert reject["row"] == 5 and reject["column"] == "身份证号码", reject
    assert reject["reason"].startswith("身份证号重复，与第2行相同"), reject["reason"]


def test_a_count_written_with_its_unit_次_or_a_thousands_separator_is_read(tmp_path):
    # '2次' in a 住院次数 column and '1,073' in a 党员人数 column were rejected ('应为整数'), while
    # '12个月' and '73人' were read: a clerk's count, written as counts are written
    path = write_csv(tmp_path / "r.csv", ["姓名", "两节慰问", "县内住院次数"], [["张三", "否", "2次"]])
    out = json.loads(run_cli("calc", str(path), *RETIRED).stdout)
    assert out["totals"]["amount"] == "400.00" and not out["rejects"]
    path = write_csv(tmp_path / "b.csv", ["党组织名称", "党员人数"], [["海口村党总支", "1,073"], ["旧城村党支部", "1,5"]])
    out = json.loads(run_cli("calc", str(path), *TRAINING[:4], "--profile", "yunnan", "-f", "json").stdout)
    assert out["totals"]["amount"] == "107300.00"
    (reject,) = out["rejects"]  # a comma that groups no thousands is no count
    assert reject["row"] == 3 and reject["value"] == "1,5" and reject["reason"] == "应为整数：1,5"


def test_the_mission_policies_read_a_clerks_所在_headers(tmp_path):
    # two_new_16321 kept its own copy of the township headers, village_cadre_departure lacked 所在村（社区）:
    # both stopped the run (exit 2, 'looks like')
    path = write_csv(tmp_path / "o.csv", ["组织编号", "组织类型", "党员人数", "所在乡镇"], [["O1", "党支部", 9, "龙街街道"]])
    proc = run_cli("calc", str(path), "-p", "two_new_16321", "-y", "2024", "--profile", "澄江市", "-f", "json")
    assert proc.returncode == 0, proc.stderr
    assert set(json.loads(proc.stdout)["totals"]["by_unit"]) == {"龙街街道"}
    path = write_csv(tmp_path / "d.csv", ["编号", "职务", "任职开始", "任职结束", "所在村（社区）"],
                     [["V1", "委员", "2015-01-01", "2017-12-31", "旧城社区"]])
    proc = run_cli("calc", str(path), "-p", "village_cadre_departure", "-y", "2017", "--standards",
                   str(EXAMPLES / "village_post_standards.csv"), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    assert set(json.loads(proc.stdout)["totals"]["by_unit"]) == {"旧城社区"}


def test_a_name_padded_with_a_space_is_the_same_key(tmp_path):
    # clerks pad two-character names to line them up (王　五); NFKC makes the ideographic space a
    # space, and 王 五 was another person: one person listed both ways was paid twice
    path = write_csv(tmp_path / "r.csv", ["姓名", "两节慰问"], [["王五", "是"], ["王　五", "是"]])
    out = json.loads(run_cli("calc", str(path), *RETIRED).stdout)
    assert out["totals"]["amount"] == "1000.00"
    (reject,) = out["rejects"]
    assert reject["row"] == 3 and reject["column"] == "姓名" and "第2行" in reject["reason"]
    path = write_csv(tmp_path / "b.csv", ["党组织名称", "党员人数"], [["右所镇小湾村党支部", 41], ["右所镇 小湾村党支部", 41]])
    out = json.loads(run_cli("calc", str(path), *TRAINING[:4], "--profile", "yunnan", "-f", "json").stdout)
    assert out["totals"]["amount"] == "4100.00" and [r["row"] for r in out["rejects"]] == [3]


def test_a_padded_name_without_an_id_waits_for_its_twin_with_one(tmp_path):
    path = write_csv(tmp_path / "r.csv", ["编号", "姓名", "两节慰问"], [["A1", "王五", "是"], ["", "王 五", "是"]])
    out = json.loads(run_cli("calc", str(path), *RETIRED).stdout)
    assert out["totals"]["amount"] == "1000.00" and [r["row"] for r in out["rejects"]] == [3]


# ---- clerks' rosters, csv and xlsx, totals worked by hand ------------------------------------
# Each: a title row, synonyms for the headers, 序号 and 备注, full-width digits, padded cells, an
# Excel error cell, a blank row, a repeated person (one of the two rows damaged), unknown values,
# a 合计 row and a 填表人 footer. "#N/A" is written as an error cell, "DATE" as an Excel date.
TITLE, FOOTER = "澄江市2024年花名册", "填表人：李四　审核人：王五"

RETIRED_ROSTER = (
    ["序号", "姓名", "公民身份号码", "原工作单位", "春节慰问（是/否）", "老年节慰问（是/否）", "是否体检", "县内住院(次)",
     "县外住院(次)", "支部职务", "任职月数", "政治面貌", "备注"],
    [["1", "王德明", "530422194803121239", "三支部", "是", "是", "是", "２", "", "书记", "１２", "中共党员", ""],
     ["2", "李 桂芬", "53042219510705222X", "三支部", " 是 ", "是", "是", "", "1次", "支委", "12", "党员", ""],
     ["3", "张正华", "530422194609201315", "三支部", "是", "是", "否", "0", "0", "委员", "6个月", "中共预备党员", ""],
     ["4", "赵国祥", "530422195001011235", "市直机关", "是", "是", "是", "1", "1", "无", "", "群众", ""],
     ["5", "陈玉珍", "530422195202021114", "市直机关", "是", "否", "是", "#N/A", "", "", "", "党员", ""],
     [""] * 13,
     ["6", "刘家顺", "530422194803121239", "教育系统", "是", "是", "是", "", "", "", "", "群众", "身份证号同王德明"],
     ["7", "杨开云", "530422195303033333", "卫生系统", "是", "是", "", "", "", "", "", "否", ""],
     ["8", "周文", "530422195404044445", "卫生系统", "是", "是", "是", "", "", "书记", "13", "党员", ""],
     ["9", "吴明", "530422195505055557", "卫生系统", "是", "是", "是", "", "", "副书记", "12", "党员", ""],
     ["10", "郑华", "530422195606066669", "卫生系统", "是", "是", "是", "", "", "组长", "12", "党员", ""],
     ["11", "孙丽", "530422195707077770", "卫生系统", "是", "是", "是", "", "", "", "", "共青团员", ""],
     ["12", "冯强", "530422195808088882", "教育系统", "是", "是", "是", "", "abc", "", "", "党员", ""],
     ["13", "冯强", "530422195808088882", "教育系统", "是", "是", "是", "", "1", "", "", "党员", "更正"],
     ["14", "钱进", "530422195909099994", "教育系统", "是", "否", "否", "１", "", "", "", "否", ""],
     ["15", "韩　梅", "530422196001011010", "教育系统", "Y", "√", "×", "", "", "", "", "是", ""],
     ["合计", "", "", "", "", "", "", "", "", "", "", "", "18500"]])
# 2024: 王德明 1000 + 800 + 2×200 + 12×300 + 500 = 6300; 李桂芬 1000 + 800 + 300 + 12×200 + 500 = 5000;
# 张正华 1000 + 6×200 + 500 = 2700; 赵国祥 1000 + 800 + 200 + 300 = 2300; 钱进 500 + 200 = 700;
# 韩梅 1000 + 500 = 1500: 18500.00. 2023 (visits, checks, stays: no standard before 2024-01):
# 3600 + 500, 2400 + 500, 1200 + 500, 0, 0, 500: 9200.00.
RETIRED_REJECTS = [(7, "县内住院(次)"), (9, "公民身份号码"), (10, "是否体检"), (11, "任职月数"), (12, "支部职务"),
                   (13, "支部职务"), (14, "政治面貌"), (15, "县外住院(次)"), (16, "公民身份号码")]

PERFORMANCE_ROSTER = (
    ["序号", "姓名", "身份证号码", "所在乡镇", "村（社区）", "职务", "月基本报酬", "任职月数", "年度考核等次", "备注"],
    [["1", "张三", "530422198001011239", "龙街街道", "小湾社区", "书记主任一肩挑", "¥3,300.00", "12", "优秀", ""],
     ["2", "李四", "530422198102021241", "右所镇", "旧城社区", "委员", "2200元", "１２", "基本称职", ""],
     ["3", "王 五", "530422198203031254", "右所镇", "旧城社区", "副主任", " 2500 ", "12", " 称职 ", ""],
     ["4", "赵六", "530422198304041267", "海口镇", "中山村", "委员", "2133.33", "9", "合格", "4月到任"],
     ["5", "钱七", "53042219840505127X", "海口镇", "中山村", "委员", "2000", "13", "优秀", ""],
     ["6", "孙八", "530422198506061282", "海口镇", "中山村", "委员", "2000", "0", "优秀", "已离任"],
     ["7", "周九", "530422198607071295", "九村镇", "九村社区", "委员", "", "12", "优秀", ""],
     ["8", "吴十", "530422198708081302", "九村镇", "九村社区", "委员", "2000", "12", "良好", ""],
     ["9", "郑一", "530422198809091315", "九村镇", "九村社区", "委员", "#N/A", "12", "优秀", ""],
     [""] * 10,
     ["10", "张三", "530422198001011239", "龙街街道", "小湾社区", "书记主任一肩挑", "3300", "12", "优", "重复"],
     ["11", "冯二", "53042219891010132X", "凤麓街道", "凤山社区", "委员", "2000.005", "12", "优秀", ""],
     ["12", "陈三", "530422199011111334", "凤麓街道", "凤山社区", "委员", "300000", "12", "优秀", ""],
     ["13", "韩四", "530422199112121347", "凤麓街道", "凤山社区", "委员", "2000", "DATE", "优秀", ""],
     ["14", "褚五", "530422199201011350", "凤麓街道", "凤山社区", "委员", "-2000", "12", "优秀", ""],
     ["15", "卫六", "530422199302021363", "凤麓街道", "凤山社区", "委员", "2,000", "6", "优秀等次", ""],
     ["16", "蒋七", "530422199403031376", "凤麓街道", "凤山社区", "委员", "2000", "12", "不称职", ""],
     ["17", "沈八", "530422199504041389", "凤麓街道", "凤山社区", "委员", "1950.55", "7", "基本合格", ""],
     ["18", "杨九", "530422199605051391", "凤麓街道", "凤山社区", "委员", "2000", "12", "", ""],
     ["合计", "", "", "", "", "", "", "", "", "12082.69"]])
# 基本报酬 × 10% × coefficient × months, rounded once: 3960.00 + 2200×10%×50%×12 = 1320.00 + 3000.00
# + 2133.33×10%×9 = 1919.997 → 1920.00 + 0 (0 months) + 2000×10%×6 = 1200.00 + 0 (不称职)
# + 1950.55×10%×50%×7 = 682.6925 → 682.69: 12082.69 (2023 the same: the standards are from 2021).
PERFORMANCE_REJECTS = [(7, "任职月数"), (9, "月基本报酬"), (10, "年度考核等次"), (11, "月基本报酬"), (13, "年度考核等次"),
                       (14, "月基本报酬"), (15, "月基本报酬"), (16, "任职月数"), (17, "月基本报酬"), (21, "年度考核等次")]

TRAINING_ROSTER = (
    ["序号", "党组织名称", "所在乡镇", "农村党员人数", "备注"],
    [["1", "右所镇旧城村党总支", "右所镇", "86", ""], ["2", "右所镇小湾村党支部", "右所镇", "41", ""],
     ["3", "龙街街道龙街社区党支部", "龙街街道", "５７", ""], ["4", " 海口镇海口村党总支 ", "海口镇", "1,073", ""],
     ["5", "海口镇中山村党支部", "海口镇", "73人", ""], ["6", "九村镇九村党总支", "九村镇", "#N/A", ""], [""] * 5,
     ["7", "凤麓街道凤山社区党支部", "凤麓街道", "", ""], ["8", "右所镇 小湾村党支部", "右所镇", "40", "重复"],
     ["9", "海口镇松元社区党支部", "海口镇", "-5", ""], ["10", "九村镇梁王河村党支部", "九村镇", "2.5", ""],
     ["合计", "", "", "1400", ""]])
# (86 + 41 + 57 + 1073 + 73) × 100 = 133000.00; 玉溪's fixed 260000 is more than this roster's total:
# capped at it, all 玉溪's (a notice), in 2023 and 2024 alike.
TRAINING_REJECTS = [(8, "农村党员人数"), (10, "农村党员人数"), (11, "党组织名称"), (12, "农村党员人数"), (13, "农村党员人数")]


def _write_clerks(tmp_path, name: str, roster) -> list:
    import datetime

    import xlsxwriter

    header, rows = roster
    path = tmp_path / f"{name}.csv"
    cells = [[("2024-12-01" if v == "DATE" else v) for v in row] for row in rows]
    write_csv(path, [TITLE], [header, *cells, [], [FOOTER]])
    book = xlsxwriter.Workbook(tmp_path / f"{name}.xlsx")
    sheet, when = book.add_worksheet("花名册"), book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range(0, 0, 0, len(header) - 1, TITLE)
    sheet.write_row(1, 0, header)
    for i, row in enumerate(rows, start=2):
        for j, v in enumerate(row):
            if v == "#N/A":
                sheet.write_formula(i, j, "=NA()", None, "#N/A")
            elif v == "DATE":
                sheet.write_datetime(i, j, datetime.datetime(2024, 12, 1), when)
            elif v.isdigit() and j % 2 == 0 and len(v) < 15:  # some numbers as numbers, the rest typed as text
                sheet.write_number(i, j, int(v))
            elif v:
                sheet.write_string(i, j, v)
    sheet.write(len(rows) + 3, 0, FOOTER)
    book.close()
    return [path, tmp_path / f"{name}.xlsx"]


@pytest.mark.parametrize("policy, roster, rejects, totals", [
    ("retired_cadre_care", RETIRED_ROSTER, RETIRED_REJECTS, {2023: "9200.00", 2024: "18500.00"}),
    ("village_cadre_performance", PERFORMANCE_ROSTER, PERFORMANCE_REJECTS, {2023: "12082.69", 2024: "12082.69"}),
    ("rural_member_training", TRAINING_ROSTER, TRAINING_REJECTS, {2023: "133000.00", 2024: "133000.00"}),
])
def test_a_clerks_roster_comes_out_right_to_the_fen(tmp_path, policy, roster, rejects, totals):
    for path in _write_clerks(tmp_path, policy, roster):
        for year, amount in totals.items():
            proc = run_cli("calc", str(path), "-p", policy, "-y", str(year), "--profile", "澄江市", "-f", "json")
            assert proc.returncode == 0, proc.stderr
            out = json.loads(proc.stdout)
            assert out["totals"]["amount"] == amount, (path.name, year)
            rows = out["rows"]
            assert rows["read"] == rows["accepted"] + rows["rejected"] == len(roster[1]) - 2  # no blank, no 合计
            assert sorted({(r["row"], r["column"]) for r in out["rejects"]}) == rejects, out["rejects"]
            assert rows["rejected"] == len(rejects)
            assert all(r["value"] is not None and any("\u4e00" <= ch <= "\u9fff" for ch in r["reason"])
                       for r in out["rejects"])
            assert {n["value"] for n in out["notices"] if n["row"]} >= {"合计"}


def test_a_header_giving_the_pay_per_year_is_refused_not_read_as_per_month(tmp_path):
    # 基本报酬（元/年）: the header's unit was dropped as noise and 39600 a year read as 39600 a month
    # (47520.00 paid for 3960.00); the column's unit contradicts the field's, so the run stops
    path = write_csv(tmp_path / "r.csv", ["编号", "基本报酬（元/年）", "任职月数", "考核等次"], [["P1", "39600", 12, "优秀"]])
    proc = run_cli("calc", str(path), *PERFORMANCE)
    assert proc.returncode == 2 and not proc.stdout and "Traceback" not in proc.stderr, proc.stderr
    assert "基本报酬(元/年)" in proc.stderr and "元/月" in proc.stderr
    for header in ("基本报酬（元/月）", "基本报酬（元）", "月基本报酬(元/月)"):  # the field's own unit, or none
        path = write_csv(tmp_path / "ok.csv", ["编号", header, "任职月数", "考核等次"], [["P1", "3300", 12, "优秀"]])
        proc = run_cli("calc", str(path), *PERFORMANCE)
        assert proc.returncode == 0 and json.loads(proc.stdout)["totals"]["amount"] == "3960.00", (header, proc.stderr)


def test_a_months_column_headed_in_years_is_refused(tmp_path):
    # 任职时长（年） = 1 was read as 1 month in post (300.00 for a year's 3600.00)
    path = write_csv(tmp_path / "r.csv", ["姓名", "支部职务", "任职时长（年）", "党员"], [["甲", "书记", "1", "是"]])
    proc = run_cli("calc", str(path), *RETIRED)
    assert proc.returncode == 2 and not proc.stdout and "Traceback" not in proc.stderr, proc.stderr
    assert "任职时长(年)" in proc.stderr and "应按月填写" in proc.stderr
    path = write_csv(tmp_path / "ok.csv", ["姓名", "支部职务", "任职月数（个月）", "党员"], [["甲", "书记", "12", "是"]])
    assert json.loads(run_cli("calc", str(path), *RETIRED).stdout)["totals"]["amount"] == "4100.00"


def test_explain_finds_a_padded_name_as_the_roster_writes_it(tmp_path):
    # keys compare without inner spaces; --id copied from the roster (王　五) must still find the row
    path = write_csv(tmp_path / "r.csv", ["姓名", "两节慰问"], [["王　五", "是"]])
    for given in ("王　五", "王五"):
        proc = run_cli("explain", str(path), *RETIRED[:-2], "--id", given)
        assert proc.returncode == 0 and "合计: 1000.00" in proc.stdout, (given, proc.stderr)


def test_a_performance_roster_of_names_knows_a_padded_name(tmp_path):
    # a roster without 编号 or 身份证号 knows a cadre by 姓名 (the policy's own keys): 王　五 is 王五
    path = write_csv(tmp_path / "r.csv", ["姓名", "基本报酬", "任职月数", "考核等次"],
                     [["王五", "2000", 12, "优秀"], ["王　五", "2000", 12, "优秀"]])
    out = json.loads(run_cli("calc", str(path), *PERFORMANCE).stdout)
    assert out["totals"]["amount"] == "2400.00" and [r["row"] for r in out["rejects"]] == [3]
