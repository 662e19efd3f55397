"""Review of joint_party_org, community_worker_pay and capped_project_grants as a county clerk
would write their rosters (revB). Each test was seen failing before its fix."""

from __future__ import annotations

import json

import pytest

from .conftest import run_cli

CHENGQU = ["--policy", "community_worker_pay", "--year", "2025", "--profile", "城区", "--format", "json"]


def calc(path, args):
    proc = run_cli("calc", str(path), *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# --- community_worker_pay: a clerk's end-of-service column is read, never ignored -------------
# Ignoring it would pay a worker who left in March as still in post (a blank end is "in post"):
# 委员 2020-01-01 → 2025-03-31 is 3 months × 2947 = 8841.00, not 12 × 2947 = 35364.00.

@pytest.mark.parametrize("header", ["任职截止日期", "任职截止时间", "截止日期", "结束日期", "结束时间", "免职时间",
                                    "免职日期", "解聘时间", "离职时间", "离职日期", "离岗时间", "卸任时间",
                                    "终止日期", "任职终止日期"])
def test_an_end_column_as_clerks_name_it_is_read(tmp_path, header):
    path = tmp_path / "w.csv"
    path.write_text(f"编号,姓名,职务,任职开始,{header}\nA1,甲,委员,2020-01-01,2025-03-31\n", encoding="utf-8")
    out = calc(path, CHENGQU)
    assert out["totals"]["amount"] == "8841.00", out["notices"]


@pytest.mark.parametrize("header", ["入职时间", "入职日期", "到岗时间", "任职日期", "开始日期", "开始时间"])
def test_a_start_column_as_clerks_name_it_is_read(tmp_path, header):
    path = tmp_path / "w.csv"
    path.write_text(f"编号,姓名,职务,{header},任职结束\nA1,甲,委员,2025-10-01,\n", encoding="utf-8")
    assert calc(path, CHENGQU)["totals"]["amount"] == "8841.00"  # Oct–Dec: 3 × 2947
