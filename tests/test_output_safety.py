"""What the console command writes, and what it refuses to write (issue 10: never silently wrong).

Every test runs the installed command on copies of the bundled examples in a temporary folder.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import openpyxl
import pytest

from entitlements.output import Sheet, sheet_csv
from tests.conftest import EXAMPLES, console_command, run_cli, run_installed, write_csv

BRIGADE = ("--policy", "brigade_cadre_living", "--year", "2025", "--profile", "江川区")
ORGS = ("--policy", "two_new_16321", "--year", "2025", "--profile", "澄江市")
VILLAGE = ("--policy", "village_cadre_departure", "--year", "2024")


@pytest.fixture
def work(tmp_path):
    """Copies of the bundled examples, so that a wrongly written output can only hurt a copy."""
    for name in ("brigade_cadres.csv", "brigade_cadres.xlsx", "two_new_orgs.csv", "village_departures.csv",
                 "village_post_standards.csv"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    shutil.copy(EXAMPLES / "scenarios" / "branch_4000.toml", tmp_path / "branch_4000.toml")
    return tmp_path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def refused(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-500:], proc.stderr)
    assert proc.stderr.startswith("错误 error:") and "Traceback" not in proc.stderr, proc.stderr


# ---------- item 1: an output never overwrites an input ----------

def _same_as_input_cases(work: Path) -> list[tuple[str, list[str]]]:
    os.link(work / "two_new_orgs.csv", work / "hardlink.csv")
    os.symlink(work / "two_new_orgs.csv", work / "symlink.csv")
    os.link(work / "two_new_orgs.csv", work / "roster.dat")
    return [
        ("calc --out roster", ["calc", "two_new_orgs.csv", *ORGS, "-f", "csv", "-o", "two_new_orgs.csv"]),
        ("calc --out ./roster", ["calc", "two_new_orgs.csv", *ORGS, "-f", "csv", "-o", "./two_new_orgs.csv"]),
        ("calc --out dir/../roster", ["calc", str(work / "two_new_orgs.csv"), *ORGS, "-f", "csv",
                                      "-o", str(work / "sub" / ".." / "two_new_orgs.csv")]),
        ("calc --out hard link", ["calc", "two_new_orgs.csv", *ORGS, "-f", "csv", "-o", "hardlink.csv"]),
        ("calc --out symlink", ["calc", "two_new_orgs.csv", *ORGS, "-f", "csv", "-o", "symlink.csv"]),
        ("calc --rejects roster", ["calc", "two_new_orgs.csv", *ORGS, "--rejects", "two_new_orgs.csv"]),
        ("calc --rejects hard link", ["calc", "hardlink.csv", *ORGS, "--rejects", "two_new_orgs.csv"]),
        ("calc xlsx roster", ["calc", "brigade_cadres.xlsx", *BRIGADE, "-f", "xlsx", "-o", "brigade_cadres.xlsx"]),
        ("calc --out standards", ["calc", "village_departures.csv", *VILLAGE, "--standards",
                                  "village_post_standards.csv", "-f", "csv", "-o", "village_post_standards.csv"]),
        ("calc --rejects standards", ["calc", "village_departures.csv", *VILLAGE, "--standards",
                                      "village_post_standards.csv", "--rejects", "village_post_standards.csv"]),
        ("calc batches --rejects roster", ["calc", "two_new_orgs.csv", *ORGS, "-f", "json", "--batch-rows", "2",
                                           "--rejects", "symlink.csv"]),
        ("validate --rejects roster", ["validate", "two_new_orgs.csv", "--policy", "two_new_16321",
                                       "--rejects", "./two_new_orgs.csv"]),
        ("budget --out roster", ["budget", "brigade_cadres.csv", *BRIGADE, "-f", "csv", "-o", "brigade_cadres.csv"]),
        ("budget --out standards", ["budget", "village_departures.csv", *VILLAGE, "--standards",
                                    "village_post_standards.csv", "-f", "csv", "-o", "village_post_standards.csv"]),
        ("whatif --out roster", ["whatif", "two_new_orgs.csv", *ORGS, "--scenario", "branch_4000.toml",
                                 "-f", "json", "-o", "roster.dat"]),
        ("whatif --out scenario", ["whatif", "two_new_orgs.csv", *ORGS, "--scenario", "branch_4000.toml",
                                   "-o", "branch_4000.toml"]),
        ("calc --out = --rejects", ["calc", "two_new_orgs.csv", *ORGS, "-f", "csv", "-o", "same.csv",
                                    "--rejects", "./same.csv"]),
    ]


def test_an_output_naming_an_input_is_refused_and_the_input_kept(work):
    (work / "sub").mkdir()
    cases = _same_as_input_cases(work)
    before = snapshot(work)
    for label, args in cases:
        proc = run_cli(*args, cwd=work)
        refused(proc)
        assert "同一文件" in proc.stderr and "same file" in proc.stderr, (label, proc.stderr)
        assert snapshot(work) == before, label
    assert (work / "symlink.csv").is_symlink() and not (work / "same.csv").exists()


def test_distinct_outputs_beside_the_inputs_are_still_written(work):
    proc = run_cli("calc", "two_new_orgs.csv", *ORGS, "-f", "csv", "-o", "out.csv", "--rejects", "rejects.csv",
                   cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert (work / "out.csv").exists() and (work / "rejects.csv").exists()


# ---------- item 12: the format follows the output's extension ----------

def test_format_follows_the_extension_when_not_given(work):
    proc = run_cli("calc", "brigade_cadres.csv", *BRIGADE, "-o", "分配表.xlsx", cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert "分配表" in openpyxl.load_workbook(work / "分配表.xlsx").sheetnames
    assert run_cli("calc", "brigade_cadres.csv", *BRIGADE, "-o", "a.csv", cwd=work).returncode == 0
    assert next(csv.reader((work / "a.csv").open(encoding="utf-8-sig")))[:3] == ["编号", "名称", "所属单位"]
    assert run_cli("calc", "brigade_cadres.csv", *BRIGADE, "-o", "a.json", cwd=work).returncode == 0
    assert json.loads((work / "a.json").read_text(encoding="utf-8"))["policy"] == "brigade_cadre_living"
    assert run_cli("calc", "brigade_cadres.csv", *BRIGADE, "-o", "a.txt", cwd=work).returncode == 0
    assert "合计 Totals" in (work / "a.txt").read_text(encoding="utf-8")  # no known extension: the table
    assert run_cli("budget", "brigade_cadres.csv", *BRIGADE, "-o", "b.xlsx", cwd=work).returncode == 0
    assert openpyxl.load_workbook(work / "b.xlsx").sheetnames == ["预算表"]
    assert run_cli("budget", "brigade_cadres.csv", *BRIGADE, "-o", "b.csv", cwd=work).returncode == 0
    assert next(csv.reader((work / "b.csv").open(encoding="utf-8-sig")))[0] == "项目名称"
    assert run_cli("budget", "brigade_cadres.csv", *BRIGADE, "-o", "b.md", cwd=work).returncode == 0
    assert (work / "b.md").read_text(encoding="utf-8").count("| 项目名称 |") == 1
    whatif = ("whatif", "two_new_orgs.csv", *ORGS, "--scenario", "branch_4000.toml")
    assert run_cli(*whatif, "-o", "w.xlsx", cwd=work).returncode == 0
    openpyxl.load_workbook(work / "w.xlsx")
    assert run_cli(*whatif, "-o", "w.json", cwd=work).returncode == 0
    assert "scenarios" in json.loads((work / "w.json").read_text(encoding="utf-8"))


def test_a_format_contradicting_the_extension_exits_2_and_writes_nothing(work):
    whatif = ("whatif", "two_new_orgs.csv", *ORGS, "--scenario", "branch_4000.toml")
    validate = ("validate", "two_new_orgs.csv", "--policy", "two_new_16321")
    cases = [
        ("calc", "brigade_cadres.csv", *BRIGADE, "-f", "json", "-o", "x.xlsx"),
        ("calc", "brigade_cadres.csv", *BRIGADE, "-f", "table", "-o", "x.csv"),
        ("calc", "brigade_cadres.csv", *BRIGADE, "-f", "csv", "-o", "x.json"),
        ("calc", "brigade_cadres.csv", *BRIGADE, "-f", "xlsx", "-o", "x.csv"),
        ("calc", "brigade_cadres.csv", *BRIGADE, "-f", "xlsx", "-o", "x.txt"),  # Excel opens by extension
        ("calc", "brigade_cadres.csv", *BRIGADE, "--rejects", "x.txt"),
        ("calc", "brigade_cadres.csv", *BRIGADE, "--rejects", "x.json"),
        ("calc", "two_new_orgs.csv", *ORGS, "-f", "json", "--batch-rows", "2", "--rejects", "x.md"),
        ("budget", "brigade_cadres.csv", *BRIGADE, "-o", "x.json"),  # budget has no JSON
        ("budget", "brigade_cadres.csv", *BRIGADE, "-f", "markdown", "-o", "x.xlsx"),
        ("budget", "brigade_cadres.csv", *BRIGADE, "-f", "csv", "-o", "x.md"),
        (*whatif, "-o", "x.csv"),  # whatif has no CSV
        (*whatif, "-f", "json", "-o", "x.xlsx"),
        (*validate, "--rejects", "x.txt"),
        (*validate, "--rejects", "x.json"),
        # spreadsheets and documents the tool does not write: terminal text in them would mislead
        ("calc", "brigade_cadres.csv", *BRIGADE, "-o", "分配表.xls"),
        ("calc", "brigade_cadres.csv", *BRIGADE, "-o", "分配表.XLSM"),
        ("calc", "brigade_cadres.csv", *BRIGADE, "-o", "分配表.ods"),
        ("budget", "brigade_cadres.csv", *BRIGADE, "-o", "预算.xls"),
        (*whatif, "-o", "w.xls"),
        (*whatif, "-o", "w.pdf"),
    ]
    before = snapshot(work)
    for args in cases:
        proc = run_cli(*args, cwd=work)
        refused(proc)
        assert snapshot(work) == before, args


# ---------- item 16: usage errors in Chinese first ----------

@pytest.mark.parametrize("args, chinese", [
    (("calc", "two_new_orgs.csv", *ORGS[:2], "--year", "abc"), "--year"),
    (("calc", "two_new_orgs.csv", *ORGS[:2]), "缺少"),
    (("calc", "two_new_orgs.csv", *ORGS, "-f", "pdf"), "--format"),
    (("calc", "two_new_orgs.csv", *ORGS, "--lang", "fr"), "--lang"),
    (("calc", "two_new_orgs.csv", *ORGS, "-f", "json", "--batch-rows", "0"), "--batch-rows"),
    (("calc", "two_new_orgs.csv", *ORGS, "--bogus"), "没有这个选项"),
    (("calc", "two_new_orgs.csv", *ORGS[:2], "--year"), "--year"),
    (("calc", "two_new_orgs.csv", "extra.csv", *ORGS), "多余"),
    (("frobnicate",), "没有这个命令"),
    (("calc", "no_such_roster.csv", *ORGS), "无法读取"),
    (("validate", "--policy", "two_new_16321"), "缺少"),
    (("whatif", "two_new_orgs.csv", *ORGS, "--detail", "yes"), "多余"),
])
def test_usage_errors_are_given_in_chinese_first(work, args, chinese):
    proc = run_cli(*args, cwd=work)
    refused(proc)
    first = proc.stderr.splitlines()[0]
    assert chinese in first, proc.stderr
    assert "╭" not in proc.stderr and "│" not in proc.stderr, proc.stderr  # no boxed English panel
    assert any("a" <= ch.lower() <= "z" for ch in first.split("error:", 1)[1]), proc.stderr  # English kept


def test_a_directory_as_roster_exits_2_in_chinese(work):
    (work / "dir.csv").mkdir()
    refused(run_cli("calc", "dir.csv", *ORGS, cwd=work))


# ---------- item 17: CSV formula injection ----------

FORMULA = '=HYPERLINK("http://x","点此")'


def _injected_roster(work: Path) -> Path:
    rows = list(csv.reader((work / "brigade_cadres.csv").open(encoding="utf-8")))
    rows[1][1] = FORMULA          # 姓名
    rows[2][1] = "+1-2"
    rows[3][1] = "@SUM(A1)"
    rows[4][0] = "-JC004"         # 编号
    rows[5][2] = "=1+1"           # 身份证号: rejected, its value goes into the rejects
    return write_csv(work / "injected.csv", rows[0], rows[1:])


def test_csv_outputs_neutralise_formula_text_but_keep_numbers(work):
    roster = _injected_roster(work)
    proc = run_cli("calc", roster.name, *BRIGADE, "-o", "out.csv", "--rejects", "rejects.csv", cwd=work)
    assert proc.returncode == 0, proc.stderr
    table = list(csv.reader((work / "out.csv").open(encoding="utf-8-sig")))
    cells = [c for row in table for c in row]
    assert "'" + FORMULA in cells and "'+1-2" in cells and "'@SUM(A1)" in cells and "'-JC004" in cells
    assert not any(c[:1] in ("=", "+", "@") for c in cells)
    assert not any(c.startswith("-") and not c.replace(".", "").lstrip("-").isdigit() for c in cells)
    rejects = list(csv.reader((work / "rejects.csv").open(encoding="utf-8-sig")))
    assert any(r[2] == "'=1+1" for r in rejects[1:]), rejects
    assert all(r[0].isdigit() for r in rejects[1:])  # row numbers stay numbers
    proc = run_cli("validate", roster.name, "--policy", "brigade_cadre_living", "--rejects", "v.csv", cwd=work)
    assert proc.returncode == 1
    assert any(r[2] == "'=1+1" for r in csv.reader((work / "v.csv").open(encoding="utf-8-sig")))
    proc = run_cli("calc", roster.name, *BRIGADE, "-f", "json", "--batch-rows", "3", "--rejects", "b.csv", cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert any(r[2] == "'=1+1" for r in csv.reader((work / "b.csv").open(encoding="utf-8-sig")))


def test_the_shared_csv_writer_prefixes_text_cells_only():
    sheet = Sheet("s", "", ["=head", "text", "money", "int"], ["text", "text", "money", "int"],
                  [["=1+2", "-12.50", -1250, -3], ["\tx", "\rx", 0, 7], ["+86 123", "a=b", 12, 0], ["-", "@", 1, 1]],
                  total=["合计", "", -1236, 5])
    rows = list(csv.reader(io.StringIO(sheet_csv(sheet), newline="")))
    assert rows[0] == ["'=head", "text", "money", "int"]
    assert rows[1] == ["'=1+2", "-12.50", "-12.50", "-3"]  # a text cell holding a plain number is a number
    assert rows[2][:2] == ["'\tx", "'\rx"]
    assert rows[3][:2] == ["'+86 123", "a=b"]
    assert rows[4][:2] == ["'-", "'@"]
    assert rows[5] == ["合计", "", "-12.36", "5"]


def test_xlsx_outputs_keep_formula_text_as_text(work):
    roster = _injected_roster(work)
    proc = run_cli("calc", roster.name, *BRIGADE, "-f", "xlsx", "-o", "out.xlsx", "--rejects", "r.xlsx", cwd=work)
    assert proc.returncode == 0, proc.stderr
    sheet = openpyxl.load_workbook(work / "out.xlsx")["分配表"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)
    sheet = openpyxl.load_workbook(work / "r.xlsx").active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "=1+1"]
    assert cells and all(c.data_type == "s" for c in cells)


# ---------- item 18: targets, failures and interruptions ----------

def test_out_through_a_symlink_writes_its_target_and_keeps_the_link(work):
    (work / "real").mkdir()
    (work / "real" / "out.csv").write_text("old", encoding="utf-8")
    os.symlink(work / "real" / "out.csv", work / "link.csv")
    proc = run_cli("calc", "two_new_orgs.csv", *ORGS, "-o", "link.csv", cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert (work / "link.csv").is_symlink()
    assert (work / "real" / "out.csv").read_text(encoding="utf-8-sig").startswith("编号,名称")
    assert sorted(p.name for p in (work / "real").iterdir()) == ["out.csv"]


def test_non_regular_targets_are_refused(work):
    os.mkfifo(work / "fifo.csv")
    (work / "folder.csv").mkdir()
    for target in ("fifo.csv", "folder.csv", "/dev/null"):  # a process: were a FIFO opened, it would block
        refused(run_installed("calc", "two_new_orgs.csv", *ORGS, "-f", "csv", "-o", target, cwd=work))
        refused(run_installed("calc", "two_new_orgs.csv", *ORGS, "--rejects", target, cwd=work))
    assert (work / "fifo.csv").exists() and (work / "folder.csv").is_dir()


def test_a_failed_run_writes_none_of_its_outputs(work):
    proc = run_cli("calc", "two_new_orgs.csv", *ORGS, "-f", "csv", "--rejects", "rejects.csv",
                   "-o", str(work / "no_such_dir" / "out.csv"), cwd=work)
    refused(proc)
    assert not (work / "rejects.csv").exists()
    proc = run_cli("calc", "two_new_orgs.csv", *ORGS, "-o", "out.xlsx",
                   "--rejects", str(work / "no_such_dir" / "r.csv"), cwd=work)
    refused(proc)
    assert not (work / "out.xlsx").exists()
    assert not [p for p in work.iterdir() if p.name.startswith(".")]


def _big_roster(folder: Path, rows: int) -> Path:
    lines = list(csv.reader((EXAMPLES / "brigade_cadres.csv").open(encoding="utf-8")))
    header, body = lines[0], lines[1:]
    people = []
    for i in range(rows):
        row = list(body[i % len(body)])
        row[0], row[2] = f"B{i:07d}", ""
        people.append(row)
    return write_csv(folder / "big.csv", header, people)


def _start_big_xlsx_run(work: Path, tmpdir: Path) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmpdir), "NO_COLOR": "1"}
    return subprocess.Popen([console_command(), "calc", "big.csv", *BRIGADE, "-o", "out.xlsx", "--rejects", "r.xlsx"],
                            cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_spill(work: Path, tmpdir: Path, proc: subprocess.Popen) -> bool:
    """True once the run is writing its workbook: xlsxwriter's temporary files exist somewhere."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        spill = list(tmpdir.rglob("*")) + [p for d in work.glob(".*") if d.is_dir() for p in d.rglob("*")]
        beside = [p for p in work.glob(".out.xlsx*") if p.is_file()]
        if spill or beside:
            return True
        time.sleep(0.02)
    return False


