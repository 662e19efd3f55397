"""The engine's ratio split against a plain numpy largest-remainder bound, 10^6 lines.

    python benchmarks/split_bound.py [LINES]

For each set of weights it times ``money.split_by_weights`` and the bound
(``run.largest_remainder``: line × weight, floor and remainder, leftover fen to the
largest remainders by an argsort, ties to the last level), checks that they give the same
parts, and prints the ratio. "floor only" is the multiply and divide alone (no leftover
handed out, so no correct split): a floor under any bound. Best of 7; prints, never asserts
speed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from run import best_of as run_best_of, largest_remainder  # noqa: E402  (the bound the scale benchmark already uses)

from entitlements.money import split_by_weights  # noqa: E402

CASES = {
    "1:1 (澄江市: 玉溪 and 澄江 halves)": (1, 1),
    "5:3:2 (brigade tiers)": (5, 3, 2),
    "7:2:1 (brigade +60)": (7, 2, 1),
    "1 level pays all (云南 default)": (0, 0, 1),
    "333333:666667 (a large weight total)": (333_333, 666_667),
}


def best_of(fn, repeat: int = 7) -> float:
    fn()  # warm: the first call builds the remainder table
    return run_best_of(fn, repeat)


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 10**6
    amounts = np.random.default_rng(1).integers(0, 2 * 10**6, lines)  # fen: up to 20,000 元 a line
    for w in CASES.values():  # a first round: the allocator's first large blocks cost page faults
        split_by_weights(amounts, w), largest_remainder(amounts, w)
    print(f"{lines:,} lines, seconds (best of 7)")
    print(f"{'weights':<40} {'engine':>8} {'bound':>8} {'engine/bound':>13} {'floor only':>11}")
    for name, w in CASES.items():
        engine = split_by_weights(amounts, w)
        bound = np.stack(largest_remainder(amounts, w), axis=1)
        if not np.array_equal(engine, bound):
            raise SystemExit(f"{name}: the engine's parts differ from the bound's")
        t_engine = best_of(lambda: split_by_weights(amounts, w))
        t_bound = best_of(lambda: largest_remainder(amounts, w))
        t_floor = best_of(lambda: amounts[:, None] * np.array(w) // sum(w))
        print(f"{name:<40} {t_engine:8.4f} {t_bound:8.4f} {t_engine / t_bound:13.2f} {t_floor:11.4f}")


if __name__ == "__main__":
    main()
