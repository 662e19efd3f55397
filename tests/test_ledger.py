"""The totals ledger: the ledger of a roster is the merge of the ledgers of any split of its
beneficiaries (a batch run sums its batches), every view adds up to the total, and a merge
never passes the engine's exact-arithmetic bound."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from entitlements import Calculator, EntitlementInputError
from entitlements.contract import totals
from entitlements.ledger import Ledger, merge
from entitlements.limits import MAX_TOTAL_FEN
from entitlements.standards import LEVELS
from tests.test_properties import SLOW, brigade_rows, people

UNITS = st.sampled_from(["甲镇", "乙镇", "丙街道", ""])
PARTS = 4


def cents(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    return sign * int(text.lstrip("-").replace(".", ""))


def assert_views_add_up(led: Ledger) -> None:
    total = led.amount
    assert sum(led.by_level.values()) == total
    assert sum(led.by_component.values()) == total
    assert sum(led.by_unit.values()) == total
    assert sum(sum(v.values()) for v in led.component_levels().values()) == total
    assert sum(sum(v.values()) for v in led.unit_levels().values()) == total
    assert sum(led.paid_by_unit().values()) == led.beneficiaries
    for lv in LEVELS:  # a level over the units, over the components
        assert sum(v[lv] for v in led.unit_levels().values()) == led.by_level[lv]
        assert sum(v[lv] for v in led.component_levels().values()) == led.by_level[lv]
    # the contract's totals are the same figures, and add up in yuan too
    t = totals(led, led.levels_shown())
    assert cents(t["amount"]) == total
    assert sum(cents(v) for v in t["by_level"].values()) == total
    assert sum(cents(v) for v in t["by_component"].values()) == total
    assert sum(cents(u["amount"]) for u in t["by_unit"].values()) == total
    assert sum(u["beneficiaries"] for u in t["by_unit"].values()) == t["beneficiaries"] == led.beneficiaries


def assert_matches_lines(led: Ledger, comp) -> None:
    """The ledger against the per-beneficiary arrays it summarises."""
    amounts = comp.amounts()
    assert led.amount == int(amounts.sum())
    assert led.by_level == {lv: int(v.sum()) for lv, v in comp.by_level().items()}
    assert led.by_component == {c: int(v.sum()) for c, v in comp.by_component().items()}
    assert led.beneficiaries == int(comp.counts()[amounts > 0].sum())
    units = np.array([str(u) for u in (comp.who.units[i] for i in range(len(comp.who)))], dtype=object)
    assert led.by_unit == {u: int(amounts[units == u].sum()) for u in dict.fromkeys(units)}


@SLOW
@given(people, st.lists(UNITS, min_size=25, max_size=25), st.lists(st.integers(0, PARTS - 1), min_size=25, max_size=25),
       st.sampled_from(["yunnan", "江川区", "澄江市"]), st.integers(2001, 2027))
def test_the_ledger_of_a_roster_is_the_merge_of_the_ledgers_of_its_parts(ps, units, parts, profile, year):
    calc = Calculator("brigade_cadre_living", profile=profile)
    rows = brigade_rows(ps)
    for row, unit in zip(rows, units):
        row["所属单位"] = unit
    whole = calc.compute_roster(rows, year)
    led = whole.ledger
    comp = whole.computation
    assert_views_add_up(led)
    assert_matches_lines(led, comp)
    part_of = {row["编号"]: p for row, p in zip(rows, parts)}
    owner = np.array([part_of[str(i)] for i in comp.who.ids], dtype=np.int64)
    # the parts of one computation
    pieces = [Ledger.of(comp, keep=owner == k) for k in range(PARTS)]
    assert merge(pieces) == led
    assert merge(reversed(pieces)) == led  # in any order
    for piece in pieces:
        assert_views_add_up(piece)
    # each part computed on its own, as a batch is
    runs = [calc.compute_roster([r for r in rows if part_of[r["编号"]] == k], year) for k in range(PARTS)
            if any(part_of[r["编号"]] == k for r in rows)]
    assert merge(r.ledger for r in runs) == led


@SLOW
@given(st.lists(st.tuples(st.sampled_from(["党委", "党总支", "党支部"]), st.integers(0, 300), st.booleans(),
                          st.integers(0, 12), UNITS), min_size=1, max_size=30),
       st.lists(st.integers(0, PARTS - 1), min_size=30, max_size=30), st.sampled_from(["yunnan", "江川区", "澄江市"]))
def test_organisations_ledger_merges_and_adds_up(orgs, parts, profile):
    calc = Calculator("two_new_16321", profile=profile)
    rows = [{"组织编号": f"O{i}", "组织类型": t, "党员人数": m, "书记是否公职人员": pub, "书记任职月数": sm, "所属单位": u}
            for i, (t, m, pub, sm, u) in enumerate(orgs)]
    whole = calc.compute_roster(rows, 2025)
    comp = whole.computation
    assert_views_add_up(whole.ledger)
    assert_matches_lines(whole.ledger, comp)
    owner = np.array([parts[int(str(i)[1:])] for i in comp.who.ids], dtype=np.int64)
    assert merge(Ledger.of(comp, keep=owner == k) for k in range(PARTS)) == whole.ledger


@given(st.integers(0, 300), st.integers(0, 300), st.integers(0, 3000), st.integers(0, 300), st.integers(0, 10**5))
def test_counts_mode_ledger_counts_what_the_entries_stand_for(committees, generals, branches, secretaries, members):
    calc = Calculator("two_new_16321", profile="澄江市")
    result = calc.compute_counts({"党委": committees, "党总支": generals, "党支部": branches, "书记": secretaries,
                                  "党员": members}, 2025)
    assert_views_add_up(result.ledger)
    assert_matches_lines(result.ledger, result.computation)
    # beneficiaries paid: the organisations (each entry counts what it stands for)
    comp = result.computation
    assert result.ledger.beneficiaries == int(comp.counts()[comp.amounts() > 0].sum())
    odd = np.arange(len(comp.who)) % 2 == 1  # entries split in two parts still count what they stand for
    assert Ledger.of(comp, keep=odd) + Ledger.of(comp, keep=~odd) == result.ledger


def test_the_chengjiang_counts_ledger():
    calc = Calculator("two_new_16321", profile="澄江市")
    led = calc.compute_counts({"党委": 6, "党总支": 9, "党支部": 112, "书记": 95, "党员": 1274}, 2024).ledger
    assert led.amount == 80540000
    assert led.by_level == {"province": 0, "prefecture": 28870000, "county": 51670000, "township": 0}
    assert led.by_component == {"org_funding": 45000000, "secretary_stipend": 22800000, "member_training": 12740000}
    assert led.beneficiaries == 127


def _ledger(cells: dict[tuple[str, str, str], int], paid: dict[str, int]) -> Ledger:
    components = list(dict.fromkeys(c for c, _, _ in cells))
    units = list(dict.fromkeys([*(u for _, _, u in cells), *paid]))
    fen = np.zeros((len(components), len(LEVELS), len(units)), dtype=np.int64)
    for (c, lv, u), v in cells.items():
        fen[components.index(c), LEVELS.index(lv), units.index(u)] = v
    return Ledger(components, units, fen, [paid.get(u, 0) for u in units])


cell_maps = st.dictionaries(st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(LEVELS), st.sampled_from(["u", "v", "w"])),
                            st.integers(0, 10**12), max_size=12)
paid_maps = st.dictionaries(st.sampled_from(["u", "v", "w"]), st.integers(0, 10**6), max_size=3)


@given(cell_maps, paid_maps, cell_maps, paid_maps, cell_maps, paid_maps)
def test_merge_is_a_sum_of_cells_commutative_and_associative(c1, p1, c2, p2, c3, p3):
    a, b, c = _ledger(c1, p1), _ledger(c2, p2), _ledger(c3, p3)
    ab = a + b
    for key in {*c1, *c2}:
        comp, lv, unit = key
        assert ab.component_levels()[comp][lv] >= 0
    assert ab.amount == a.amount + b.amount
    assert ab.by_level == {lv: a.by_level[lv] + b.by_level[lv] for lv in LEVELS}
    assert ab.by_unit == {u: a.by_unit.get(u, 0) + b.by_unit.get(u, 0) for u in ab.units}
    assert ab.paid_by_unit() == {u: a.paid_by_unit().get(u, 0) + b.paid_by_unit().get(u, 0) for u in ab.units}
    assert ab == b + a
    assert (a + b) + c == a + (b + c)
    assert a + Ledger.empty() == a == sum([a])
    d = ab.minus(a)  # a difference: b's figures (over a's units too, at zero)
    assert d.amount == b.amount and d.by_component == {k: b.by_component.get(k, 0) for k in d.components}
    assert_views_add_up(ab)


def test_a_merge_past_the_exact_bound_is_refused():
    half = _ledger({("a", "county", "u"): MAX_TOTAL_FEN // 2 + 1}, {"u": 1})
    assert (half + _ledger({("a", "county", "u"): MAX_TOTAL_FEN // 2 - 1}, {})).amount == MAX_TOTAL_FEN
    with pytest.raises(EntitlementInputError, match="上限"):
        half + half


def test_a_ledger_is_read_only():
    led = _ledger({("a", "county", "u"): 5}, {"u": 1})
    with pytest.raises(ValueError):
        led.fen[0, 0, 0] = 1
