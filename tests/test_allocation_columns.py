"""Issue 13 item 5: the 分配表 carries the columns that justify each amount, as the policy declares
(DeclaredPolicy.shown, by default what its components read), and groups the component and level
columns under a band row in the xlsx (the CSV keeps one header row)."""

from __future__ import annotations

import csv
import io

import numpy as np
import openpyxl

from entitlements import Calculator
from entitlements.output import allocation_sheet
from entitlements.shown import _months_held

from .conftest import EXAMPLES, run_cli


def table(*args: str) -> list[dict[str, str]]:
    proc = run_cli("calc", *args, "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    return list(csv.DictReader(io.StringIO(proc.stdout.lstrip("\ufeff"))))


def header(*args: str) -> list[str]:
    proc = run_cli("calc", *args, "--format", "csv")
    return next(csv.reader(io.StringIO(proc.stdout.lstrip("\ufeff"))))


def test_brigade_shows_tenure_tier_and_monthly_standard_before_the_amounts():
    args = (str(EXAMPLES / "brigade_cadres.csv"), "--policy", "brigade_cadre_living", "--profile", "江川区", "--year", "2025")
    head = header(*args)
    assert head[:6] == ["编号", "名称", "所属单位", "任职年限", "档次", "月标准"]  # one header row: the CSV has no band
    row = next(r for r in table(*args) if r["编号"] == "JC001")
    # 16 years: the 16–20 tier (23元/月) + the 2002 raise (60元/月) = 83元/月, 12 months = 996
    assert (row["任职年限"], row["档次"], row["月标准"], row["合计"]) == ("16", "16–20档", "83.00", "996.00")


def test_16321_shows_org_type_and_party_members():
    rows = table(str(EXAMPLES / "two_new_orgs.csv"), "--policy", "two_new_16321", "--profile", "澄江市", "--year", "2024")
    first = rows[0]
    assert first["组织类型"] == "党委" and first["党员人数"] == "86" and first["党员教育培训经费"] == "8600.00"


def test_performance_shows_base_pay_ratio_grade_and_months():
    rows = table(str(EXAMPLES / "village_cadres_performance.csv"), "--policy", "village_cadre_performance",
                 "--profile", "澄江市", "--year", "2024")
    r = rows[0]
    assert (r["基本报酬"], r["考核等次"], r["任职月数"]) == ("3300.00", "优秀", "12")
    assert any(v == "10%" for v in r.values())  # the ratio standard in force


def test_capped_grants_show_request_category_cap_and_the_amount_before_the_cut():
    rows = table(str(EXAMPLES / "chenggong_projects.csv"), "--policy", "capped_project_grants", "--profile", "呈贡区",
                 "--year", "2026", "--budget", "126300")
    r = next(r for r in rows if r["编号"] == "CG2026-02")
    assert (r["申请金额"], r["类别"], r["限额"], r["削减前金额"]) == ("62000.00", "服务类", "50000.00", "50000.00")


def test_community_workers_show_posts_and_months_in_post():
    r = table(str(EXAMPLES / "community_workers.csv"), "--policy", "community_worker_pay", "--profile", "城区",
              "--year", "2025")[0]
    assert r["职务"] == "书记主任一肩挑" and r["任职月数"] == "12"


def test_per_unit_grants_show_the_type_in_a_roster_and_in_counts_mode():
    rows = table(str(EXAMPLES / "service_grant_units.csv"), "--policy", "service_grants", "--profile", "澄江市",
                 "--year", "2024")
    assert rows[0]["类型"] == "社区"
    counted = table("--policy", "service_grants", "--profile", "澄江市", "--year", "2024", "--count", "行政村=41")
    assert counted[0]["类型"] == "行政村" and counted[0]["数量"] == "41"


def test_a_policy_declares_what_it_shows():
    calc = Calculator("two_new_16321", profile="澄江市")
    result = calc.compute_roster(EXAMPLES / "two_new_orgs.csv", 2024)
    assert [h for h, _, _ in calc.policy.shown_columns(result.computation)] == ["组织类型", "书记任职月数", "党员人数"]
    narrow = type("Narrow", (type(calc.policy),), {"shown": ("members",)})()
    assert [(h, k) for h, k, _ in narrow.shown_columns(result.computation)] == [("党员人数", "int")]
    en = [h for h, _, _ in calc.policy.shown_columns(result.computation, "en")]
    assert en == ["organisation type", "secretary months served", "party members"]


def test_months_in_post_count_a_month_held_in_two_posts_once():
    spans = {"owner": np.array([0, 0, 1, 1, 0]), "first": np.array([0, 6, 0, 20, 30]),
             "stop": np.array([12, 10, 5, 22, 31])}
    assert _months_held(spans, 3).tolist() == [13, 7, 0]  # 0–12 ∪ 6–10 is 12, and 30–31; 5 + 2; none


def test_xlsx_groups_components_and_levels_under_a_band_repeated_and_frozen_with_the_header(tmp_path):
    out = tmp_path / "分配表.xlsx"
    proc = run_cli("calc", str(EXAMPLES / "two_new_orgs.csv"), "--policy", "two_new_16321", "--profile", "澄江市",
                   "--year", "2024", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    ws = openpyxl.load_workbook(out)["分配表"]
    band, head = [c.value for c in ws[3]], [c.value for c in ws[4]]
    comps = [head.index(h) for h in ("基本工作经费", "书记专项工作津贴", "党员教育培训经费")]
    levels = [head.index(h) for h in ("省级", "玉溪市级", "澄江市级")]
    assert band[comps[0]] == "分项" and band[levels[0]] == "分级负担"
    letter = openpyxl.utils.get_column_letter
    ranges = {str(r) for r in ws.merged_cells.ranges}
    assert f"{letter(comps[0] + 1)}3:{letter(comps[-1] + 1)}3" in ranges
    assert f"{letter(levels[0] + 1)}3:{letter(levels[-1] + 1)}3" in ranges
    assert ws.print_title_rows == "$3:$4" and ws.freeze_panes == "A5"
    assert head[:6] == ["编号", "名称", "所属单位", "组织类型", "书记任职月数", "党员人数"]


def test_the_sheet_keeps_one_header_row_and_the_band_is_only_grouping():
    calc = Calculator("brigade_cadre_living", profile="江川区")
    sheet = allocation_sheet(calc.compute_roster(EXAMPLES / "brigade_cadres.csv", 2025))
    assert [(label, sheet.header[a], sheet.header[b]) for label, a, b in sheet.groups] == [
        ("分项", "基础生活补助（按任职年限分档）", "2002年提标（每人每月提高60元）"), ("分级负担", "省级", "区级")]
    assert len(sheet.total) == len(sheet.header) and sheet.total[sheet.header.index("合计")] == sum(
        r[sheet.header.index("合计")] for r in sheet.rows)


def test_english_headers_name_what_they_show():
    head = header(str(EXAMPLES / "village_cadres_performance.csv"), "--policy", "village_cadre_performance",
                  "--profile", "澄江市", "--year", "2024", "--lang", "en")
    assert head[3:8] == ["monthly base pay", "post", "assessment grade", "ratio", "months served"]
