"""Review of the 澄江市 programmes as a county clerk writes rosters (revA).

A roster of retired cadres is keyed 编号, else 身份证号, else 姓名 (three key fields). A clerk's
roster often has no 编号 column, and leaves some 身份证号 blank."""

from __future__ import annotations

import json

from .conftest import run_cli, write_csv

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
