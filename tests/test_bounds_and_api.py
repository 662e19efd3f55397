"""Issue 10, bounds and the API: numbers from standards files, scenarios, counts and the
API are bounded so exact int64 fen cannot overflow; negative money is refused; budget
years lie in 1949–2100; and the API raises only the documented exceptions.

Each test names the item of issue 10 it covers (6, 7, 8, 14, 15).
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entitlements import (
    Calculator, EntitlementInputError, InputError, ProfileError, StandardsError,
)
from entitlements.limits import MAX_AMOUNT_FEN, MAX_COUNT, MAX_WEIGHT, MAX_YEAR, MIN_YEAR
from entitlements.money import split_by_weights
from entitlements.scenarios import Scenario, ScenarioError
from tests.conftest import EXAMPLES, run_cli

COUNTS16 = ["--policy", "two_new_16321", "--profile", "澄江市"]
CHENGJIANG = ["--count", "党委=6", "--count", "党总支=9", "--count", "党支部=112", "--count", "书记=95",
              "--count", "党员=1274"]
BRIGADE = {"id": "A1", "sex": "男", "birth_date": "1938-04", "tenure_years": 16}
SPLIT = '{rule = "ratio", shares = {province = 5, prefecture = 3, county = 2}}'


def refused(proc, *words: str) -> str:
    """Exit 2, a message (no traceback) naming each of ``words``."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-500:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr, proc.stderr
    for w in words:
        assert w in proc.stderr, (w, proc.stderr)
    return proc.stderr


def write(tmp_path, name: str, text: str | bytes):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def whatif_set(*sets: str, policy=COUNTS16, counts=CHENGJIANG):
    args = ["whatif", *policy, "--year", "2025", *counts]
    for s in sets:
        args += ["--set", s]
    return run_cli(*args, "--format", "json")


# ---------- 6. overflow: bounded inputs ----------


def test_6_a_count_beyond_the_bound_is_refused_on_the_command_line():
    refused(run_cli("calc", *COUNTS16, "--year", "2025", "--count", "branch=9223372036854775807"), "branch")
    refused(run_cli("calc", *COUNTS16, "--year", "2025", "--count", f"branch={MAX_COUNT + 1}"), "branch")
    refused(run_cli("calc", *COUNTS16, "--year", "2025", "--count", "branch=99999999999999999999999"), "branch")
    for text in ("branch=²", "branch=١٢", "branch=1e3", "branch=+-5"):  # digits Python reads, or no number
        refused(run_cli("calc", *COUNTS16, "--year", "2025", "--count", text), "branch")
    # two entries of one key are one count, bounded together
    refused(run_cli("calc", *COUNTS16, "--year", "2025", "--count", f"branch={MAX_COUNT}", "--count", "党支部=1"),
            "branch")


