"""Contract every policy meets: its data cites a source for every value; profiles resolve."""

from __future__ import annotations

import pytest

from entitlements import Calculator, ProfileError, StandardsError
from entitlements.profiles import load_policy_data, profiles, resolve_profile
from entitlements.registry import policy_ids


@pytest.mark.parametrize("policy_id", policy_ids())
@pytest.mark.parametrize("profile", ["yunnan", "yunnan.yuxi", "yunnan.yuxi.jiangchuan", "yunnan.yuxi.chengjiang"])
def test_every_value_has_a_source_document(policy_id, profile):
    try:
        data = load_policy_data(policy_id, profile)
    except ProfileError:  # a policy defined for one jurisdiction (its root_profile) and below
        with pytest.raises(ProfileError, match="适用于"):
            Calculator(policy_id, profile=profile)
        return
    assert data.standards
    for std in data.standards.values():
        assert std.unit or std.kind == "split", std.path
        for v in std.values:
            assert v.source.doc, (std.path, v.start_label)


@pytest.mark.parametrize("alias, pid", [("江川区", "yunnan.yuxi.jiangchuan"), ("江川", "yunnan.yuxi.jiangchuan"),
                                        ("澄江市", "yunnan.yuxi.chengjiang"), ("云南", "yunnan"),
                                        ("yunnan.yuxi", "yunnan.yuxi"), ("晋城市城区", "shanxi.jincheng.chengqu")])
def test_profile_aliases(alias, pid):
    assert resolve_profile(alias).id == pid


def test_children_inherit_and_override():
    base = load_policy_data("two_new_16321", "yunnan")
    cj = load_policy_data("two_new_16321", "yunnan.yuxi.chengjiang")
    assert cj.get("org_funding.branch") == base.get("org_funding.branch")  # inherited
    assert cj.get("splits.org_funding").at(2024 * 12).value.shares == (("prefecture", 1), ("county", 1))
    assert "splits.total" in load_policy_data("brigade_cadre_living", "江川区").standards
    assert "splits.total" not in load_policy_data("brigade_cadre_living", "澄江市").standards
    assert set(profiles()) >= {"yunnan", "yunnan.yuxi.jiangchuan", "shanxi.jincheng.chengqu"}


def test_unknown_profile_and_out_of_scope_policy():
    with pytest.raises(ProfileError, match="江川区"):
        resolve_profile("大理")  # the message lists what exists (昆明 is a profile since issue 12 item 7)
    with pytest.raises(ProfileError):
        Calculator("two_new_16321", profile="shanxi")


def test_a_standards_overlay_adds_a_layer_without_code():
    overlay = {
        "sources": {"s": {"doc": "假设文件〔2030〕1号"}},
        "standards": {
            "layers.raise_2030": {"kind": "tiers", "label": "2030年提标", "unit": "元/人/月", "tier_on": "tenure_years",
                                  "values": [{"from": "2030-07", "source": "s",
                                              "tiers": [{"min": 11, "amount": "100"}, {"min": 21, "amount": "150"}]}]},
            "splits.layers.raise_2030": {"kind": "split", "values": [
                {"from": "2030-07", "rule": "ratio", "shares": {"province": 50, "prefecture": 30, "county": 20},
                 "source": "s"}]},
        },
    }
    calc = Calculator("brigade_cadre_living", standards=overlay)
    one = calc.compute({"id": "x", "sex": "男", "birth_date": "1935-01", "tenure_years": 25}, year=2030)
    assert one.by_component["raise_2030"] == 150 * 6  # July to December
    assert one.months["2030-06"] == 88 and one.months["2030-07"] == 238
    # base 28 × 12 at 5/10, raise_2002 60 × 12 at 7/10, the new layer 150 × 6 at 50/100
    assert one.by_level["province"] == 336 * 5 // 10 + 720 * 7 // 10 + 900 * 50 // 100


