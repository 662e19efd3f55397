"""One contract: every JSON the command prints validates against the JSON Schema shipped in
the package, the schema rejects doctored documents, whatif's totals are calc's totals, and
a counts-mode count is shown from ``Beneficiaries.shown_counts`` for any policy."""

from __future__ import annotations

import copy
import json
from importlib import resources

import numpy as np
import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from entitlements.cli import app
from entitlements import Calculator
from entitlements.contract import schema
from entitlements.output import allocation_sheet, result_json
from tests.conftest import EXAMPLES

VALIDATOR = Draft202012Validator(schema())
PROFILES = ["yunnan", "江川区", "澄江市"]
ROSTERS = {
    "brigade_cadre_living": [str(EXAMPLES / "brigade_cadres.csv")],
    "two_new_16321": [str(EXAMPLES / "two_new_orgs.csv")],
    "village_cadre_departure": [str(EXAMPLES / "village_departures.csv"),
                                "--standards", str(EXAMPLES / "village_post_standards.csv")],
}
COUNTS = ["--count", "党委=6", "--count", "党总支=9", "--count", "党支部=112", "--count", "书记=95", "--count", "党员=1274"]


def printed(*args: str) -> dict:
    """The JSON the command prints (in this process, on the checkout's code)."""
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def valid(doc: dict) -> dict:
    errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:3]]
    return doc