def test_6_a_count_at_the_bound_is_exact():
    calc = Calculator("two_new_16321", profile="澄江市").with_overrides({"org_funding.branch": str(MAX_AMOUNT_FEN // 100)})
    data = calc.compute_counts({"branch": MAX_COUNT}, 2025).to_json()
    assert data["totals"]["amount"] == f"{MAX_COUNT * MAX_AMOUNT_FEN // 100}.00"
    assert sum(Decimal(v) for v in data["totals"]["by_level"].values()) == MAX_COUNT * MAX_AMOUNT_FEN // 100
    # the widest product of the budget: paid secretaries × 12 months × the monthly amount × 12
    calc = Calculator("two_new_16321").with_overrides({"secretary_stipend.monthly": str(MAX_AMOUNT_FEN // 100)})
    data = calc.compute_counts({"paid_secretary": MAX_COUNT}, 2025).to_json()
    assert data["totals"]["amount"] == f"{MAX_COUNT * 12 * MAX_AMOUNT_FEN // 100}.00"


def test_6_api_counts_beyond_the_bound():
    calc = Calculator("two_new_16321")
    for value in (2**62, MAX_COUNT + 1, 2**64):
        with pytest.raises(EntitlementInputError) as exc:
            calc.compute_counts({"branch": value}, 2025)
        assert "branch" in exc.value.field


def test_6_an_amount_beyond_the_bound_is_refused():
    refused(whatif_set("org_funding.branch=9999999999999999"), "org_funding.branch")
    refused(whatif_set(f"org_funding.branch={MAX_AMOUNT_FEN // 100 + 1}"), "org_funding.branch")
    calc = Calculator("brigade_cadre_living")
    with pytest.raises(StandardsError, match="layers.x"):
        calc.with_overrides({"layers.x": "1e15", "splits.layers.x": {"rule": "ratio", "shares": {"county": 1}}})


def test_6_a_share_beyond_the_bound_is_refused_with_file_and_line(tmp_path):
    path = write(tmp_path, "s.toml", 'name = "x"\n[[set]]\npath = "splits.org_funding"\n'
                                     'value = {rule = "ratio", shares = {province = 1e12, county = 1}}\n')
    refused(run_cli("whatif", *COUNTS16, "--year", "2025", *CHENGJIANG, "--scenario", str(path)),
            "s.toml:3", "splits.org_funding")
    path = write(tmp_path, "s2.toml", 'name = "x"\n[[set]]\npath = "splits.org_funding"\n'
                                      f'value = {{rule = "ratio", shares = {{province = {MAX_WEIGHT + 1}, county = 1}}}}\n')
    refused(run_cli("whatif", *COUNTS16, "--year", "2025", *CHENGJIANG, "--scenario", str(path)), "s2.toml:3")


def test_6_a_tier_minimum_beyond_the_bound_is_refused(tmp_path):
    path = write(tmp_path, "t.toml", 'name = "x"\n[[set]]\npath = "layers.base"\n'
                                     'value = [{min = 11, amount = "18"}, {min = 99999999999999999999, amount = "23"}]\n')
    refused(run_cli("whatif", str(EXAMPLES / "brigade_cadres.csv"), "--policy", "brigade_cadre_living",
                    "--year", "2025", "--scenario", str(path)), "t.toml:3", "layers.base")
    with pytest.raises(StandardsError, match="layers.base"):
        Calculator("brigade_cadre_living").with_overrides({"layers.base": [{"min": 11, "amount": "18"},
                                                                           {"min": 201, "amount": "23"}]})


@settings(max_examples=200)
@given(st.lists(st.integers(-(2**62), 2**62), min_size=1, max_size=20),
       st.lists(st.integers(0, MAX_WEIGHT), min_size=2, max_size=4).filter(lambda w: sum(w) > 0))
def test_6_a_split_is_exact_for_any_int64_line(amounts, weights):
    """The split never forms amount × weight in int64: a line of any size splits exactly."""
    parts = split_by_weights(np.array(amounts, dtype=np.int64), weights)
    total = sum(weights)
    for a, row in zip(amounts, parts.tolist()):
        assert sum(row) == a
        for w, p in zip(weights, row):
            assert abs(Fraction(a * w, total) - p) < 1  # floor or floor + 1 of the exact share


# ---------- 7. negative money ----------


def test_7_negative_money_is_refused():
    refused(whatif_set("org_funding.branch=-4000"), "org_funding.branch")
    refused(whatif_set('splits.member_training={rule = "fixed_total", level = "prefecture", amount = "-100000", '
                       'remainder = "county"}'), "splits.member_training")
    refused(run_cli("whatif", str(EXAMPLES / "brigade_cadres.csv"), "--policy", "brigade_cadre_living",
                    "--year", "2025", "--set", "layers.x=-100", "--set", f"splits.layers.x={SPLIT}"), "layers.x")
    with pytest.raises(StandardsError, match="layers.x"):
        Calculator("brigade_cadre_living").with_overrides(
            {"layers.x": "-100", "splits.layers.x": {"rule": "ratio", "shares": {"county": 1}}})
    with pytest.raises(StandardsError, match="layers.base"):
        Calculator("brigade_cadre_living").with_overrides({"layers.base": [{"min": 11, "amount": "-18"}]})


def test_7_a_negative_post_standard_names_its_file(tmp_path):
    path = write(tmp_path, "posts.csv", "职务,年度,月岗位补贴标准\n委员,2015,1500\n委员,2016,-1600\n")
    refused(run_cli("calc", str(EXAMPLES / "village_departures.csv"), "--policy", "village_cadre_departure",
                    "--year", "2025", "--standards", str(path)), "posts.csv:3", "2016")


def test_7_a_negative_standard_in_a_standards_toml(tmp_path):
    path = write(tmp_path, "std.toml", '[standards."org_funding.branch"]\n'
                                       'values = [{from = "2025-01", amount = "-3000", source = "s"}]\n'
                                       '[sources.s]\ndoc = "x"\n')
    refused(run_cli("calc", *COUNTS16, "--year", "2025", "--count", "branch=1", "--standards", str(path)),
            "std.toml", "org_funding.branch")


def test_7_relative_counts_may_fall_but_not_below_zero():
    ok = whatif_set("counts.branch=-20")
    assert ok.returncode == 0, ok.stderr
    # 党支部=112 and branch are one count: 20 fewer branches at 3000 元
    assert json.loads(ok.stdout)["years"][0]["scenarios"][0]["difference"]["amount"] == "-60000.00"
    refused(whatif_set("counts.branch=-200"), "branch")
    refused(run_cli("calc", *COUNTS16, "--year", "2025", "--count", "branch=-1"), "branch")


# ---------- 8. impossible years ----------


@pytest.mark.parametrize("year", ["0", "-2025", "1", "1948", "2101", "99999"])
def test_8_years_outside_1949_2100_are_refused_by_every_command(tmp_path, year):
    counts = ["--count", "branch=1"]
    refused(run_cli("calc", *COUNTS16, "--year", year, *counts), "1949", "2100")
    refused(run_cli("budget", *COUNTS16, "--year", year, *counts), "1949")
    roster = str(EXAMPLES / "brigade_cadres.csv")
    refused(run_cli("explain", roster, "--policy", "brigade_cadre_living", "--year", year, "--id", "1"), "1949")
    refused(run_cli("validate", roster, "--policy", "brigade_cadre_living", "--year", year), "1949")
    refused(run_cli("whatif", *COUNTS16, "--year", year, *counts, "--set", "org_funding.branch=4000"), "1949")
    refused(run_cli("whatif", *COUNTS16, "--years", f"{year},2025", *counts, "--set", "org_funding.branch=4000"),
            *(["1949"] if not year.startswith("-") else []))  # -2025,2025 is no list of years at all


def test_8_a_years_range_outside_is_named():
    message = refused(run_cli("whatif", *COUNTS16, "--years", "1-3", "--count", "branch=1",
                              "--set", "org_funding.branch=4000"), "1949", "2100")
    assert "1-01" not in message


def test_8_api_years_and_months():
    calc = Calculator("brigade_cadre_living")
    for year in (0, -2025, 1, MIN_YEAR - 1, MAX_YEAR + 1, 99999, 10**30):
        with pytest.raises(EntitlementInputError) as exc:
            calc.compute(BRIGADE, year=year)
        assert exc.value.field == "year"
        with pytest.raises(EntitlementInputError) as exc:
            calc.compute_roster([BRIGADE], year)
        assert exc.value.field == "year"
    for month in ("2025-13", "0099-01", "2101-01", "x"):
        with pytest.raises(EntitlementInputError) as exc:
            calc.compute(BRIGADE, month=month)
        assert exc.value.field == "month"
    result = calc.compute_roster([BRIGADE], 2025)
    with pytest.raises(EntitlementInputError):
        calc.rerun(result, 2101)
    with pytest.raises(EntitlementInputError):
        Calculator("two_new_16321").compute_counts({"branch": 1}, 1948)
    assert calc.compute(BRIGADE, year=MIN_YEAR).amount == 0 and calc.compute(BRIGADE, year=MAX_YEAR).amount > 0


# ---------- 14. exit 2 naming file, line and field, never a traceback ----------


def test_14_counts_beyond_int64_in_scenarios(tmp_path):
    path = write(tmp_path, "c.toml", 'name = "x"\n[[counts]]\nbranch = 9223372036854775808\n')
    refused(run_cli("whatif", *COUNTS16, "--year", "2025", *CHENGJIANG, "--scenario", str(path)), "c.toml:3", "branch")
    path = write(tmp_path, "c2.toml", 'name = "x"\n[[counts]]\nbranch = "+99999999999999999999"\n')
    refused(run_cli("whatif", *COUNTS16, "--year", "2025", *CHENGJIANG, "--scenario", str(path)), "c2.toml:3")
    refused(whatif_set("counts.branch=+9223372036854775807"), "branch")
    refused(whatif_set(f"counts.branch=+{MAX_COUNT}"), "branch")  # 112 + 10^8 passes the bound


@pytest.mark.parametrize("amount", ["1e400", "Infinity", "-Infinity", "NaN", "sNaN", "inf", "1e-400"])
def test_14_non_finite_amounts_everywhere(tmp_path, amount):
    scenario = write(tmp_path, "s.toml", f'name = "x"\n[[set]]\npath = "org_funding.branch"\nvalue = "{amount}"\n')
    refused(run_cli("whatif", *COUNTS16, "--year", "2025", *CHENGJIANG, "--scenario", str(scenario)),
            "s.toml:3", "org_funding.branch")
    overlay = write(tmp_path, "std.toml", '[sources.s]\ndoc = "x"\n[standards."org_funding.branch"]\n'
                                          f'values = [{{from = "2025-01", amount = "{amount}", source = "s"}}]\n')
    refused(run_cli("calc", *COUNTS16, "--year", "2025", "--count", "branch=1", "--standards", str(overlay)),
            "std.toml", "org_funding.branch")
    posts = write(tmp_path, "posts.csv", f"职务,年度,月岗位补贴标准\n委员,2015,{amount}\n")
    refused(run_cli("calc", str(EXAMPLES / "village_departures.csv"), "--policy", "village_cadre_departure",
                    "--year", "2025", "--standards", str(posts)), "posts.csv:2")
    with pytest.raises(StandardsError, match="org_funding.branch"):
        Calculator("two_new_16321").with_overrides({"org_funding.branch": amount})
    with pytest.raises(StandardsError, match="org_funding.branch"):
        Calculator("two_new_16321").with_overrides({"org_funding.branch": Decimal(amount)})


def test_14_a_standards_toml_that_changes_a_kind(tmp_path):
    overlay = write(tmp_path, "kind.toml", '[sources.s]\ndoc = "x"\n[standards."org_funding.branch"]\nkind = "tiers"\n'
                                           'values = [{from = "2025-01", tiers = [{min = 0, amount = "1"}], source = "s"}]\n')
    refused(run_cli("calc", *COUNTS16, "--year", "2025", "--count", "branch=1", "--standards", str(overlay)),
            "kind.toml:3", "org_funding.branch", "money")


def test_14_non_utf8_toml_files_are_named(tmp_path):
    gbk = '# 注释\nname = "情景"\n'.encode("gbk")
    scenario = write(tmp_path, "gbk.toml", gbk)
    refused(run_cli("whatif", *COUNTS16, "--year", "2025", *CHENGJIANG, "--scenario", str(scenario)), "gbk.toml", "UTF-8")
    overlay = write(tmp_path, "gbkstd.toml", "# 标准\n[conventions]\n".encode("gbk"))
    refused(run_cli("calc", *COUNTS16, "--year", "2025", "--count", "branch=1", "--standards", str(overlay)),
            "gbkstd.toml", "UTF-8")


# ---------- 15. the API raises what the README documents ----------


DOCUMENTED = (EntitlementInputError, StandardsError, ProfileError, LookupError)


def test_15_the_exception_classes_fit_together():
    assert issubclass(EntitlementInputError, InputError) and issubclass(EntitlementInputError, ValueError)
    assert issubclass(ScenarioError, StandardsError) and issubclass(ScenarioError, InputError)
    assert issubclass(ProfileError, LookupError)


def test_15_named_cases():
    with pytest.raises(LookupError):
        Calculator(None)  # type: ignore[arg-type]
    with pytest.raises(ProfileError):
        Calculator("brigade_cadre_living", profile=123)  # type: ignore[arg-type]  (None: the policy's own)
    with pytest.raises(StandardsError):
        Calculator("brigade_cadre_living", standards={"standards": "x"})
    with pytest.raises(EntitlementInputError) as exc:
        Calculator("brigade_cadre_living", lang="fr")
    assert exc.value.field == "lang"
    calc = Calculator("village_cadre_departure", standards=EXAMPLES / "village_post_standards.csv")
    for bad, field in ((None, "beneficiary"), ({"id": "x", "spans": "2015-2020"}, "spans"),
                       ({"id": "x", "spans": [None]}, "spans")):
        with pytest.raises(EntitlementInputError) as exc:
            calc.compute(bad, year=2025)
        assert exc.value.field == field
    with pytest.raises(EntitlementInputError) as exc:
        calc.compute_roster([None], 2025)
    assert exc.value.field == "roster"
    rows = ({"id": "A", "post": "委员", "start": "2015-01-01", "end": "2025-03-31"} for _ in range(1))
    assert calc.compute_roster(rows, 2025).rows_read == 1  # any iterable of dicts
    brigade = Calculator("brigade_cadre_living")
    with pytest.raises(EntitlementInputError) as exc:
        brigade.compute({"id": "x", "birth_date": "1938-04"}, year=2025)  # no tenure, no sex
    assert exc.value.field in ("tenure_years", "sex") and exc.value.reason and exc.value.reason_en
    with pytest.raises(StandardsError):
        brigade.with_overrides({"eligibility.age_male": 10**400})
    with pytest.raises(StandardsError):
        brigade.with_overrides({"eligibility.age_male": float("inf")})
    with pytest.raises(LookupError):
        brigade.entitlement(brigade.compute_roster([BRIGADE], 2025), "nobody")


def test_15_a_bare_cr_csv_surfaces_as_a_documented_exception(tmp_path):
    path = write(tmp_path, "cr.csv", b"\xe7\xbc\x96\xe5\x8f\xb7,sex\r1,\xe7\x94\xb7\r\"2\r3\",x\r")
    try:
        Calculator("brigade_cadre_living").compute_roster(path, 2025)
    except EntitlementInputError as exc:
        assert exc.field and exc.reason
    except DOCUMENTED:
        pass


def values(depth: int = 2):
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(), st.integers(min_value=2**62, max_value=2**80),
        st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12), st.binary(max_size=6),
        st.sampled_from(["2025", "2025-13", "1e400", "NaN", "-1", "+20", "党支部", "branch", "1938-04", "男",
                         "org_funding.branch", "splits.layers.base", "layers.x", "conventions.start", "counts.branch"]),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.builds(lambda xs: (x for x in xs), st.lists(st.integers(), max_size=3)),
    )
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(
            ["id", "sex", "birth_date", "tenure_years", "spans", "org_type", "members", "post", "start", "end",
             "org_funding.branch", "layers.x", "splits.layers.x", "counts.branch", "branch", "standards",
             "sources", "conventions"]), st.integers(), st.none()), inner, max_size=4)),
        max_leaves=8)


