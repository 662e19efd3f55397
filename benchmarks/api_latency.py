"""The one-person API: microseconds per `Calculator.compute` call, each policy, and where the time goes.

    python benchmarks/api_latency.py [CALLS] [--profile]

Each call computes a different beneficiary (seeded), year 2025, after 50 warm-up calls;
prints the median and the 10th/90th percentiles per call. With ``--profile`` it also
prints the top 10 functions (own time) of a cProfile over the brigade calls.
Prints, never asserts.
"""

from __future__ import annotations

import cProfile
import pstats
import random
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import POSTS, per_call, village_standards  # noqa: E402  (every post, 2005-2025, as the scale benchmark)

from entitlements import Calculator  # noqa: E402

YEAR = 2025


def brigade(rnd: random.Random) -> dict:
    born = rnd.randint(1925, 1959)
    return {"id": f"P{rnd.randrange(10**9)}", "sex": rnd.choice("男女"), "birth_date": f"{born}-{rnd.randint(1, 12):02d}",
            "tenure_years": min(rnd.randint(5, 40), 1984 - born - 14)}


def two_new(rnd: random.Random) -> dict:
    return {"org_id": f"O{rnd.randrange(10**9)}", "org_type": rnd.choice(("党委", "党总支", "党支部")),
            "members": rnd.randint(3, 199), "secretary_public_servant": rnd.random() < 0.15,
            "secretary_months": rnd.randint(0, 12)}


def village(rnd: random.Random) -> dict:
    start = rnd.randint(2010, 2019)
    middle = rnd.randint(start + 1, 2023)
    first, second = rnd.sample(POSTS, 2)
    return {"id": f"V{rnd.randrange(10**9)}", "spans": [
        {"post": first, "start": f"{start}-01-01", "end": f"{middle - 1}-12-31"},
        {"post": second, "start": f"{middle}-01-01", "end": f"{YEAR}-{rnd.randint(1, 12):02d}-15"}]}


def cases(standards: Path) -> dict:
    """policy: (Calculator arguments, a beneficiary generator)"""
    return {"brigade_cadre_living": ({"profile": "江川区"}, brigade),
            "two_new_16321": ({"profile": "澄江市"}, two_new),
            "village_cadre_departure": ({"profile": "澄江市", "standards": standards}, village)}


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    calls = int(args[0]) if args else 2000
    with tempfile.TemporaryDirectory() as tmp:
        standards = Path(tmp) / "post_standards.csv"
        village_standards(standards)
        measure(calls, cases(standards), "--profile" in sys.argv)


def measure(calls: int, cases: dict, profile: bool) -> None:
    print(f"Calculator.compute, one beneficiary a call, {calls:,} calls (µs per call)")
    print(f"{'policy':<26} {'profile':<8} {'median':>7} {'p10':>7} {'p90':>7}")
    for policy, (kwargs, make) in cases.items():
        rnd = random.Random(5)
        calc = Calculator(policy, **kwargs)
        times = per_call(calc, [make(rnd) for _ in range(calls + 50)])
        deciles = statistics.quantiles(times, n=10)
        print(f"{policy:<26} {kwargs['profile']:<8} {statistics.median(times) * 1e6:7.0f} "
              f"{deciles[0] * 1e6:7.0f} {deciles[-1] * 1e6:7.0f}")
    if profile:
        for policy, (kwargs, make) in cases.items():
            where_the_time_goes(policy, Calculator(policy, **kwargs), make, calls)


def where_the_time_goes(policy: str, calc: Calculator, make, calls: int) -> None:
    """A cProfile of the calls: the top 10 functions by own time, and own time by module."""
    rnd = random.Random(6)
    people = [make(rnd) for _ in range(calls)]
    profiler = cProfile.Profile()
    profiler.enable()
    for person in people:
        calc.compute(person, year=YEAR).amount
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"\n{policy}, {calls:,} calls under cProfile: top 10 functions by own time")
    stats.sort_stats("tottime").print_stats(10)
    by_module: dict[str, float] = {}
    for (file, _, name), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        module = Path(file).name if file.startswith("/") else "builtins (numpy, str, dict …)"
        if "site-packages" in file:
            module = file.split("site-packages/")[1].split("/")[0]
        by_module[module] = by_module.get(module, 0.0) + own
    whole = sum(by_module.values())
    print("own time by module: " + ", ".join(f"{m} {t / whole:.0%}" for m, t in
                                              sorted(by_module.items(), key=lambda kv: -kv[1])[:10]))

if __name__ == "__main__":
    main()