def _leftovers(work: Path, tmpdir: Path) -> list[str]:
    expected = {"big.csv", "tmp", "brigade_cadres.csv", "brigade_cadres.xlsx", "two_new_orgs.csv",
                "village_departures.csv", "village_post_standards.csv", "branch_4000.toml"}
    return [p.name for p in work.iterdir() if p.name not in expected] + [str(p) for p in tmpdir.rglob("*")]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_run_leaves_nothing_behind(work, sig):
    tmpdir = work / "tmp"
    tmpdir.mkdir()
    _big_roster(work, 60_000)
    proc = _start_big_xlsx_run(work, tmpdir)
    try:
        assert _wait_for_spill(work, tmpdir, proc), "the run ended before it wrote its workbook: make the roster bigger"
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 128 + sig, stderr
    assert "中断" in stderr and "Traceback" not in stderr, stderr
    assert _leftovers(work, tmpdir) == []


def test_after_kill_9_leftovers_are_hidden_and_the_next_run_removes_them(work):
    tmpdir = work / "tmp"
    tmpdir.mkdir()
    _big_roster(work, 60_000)
    proc = _start_big_xlsx_run(work, tmpdir)
    try:
        assert _wait_for_spill(work, tmpdir, proc), "the run ended before it wrote its workbook: make the roster bigger"
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    finally:
        proc.kill()
    left = _leftovers(work, tmpdir)
    assert left and all(name.startswith(".out.xlsx.") or name.startswith(".r.xlsx.") for name in left), left
    env_tmp = {"TMPDIR": str(tmpdir)}
    rerun = subprocess.run([console_command(), "calc", "brigade_cadres.csv", *BRIGADE, "-o", "out.xlsx",
                            "--rejects", "r.xlsx"], cwd=work, env={**os.environ, **env_tmp},
                           capture_output=True, text=True, timeout=60)
    assert rerun.returncode == 0, rerun.stderr
    assert sorted(_leftovers(work, tmpdir)) == ["out.xlsx", "r.xlsx"]


