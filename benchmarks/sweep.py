"""A parameter sweep, as a budget office runs one: 100 values of a standard over a
10,000-row roster (seeded, synthetic), through the same API a script would use. Prints
figures, never asserts.

    python benchmarks/sweep.py [ROWS] [VALUES]

Two ways are timed: ``whatif.compare`` with 100 scenarios (what ``entitlements whatif``
runs), and the loop a script writes: check the roster once, then run the formula per value
with ``Calculator.with_overrides``. Both read and check the roster once.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from entitlements import Calculator
from entitlements.scenarios import Scenario
from entitlements.whatif import compare

sys.path.insert(0, str(Path(__file__).parent))
from quick import synthetic_roster  # noqa: E402


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    values = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    calc = Calculator("brigade_cadre_living", profile="江川区")
    amounts = [f"{60 + k}" for k in range(values)]  # the 2002 raise from 60 to 60 + k 元/月
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roster.csv"
        synthetic_roster(path, rows)
        table = calc.read(path)

        t0 = time.perf_counter()
        scenarios = [Scenario.from_mapping({"layers.raise_2002": (a, "2025-01")}, name=a) for a in amounts]
        comparison = compare(calc, scenarios, [2025], table=table)
        t1 = time.perf_counter()

        base = calc.compute_roster(table, 2025)
        who = base.computation.who
        totals = []
        t2 = time.perf_counter()
        for a in amounts:
            other = calc.with_overrides({"layers.raise_2002": (a, "2025-01")})
            totals.append(int(other.policy.compute(who, other.data, 2025 * 12, 2026 * 12).amounts().sum()))
        t3 = time.perf_counter()
    assert totals == [f.amount for f in comparison.years[0].scenarios]  # both ways agree to the fen
    print(f"brigade_cadre_living, 江川区, {rows} rows, {values} values of layers.raise_2002")
    print(f"  whatif.compare, 100 scenarios:                       {t1 - t0:6.2f} s  ({(t1 - t0) / values * 1000:.1f} ms/value)")
    print(f"  with_overrides + formula per value:                   {t3 - t2:6.2f} s  ({(t3 - t2) / values * 1000:.1f} ms/value)")
    print(f"  totals from {totals[0] / 100:.2f} to {totals[-1] / 100:.2f} yuan")


if __name__ == "__main__":
    main()
