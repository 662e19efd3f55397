"""The hostile review after issue 10 (REVIEW.md findings 3, 6–10, 13, 14, 16, 18): invisible
characters, repeated counts and standards, thousands grouping, 2025.1, 不予发放原因 = 无,
tenure against spans, mistyped or empty standards, Chinese-first messages."""

from __future__ import annotations

import pytest

from entitlements import Calculator
from entitlements.fields import normalise_cell
from entitlements.reading import read_roster

from .conftest import EXAMPLES, run_cli

BRIGADE_HEADER = "编号,姓名,身份证号,性别,出生日期,任职年限,1984年前任职,在职时领取国家补助,离职日期,死亡日期,所属单位"
BRIGADE_ROW = "{id},李桂英,,女,1942-03-05,12,是,是,,,江城镇"
JIANGCHUAN = ["-p", "brigade_cadre_living", "-y", "2025", "--profile", "江川区"]
jiangchuan = Calculator("brigade_cadre_living", profile="江川区")


# --- Finding 3: every invisible or control character is removed from a cell -----------------

INVISIBLES = ["\u2066", "\u2067", "\u2068", "\u2069", "\u061c", "\u200e", "\u200f", "\ufeff", "\x00", "\x1a",
              "\x7f", "\x85", "\u206a", "\U000e0001"]


@pytest.mark.parametrize("mark", INVISIBLES, ids=lambda m: f"U+{ord(m):04X}")
def test_invisible_and_control_characters_are_removed(mark):
    assert normalise_cell(f"JC{mark}002{mark}") == "JC002"


def test_tab_and_line_breaks_inside_a_cell_are_kept():
    assert normalise_cell("a\tb\nc\r\nd") == "a\tb\nc\r\nd"


@pytest.mark.parametrize("mark", ["\u2066", "\x00", "\u061c", "\u2069"], ids=lambda m: f"U+{ord(m):04X}")
@pytest.mark.parametrize("fast", [False, True], ids=["careful", "fast"])
def test_a_mark_after_an_id_is_not_a_second_person(tmp_path, mark, fast):
    path = tmp_path / "r.csv"
    path.write_text("\n".join([BRIGADE_HEADER, BRIGADE_ROW.format(id="JC002"), BRIGADE_ROW.format(id=f"JC002{mark}")])
                    + "\n", encoding="utf-8")
    result = jiangchuan.compute_roster(read_roster(path, jiangchuan.policy.fields, fast=fast), 2025)
    assert result.to_json()["totals"]["beneficiaries"] == 1  # the second row is the same person: rejected, not paid twice
    assert len(result.rejects) == 1


def test_an_isolate_after_an_organisation_name_is_not_a_second_organisation(tmp_path):
    path = tmp_path / "n.csv"
    path.write_text("组织编号,组织名称,组织类型,党员人数,书记是否公职人员,书记任职月数,所属单位\n"
                    ",某公司党支部,党支部,9,否,12,凤麓街道\n"
                    ",某公司党支部\u2066,党支部,9,否,12,凤麓街道\n", encoding="utf-8")
    proc = run_cli("calc", str(path), "-p", "two_new_16321", "-y", "2025", "-f", "json")
    import json
    out = json.loads(proc.stdout)
    assert out["totals"]["beneficiaries"] == 1, proc.stdout[:2000]


# --- Finding 7: a count given twice is refused, not added up -----------------------------------

COUNTS16 = ["-p", "two_new_16321", "-y", "2025", "--profile", "澄江市"]


@pytest.mark.parametrize("second", ["branch=7", "党支部=7", " branch =7"])
def test_a_count_given_twice_on_the_command_line_is_refused(second):
    proc = run_cli("calc", *COUNTS16, "--count", "branch=5", "--count", second)
    assert proc.returncode == 2, proc.stdout[:500]
    assert "计数项重复" in proc.stderr and "branch" in proc.stderr and "Traceback" not in proc.stderr


def test_a_count_given_twice_through_the_api_is_refused():
    from entitlements import EntitlementInputError

    with pytest.raises(EntitlementInputError) as caught:
        Calculator("two_new_16321").compute_counts({"branch": 5, "党支部": 7}, 2025)
    assert "计数项重复：branch 与 党支部 是同一项" in str(caught.value)
    assert "branch" in caught.value.reason_en and "党支部" in caught.value.reason_en


def test_whatif_counts_given_twice_are_refused_and_a_relative_change_still_applies(tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text('name = "more"\n[[counts]]\nbranch = "+20"\n', encoding="utf-8")
    proc = run_cli("whatif", *COUNTS16[:2], "--years", "2025", "--count", "branch=5", "--count", "党支部=7",
                   "--scenario", str(scenario))
    assert proc.returncode == 2 and "计数项重复" in proc.stderr, proc.stderr
    proc = run_cli("whatif", *COUNTS16[:2], "--years", "2025", "--count", "branch=5", "--scenario", str(scenario))
    assert proc.returncode == 0, proc.stderr
