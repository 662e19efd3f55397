"""A/B of the check stage between two checkouts, on the scale benchmark's rosters:

    python benchmarks/ab.py ROOT POLICY PROFILE     # e.g. a checkout of the base commit, then this one

prints the best of 3 of ``Calculator._prepare`` (parse and cross-check) on 10^6 rows. Run
two checkouts alternately in one sitting: this machine's speed varies by a third over a day.
"""

import pathlib
import sys
import tempfile
import time

root, policy, profile = sys.argv[1:4]
sys.path[:0] = [root, root + "/benchmarks"]

import numpy as np  # noqa: E402
import run  # noqa: E402  (the checkout's own generators)
from entitlements import Calculator  # noqa: E402
from entitlements.roster import make_table  # noqa: E402

N = 1_000_000
make, cells = {"village_cadre_departure": (run.village, run.village_cells),
               "two_new_16321": (run.two_new, run.two_new_cells),
               "brigade_cadre_living": (run.brigade, run.brigade_cells)}[policy]
columns = cells(make(N, np.random.default_rng(1)))
standards = None
if policy == "village_cadre_departure":
    standards = pathlib.Path(tempfile.mkdtemp()) / "posts.csv"
    run.village_standards(standards)
calc = Calculator(policy, profile=profile, standards=standards)
table = make_table(list(columns), [list(r) for r in zip(*columns.values())], list(range(2, N + 2)), "x")
best = float("inf")
for _ in range(3):
    t0 = time.perf_counter()
    calc._prepare(table)
    best = min(best, time.perf_counter() - t0)
print(f"{root} {policy} check {best:.3f} s")
