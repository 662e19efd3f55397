"""Hypothesis properties: splits add up, tiers are monotone, order is irrelevant,
the roster path equals the one-by-one API, month counting matches pendulum."""

from __future__ import annotations

import random

import numpy as np
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entitlements import Calculator, StandardsError
from entitlements.dates import merge_intervals, service_months
from entitlements.money import apportion, split_by_weights
from entitlements.splits import split_lines
from entitlements.standards import SplitRule

SLOW = settings(max_examples=int(__import__("os").environ.get("HYPOTHESIS_EXAMPLES", "40")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
amounts = st.integers(min_value=0, max_value=10**12)


@given(st.lists(amounts, min_size=1, max_size=20), st.lists(st.integers(0, 1000), min_size=1, max_size=4))
def test_ratio_split_adds_up_for_any_amount_and_ratio(values, weights):
    if sum(weights) == 0:
        weights[-1] = 1
    parts = split_by_weights(np.array(values), weights)
    assert (parts.sum(axis=1) == np.array(values)).all()
    assert (parts >= 0).all()
    # each part is within one fen of its exact share
    exact = np.array(values)[:, None] * np.array(weights)[None, :] / sum(weights)
    assert (np.abs(parts - exact) < 1.0 + 1e-6).all()


@given(st.integers(0, 10**10), st.lists(amounts, min_size=1, max_size=30))
def test_fixed_total_apportion_adds_up(total, values):
    parts = apportion(total, np.array(values))
    assert parts.sum() == min(total, sum(values))
    assert (parts <= np.array(values)).all() and (parts >= 0).all()


@given(st.lists(st.tuples(st.integers(0, 10**8), st.integers(0, 12)), min_size=1, max_size=20),
       st.integers(0, 10**6))
def test_fixed_per_capita_never_exceeds_the_line(lines, rate):
    values = np.array([v for v, _ in lines])
    months = np.array([m for _, m in lines])
    rule = SplitRule("fixed_per_capita", level="prefecture", amount=rate, remainder="county")
    parts = split_lines(rule, values, months)
    assert ((parts["prefecture"] + parts["county"]) == values).all()
    assert (parts["prefecture"] <= values).all() and (parts["county"] >= 0).all()


dates = st.dates(min_value=pendulum.date(1950, 1, 1), max_value=pendulum.date(2030, 12, 31))


@given(dates, dates)
def test_whole_months_match_pendulum(a, b):
    start, end = min(a, b), max(a, b)
    first, months = service_months(start.year, start.month, start.day, end.year, end.month, end.day)
    boundary = pendulum.date(end.year, end.month, end.day).add(days=1)
    s = pendulum.date(start.year, start.month, start.day)
    n = int(months)
    assert s.add(months=n) <= boundary < s.add(months=n + 1)
    assert int(first) == start.year * 12 + start.month - 1


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 100), st.integers(1, 40)), min_size=1, max_size=30))
def test_merged_intervals_count_each_month_once(spans):
    owner = np.array([o for o, _, _ in spans])
    start = np.array([s for _, s, _ in spans])
    stop = start + np.array([n for _, _, n in spans])
    o, s, e = merge_intervals(owner, start, stop)
    for who in set(owner.tolist()):
        months = set()
        for ow, st_, sp in zip(owner, start, stop):
            if ow == who:
                months.update(range(st_, sp))
        sel = o == who
        assert int((e[sel] - s[sel]).sum()) == len(months)


# ---------- policies ----------

people = st.lists(
    st.fixed_dictionaries({
        "sex": st.sampled_from(["男", "女"]),
        # plausible people only: old enough to have served before the 1984 reform, and no
        # death after the day the suite runs (both are rejects since issue 10)
        "birth": st.dates(min_value=pendulum.date(1925, 1, 1), max_value=pendulum.date(1955, 12, 31)),
        "tenure": st.integers(0, 45),
        "death": st.one_of(st.none(), st.dates(min_value=pendulum.date(1990, 1, 1), max_value=pendulum.date(2026, 6, 30))),
        "left": st.one_of(st.none(), st.dates(min_value=pendulum.date(1980, 1, 1), max_value=pendulum.date(2026, 6, 30))),
        "subsidised": st.booleans(),
    }),
    min_size=1, max_size=25,
)


