"""The registry finds the policies: the bundled modules, and others' through an entry point."""

from __future__ import annotations

import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from entitlements import Calculator, registry

from .conftest import ROOT

BUNDLED = ("brigade_cadre_living", "capped_project_grants", "community_worker_pay", "four_level_meetings",
           "joint_party_org", "livelihood_projects", "model_case_awards", "retired_cadre_care",
           "rural_member_training", "service_grants", "two_new_16321", "village_accident_insurance",
           "village_cadre_departure", "village_cadre_performance")


def test_the_bundled_policies_are_found_without_a_list():
    assert registry.policy_ids() == BUNDLED
    assert set(registry.all_policies()) == set(BUNDLED)
    assert registry.get_policy(" two_new_16321 ").id == "two_new_16321"


def test_an_unknown_policy_is_named_with_the_known_ones():
    with pytest.raises(LookupError) as info:
        registry.get_policy("nonexistent")
    assert str(info.value) == f"未知政策 unknown policy 'nonexistent'. 可用 known: {', '.join(BUNDLED)}"
    with pytest.raises(LookupError, match="未知政策 unknown policy 'nonexistent'"):
        Calculator("nonexistent")


@pytest.fixture
def third_party(tmp_path, monkeypatch):
    """A distribution's module exposing POLICY, declared in the group entitlements.policies."""
    (tmp_path / "extra_policy.py").write_text(
        "from entitlements.policies.two_new_16321 import TwoNew16321\n\n\n"
        "class Extra(TwoNew16321):\n    id = 'extra_policy'\n\n\nPOLICY = Extra()\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    declared: list[EntryPoint] = []
    monkeypatch.setattr(registry, "entry_points",
                        lambda group: [ep for ep in declared if ep.group == group])
    registry.all_policies.cache_clear()
    yield declared
    registry.all_policies.cache_clear()
    sys.modules.pop("extra_policy", None)


def test_a_third_party_policy_comes_from_its_entry_point(third_party):
    third_party.append(EntryPoint("extra", "extra_policy", registry.ENTRY_POINT_GROUP))
    assert registry.policy_ids() == (*BUNDLED, "extra_policy")
    assert type(registry.get_policy("extra_policy")).__name__ == "Extra"


def test_a_policy_id_taken_twice_is_refused(third_party):
    third_party.append(EntryPoint("again", "entitlements.policies.two_new_16321:POLICY", registry.ENTRY_POINT_GROUP))
    with pytest.raises(LookupError, match="政策编号重复 duplicate policy id 'two_new_16321'"):
        registry.policy_ids()


def test_an_entry_point_that_is_no_policy_is_refused(third_party):
    third_party.append(EntryPoint("junk", "json:dumps", registry.ENTRY_POINT_GROUP))
    with pytest.raises(LookupError, match="不是政策 not a Policy"):
        registry.policy_ids()


def test_the_checkout_runs_its_own_code():
    import entitlements
    import entitlements.cli
    import entitlements.policies

    if Path(entitlements.__file__).resolve().parent != ROOT / "entitlements":
        pytest.skip("the package is imported from an install, not this checkout")
    assert Path(entitlements.cli.__file__).resolve() == ROOT / "cli.py"
    assert Path(entitlements.policies.__file__).resolve() == ROOT / "policies" / "__init__.py"
