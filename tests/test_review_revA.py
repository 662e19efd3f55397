"""Review of the 澄江市 programmes as a county clerk writes rosters (revA).

A roster of retired cadres is keyed 编号, else 身份证号, else 姓名 (three key fields). A clerk's
roster often has no 编号 column, and leaves some 身份证号 blank."""

from __future__ import annotations

import json

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
