"""Every registered policy does the whole annual job through the console command, on its bundled
example: calc (json, csv, xlsx), explain, validate, budget, whatif, policies, and the API agrees
with the command to the fen. A new policy must be listed here, with its example, or this fails."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from entitlements import Calculator, registry

from .conftest import EXAMPLES, run_cli

# policy -> (example roster, profile, year, extra arguments, a money standard a what-if raises)
LIBRARY = {
    "brigade_cadre_living": ("brigade_cadres.csv", "江川区", 2025, (), "layers.raise_2002"),
    "capped_project_grants": ("chenggong_projects.csv", "呈贡区", 2026, ("--budget", "126300"), "caps.service"),
    "community_worker_pay": ("community_workers.csv", "城区", 2025, (), "posts.member"),
    "joint_party_org": ("joint_party_orgs.csv", "城区", 2025, (), "funding.joint_org"),
    "four_level_meetings": ("four_level_meetings.csv", "澄江市", 2024, (), "meeting.per_event"),
    "livelihood_projects": ("livelihood_projects.csv", "澄江市", 2024, (), "grant.project"),
    "model_case_awards": ("model_case_awards.csv", "澄江市", 2024, (), "award.per_case"),
    "service_grants": ("service_grant_units.csv", "澄江市", 2024, (), "grant.village"),
    "retired_cadre_care": ("retired_cadres.csv", "澄江市", 2024, (), "festival_visit.per_festival"),
    "rural_member_training": ("rural_branches.csv", "澄江市", 2023, (), "training.per_member"),
    "two_new_16321": ("two_new_orgs.csv", "澄江市", 2024, (), "org_funding.branch"),
    "village_accident_insurance": ("village_cadres_insured.csv", "澄江市", 2024, (), "premium.per_person"),
    "village_cadre_performance": ("village_cadres_performance.csv", "澄江市", 2024, (), None),
    "village_cadre_departure": ("village_departures.csv", "澄江市", 2024,
                                ("--standards", str(EXAMPLES / "village_post_standards.csv")), None),
}


def args(policy: str) -> list[str]:
    example, profile, year, extra, _ = LIBRARY[policy]
    return [str(EXAMPLES / example), "--policy", policy, "--profile", profile, "--year", str(year), *extra]


def calc_json(policy: str) -> dict:
    proc = run_cli("calc", *args(policy), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_every_registered_policy_has_a_bundled_example_here():
    assert sorted(LIBRARY) == sorted(registry.policy_ids())


@pytest.mark.parametrize("policy", sorted(LIBRARY))
def test_calc_adds_up_and_loses_no_row(policy):
    doc = calc_json(policy)
    totals, rows = doc["totals"], doc["rows"]
    assert rows["read"] == rows["accepted"] + rows["rejected"] > 0
    assert Decimal(totals["amount"]) > 0
    assert sum(map(Decimal, totals["by_level"].values())) == Decimal(totals["amount"])
    assert sum(map(Decimal, totals["by_component"].values())) == Decimal(totals["amount"])
    assert sum(Decimal(b["amount"]) for b in doc["beneficiaries"]) == Decimal(totals["amount"])


@pytest.mark.parametrize("policy", sorted(LIBRARY))
def test_the_api_gives_what_the_command_gives(policy):
    example, profile, year, extra, _ = LIBRARY[policy]
    given = dict(zip(extra[::2], extra[1::2]))
    options = {"budget": Decimal(given["--budget"])} if "--budget" in given else {}
    calculator = Calculator(policy, profile=profile, standards=given.get("--standards"))
    result = calculator.compute_roster(EXAMPLES / example, year, **options)
    assert result.to_json()["totals"] == calc_json(policy)["totals"]


@pytest.mark.parametrize("policy", sorted(LIBRARY))
def test_csv_and_xlsx_outputs_carry_the_total(policy, tmp_path):
    total = calc_json(policy)["totals"]["amount"]
    for kind in ("csv", "xlsx"):
        out = tmp_path / f"out.{kind}"
        proc = run_cli("calc", *args(policy), "--format", kind, "--out", str(out))
        assert proc.returncode == 0 and out.stat().st_size > 0, proc.stderr
    sheets = CalamineWorkbook.from_path(str(tmp_path / "out.xlsx"))
    cells = [c for name in sheets.sheet_names for row in sheets.get_sheet_by_name(name).to_python() for c in row]
    assert any(isinstance(c, (int, float)) and Decimal(str(c)) == Decimal(total) for c in cells)


@pytest.mark.parametrize("policy", sorted(LIBRARY))
def test_explain_shows_a_beneficiary_with_its_amount(policy):
    paid = next(b for b in calc_json(policy)["beneficiaries"] if Decimal(b["amount"]) > 0)
    proc = run_cli("explain", *args(policy), "--id", paid["id"], "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["amount"] == paid["amount"]
    text = run_cli("explain", *args(policy), "--id", paid["id"])
    assert text.returncode == 0 and paid["amount"] in text.stdout, text.stderr


@pytest.mark.parametrize("policy", sorted(LIBRARY))
def test_validate_budget_and_policies_work(policy):
    example, profile, _, _, _ = LIBRARY[policy]  # validate checks a roster without post standards
    proc = run_cli("validate", str(EXAMPLES / example), "--policy", policy, "--profile", profile)
    assert proc.returncode in (0, 1), proc.stderr
    budget = run_cli("budget", *args(policy))
    assert budget.returncode == 0 and calc_json(policy)["totals"]["amount"] in budget.stdout, budget.stderr
    shown = run_cli("policies", policy, "--profile", profile)
    assert shown.returncode == 0 and "〔" in shown.stdout, shown.stderr  # standards with their citations
    assert registry.get_policy(policy).id in shown.stdout


@pytest.mark.parametrize("policy", [p for p in sorted(LIBRARY) if LIBRARY[p][4]])
def test_whatif_raising_a_standard_costs_more(policy):
    path = LIBRARY[policy][4]
    data = Calculator(policy, profile=LIBRARY[policy][1]).data.get(path)
    year = LIBRARY[policy][2]
    value = (data.at(year * 12) or data.values[0]).value
    if isinstance(value, int):
        raised = f"{path}={Decimal(value + 100) / 100}"
    else:  # tiers: every tier one yuan more
        raised = f"{path}=[" + ", ".join(f'{{min = {t.min}, amount = "{Decimal(t.amount + 100) / 100}"}}'
                                          for t in value) + "]"
    plain = [a for a, b in zip(args(policy), ["", *args(policy)]) if "--budget" not in (a, b)]  # a budget binds
    proc = run_cli("whatif", *plain, "--set", raised, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    year_doc = json.loads(proc.stdout)["years"][0]
    assert Decimal(year_doc["scenarios"][0]["totals"]["amount"]) > Decimal(year_doc["baseline"]["amount"])
    assert Decimal(year_doc["scenarios"][0]["difference"]["amount"]) > 0


def test_policies_lists_every_programme_with_citations():
    shown = run_cli("policies")
    assert shown.returncode == 0, shown.stderr
    for policy in registry.policy_ids():
        assert f"\n{policy} " in shown.stdout, policy
    assert shown.stdout.count("〔") >= len(registry.policy_ids())


@pytest.mark.parametrize("policy", ["retired_cadre_care", "joint_party_org", "capped_project_grants", "two_new_16321"])
def test_without_a_profile_a_policy_runs_under_its_own(policy):
    """A clerk who leaves out --profile gets the programme's own jurisdiction, not a refusal."""
    from entitlements.profiles import root_profile

    example, _, year, extra, _ = LIBRARY[policy]
    proc = run_cli("calc", str(EXAMPLES / example), "--policy", policy, "--year", str(year), *extra, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["profile"] == root_profile(policy)
    assert Calculator(policy).profile.id == root_profile(policy)
