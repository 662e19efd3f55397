"""Outputs a reviewer can follow (issue 13, item 5): a budget note that agrees with its own table."""

from __future__ import annotations

import pytest

from .conftest import EXAMPLES, run_cli

JIANGCHUAN = ("--policy", "brigade_cadre_living", "--profile", "江川区", "--year")


def test_the_per_capita_note_says_how_the_level_figure_is_made():
    """江川区 2025: 5 cadres paid all year and one for 6 months; 市级 5 × 274 + 6 × 274 ÷ 12 = 1507.00,
    as the table says — not "6人 × 274" (1644), which the table would contradict."""
    proc = run_cli("budget", str(EXAMPLES / "brigade_cadres.csv"), *JIANGCHUAN, "2025")
    assert proc.returncode == 0, proc.stderr
    assert "| 1507.00 |" in proc.stdout
    assert "5人全年 × 274元，1人按发放月数折算（共6个月 × 274元 ÷ 12）" in proc.stdout


def test_all_paid_all_year_keeps_the_budget_texts_words():
    """2026: the five left are paid all year, so the note is the budget text's own sentence."""
    proc = run_cli("budget", str(EXAMPLES / "brigade_cadres.csv"), *JIANGCHUAN, "2026")
    assert proc.returncode == 0, proc.stderr
    assert "2026年市级预算补助5人，标准为274元/人/年。" in proc.stdout and "折算" not in proc.stdout


def test_the_written_line_follows_lang(tmp_path):
    args = (str(EXAMPLES / "two_new_orgs.csv"), "--policy", "two_new_16321", "--year", "2024", "--format", "xlsx")
    en = run_cli("calc", *args, "--out", str(tmp_path / "a.xlsx"), "--lang", "en")
    zh = run_cli("calc", *args, "--out", str(tmp_path / "b.xlsx"))
    assert en.returncode == zh.returncode == 0
    assert "wrote" in en.stderr and "total" in en.stderr and "已写出" not in en.stderr and "合计" not in en.stderr
    assert "已写出" in zh.stderr and "wrote" not in zh.stderr


def test_policies_names_the_levels_as_the_profile_does():
    proc = run_cli("policies", "two_new_16321", "--profile", "澄江市")
    assert proc.returncode == 0 and "玉溪市级 50% / 澄江市级 50%" in proc.stdout and "县级 100%" not in proc.stdout


CHENGJIANG = ("--policy", "two_new_16321", "--profile", "澄江市", "--count", "党委=6", "--count", "党总支=9",
              "--count", "党支部=112", "--count", "书记=95", "--count", "党员=1274")


def test_whatif_in_a_narrow_terminal_keeps_every_amount_whole():
    scenarios = [EXAMPLES / "scenarios" / "branch_4000.toml", EXAMPLES / "scenarios" / "more_branches.toml"]
    proc = run_cli("whatif", *CHENGJIANG, "--years", "2025-2026", "--scenario", str(scenarios[0]),
                   "--scenario", str(scenarios[1]), "--detail", env={"COLUMNS": "80"})
    assert proc.returncode == 0, proc.stderr
    from rich.cells import cell_len

    assert max(cell_len(line) for line in proc.stdout.splitlines()[3:]) <= 80
    assert "…" not in proc.stdout and "805400.00" in proc.stdout and "+108000.00" in proc.stdout


def test_whatif_names_a_set_by_what_it_changes_and_gives_reasons_in_words():
    proc = run_cli("whatif", *CHENGJIANG, "--year", "2025", "--set", "org_funding.branch=4000", "--detail")
    assert proc.returncode == 0, proc.stderr
    assert "情景1 scenario 1: 党支部基本工作经费=4000元/个/年\n" in proc.stdout and "差额1" in proc.stdout
    assert "org_funding.branch" not in proc.stdout


