"""Quick speed figures for the brigade policy (seeded synthetic roster); prints, never asserts.

    python benchmarks/quick.py [ROWS]

The full benchmark across policies and sizes, against a numpy bound, is issue 5's.
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from entitlements import Calculator


def synthetic_roster(path: Path, rows: int, seed: int = 1) -> None:
    rnd = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["编号", "性别", "出生日期", "任职年限", "死亡日期", "所属单位"])
        for i in range(rows):
            death = "" if rnd.random() < 0.9 else f"20{rnd.randint(10, 25)}-{rnd.randint(1, 12):02d}"
            born = rnd.randint(25, 55)  # plausible: tenure from age 14 to the 1984 reform
            w.writerow([f"P{i}", rnd.choice("男女"), f"19{born}-{rnd.randint(1, 12):02d}-"
                        f"{rnd.randint(1, 28):02d}", min(rnd.randint(5, 40), 84 - born - 14), death, f"镇{i % 20}"])


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    calc = Calculator("brigade_cadre_living", profile="江川区")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roster.csv"
        synthetic_roster(path, rows)
        t0 = time.perf_counter()
        result = calc.compute_roster(path, 2025)
        t1 = time.perf_counter()
        who = result.computation.who
        t2 = time.perf_counter()
        calc.policy.compute(who, calc.data, 2025 * 12, 2026 * 12)
        t3 = time.perf_counter()
        tracemalloc.start()  # a second run: tracing slows Python down several times
        calc.compute_roster(path, 2025)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    person = {"id": "A", "sex": "男", "birth_date": "1938-04", "tenure_years": 16}
    calls = 2000
    t4 = time.perf_counter()
    for _ in range(calls):
        calc.compute(person, year=2025)
    t5 = time.perf_counter()
    print(f"rows                          {rows}")
    print(f"read + check + compute (s)    {t1 - t0:.2f}  ({rows / (t1 - t0):,.0f} rows/s)")
    print(f"compute only (s)              {t3 - t2:.3f}")
    print(f"peak traced memory (MB)       {peak / 2**20:.0f}")
    print(f"one-person API, per call (us) {(t5 - t4) / calls * 1e6:.0f}")
    print(f"total {result.to_json(summary=True)['totals']['amount']}")


if __name__ == "__main__":
    main()
