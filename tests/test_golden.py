"""Golden snapshots: the JSON of every bundled example under each profile and several years,
pinned in tests/golden/<policy>.json, so a refactor cannot silently change history.

Regenerating them is a deliberate, reviewed step (read the diff before committing it):

    python tests/test_golden.py --write
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":  # run as a script: import the tests package from the checkout
    sys.path.insert(0, str(ROOT))

from tests.test_spec_figures import LATER_RAISE, jiangchuan_44  # noqa: E402  the SPEC's Jiangchuan roster and raise
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLES = ROOT / "examples"

PROFILES = ("yunnan", "yunnan.yuxi", "yunnan.yuxi.jiangchuan", "yunnan.yuxi.chengjiang")
YEARS = (1995, 2002, 2014, 2021, 2024, 2025, 2026)
POST_STANDARDS = EXAMPLES / "village_post_standards.csv"
CHENGJIANG_2024_COUNTS = {"committee": 6, "general_branch": 4, "branch": 102, "paid_secretary": 95, "member": 1090}


def cases() -> dict[str, dict[str, object]]:
    """Case name -> how to compute it (policy, roster or counts, profile, year, standards, options)."""
    out: dict[str, dict[str, object]] = {}
    rosters = {
        "two_new_16321": ["two_new_orgs.csv", "two_new_orgs.xlsx"],
        "brigade_cadre_living": ["brigade_cadres.csv", "brigade_cadres_with_errors.xlsx"],
        "village_cadre_departure": ["village_departures.csv"],
    }
    for policy, files in rosters.items():
        standards = POST_STANDARDS if policy == "village_cadre_departure" else None
        for name in files:
            for profile in PROFILES:
                for year in YEARS:
                    out[f"{policy}/{name}/{profile}/{year}"] = {
                        "policy": policy, "roster": name, "profile": profile, "year": year, "standards": standards}
    for profile in PROFILES:
        out[f"village_cadre_departure/village_departures.csv/{profile}/2025/include_earlier"] = {
            "policy": "village_cadre_departure", "roster": "village_departures.csv", "profile": profile,
            "year": 2025, "standards": POST_STANDARDS, "options": {"include_earlier": True}}
        out[f"brigade_cadre_living/jiangchuan_44+later_raise/{profile}/2025"] = {
            "policy": "brigade_cadre_living", "roster": "jiangchuan_44", "profile": profile, "year": 2025,
            "standards": LATER_RAISE}
        for year in (2017, 2024, 2025):
            out[f"two_new_16321/counts/{profile}/{year}"] = {
                "policy": "two_new_16321", "counts": CHENGJIANG_2024_COUNTS, "profile": profile, "year": year}
    return out


def compute(case: dict[str, object]) -> dict[str, object]:
    from entitlements import Calculator

    calc = Calculator(case["policy"], profile=case["profile"], standards=case.get("standards"))
    if "counts" in case:
        result = calc.compute_counts(case["counts"], case["year"])
    else:
        roster = jiangchuan_44() if case["roster"] == "jiangchuan_44" else EXAMPLES / case["roster"]
        result = calc.compute_roster(roster, case["year"], **case.get("options", {}))
    # a JSON round trip: the document as `calc --format json` prints it
    return json.loads(json.dumps(result.to_json(), ensure_ascii=False))


def golden_file(policy: str) -> Path:
    return GOLDEN / f"{policy}.json"


def load(policy: str) -> dict[str, object]:
    return json.loads(golden_file(policy).read_text(encoding="utf-8"))


CASES = cases()


@pytest.mark.parametrize("name", list(CASES))
def test_golden(name: str) -> None:
    case = CASES[name]
    expected = load(str(case["policy"]))
    assert name in expected, f"no golden snapshot for {name}: regenerate deliberately (python tests/test_golden.py --write)"
    assert compute(case) == expected[name]


def test_every_snapshot_is_a_case() -> None:
    """A snapshot nothing computes any more is a case silently dropped."""
    for policy in {str(c["policy"]) for c in CASES.values()}:
        assert set(load(policy)) <= set(CASES), sorted(set(load(policy)) - set(CASES))


def write() -> None:
    GOLDEN.mkdir(exist_ok=True)
    by_policy: dict[str, dict[str, object]] = {}
    for name, case in CASES.items():
        by_policy.setdefault(str(case["policy"]), {})[name] = compute(case)
    for policy, docs in by_policy.items():
        golden_file(policy).write_text(json.dumps(docs, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                       encoding="utf-8")
        print(f"wrote {golden_file(policy)}: {len(docs)} snapshots")


if __name__ == "__main__":
    if "--write" not in sys.argv:
        sys.exit("usage: python tests/test_golden.py --write   (regenerates every snapshot: review the diff)")
    write()
