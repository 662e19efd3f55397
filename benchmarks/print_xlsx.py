"""Seconds of `entitlements calc` at 10^5 rows (brigade, 江川区) to JSON and to a printable xlsx.

    python benchmarks/print_xlsx.py [ROWS] [REPEATS]

Prints the best of REPEATS runs of each; never asserts. Used to check that setting the
workbook up to print (page setup, title, 大写 total, signature block) costs nothing per row.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from quick import synthetic_roster  # noqa: E402


def seconds(args: list[str], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        proc = subprocess.run(args, capture_output=True, text=True)
        elapsed = time.perf_counter() - t0
        if proc.returncode not in (0, 1):
            raise SystemExit(proc.stderr)
        best = min(best, elapsed)
    return best


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as tmp:
        roster = Path(tmp) / "roster.csv"
        synthetic_roster(roster, rows)
        base = [str(Path(sys.executable).with_name("entitlements")), "calc", str(roster), "--policy", "brigade_cadre_living",
                "--profile", "江川区", "--year", "2025"]
        json_s = seconds([*base, "--format", "json", "--out", str(Path(tmp) / "out.json")], repeats)
        xlsx_s = seconds([*base, "--format", "xlsx", "--out", str(Path(tmp) / "out.xlsx")], repeats)
    print(f"rows {rows:,}: calc to JSON {json_s:.2f} s, to xlsx {xlsx_s:.2f} s (best of {repeats})")


if __name__ == "__main__":
    main()
