"""A column filled down by mistake (Excel's drag-fill: one 身份证号 or one 编号 on every row) makes
thousands of rows share a key. Every row is still rejected with its reason, and each reason names a
few of the others and how many there are in all: before, each reason listed all the others, so a
50,000-row roster needed memory quadratic in its rows (a MemoryError at 6.8 GB)."""

from __future__ import annotations

import csv
import json

from .conftest import EXAMPLES, run_cli


def _filled(src: str, dst, rows: int, column: int, value: str | None = None, names: bool = False) -> None:
    lines = list(csv.reader(open(EXAMPLES / src, encoding="utf-8-sig")))
    head, body = lines[0], lines[1:]
    with open(dst, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(head)
        for i in range(rows):
            row = list(body[i % len(body)])
            row[0] = f"X{i:05d}"
            row[column] = value if value is not None else row[column]
            if names:
                row[1] = f"人{i}"
            out.writerow(row)


def test_one_id_number_filled_down_rejects_every_row_briefly(tmp_path):
    roster = tmp_path / "filled_id.csv"
    _filled("brigade_cadres.csv", roster, 300, 2, "530421193804121213")
    out = run_cli("calc", str(roster), "--policy", "brigade_cadre_living", "--year", "2025", "--profile", "江川区",
                  "--format", "json")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["rows"] == {"read": 300, "accepted": 0, "rejected": 300}
    reasons = [r["reason"] for r in got["rejects"] if r["column"] == "身份证号"]
    assert reasons and all(len(r) < 200 for r in reasons), max(reasons, key=len)  # others: birth date or sex against the number
    assert all("等共299个编号相同" in r for r in reasons)
    assert "第3行（编号X00001）" in reasons[0]  # the first others, in table order


def test_one_key_filled_down_over_different_names_rejects_every_row_briefly(tmp_path):
    roster = tmp_path / "filled_key.csv"
    _filled("village_departures.csv", roster, 300, 0, "CJ001", names=True)
    out = run_cli("calc", str(roster), "--policy", "village_cadre_departure", "--year", "2024", "--profile", "澄江市",
                  "--standards", str(EXAMPLES / "village_post_standards.csv"), "--format", "json")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["rows"]["accepted"] == 0 and got["rows"]["rejected"] == 300
    reasons = {r["row"]: r["reason"] for r in got["rejects"] if r["column"] == "姓名"}
    assert len(reasons) == 300 and all(len(r) < 200 for r in reasons.values()), max(reasons.values(), key=len)
    assert all("第2行：人0；第3行：人1；第4行：人2等共300种" in r for r in reasons.values())
