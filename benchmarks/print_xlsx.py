"""Seconds of `entitlements calc` at 10^5 rows to JSON and to a printable xlsx.

    python benchmarks/print_xlsx.py [ROWS] [REPEATS] [brigade|16321]

brigade: brigade_cadre_living under 江川区 (benchmarks/quick.py's roster); 16321:
two_new_16321 under 云南 (benchmarks/run.py's roster of party organisations).

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
    which = sys.argv[3] if len(sys.argv) > 3 else "brigade"
    with tempfile.TemporaryDirectory() as tmp:
        roster = Path(tmp) / "roster.csv"
        if which == "16321":
            import numpy as np
            from run import two_new, two_new_cells, write_csv
            write_csv(roster, two_new_cells(two_new(rows, np.random.default_rng(1))))
            policy, profile = "two_new_16321", "云南"
        else:
            synthetic_roster(roster, rows)
            policy, profile = "brigade_cadre_living", "江川区"
        base = [str(Path(sys.executable).with_name("entitlements")), "calc", str(roster), "--policy", policy,
                "--profile", profile, "--year", "2025"]
        json_s = seconds([*base, "--format", "json", "--out", str(Path(tmp) / "out.json")], repeats)
        xlsx_s = seconds([*base, "--format", "xlsx", "--out", str(Path(tmp) / "out.xlsx")], repeats)
    print(f"{policy} ({profile}) rows {rows:,}: calc to JSON {json_s:.2f} s, to xlsx {xlsx_s:.2f} s (best of {repeats})")


if __name__ == "__main__":
    main()