def brigade_rows(ps):
    rows = []
    for i, p in enumerate(ps):
        death = p["death"] if p["death"] and p["death"] > p["birth"] else None
        left = p["left"] if p["left"] and p["left"] > p["birth"] else None
        tenure = min(p["tenure"], 1984 - p["birth"].year - 14 - 1)  # room for one year more, below the bound
        rows.append({"编号": f"B{i}", "性别": p["sex"], "出生日期": p["birth"].isoformat(), "任职年限": tenure,
                     "在职时领取国家补助": "是" if p["subsidised"] else "否",
                     "死亡日期": death.isoformat() if death else "", "离职日期": left.isoformat() if left else "",
                     "所属单位": "甲镇" if i % 2 else "乙镇"})
    return rows


def by_id(result):
    return {b["id"]: (b["amount"], b["by_level"], b["by_component"], b.get("paid_months"))
            for b in result.to_json()["beneficiaries"]}


@SLOW
@given(people, st.sampled_from(["yunnan", "江川区", "澄江市"]), st.integers(2001, 2027), st.randoms())
def test_brigade_roster_equals_one_by_one_and_order_is_irrelevant(ps, profile, year, rnd):
    calc = Calculator("brigade_cadre_living", profile=profile)
    rows = brigade_rows(ps)
    whole = calc.compute_roster(rows, year)
    data = whole.to_json()
    assert data["rows"] == {"read": len(rows), "accepted": len(rows), "rejected": 0}
    # per-level totals add up to the total, components too
    t = data["totals"]
    cents = lambda s: int(s.replace(".", ""))  # noqa: E731
    assert sum(cents(v) for v in t["by_level"].values()) == cents(t["amount"])
    assert sum(cents(v) for v in t["by_component"].values()) == cents(t["amount"])
    # one by one through the API
    for row in rows:
        one = calc.compute(row, year=year)
        b = next(b for b in data["beneficiaries"] if b["id"] == row["编号"])
        assert f"{one.amount:.2f}" == b["amount"]
        assert {k: f"{v:.2f}" for k, v in one.by_level.items()} == b["by_level"]
        assert one.paid_months == b["paid_months"]
        assert sum(one.months.values()) == one.amount  # the months add up to the year
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert by_id(calc.compute_roster(shuffled, year)) == by_id(whole)


@SLOW
@given(people, st.integers(1995, 2027))
def test_brigade_amount_never_falls_as_tenure_rises(ps, year):
    calc = Calculator("brigade_cadre_living", profile="yunnan")
    rows = brigade_rows(ps)
    before = by_id(calc.compute_roster(rows, year))
    longer = [{**r, "任职年限": r["任职年限"] + 1} for r in rows]
    after = by_id(calc.compute_roster(longer, year))
    for key in before:
        assert float(after[key][0]) >= float(before[key][0])


orgs = st.lists(
    st.tuples(st.sampled_from(["党委", "党总支", "党支部", "总支", "支部"]), st.integers(0, 500),
              st.booleans(), st.integers(0, 12)),
    min_size=1, max_size=30,
)


@SLOW
@given(orgs, st.sampled_from(["yunnan", "江川区", "澄江市"]), st.randoms())
def test_two_new_roster_equals_one_by_one_and_order_is_irrelevant(os_, profile, rnd):
    calc = Calculator("two_new_16321", profile=profile)
    rows = [{"组织编号": f"O{i}", "组织类型": t, "党员人数": m, "书记是否公职人员": ps, "书记任职月数": sm}
            for i, (t, m, ps, sm) in enumerate(os_)]
    whole = calc.compute_roster(rows, 2025)
    data = by_id(whole)
    for row in rows:
        one = calc.compute(row, year=2025)
        assert f"{one.amount:.2f}" == data[row["组织编号"]][0]
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert by_id(calc.compute_roster(shuffled, 2025)) == data


POSTS = ["书记", "主任", "副书记", "副主任", "委员", "监督委员会主任", "监督委员会委员", "一肩挑"]
POST_IDS = {"书记": "secretary", "主任": "director", "副书记": "deputy_secretary", "副主任": "deputy_director",
            "委员": "member", "监督委员会主任": "supervisory_chair", "监督委员会委员": "supervisory_member",
            "一肩挑": "secretary_director"}


def post_standards(seed: int) -> dict:
    rnd = random.Random(seed)
    values = {}
    for post in POST_IDS.values():
        years = sorted(rnd.sample(range(2000, 2026), 4))
        years[0] = 2000 if rnd.random() < 0.9 else years[0]  # now and then a post has no standard at first
        values[f"posts.{post}"] = {"kind": "money", "values": [
            {"from": f"{y}-{rnd.choice(['01', '01', '07'])}" if y > years[0] else f"{y}-01",
             "amount": str(rnd.randint(800, 4000)), "source": "t"} for y in years]}
    return {"sources": {"t": {"doc": "test"}}, "standards": values}


spans = st.lists(
    st.tuples(st.integers(0, 5), st.sampled_from(POSTS),
              st.dates(min_value=pendulum.date(2000, 1, 1), max_value=pendulum.date(2024, 12, 31)),
              st.integers(1, 3000), st.booleans()),
    min_size=1, max_size=25,
)


def brute_force_fen(person_spans, standards, departure=None):
    """Reference: walk every month, credit the month once at the combined standard (of the
    month itself, or of the ``departure`` month when the departure year's standard applies)."""

    def value(post, month):
        vals = standards["standards"][f"posts.{post}"]["values"]
        cur = None
        for v in vals:
            y, m = map(int, v["from"].split("-"))
            if y * 12 + m - 1 <= month:
                cur = int(v["amount"]) * 100
        return cur

    months: dict[int, set] = {}
    for post, start, end in person_spans:
        s = pendulum.date(start.year, start.month, start.day)
        boundary = pendulum.date(end.year, end.month, end.day).add(days=1)
        n = 0
        while s.add(months=n + 1) <= boundary:
            n += 1
        first = start.year * 12 + start.month - 1
        for m in range(first, first + n):
            months.setdefault(m, set()).add(POST_IDS[post])
    total = 0
    for m, held in months.items():
        at = m if departure is None else departure
        if {"secretary", "director"} <= held and value("secretary_director", at) is not None:
            total += value("secretary_director", at)
        elif any(value(p, at) is None for p in held):
            return None  # a month without a standard: the run is refused (issue 10), never paid 0
        else:
            total += max(value(p, at) for p in held)
    return (2 * total + 12) // 24


@SLOW
@given(spans, st.integers(0, 10**6), st.randoms(), st.booleans())
def test_village_vectorised_equals_month_by_month_and_order_is_irrelevant(sp, seed, rnd, departure_rule):
    standards = post_standards(seed)
    calc = Calculator("village_cadre_departure", profile="澄江市", standards=standards)
    if departure_rule:
        calc = calc.with_overrides({"conventions.standard_year": "departure"})
    rows = []
    for owner, post, start, days, month_only in sp:
        end = pendulum.date(start.year, start.month, start.day).add(days=days)
        if month_only:
            rows.append({"编号": f"V{owner}", "职务": post, "任职开始": f"{start.year}.{start.month:02d}",
                         "任职结束": f"{end.year}.{end.month:02d}" if (end.year, end.month) > (start.year, start.month)
                         else f"{start.year}.{start.month:02d}"})
        else:
            rows.append({"编号": f"V{owner}", "职务": post, "任职开始": start.isoformat(), "任职结束": end.isoformat()})
    expected_of = {}
    for key in dict.fromkeys(r["编号"] for r in rows):
        mine = [r for r in rows if r["编号"] == key]
        parsed, left = [], []
        for r in mine:
            s, e = r["任职开始"], r["任职结束"]
            if "." in s:  # month precision: start the 1st, end exclusive -> last day of previous month
                sy, sm = map(int, s.split("."))
                ey, em = map(int, e.split("."))
                left.append(ey * 12 + em - 1)  # departure: the end month as written (SPEC §4.3)
                end = pendulum.date(ey, em, 1).subtract(days=1)
                if (ey, em) == (sy, sm):
                    continue
                parsed.append((r["职务"], pendulum.date(sy, sm, 1), end))
            else:
                parsed.append((r["职务"], pendulum.parse(s).date(), pendulum.parse(e).date()))
                left.append(parsed[-1][2].year * 12 + parsed[-1][2].month - 1)  # the end's own month
        expected_of[key] = brute_force_fen(parsed, standards, max(left) if departure_rule else None)
    if None in expected_of.values():  # someone served a month that has no standard: refused, not paid 0
        with pytest.raises(StandardsError, match="缺少岗位补贴标准"):
            calc.compute_roster(rows, 2035, include_earlier=True)
        return
    result = calc.compute_roster(rows, 2035, include_earlier=True)
    data = by_id(result)
    assert result.to_json()["rows"]["rejected"] == 0
    for key, (amount, *_rest) in data.items():
        assert int(amount.replace(".", "")) == expected_of[key], (key, [r for r in rows if r["编号"] == key])
    comp = result.computation
    for i in range(len(comp.who)):  # the explanation's pieces add up to the credited sum
        pieces = calc.entitlement(result, str(comp.who.ids[i]), include_earlier=True).trace["lump_sum"]["pieces"]
        assert sum(p["months"] * p["value"] for p in pieces) == comp.detail["numerator"][i]
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert by_id(calc.compute_roster(shuffled, 2035, include_earlier=True)) == data


