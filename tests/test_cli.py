"""The console command, as a user runs it on the bundled examples and on bad input: the checkout's
app in-process (conftest.run_cli), and a smoke test of the installed command."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

from .conftest import EXAMPLES, run_cli, write_csv

STANDARDS = str(EXAMPLES / "village_post_standards.csv")


def test_calc_table_on_each_bundled_example():
    for args in (
        ["examples/brigade_cadres.csv", "--policy", "brigade_cadre_living", "--profile", "江川区"],
        ["examples/two_new_orgs.csv", "--policy", "two_new_16321", "--profile", "澄江市"],
        ["examples/village_departures.csv", "--policy", "village_cadre_departure", "--standards", STANDARDS],
    ):
        proc = run_cli("calc", *args, "--year", "2025")
        assert proc.returncode == 0, proc.stderr
        assert "合计" in proc.stdout


def test_calc_json_contract_on_the_brigade_example():
    proc = run_cli("calc", "examples/brigade_cadres.csv", "--policy", "brigade_cadre_living", "--year", "2025",
                   "--profile", "yunnan.yuxi.jiangchuan", "--format", "json")
    data = json.loads(proc.stdout)
    assert {"policy", "profile", "year", "totals", "beneficiaries", "rejects", "rows"} <= set(data)
    assert set(data["totals"]) >= {"amount", "by_level", "by_component", "beneficiaries"}
    assert data["rows"]["read"] == data["rows"]["accepted"] + data["rows"]["rejected"] == 10
    b = {x["id"]: x for x in data["beneficiaries"]}
    assert set(b["JC001"]) >= {"id", "amount", "by_level", "by_component", "paid_months", "eligible", "reasons"}
    assert b["JC001"]["amount"] == "996.00"  # (23 + 60) × 12
    assert b["JC003"]["paid_months"] == 6  # died June 2025: June paid, July not
    assert b["JC006"]["eligible"] is False and "不满11年" in b["JC006"]["reasons"][0]
    assert data["totals"]["by_level"]["prefecture"] == "1507.00"  # 274 × 5 + 274 × 6/12


def test_calc_village_example_reproduces_the_worked_example():
    proc = run_cli("calc", "examples/village_departures.csv", "--policy", "village_cadre_departure", "--year", "2020",
                   "--standards", STANDARDS, "--format", "json")
    b = {x["id"]: x for x in json.loads(proc.stdout)["beneficiaries"]}
    assert b["CJ001"]["amount"] == "11100.00"
    assert b["CJ002"]["amount"] == "0.00"  # its end 2021.01 departs in 2021-01 (SPEC §4.3): the 2021 budget
    assert b["CJ005"]["amount"] == "0.00" and "因违纪违法被罢免" in b["CJ005"]["reasons"][0]
    assert b["CJ006"]["amount"] == "0.00"  # left in 2024: not this budget year
    proc = run_cli("calc", "examples/village_departures.csv", "--policy", "village_cadre_departure", "--year", "2024",
                   "--standards", STANDARDS, "--format", "json", "--include-earlier")
    b = {x["id"]: x for x in json.loads(proc.stdout)["beneficiaries"]}
    assert b["CJ001"]["amount"] == "11100.00"


def test_explain_walks_through_conditions_standards_months_and_split():
    proc = run_cli("explain", "examples/brigade_cadres.csv", "--policy", "brigade_cadre_living", "--year", "2025",
                   "--profile", "江川区", "--id", "JC003")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    for expected in ("云组发〔1989〕55号", "云组发〔2002〕10号", "假设", "次月起发", "死亡次月停发",
                     "2025-06: 95.00", "2025-07: 0.00", "274.00", "合计: 570.00"):
        assert expected in text, expected


def test_explain_village_concurrent_posts_use_the_combined_standard():
    proc = run_cli("explain", "examples/village_departures.csv", "--policy", "village_cadre_departure", "--year", "2021",
                   "--standards", STANDARDS, "--id", "CJ003")
    assert "书记+主任 → 书记主任一肩挑 2600.00" in proc.stdout
    assert "合计: 11516.67" in proc.stdout


def test_explain_in_english_and_unknown_id():
    proc = run_cli("explain", "examples/two_new_orgs.csv", "--policy", "two_new_16321", "--year", "2025",
                   "--id", "LX004", "--lang", "en")
    assert "public servant" in proc.stdout
    proc = run_cli("explain", "examples/two_new_orgs.csv", "--policy", "two_new_16321", "--year", "2025", "--id", "NOPE")
    assert proc.returncode == 2 and "NOPE" in proc.stderr


def test_validate_lists_every_problem_and_exits_1(tmp_path):
    path = write_csv(tmp_path / "r.csv", ["组织编号", "组织类型", "党员人数"], [["O1", "党支部", 3], ["O2", "小组", 3]])
    proc = run_cli("validate", str(path), "--policy", "two_new_16321", "--format", "json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["rejects"] == [{"row": 3, "column": "组织类型", "value": "小组", "reason": data["rejects"][0]["reason"]}]
    proc = run_cli("validate", "examples/two_new_orgs.csv", "--policy", "two_new_16321")
    assert proc.returncode == 0 and "退回 0" in proc.stdout


def test_strict_rejects_file_and_csv_output(tmp_path):
    path = write_csv(tmp_path / "r.csv", ["组织编号", "组织类型", "党员人数"], [["O1", "党支部", 3], ["O2", "小组", 3]])
    rejects, out = tmp_path / "rejects.csv", tmp_path / "out.csv"
    proc = run_cli("calc", str(path), "--policy", "two_new_16321", "--year", "2025", "--strict",
                   "--rejects", str(rejects), "--format", "csv", "--out", str(out))
    assert proc.returncode == 1
    rows = list(csv.reader(rejects.open(encoding="utf-8-sig")))
    assert rows[0] == ["行号", "列", "值", "原因"] and rows[1][:3] == ["3", "组织类型", "小组"]
    table = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert table[0][:3] == ["编号", "名称", "所属单位"] and table[-1][0] == "合计"
    assert table[1][0] == "O1" and "5700.00" in table[1]
    proc = run_cli("calc", str(path), "--policy", "two_new_16321", "--year", "2025")
    assert proc.returncode == 0  # without --strict rejects are reported, not fatal


def test_policies_lists_standards_with_citations_and_history():
    proc = run_cli("policies", "brigade_cadre_living", "--profile", "江川区", "--at", "2025-01")
    assert proc.returncode == 0
    for expected in ("274.00", "云组发〔1989〕55号", "≥31: 35.00", "splits.total", "next_month"):
        assert expected in proc.stdout, expected
    proc = run_cli("policies")
    assert "two_new_16321" in proc.stdout and "澄江市" in proc.stdout


def test_usage_and_unreadable_input_exit_2(tmp_path):
    cases = [
        ("calc", "missing.csv", "--policy", "two_new_16321", "--year", "2025"),
        ("calc", "examples/two_new_orgs.csv", "--policy", "nonexistent", "--year", "2025"),
        ("calc", "examples/two_new_orgs.csv", "--policy", "two_new_16321", "--year", "2025", "--profile", "火星"),
        ("calc", "--policy", "two_new_16321", "--year", "2025", "--count", "branch=abc"),
        ("calc", "--policy", "two_new_16321", "--year", "2025", "--count", "cells=3"),
        ("calc", "--policy", "brigade_cadre_living", "--year", "2025", "--count", "branch=3"),
        ("calc", "examples/two_new_orgs.csv", "--policy", "two_new_16321"),  # no --year
        ("calc", "examples/village_departures.csv", "--policy", "village_cadre_departure", "--year", "2020",
         "--standards", str(write_csv(tmp_path / "s.csv", ["职务", "年度", "月岗位补贴标准"], [["村长", "2020", "1"]]))),
    ]
    for args in cases:
        proc = run_cli(*args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr, args


# ---------- the command in-process and installed ----------

def test_an_in_process_run_leaves_the_signal_handlers_as_it_found_them():
    import signal

    def host_handler(signum, frame):  # what the program running the app had set
        pass

    signals = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    before = {sig: signal.signal(sig, host_handler) for sig in signals}
    try:
        assert run_cli("policies", "two_new_16321", "--profile", "澄江市").returncode == 0
        assert all(signal.getsignal(sig) is host_handler for sig in signals)
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def test_each_run_reads_the_terminal_width_and_colour_afresh():
    args = ("calc", "examples/brigade_cadres.csv", "--policy", "brigade_cadre_living", "--profile", "江川区",
            "--year", "2025")
    wide = run_cli(*args)
    narrow = run_cli(*args, env={"COLUMNS": "70"})
    assert wide.returncode == narrow.returncode == 0, narrow.stderr
    assert max(map(len, wide.stdout.splitlines())) > 70
    assert max(map(len, narrow.stdout.splitlines())) <= 70
    coloured = run_cli(*args, env={"NO_COLOR": "", "FORCE_COLOR": "1"})
    assert "\x1b[" in coloured.stdout and "\x1b[" not in run_cli(*args).stdout


def test_the_installed_console_command_runs():
    from .conftest import run_installed

    proc = run_installed("--help")
    assert proc.returncode == 0 and "calc" in proc.stdout, proc.stderr
    args = ("calc", "examples/two_new_orgs.csv", "--policy", "two_new_16321", "--profile", "澄江市", "--year", "2025",
            "--format", "json")
    proc = run_installed(*args)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["totals"] == json.loads(run_cli(*args).stdout)["totals"]


def test_explain_as_json_is_the_trace_with_every_source():
    proc = run_cli("explain", "examples/brigade_cadres.csv", "--policy", "brigade_cadre_living", "--year", "2025",
                   "--profile", "江川区", "--id", "JC003", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["amount"] == "570.00" and doc["months"]["2025-06"] == "95.00" and doc["months"]["2025-07"] == "0.00"
    trace = doc["trace"]
    assert trace["window"]["event_month"] == "2025-06" and trace["paid_months"] == 6
    used = [c["standard"] for seg in trace["segments"] for c in seg["components"]]
    assert {u["doc"] for u in used} == {"云组发〔1989〕55号", "云组发〔2002〕10号"}
    assert [s["path"] for s in trace["splits"]] == ["splits.total"] and "274.00" in trace["splits"][0]["rule"]["zh"]
    assert sum(Decimal(line["amount"]) for line in trace["lines"]) == Decimal("570.00")


def test_an_option_the_policy_does_not_have_is_refused():
    proc = run_cli("calc", "examples/two_new_orgs.csv", "--policy", "two_new_16321", "--year", "2025", "--include-earlier")
    assert proc.returncode == 2 and "include_earlier" in proc.stderr


def test_an_option_the_policy_does_not_have_is_refused_in_counts_mode_too():
    base = ["--policy", "village_accident_insurance", "--profile", "澄江市", "--include-earlier"]
    for args in (["calc", "--count", "people=5", "--year", "2024"], ["budget", "--count", "people=5", "--year", "2024"],
                 ["whatif", "--count", "people=5", "--years", "2024", "--set", "premium.per_person=300"]):
        proc = run_cli(*args, *base)
        assert proc.returncode == 2 and "include_earlier" in proc.stderr, (args, proc.stdout, proc.stderr)


def test_policies_shows_a_programme_of_one_place_at_its_own_profile():
    proc = run_cli("policies", "village_accident_insurance")
    assert proc.returncode == 0 and "澄江市（yunnan.yuxi.chengjiang）" in proc.stdout and "premium.per_person" in proc.stdout
    proc = run_cli("policies", "village_accident_insurance", "--profile", "yunnan")
    assert proc.returncode == 2 and "适用于" in proc.stderr


def test_the_trace_of_someone_still_paid_has_no_last_month():
    proc = run_cli("explain", "examples/brigade_cadres.xlsx", "-p", "brigade_cadre_living", "-y", "2025",
                   "--profile", "江川区", "--id", "JC001", "-f", "json")
    window = json.loads(proc.stdout)["trace"]["window"]
    assert window["event_month"] is None and window["last_paid"] is None