def test_malformed_standards_are_refused_with_the_place_named():
    bad = {"sources": {"s": {"doc": "x"}},
           "standards": {"layers.base": {"values": [{"from": "2030-13", "source": "s", "tiers": []}]}}}
    with pytest.raises(StandardsError, match="layers.base"):
        Calculator("brigade_cadre_living", standards=bad)
    bad = {"standards": {"layers.x": {"kind": "money", "values": [{"from": "2030-01", "amount": "1", "source": "nope"}]}}}
    with pytest.raises(StandardsError, match="unknown source 'nope'"):
        Calculator("brigade_cadre_living", standards=bad)


def test_conventions_same_month_start_and_death_month_stop():
    overlay = {"conventions": {"start": "same_month", "stop": "death_month", "note": "测试"}}
    calc = Calculator("brigade_cadre_living", standards=overlay)
    # the last condition met in 2025-03: leaving office (a birth late enough to reach the age then
    # could not have served 11 years before 1984)
    one = calc.compute({"id": "x", "sex": "女", "birth_date": "1940-03-10", "tenure_years": 11,
                        "left_office": "2025-03-10", "death_date": "2025-10-05"}, year=2025)
    assert [m for m, v in one.months.items() if v] == [f"2025-{m:02d}" for m in range(3, 10)]
    default = Calculator("brigade_cadre_living").compute(
        {"id": "x", "sex": "女", "birth_date": "1940-03-10", "tenure_years": 11, "left_office": "2025-03-10",
         "death_date": "2025-10-05"}, year=2025)
    assert [m for m, v in default.months.items() if v] == [f"2025-{m:02d}" for m in range(4, 11)]


def test_rounding_to_yuan_profile_convention():
    overlay = {"conventions": {"rounding": "yuan"}}
    # a mid-year raise prorates an annual amount: 3000 × 6/12 + 3001 × 6/12 = 3000.50 → 3001 (yuan) / 3000.50 (fen)
    raise_ = {"sources": {"s": {"doc": "x"}}, "standards": {
        "org_funding.branch": {"values": [{"from": "2017-01", "amount": "3000", "source": "s"},
                                          {"from": "2025-07", "amount": "3001", "source": "s"}]}}}
    fen = Calculator("two_new_16321", standards=raise_).compute({"org_id": "o", "org_type": "党支部", "secretary_months": 0},
                                                                 year=2025)
    assert fen.amount == 3000.5
    yuan = Calculator("two_new_16321", standards={**raise_, **overlay}).compute(
        {"org_id": "o", "org_type": "党支部", "secretary_months": 0}, year=2025)
    assert yuan.amount == 3001


def test_years_before_a_programme_started_pay_nothing_and_still_explain():
    org = Calculator("two_new_16321").compute({"org_id": "o", "org_type": "党委", "members": 10}, year=2016)
    assert org.amount == 0 and "2017-01" in org.explain()
    cadre = Calculator("brigade_cadre_living").compute(
        {"id": "x", "sex": "男", "birth_date": "1930-01", "tenure_years": 20}, year=1989)
    assert cadre.amount == 0 and cadre.paid_months == 0
    first_year = Calculator("brigade_cadre_living").compute(
        {"id": "x", "sex": "男", "birth_date": "1930-01", "tenure_years": 20}, year=1990)
    assert first_year.amount == 23 * 12  # the 1989 tiers from 1990-01, before the 2002 raise


def test_a_policy_standards_file_is_found_flat_or_in_the_policy_folder(tmp_path, monkeypatch):
    from entitlements import profiles as profiles_module

    package = tmp_path / "layout_policies"
    for name in ("__init__.py", "flat.toml", "one/__init__.py", "one/one.toml", "two/__init__.py",
                 "two/standards.toml", "both/__init__.py", "both/both.toml", "both/standards.toml"):
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text("", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(profiles_module, "DATA_PACKAGE", "layout_policies")
    name = profiles_module.policy_data_name
    assert (name("flat"), name("one"), name("two")) == ("flat.toml", "one/one.toml", "two/standards.toml")
    with pytest.raises(StandardsError, match="恰有一个.*found policies/both/both.toml、policies/both/standards.toml"):
        name("both")  # two candidates: which one holds the standards is not guessed
    with pytest.raises(StandardsError, match="found none"):
        name("missing")