def test_the_notice_names_the_programmes_own_basis(tmp_path):
    """离任补助's rule (one month per year served) is no single standard's: its 文号 is the policy's
    declared basis, and the 公示 list names it (it named only the user's post-standards file)."""
    out = tmp_path / "n.md"
    proc = run_cli("notice", str(EXAMPLES / "village_departures.csv"), "--policy", "village_cadre_departure",
                   "--year", "2024", "--profile", "澄江市", "--standards", str(EXAMPLES / "village_post_standards.csv"),
                   "--format", "md", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    basis = next(line for line in out.read_text(encoding="utf-8").splitlines() if "依据" in line)
    assert "澄办发〔2014〕104号" in basis


def test_the_budget_table_is_titled_with_its_programme_in_either_language():
    zh = run_cli("budget", str(EXAMPLES / "brigade_cadres.csv"), *JIANGCHUAN, "2025")
    en = run_cli("budget", str(EXAMPLES / "brigade_cadres.csv"), *JIANGCHUAN, "2025", "--lang", "en")
    assert "**江川区2025年农村原大队一级部分离职半脱产干部定期生活补助预算测算表**" in zh.stdout
    assert en.stdout.startswith("**Living subsidy for former brigade-level semi-detached cadres: budget 2025")


def test_budget_says_what_it_wrote_in_the_runs_language(tmp_path):
    args = (str(EXAMPLES / "brigade_cadres.csv"), *JIANGCHUAN, "2025", "--format", "xlsx")
    zh = run_cli("budget", *args, "--out", str(tmp_path / "b.xlsx"))
    en = run_cli("budget", *args, "--out", str(tmp_path / "e.xlsx"), "--lang", "en")
    assert "已写出" in zh.stderr and "5430.00" in zh.stderr
    assert "wrote" in en.stderr and "已写出" not in en.stderr


def test_payments_says_what_it_wrote_in_the_runs_language(tmp_path):
    args = (str(EXAMPLES / "brigade_cadres_payments.csv"), *JIANGCHUAN, "2025")
    zh = run_cli("payments", *args, "--out", str(tmp_path / "p.xlsx"))
    en = run_cli("payments", *args, "--out", str(tmp_path / "e.xlsx"), "--lang", "en")
    assert zh.returncode == en.returncode == 0, zh.stderr + en.stderr
    assert "已写出" in zh.stderr and "wrote" not in zh.stderr
    assert "wrote" in en.stderr and "已写出" not in en.stderr


@pytest.mark.parametrize("policy", sorted(__import__("tests.test_library", fromlist=["LIBRARY"]).LIBRARY))
def test_an_english_explanation_says_its_units_in_english(policy):
    """`explain --lang en` said "base living subsidy (tiered by tenure): 基础生活补助（按任职年限分档）
    23.00元/人/月": the component's Chinese name again and a Chinese unit. The data's own texts (its
    citations and assumptions, in brackets) stay as the documents write them."""
    import re

    from .test_library import LIBRARY, args

    ids = [b["id"] for b in __import__("tests.test_library", fromlist=["calc_json"]).calc_json(policy)["beneficiaries"][:3]]
    for person in ids:
        out = run_cli("explain", *args(policy), "--id", person, "--lang", "en")
        assert out.returncode == 0, out.stderr
        for line in out.stdout.splitlines():
            bare = re.sub(r"\s*\[[^\[\]]*(\[[^\[\]]*\][^\[\]]*)*\]", "", line)  # citations and assumptions
            assert "元/" not in bare, line
    brigade = run_cli("explain", *args("brigade_cadre_living"), "--id", "JC001", "--lang", "en").stdout
    assert "  base living subsidy (tiered by tenure): 23.00 yuan a person a month (tier 16–20 years) × 12 months" in brigade


def test_a_conditions_standard_is_named_beside_its_path():
    """The explanation said only `eligibility.min_tenure_years = 11` under a condition: the clerk reads
    the standard's name, the analyst the path a scenario sets."""
    from .test_library import args

    out = run_cli("explain", *args("brigade_cadre_living"), "--id", "JC001").stdout
    assert "    最低任职年限（eligibility.min_tenure_years） = 11" in out
    assert "（eligibility.age_male） = 55" in out
