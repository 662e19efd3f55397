"""Brigade tenure from service spans: whole years of merged service."""

from __future__ import annotations

from entitlements import Calculator

from .conftest import write_csv


def test_tenure_from_overlapping_spans_counts_months_once(tmp_path):
    path = write_csv(tmp_path / "spans.csv", ["编号", "性别", "出生日期", "任职开始", "任职结束"], [
        ["S1", "男", "1935-02", "1960-01-01", "1970-12-31"],   # 132 months
        ["S1", "男", "1935-02", "1968-01", "1976-01"],         # overlaps 3 years; adds 60 months -> 192 = 16 yrs
        ["S2", "女", "1940-02", "1965.03", "1976.02"],         # 131 months = 10 years: not eligible
    ])
    data = Calculator("brigade_cadre_living").compute_roster(path, 2025).to_json()
    b = {x["id"]: x for x in data["beneficiaries"]}
    assert b["S1"]["amount"] == "996.00"  # 16 years: (23 + 60) × 12
    assert b["S2"]["amount"] == "0.00" and "10年" in b["S2"]["reasons"][0]
    assert any("重叠" in n["message"] for n in data["notices"])
    assert data["rows"] == {"read": 3, "accepted": 3, "rejected": 0}
