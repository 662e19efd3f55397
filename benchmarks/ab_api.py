"""A/B of the one-person API between two checkouts: CPU time per ``Calculator.compute`` call,
best of 5 × 300 calls, for each policy (run each checkout alternately in one sitting):

    cd CHECKOUT && python /path/to/benchmarks/ab_api.py
"""

import sys
import time

sys.path.insert(0, ".")  # the checkout run from

from entitlements import Calculator  # noqa: E402

CASES = [
    ("brigade_cadre_living", "江川区", {"id": "A1", "sex": "男", "birth_date": "1938-04", "tenure_years": 16}),
    ("two_new_16321", "澄江市", {"org_id": "o", "org_type": "党支部", "members": 10}),
    ("village_cadre_departure", "澄江市", {"id": "v", "spans": [{"post": "委员", "start": "2015-01-01", "end": "2020-12-31"}]}),
]

for policy, profile, person in CASES:
    standards = "examples/village_post_standards.csv" if policy == "village_cadre_departure" else None
    calc = Calculator(policy, profile=profile, standards=standards)
    calc.compute(person, year=2025)
    best = float("inf")
    for _ in range(5):
        t0 = time.process_time()
        for _ in range(300):
            calc.compute(person, year=2025).amount
        best = min(best, (time.process_time() - t0) / 300)
    print(f"{policy:<26} {best * 1e6:6.0f} µs")