def test_the_schema_is_shipped_in_the_package_and_is_draft_2020_12():
    text = resources.files("entitlements").joinpath("contract.schema.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(doc)
    assert '"contract.schema.json"' in (EXAMPLES.parent / "pyproject.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("policy", list(ROSTERS))
def test_calc_json_full_summary_and_batches_follow_the_schema(policy, profile):
    args = ["calc", *ROSTERS[policy], "--policy", policy, "--profile", profile, "--year", "2025", "--format", "json"]
    full = valid(printed(*args))
    summary = valid(printed(*args, "--summary"))
    batches = valid(printed(*args, "--batch-rows", "2"))
    assert full["beneficiaries"] and "beneficiaries" not in summary and "beneficiaries" not in batches
    assert summary["totals"] == full["totals"] == batches["totals"]  # one ledger, merged or whole


@pytest.mark.parametrize("profile", PROFILES)
def test_counts_mode_json_follows_the_schema(profile):
    for extra in ([], ["--summary"]):
        doc = valid(printed("calc", "--policy", "two_new_16321", *COUNTS, "--profile", profile, "--year", "2024",
                            "--format", "json", *extra))
        assert doc["mode"] == "counts"


def test_rejects_and_notices_follow_the_schema():
    doc = valid(printed("calc", str(EXAMPLES / "brigade_cadres_with_errors.xlsx"), "--policy", "brigade_cadre_living",
                        "--year", "2025", "--format", "json"))
    assert doc["rejects"]
    checked = valid(printed("validate", str(EXAMPLES / "brigade_cadres_with_errors.xlsx"), "--policy",
                            "brigade_cadre_living", "--format", "json"))
    assert checked["rejects"] == doc["rejects"]
    for policy, roster in ROSTERS.items():
        if "--standards" not in roster:
            valid(printed("validate", *roster, "--policy", policy, "--format", "json"))


WHATIFS = [
    ["--policy", "two_new_16321", *COUNTS, "--profile", "澄江市", "--years", "2025-2027",
     "--scenario", str(EXAMPLES / "scenarios" / "more_branches.toml")],
    ["--policy", "two_new_16321", *COUNTS, "--profile", "澄江市", "--year", "2025",
     "--scenario", str(EXAMPLES / "scenarios" / "branch_4000.toml"), "--detail"],
    [*ROSTERS["brigade_cadre_living"], "--policy", "brigade_cadre_living", "--profile", "江川区", "--years", "2025-2027",
     "--scenario", str(EXAMPLES / "scenarios" / "province_raise_2026.toml"), "--detail"],
    [*ROSTERS["two_new_16321"], "--policy", "two_new_16321", "--year", "2025", "--set", "org_funding.branch=2000"],
    [*ROSTERS["village_cadre_departure"], "--policy", "village_cadre_departure", "--year", "2025",
     "--set", "conventions.start=same_month"],
]


@pytest.mark.parametrize("args", WHATIFS, ids=["counts-years", "counts-detail", "brigade-layer", "orgs-cut", "village"])
def test_whatif_json_follows_the_schema(args):
    doc = valid(printed("whatif", *args, "--format", "json"))
    for year in doc["years"]:
        for s in year["scenarios"]:  # a difference is the scenario less the baseline, unit by unit
            base, totals, diff = year["baseline"]["by_unit"], s["totals"]["by_unit"], s["difference"]["by_unit"]
            for unit in diff:
                fen = lambda d, k: int(d.get(unit, {"amount": "0.00"})["amount"].replace(".", ""))  # noqa: E731
                assert fen(diff, unit) == fen(totals, unit) - fen(base, unit)
                assert diff[unit]["beneficiaries"] == (totals.get(unit, {}).get("beneficiaries", 0)
                                                       - base.get(unit, {}).get("beneficiaries", 0))


@pytest.mark.parametrize("calc_args, whatif_args", [
    (["--policy", "two_new_16321", *COUNTS, "--profile", "澄江市"],
     ["--policy", "two_new_16321", *COUNTS, "--profile", "澄江市", "--set", "org_funding.branch=4000"]),
    ([*ROSTERS["brigade_cadre_living"], "--policy", "brigade_cadre_living", "--profile", "江川区"],
     [*ROSTERS["brigade_cadre_living"], "--policy", "brigade_cadre_living", "--profile", "江川区",
      "--scenario", str(EXAMPLES / "scenarios" / "province_raise_2026.toml")]),
    ([*ROSTERS["village_cadre_departure"], "--policy", "village_cadre_departure"],
     [*ROSTERS["village_cadre_departure"], "--policy", "village_cadre_departure", "--set", "conventions.start=same_month"]),
], ids=["counts", "brigade", "village"])
def test_whatif_baseline_totals_are_calcs_totals(calc_args, whatif_args):
    calc = printed("calc", *calc_args, "--year", "2025", "--format", "json", "--summary")
    whatif = printed("whatif", *whatif_args, "--year", "2025", "--format", "json")
    assert whatif["years"][0]["baseline"] == calc["totals"]  # by_unit per unit too: {amount, by_level, beneficiaries}


# ---------- the schema can fail ----------

def _calc_summary() -> dict:
    return printed("calc", "--policy", "two_new_16321", *COUNTS, "--profile", "澄江市", "--year", "2024",
                   "--format", "json")


def _doctored():
    doc = _calc_summary()
    whatif = printed("whatif", *WHATIFS[1], "--format", "json")

    def edit(base, change):
        out = copy.deepcopy(base)
        change(out)
        return out

    yield "amount as a number", edit(doc, lambda d: d["totals"].__setitem__("amount", 805400.0))
    yield "negative amount", edit(doc, lambda d: d["totals"].__setitem__("amount", "-1.00"))
    yield "one decimal", edit(doc, lambda d: d["totals"].__setitem__("amount", "805400.0"))
    yield "county missing", edit(doc, lambda d: d["totals"]["by_level"].pop("county"))
    yield "unknown level", edit(doc, lambda d: d["totals"]["by_level"].__setitem__("village", "0.00"))
    yield "contract 2", edit(doc, lambda d: d.__setitem__("contract", "2"))
    yield "extra key", edit(doc, lambda d: d.__setitem__("total", "805400.00"))
    yield "rows missing", edit(doc, lambda d: d.pop("rows"))
    yield "reasons missing", edit(doc, lambda d: d["beneficiaries"][0].pop("reasons"))
    yield "count negative", edit(doc, lambda d: d["beneficiaries"][0].__setitem__("count", -1))
    yield "unit as an amount (whatif's old by_unit)", edit(doc, lambda d: d["totals"]["by_unit"].__setitem__("", "805400.00"))
    yield "whatif baseline by_unit of amounts", edit(
        whatif, lambda d: d["years"][0]["baseline"].__setitem__("by_unit", {"": "805400.00"}))
    yield "whatif totals without by_unit", edit(whatif, lambda d: d["years"][0]["scenarios"][0]["totals"].pop("by_unit"))


@pytest.mark.parametrize("name, doc", list(_doctored()), ids=lambda x: x if isinstance(x, str) else "")
def test_the_schema_rejects_a_doctored_document(name, doc):
    assert not VALIDATOR.is_valid(doc), name


def test_a_valid_difference_may_be_negative_but_calc_totals_may_not():
    whatif = printed("whatif", *WHATIFS[3], "--format", "json")
    diff = whatif["years"][0]["scenarios"][0]["difference"]
    assert diff["amount"].startswith("-")  # a cut: 2000 instead of 3000 a branch
    valid(whatif)
    doctored = copy.deepcopy(whatif)
    doctored["years"][0]["baseline"]["amount"] = diff["amount"]
    assert not VALIDATOR.is_valid(doctored)


# ---------- counts shown from Beneficiaries.shown_counts ----------

def test_counts_mode_shows_each_entry_count_from_shown_counts():
    calc = Calculator("two_new_16321", profile="澄江市")
    result = calc.compute_counts({"党委": 6, "党总支": 9, "党支部": 112, "书记": 95, "党员": 1274}, 2024)
    shown = {b["id"]: b["count"] for b in result.to_json()["beneficiaries"]}
    assert shown == {"committee": 6, "general_branch": 9, "branch": 112, "paid_secretary": 95, "member": 1274}
    sheet = allocation_sheet(result)
    assert sheet.header[3] == "数量" and [r[3] for r in sheet.rows] == [6, 9, 112, 95, 1274]
    assert "quantity" not in result.computation.who.columns  # no policy column the outputs must know


def test_any_entries_with_shown_counts_show_them():
    """The outputs read the engine's field, whatever the policy and its columns."""
    calc = Calculator("brigade_cadre_living", profile="yunnan")
    result = calc.compute_roster(str(EXAMPLES / "brigade_cadres.csv"), 2025)
    who = result.computation.who
    assert "count" not in result_json(result)["beneficiaries"][0]
    who.shown_counts = np.arange(len(who), dtype=np.int64) + 7
    people = result_json(result)["beneficiaries"]
    assert [p["count"] for p in people] == list(range(7, 7 + len(who)))
    sheet = allocation_sheet(result)
    assert sheet.header[3] == "数量" and [r[3] for r in sheet.rows] == list(range(7, 7 + len(who)))
    assert who.take(np.array([1, 0])).shown_counts.tolist() == [8, 7]  # a subset keeps its counts