def documented_only(call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except DOCUMENTED as exc:
        if isinstance(exc, EntitlementInputError):
            assert isinstance(exc.field, str) and exc.field and isinstance(exc.reason, str)
            assert isinstance(exc.reason_en, str) and isinstance(exc.value, str)


CALCS = {p: Calculator(p) for p in ("two_new_16321", "brigade_cadre_living", "village_cadre_departure")}


@settings(max_examples=300)
@given(st.sampled_from(sorted(CALCS)), values(), values(), values())
def test_15_the_api_raises_only_documented_exceptions(policy, a, b, c):
    calc = CALCS[policy]
    documented_only(Calculator, a)
    documented_only(Calculator, policy, profile=a)
    documented_only(Calculator, policy, standards=a)
    documented_only(Calculator, policy, lang=a)
    documented_only(calc.compute, a, year=b)
    documented_only(calc.compute, a, month=b)
    documented_only(calc.compute, {"spans": a, "id": b}, year=2025)
    documented_only(calc.compute_roster, a, b)
    documented_only(calc.compute_roster, [a, b], 2025)
    documented_only(calc.compute_counts, a, b)
    documented_only(calc.compute_counts, {"branch": a}, 2025)
    documented_only(calc.with_overrides, a)
    documented_only(calc.with_overrides, {"org_funding.branch": a, "layers.x": b, "splits.layers.x": c})
    documented_only(calc.with_overrides, {"org_funding.branch": a}, since=b)
    documented_only(calc.entitlement, a, b)


def policy_inputs(calc):
    """Dicts keyed by the policy's own fields (and spans), standard paths and count keys,
    holding arbitrary values: the input reaches past the first type check."""
    fields = [f.name for f in calc.policy.fields] + [f.header for f in calc.policy.fields]
    record = st.dictionaries(st.sampled_from(fields), st.one_of(values(1), st.sampled_from(
        ["1938-04", "男", "女", "16", "党支部", "委员", "2015-01-01", "2025-03", "", "是"])), max_size=6)
    paths = sorted(calc.data.standards) + ["layers.x", "splits.layers.x", "counts.branch", "conventions.start"]
    overrides = st.dictionaries(st.sampled_from(paths), st.one_of(values(), st.tuples(values(), values())), max_size=3)
    counts = st.dictionaries(st.sampled_from(["branch", "党支部", "member", "书记", "x"]), values(), max_size=3)
    return record, overrides, counts


@settings(max_examples=300)
@given(st.data())
def test_15_the_api_raises_only_documented_exceptions_for_policy_shaped_input(data):
    calc = CALCS[data.draw(st.sampled_from(sorted(CALCS)))]
    record, overrides, counts = policy_inputs(calc)
    one = data.draw(record)
    documented_only(calc.compute, one, year=2025)
    documented_only(calc.compute, {**one, "spans": data.draw(st.lists(record, max_size=3))}, year=2025)
    documented_only(calc.compute_roster, data.draw(st.lists(record, max_size=4)), 2025)
    documented_only(calc.compute_counts, data.draw(counts), 2025)

    def override_and_run(mapping):
        other = calc.with_overrides(mapping)
        other.compute_roster([one], 2025)

    documented_only(override_and_run, data.draw(overrides))


def test_6_a_run_whose_total_would_pass_int64_is_refused_not_wrapped(tmp_path):
    """Every input within its bound, but 10^6 organisations × 10^5 members × 10^6 元 is 10^19
    fen: past 2^63. The run is refused with the limit named, never a wrapped total."""
    path = tmp_path / "orgs.csv"
    n = 10**6
    path.write_text("组织编号,组织类型,党员人数\n" + "".join(f"O{i},党支部,100000\n" for i in range(n)), encoding="utf-8")
    calc = Calculator("two_new_16321").with_overrides({"member_training.per_member": str(MAX_AMOUNT_FEN // 100)})
    with pytest.raises(EntitlementInputError) as exc:
        calc.compute_roster(path, 2025)
    assert "上限" in exc.value.reason and exc.value.field == "roster"
    small = tmp_path / "few.csv"
    small.write_text("组织编号,组织类型,党员人数\nA,党支部,100000\nB,党支部,100000\n", encoding="utf-8")
    total = calc.compute_roster(small, 2025).to_json()["totals"]["amount"]
    assert total == f"{2 * (3000 + 2400 + 100000 * MAX_AMOUNT_FEN // 100)}.00"


def test_6_counts_typed_with_a_chinese_input_method_are_read():
    """社区＝６: the input method's full-width = and digits are what they look like; ² and ١٢ stay refused."""
    typed = run_cli("calc", *COUNTS16, "--year", "2025", "--count", "branch＝１１２", "--format", "json")
    plain = run_cli("calc", *COUNTS16, "--year", "2025", "--count", "branch=112", "--format", "json")
    assert typed.returncode == 0, typed.stderr
    assert typed.stdout == plain.stdout