# ---------- item 8: a budget year outside 1949–2100 exits 2 from every command ----------

def test_a_year_out_of_range_exits_2_from_every_command(tmp_path):
    from typer.testing import CliRunner

    from entitlements import cli

    orgs, brigade = str(EXAMPLES / "two_new_orgs.csv"), str(EXAMPLES / "brigade_cadres.csv")
    for args in [
        ["calc", orgs, *ORGS[:2], "--year", "99999"],
        ["calc", orgs, *ORGS[:2], "--year", "0", "-f", "json", "--batch-rows", "2"],
        ["calc", "--policy", "two_new_16321", "--year", "-2025", "--count", "branch=3"],
        ["validate", orgs, "--policy", "two_new_16321", "--year", "1", "--rejects", str(tmp_path / "r.csv")],
        ["budget", brigade, *BRIGADE[:2], "--year", "99999"],
        ["explain", brigade, *BRIGADE[:2], "--year", "99999", "--id", "JC001"],
        ["whatif", orgs, *ORGS[:2], "--year", "99999", "--set", "org_funding.branch=4000@2025-01"],
        ["whatif", orgs, *ORGS[:2], "--years", "1-3", "--set", "org_funding.branch=4000@2025-01"],
    ]:
        result = CliRunner().invoke(cli.app, args)
        assert result.exit_code == 2, (args, result.output, result.exception)
        assert "1949" in result.output and "2100" in result.output, (args, result.output)
    assert not (tmp_path / "r.csv").exists()


def test_the_sweep_removes_only_staging_folders_of_finished_runs(tmp_path):
    from entitlements.output import STAGING_TAG, sweep_stale

    dead = _dead_pid()
    names = {
        "mine_reused": f".out.xlsx.{os.getpid()}.abc{STAGING_TAG}",  # a killed run under this pid (containers)
        "dead": f".out.xlsx.{dead}.abc{STAGING_TAG}",
        "alive": f".out.xlsx.{os.getppid()}.abc{STAGING_TAG}",
        "not_ours": ".out.xlsx.12.abc.tmp",
    }
    for name in names.values():
        (tmp_path / name).mkdir()
        (tmp_path / name / "spill").write_text("names", encoding="utf-8")
    sweep_stale(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([names["alive"], names["not_ours"]])


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid
