"""A monthly programme over posts (the kit's Service without a lump sum): each month of the
period in post is paid the standard of the post held that month, a month of several posts
once (一肩挑 where both posts of its pair are held, else the highest); a blank 任职结束 is
service continuing. Exercised through community_worker_pay (晋城市城区)."""

from __future__ import annotations

import pytest
from attrs import evolve

from entitlements import Calculator
from entitlements.standards import StandardsError

S, D, YJT, DEP, MEM = 3684, 3684, 4421, 3316, 2947  # 书记, 主任, 一肩挑, 副书记（副主任）, 委员 元/月


@pytest.fixture(scope="module")
def calc():
    return Calculator("community_worker_pay", profile="晋城市城区")


def test_each_month_in_post_at_the_post_held_that_month(calc):
    one = calc.compute({"编号": "A", "spans": [{"post": "书记", "start": "2020-01-01"},
                                              {"post": "主任", "start": "2025-07-01"}]}, year=2025)
    assert f"{one.amount:.2f}" == f"{S * 6 + YJT * 6:.2f}"  # 书记 Jan-Jun, then 书记+主任 = 一肩挑 Jul-Dec
    assert one.paid_months == 12
    both = calc.compute({"编号": "B", "spans": [{"post": "副书记", "start": "2019-05", "end": ""},
                                               {"post": "委员", "start": "2019-05"}]}, year=2025)
    assert f"{both.amount:.2f}" == f"{DEP * 12:.2f}"  # two posts, no pair: the highest, once


def test_a_span_ending_or_starting_within_the_year_pays_its_months(calc):
    ends = calc.compute({"编号": "C", "spans": [{"post": "副主任", "start": "2024-03-01", "end": "2025-06-30"}]}, year=2025)
    assert f"{ends.amount:.2f}" == f"{DEP * 6:.2f}" and ends.paid_months == 6
    starts = calc.compute({"编号": "E", "spans": [{"post": "社区工作者", "start": "2025-04-16"}]}, year=2025)
    assert f"{starts.amount:.2f}" == f"{MEM * 9:.2f}"  # April (from the 16th: a whole month credited to April) to December
    month = calc.compute({"编号": "E", "spans": [{"post": "社区工作者", "start": "2025-04-16"}]}, month="2025-03")
    assert month.amount == 0


def test_not_in_post_in_the_year_and_before_the_standards(calc):
    gone = calc.compute({"编号": "F", "spans": [{"post": "委员", "start": "2020-01-01", "end": "2023-12-31"}]}, year=2025)
    assert gone.amount == 0 and any("无任职月份" in r for r in gone.reasons)
    early = calc.compute({"编号": "G", "spans": [{"post": "委员", "start": "2020-01-01"}]}, year=2024)
    assert early.amount == 0 and "标准自2025-01起施行，本期无补助" in early.reasons


def test_a_post_without_a_standard_in_a_month_served_is_refused_not_paid_0():
    calc = Calculator("community_worker_pay", profile="晋城市城区")
    later = calc.data.get("posts.deputy_director")  # the 副主任 standard only from 2026: 2025 has none
    calc.data = evolve(calc.data, standards={**calc.data.standards, "posts.deputy_director": evolve(
        later, values=[evolve(later.values[0], start=later.values[0].start + 12)])})
    with pytest.raises(StandardsError, match="缺少岗位补贴标准：副主任2025年"):
        calc.compute({"编号": "H", "spans": [{"post": "副主任", "start": "2025-01-01"}]}, year=2025)


def test_counts_mode_is_people_of_a_post_paid_all_year(calc):
    doc = calc.compute_counts({"一肩挑": 2, "委员": 3}, 2025).to_json()
    assert doc["totals"]["amount"] == f"{YJT * 12 * 2 + MEM * 12 * 3:.2f}"
    assert doc["totals"]["by_level"]["county"] == doc["totals"]["amount"]


def test_the_explanation_lists_the_months_in_post(calc):
    comp = calc.compute({"编号": "A", "spans": [{"post": "书记", "start": "2020-01-01"},
                                               {"post": "主任", "start": "2025-07-01"}]}, year=2025)
    text = comp.explain()
    assert "2025-07～2025-12" in text and "一肩挑" in text and "4421.00" in text and "晋市委组发〔2019〕67号" in text


def test_a_choice_written_with_full_width_brackets_is_recognised():
    """Cells are read NFKC (（ becomes (): a choice named with full-width brackets must still match."""
    from entitlements.fields import Field, choice_map, normalise_cell, parse_cell

    field = Field("post", "职务", "choice", "post", choices=choice_map({"member": ("委员（社区工作者）",),
                                                                      "director": ("村（居）委会主任",)}))
    assert parse_cell(field, normalise_cell("委员（社区工作者）")) == "member"
    assert parse_cell(field, normalise_cell("村(居)委会主任")) == "director"
    try:
        parse_cell(field, "党小组")
    except Exception as exc:  # the options are listed once each
        assert str(exc).count("委员") == 1


def test_the_typed_models_of_the_api(calc):
    import datetime as dt

    from entitlements.policies import CommunityWorker, JointPartyEntry

    one = calc.compute(CommunityWorker(id="A", spans=[{"post": "委员", "start": dt.date(2025, 7, 1)}]), year=2025)
    assert f"{one.amount:.2f}" == f"{MEM * 6:.2f}"
    org = Calculator("joint_party_org", profile="城区").compute(JointPartyEntry(id="Z", kind="党建指导员", months=5), year=2025)
    assert f"{org.amount:.2f}" == "2500.00"
