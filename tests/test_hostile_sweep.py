"""Hostile rosters against every command and policy (issue 10): each ends in a named
reject, the clean roster's result, or exit 2 — never a traceback, never fewer rows than the
file holds, never a different total with exit 0, never an input written.

In-process through Typer's runner (a subprocess per case would cost a second each); the
installed console command is smoke-tested in test_cli.py; process-only cases (FIFOs, signals) run it too.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import traceback
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from entitlements.cli import app

from .conftest import EXAMPLES, console_command

STANDARDS = str(EXAMPLES / "village_post_standards.csv")
# policy -> (example roster, options, an id to explain, a column whose blank takes a default)
POLICIES = {
    "brigade_cadre_living": ("brigade_cadres.csv", ["-y", "2025", "--profile", "江川区"], "JC004", "死亡日期"),
    "two_new_16321": ("two_new_orgs.csv", ["-y", "2025", "--profile", "澄江市"], "LX001", "书记是否公职人员"),
    "village_cadre_departure": ("village_departures.csv", ["-y", "2020", "--standards", STANDARDS], "CJ002",
                                "不予发放原因"),
}


class Roster:
    def __init__(self, policy: str):
        self.text = (EXAMPLES / POLICIES[policy][0]).read_text(encoding="utf-8")
        self.lines = self.text.splitlines()
        self.header = self.lines[0].split(",")

    def swap(self, row: int, column: str, value: str) -> str:
        """The roster with one cell replaced (row as Excel numbers it, header named)."""
        lines = list(self.lines)
        cells = lines[row - 1].split(",")
        cells[self.header.index(column)] = value
        lines[row - 1] = ",".join(cells)
        return "\n".join(lines) + "\n"

    def workbook(self, error_at: tuple[int, str] | None = None, uncached_at: tuple[int, str] | None = None) -> bytes:
        """The roster as a workbook with a cached Excel error (#N/A from a VLOOKUP), or a
        formula with no cached value (openpyxl writes none), in one cell."""
        from openpyxl import Workbook

        book = Workbook()
        for line in self.lines:
            book.active.append(line.split(","))
        if uncached_at:
            row, column = uncached_at
            book.active.cell(row, self.header.index(column) + 1).value = '=IF(A2="","是","否")'
        buffer = io.BytesIO()
        book.save(buffer)
        data = buffer.getvalue()
        if error_at:  # openpyxl cannot write a cached error: give the cell its type and value in the XML
            row, column = error_at
            ref = f"{chr(ord('A') + self.header.index(column))}{row}"
            cell = f'<c r="{ref}" t="e"><f>VLOOKUP(A{row},Sheet2!A:B,2,0)</f><v>#N/A</v></c>'
            src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
            with zipfile.ZipFile(out, "w") as dst:
                for item in src.infolist():
                    body = src.read(item.filename)
                    if item.filename == "xl/worksheets/sheet1.xml":
                        text, n = re.subn(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', cell, body.decode())
                        if n == 0:  # an empty cell is not written: add it to its row
                            text = re.sub(rf'(<row r="{row}"[^>]*>)', rf"\g<1>{cell}", text)
                        body = text.encode()
                    dst.writestr(item, body)
            data = out.getvalue()
        return data

    def other_format(self, suffix: str, error_at: tuple[int, str]) -> bytes:
        """The roster as an .xls, .ods or .xlsb workbook with a #N/A in one cell (row as Excel numbers it)."""
        import tempfile

        from .test_workbook_faults_other_formats import ODS_ERROR, XLS_CODES, write_ods, write_xls, write_xlsb

        rows = [line.split(",") for line in self.lines[1:]]
        at = (error_at[0] - 2, self.header.index(error_at[1]))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"r{suffix}"
            if suffix == ".xls":
                write_xls(path, self.header, rows, errors=[(*at, "#N/A")])
            elif suffix == ".ods":
                write_ods(path, self.header, rows, {at: ODS_ERROR.format(error="#N/A")})
            else:
                write_xlsb(path, self.header, rows, {at: XLS_CODES["#N/A"]})
            return path.read_bytes()


Case = Callable[[Roster, str], tuple[str, bytes, str]]
# each case: (file name, content, expectation) where "same" is the clean roster's result;
# "rows": every data row read, exit 0 or 1, with named rejects; "exit2": refused
CASES: dict[str, Case] = {
    "bare_cr": lambda r, d: ("r.csv", r.text.replace("\n", "\r").encode(), "same"),
    "mixed_crlf_cr": lambda r, d: ("r.csv", "".join(ln + ("\r\n" if k % 2 else "\r")
                                                    for k, ln in enumerate(r.lines)).encode(), "same"),
    "bom_nul_before_header": lambda r, d: ("r.csv", ("\ufeff\x00" + r.text).encode(), "same"),
    "invisible_key_repeats_a_row": lambda r, d: ("r.csv", (r.text + re.sub(r"^(.)", "\\1\u200b", r.lines[1])
                                                           .replace(",", "\u00a0,", 1) + "\n").encode(), "not_twice"),
    "unclosed_quote": lambda r, d: ("r.csv", r.swap(3, r.header[1], '"' + r.lines[2].split(",")[1]).encode(),
                                    "rows_or_exit2"),
    "error_literal_in_defaulted_column": lambda r, d: ("r.csv", r.swap(2, d, "#N/A").encode(), "rows"),
    "lookalike_header": lambda r, d: ("r.csv", r.text.replace(r.header[1], r.header[1][0] + " " + r.header[1][1:], 1)
                                      .replace(r.header[0] + ",", r.header[0] + "," + r.header[1] + ",", 1)
                                      .encode(), "exit2"),
    "no_header": lambda r, d: ("r.csv", ("\n".join(r.lines[1:]) + "\n").encode(), "exit2"),
    "empty": lambda r, d: ("r.csv", b"", "exit2"),
    "junk_bytes": lambda r, d: ("r.csv", bytes(range(256)) * 20, "exit2"),
    "junk_xlsx": lambda r, d: ("r.xlsx", b"PK\x03\x04" + bytes(range(256)) * 4, "exit2"),
    "csv_named_xlsx": lambda r, d: ("r.xlsx", r.text.encode(), "exit2"),
    "utf16": lambda r, d: ("r.csv", r.text.encode("utf-16"), "exit2"),
    "xlsx_error_cell": lambda r, d: ("r.xlsx", r.workbook(error_at=(2, d)), "rows"),
    "xlsx_uncached_formula": lambda r, d: ("r.xlsx", r.workbook(uncached_at=(3, d)), "rows"),
    "xls_error_cell": lambda r, d: ("r.xls", r.other_format(".xls", (2, d)), "rows"),
    "ods_error_cell": lambda r, d: ("r.ods", r.other_format(".ods", (2, d)), "rows"),
    "xlsb_refused": lambda r, d: ("r.xlsb", r.other_format(".xlsb", (2, d)), "exit2"),
    "total_word_inside_a_name": lambda r, d: ("r.csv", r.swap(3, r.header[1], "王小计").replace(
        r.lines[2].split(",")[0] + ",", ",", 1).encode(), "all_rows"),
}

COMMANDS = {
    "calc": ["calc", "{roster}", "-p", "{policy}", "-f", "json"],
    "validate": ["validate", "{roster}", "-p", "{policy}", "-f", "json"],
    "budget": ["budget", "{roster}", "-p", "{policy}"],
    "explain": ["explain", "{roster}", "-p", "{policy}", "--id", "{id}"],
    "whatif": ["whatif", "{roster}", "-p", "{policy}", "-f", "json", "--set", "conventions.rounding=yuan"],
}

runner = CliRunner()


def invoke(command: str, policy: str, roster: str):
    _, options, explained, _ = POLICIES[policy]
    if command == "validate":  # no --standards: validate reads no standards
        options = [o for o in options if o not in ("--standards", STANDARDS)]
    args = [a.replace("{roster}", roster).replace("{policy}", policy).replace("{id}", explained)
            for a in COMMANDS[command]] + options
    result = runner.invoke(app, args, env={"COLUMNS": "200", "NO_COLOR": "1"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail(f"{args}: traceback:\n" + "".join(traceback.format_exception(result.exception)))
    return result


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> dict:
    out = {}
    for policy, (example, *_rest) in POLICIES.items():
        result = invoke("calc", policy, str(EXAMPLES / example))
        assert result.exit_code == 0, result.output
        out[policy] = json.loads(result.stdout)
    return out


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_hostile_roster_never_silently_wrong(policy, case, command, tmp_path, clean):
    roster = Roster(policy)
    name, content, expect = CASES[case](roster, POLICIES[policy][3])
    path = tmp_path / name
    path.write_bytes(content)
    result = invoke(command, policy, str(path))
    assert path.read_bytes() == content  # an input is never written
    assert result.exit_code in (0, 1, 2), result.output
    if expect == "exit2" or (expect == "rows_or_exit2" and result.exit_code == 2):
        assert result.exit_code == 2, result.output
        return
    assert result.exit_code != 2 or command == "explain", result.output  # explain may refuse a rejected id
    if command != "calc":
        return
    data = json.loads(result.stdout)
    data_rows = len(roster.lines) - 1 + (expect == "not_twice")
    assert data["rows"]["read"] == data_rows  # never fewer rows than the file holds
    assert data["rows"]["read"] == data["rows"]["accepted"] + data["rows"]["rejected"]
    if expect == "not_twice":  # the repeated row is the same beneficiary: not paid twice
        assert data["totals"]["amount"] == clean[policy]["totals"]["amount"]
    if expect == "same":
        assert data["totals"] == clean[policy]["totals"] and not data["rejects"]
    elif expect in ("rows", "rows_or_exit2"):
        assert data["rejects"], "a damaged cell must be a named reject"
        assert all(r["row"] and r["column"] and r["reason"] for r in data["rejects"])


def test_a_directory_or_fifo_is_refused(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for roster in (tmp_path, fifo):  # a FIFO would block a reader forever: a subprocess with a timeout
        proc = subprocess.run([console_command(), "calc", str(roster), "-p", "two_new_16321", "-y", "2025"],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
