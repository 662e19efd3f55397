"""Every policy's officer-readable case file (policies/<id>/cases.toml):
what is given (a beneficiary, rows, or counts; a profile and a year), then the amounts expected
per component and level, paid months and reasons. A key left out is not checked."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from entitlements import Calculator

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"


def case_files() -> dict[str, Path]:
    return {p.parent.name: p for p in POLICIES.glob("*/cases.toml")}


def all_cases() -> list[tuple[str, dict]]:
    out = []
    for policy, path in sorted(case_files().items()):
        for case in tomllib.loads(path.read_text(encoding="utf-8"))["cases"]:
            out.append((policy, case))
    return out


CASES = all_cases()


def test_every_policy_has_case_files():
    from entitlements.registry import policy_ids

    assert set(policy_ids()) <= set(case_files()), set(policy_ids()) - set(case_files())


@pytest.mark.parametrize("policy,case", CASES, ids=[f"{p}: {c['name']}" for p, c in CASES])
def test_case(policy: str, case: dict) -> None:
    standards = case.get("standards")
    calc = Calculator(policy, profile=case.get("profile", "yunnan"),
                      standards=None if standards is None else ROOT / standards)
    # a run's options (a programme budget), typed as the policy declares them
    options = {k: calc.policy.options()[k].type(v) for k, v in case.get("options", {}).items()}
    if "counts" in case:
        doc = calc.compute_counts(case["counts"], case["year"], **options).to_json()
        got = {"amount": doc["totals"]["amount"], "by_level": doc["totals"]["by_level"],
               "by_component": doc["totals"]["by_component"]}
    elif "rows" in case:
        doc = calc.compute_roster(case["rows"], case["year"], **options).to_json()
        got = {"amount": doc["totals"]["amount"], "by_level": doc["totals"]["by_level"],
               "by_component": doc["totals"]["by_component"]}
    else:
        one = calc.compute(case["beneficiary"], year=case.get("year"), month=case.get("month"), **options)
        got = {"amount": f"{one.amount:.2f}", "by_level": {k: f"{v:.2f}" for k, v in one.by_level.items()},
               "by_component": {k: f"{v:.2f}" for k, v in one.by_component.items()},
               "paid_months": one.paid_months, "reasons": one.reasons}
    assert got["amount"] == case["amount"], case["name"]
    for key in ("by_level", "by_component"):
        for k, v in case.get(key, {}).items():
            assert Decimal(got[key].get(k, "0")) == Decimal(v), (case["name"], key, k)
    if "paid_months" in case:
        assert got["paid_months"] == case["paid_months"], case["name"]
    for reason in case.get("reasons", []):
        assert reason in got["reasons"], (case["name"], got["reasons"])