def brigade_oracle(row: dict, year: int) -> tuple[int, int, int]:
    """Month by month, as a clerk would: (amount fen, paid months, Jiangchuan prefecture fen)."""
    birth = pendulum.parse(row["出生日期"]).date()
    age = 55 if row["性别"] == "男" else 50
    reached = birth.add(years=age)
    first = reached.year * 12 + reached.month  # 次月起发: the month after (0-based index + 1)
    if row["离职日期"]:
        left = pendulum.parse(row["离职日期"]).date()
        first = max(first, left.year * 12 + left.month)
    last = 10**9
    if row["死亡日期"]:
        died = pendulum.parse(row["死亡日期"]).date()
        last = died.year * 12 + died.month - 1  # the death month is paid
    tenure = row["任职年限"]
    ok = tenure >= 11 and row["在职时领取国家补助"] == "是"
    tier = 35 if tenure >= 31 else 28 if tenure >= 21 else 23 if tenure >= 16 else 18
    amount = months = 0
    for m in range(year * 12, year * 12 + 12):
        if ok and first <= m <= last and m >= 1990 * 12:
            months += 1
            amount += tier * 100 + (6000 if m >= 2002 * 12 else 0)
    prefecture = min(amount, (2 * 27400 * months + 12) // 24)
    return amount, months, prefecture


@SLOW
@given(people, st.integers(1988, 2028))
def test_brigade_matches_a_month_by_month_oracle(ps, year):
    rows = brigade_rows(ps)
    result = Calculator("brigade_cadre_living", profile="江川区").compute_roster(rows, year).to_json()
    for row, b in zip(rows, result["beneficiaries"], strict=True):
        amount, months, prefecture = brigade_oracle(row, year)
        assert (int(b["amount"].replace(".", "")), b["paid_months"]) == (amount, months), row
        if year >= 2025:  # Jiangchuan's own split, from its 2025 budget text
            assert int(b["by_level"]["prefecture"].replace(".", "")) == prefecture


@SLOW
@given(st.lists(st.sampled_from(["党委", "党总支", "党支部"]), min_size=2, max_size=30), st.integers(1, 10**7), st.randoms())
def test_fixed_total_split_is_independent_of_row_order(types, fixed_fen, rnd):
    """Equal lines tie on their remainders; the tie-break follows ids, not rows."""
    overlay = {"sources": {"s": {"doc": "test"}}, "standards": {"splits.org_funding": {"values": [
        {"from": "2017-01", "rule": "fixed_total", "level": "prefecture", "amount": f"{fixed_fen / 100:.2f}",
         "remainder": "county", "source": "s"}]}}}
    calc = Calculator("two_new_16321", standards=overlay)
    rows = [{"组织编号": f"O{i:03d}", "组织类型": t, "书记任职月数": 0} for i, t in enumerate(types)]
    whole = by_id(calc.compute_roster(rows, 2025))
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert by_id(calc.compute_roster(shuffled, 2025)) == whole
    total_fixed = sum(int(v[1]["prefecture"].replace(".", "")) for v in whole.values())
    assert total_fixed == min(fixed_fen, sum(int(v[0].replace(".", "")) for v in whole.values()))
