"""Per-unit grants as data only (issue 12, item 6): a folder with a standards.toml that says
``[policy] kind = "per_unit"`` (and a cases.toml) is a policy, with no Python; bad data files
are refused naming the file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import openpyxl
import pytest

from entitlements import Calculator, EntitlementInputError, StandardsError
from entitlements.registry import policy_from_data

from .conftest import ROOT, run_cli

DATA_ONLY = ("four_level_meetings", "livelihood_projects", "model_case_awards", "service_grants")
ORIGIN = "policies/street_lamps/standards.toml"


def raw_of(policy_id: str) -> dict:
    return tomllib.loads((ROOT / "policies" / policy_id / "standards.toml").read_text(encoding="utf-8"))


def renamed(policy_id: str, new_id: str) -> dict:
    raw = raw_of(policy_id)
    raw["policy"]["id"] = new_id
    return raw


def test_the_bundled_per_unit_programmes_have_no_python():
    for pid in DATA_ONLY:
        folder = ROOT / "policies" / pid
        assert sorted(p.name for p in folder.iterdir() if p.name != "__pycache__") == ["cases.toml", "standards.toml"]


def checkout_copy(tmp_path: Path) -> Path:
    """The engine, the command and the policies copied into a folder of their own: a checkout
    that a new programme is added to by copying a folder, as an officer would."""
    root = tmp_path / "checkout"
    root.mkdir()
    for name in ("entitlements", "policies"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("cli.py", "pyproject.toml"):
        shutil.copy(ROOT / name, root / name)
    return root


def add_copy(root: Path, source: str, new_id: str, init: str | None = None) -> None:
    folder = root / "policies" / new_id
    shutil.copytree(ROOT / "policies" / source, folder, ignore=shutil.ignore_patterns("__pycache__"))
    text = (folder / "standards.toml").read_text(encoding="utf-8")
    (folder / "standards.toml").write_text(text.replace(f'id = "{source}"', f'id = "{new_id}"'), encoding="utf-8")
    if init is not None:
        (folder / "__init__.py").write_text(init, encoding="utf-8")


def run_in(root: Path, *args: str) -> subprocess.CompletedProcess:
    """The copy's own command (its entitlements/ first on the path), in a process of its own."""
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-c", "from entitlements.cli import app; app()", *args],
                          capture_output=True, text=True, cwd=root, env=env, timeout=120)


def test_a_new_programme_from_two_files_is_found_and_computes(tmp_path):
    """A copied folder under a new id, without __init__.py or with an empty one: found by the
    registry, computed in counts mode and from a roster, its standards listed with citations."""
    root = checkout_copy(tmp_path)
    add_copy(root, "livelihood_projects", "street_lamps")
    add_copy(root, "service_grants", "party_grants", init="")
    proc = run_in(root, "calc", "--policy", "street_lamps", "--year", "2024", "--profile", "澄江市",
                  "--count", "项目=3", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["totals"]["amount"] == "150000.00"
    proc = run_in(root, "calc", str(ROOT / "examples" / "service_grant_units.csv"), "--policy", "party_grants",
                  "--year", "2024", "--profile", "澄江市", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["totals"]["by_component"] == {"community": "600000.00", "village": "150000.00"}
    listed = run_in(root, "policies", "street_lamps")
    assert listed.returncode == 0 and "grant.project" in listed.stdout and "项目2" in listed.stdout


def test_a_broken_data_folder_is_a_named_exit_2_not_a_traceback(tmp_path):
    root = checkout_copy(tmp_path)
    add_copy(root, "livelihood_projects", "street_lamps")
    text = (root / "policies/street_lamps/standards.toml").read_text(encoding="utf-8")
    (root / "policies/street_lamps/standards.toml").write_text(text.replace('kind = "per_unit"', 'kind = "per_person"'),
                                                               encoding="utf-8")
    for args in (("policies",), ("calc", "--policy", "service_grants", "--year", "2024", "--profile", "澄江市",
                                 "--count", "社区=1")):
        proc = run_in(root, *args)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr
        assert ORIGIN in proc.stderr and "per_person" in proc.stderr


@pytest.mark.parametrize("change,words", [
    (lambda r: r["policy"].update(kind="per_person"), ("unknown kind 'per_person'", "per_unit")),
    (lambda r: r["policy"].pop("kind"), ("没有写明 kind",)),
    (lambda r: r["standards"].pop("grant.project"), ("grant.project", "标准 standard")),
    (lambda r: r["policy"]["units"][0].update(standard="grant.projects"), ("grant.projects",)),
    (lambda r: r["standards"].pop("splits.project"), ("splits.project", "分担办法 split")),
    (lambda r: r["policy"].update(id="other"), ("文件夹名",)),
    (lambda r: r["policy"].update(units=[]), ("units",)),
    (lambda r: r["policy"]["units"][0].update(amount="1"), ("amount",)),
    (lambda r: r["policy"]["units"].append(dict(r["policy"]["units"][0], key="again")), ("“项目”重复",)),
    (lambda r: r["policy"]["units"].append(dict(r["policy"]["units"][0], name="另一", aliases=[])), ("key 'project' 重复",)),
    (lambda r: r["standards"]["grant.project"].update(kind="number"), ("money",)),
], ids=["unknown kind", "no kind", "missing standard", "misspelt standard path", "missing split", "id not folder",
        "no units", "unknown unit key", "type name twice", "type key twice", "standard not money"])
def test_a_bad_data_file_is_refused_naming_the_file(change, words):
    raw = renamed("livelihood_projects", "street_lamps")
    change(raw)
    with pytest.raises(StandardsError) as info:
        policy_from_data(raw, ORIGIN, "street_lamps")
    assert str(info.value).startswith(ORIGIN), str(info.value)
    for word in words:
        assert word in str(info.value)


def test_a_standard_given_only_in_a_profile_section_is_enough():
    raw = renamed("livelihood_projects", "street_lamps")
    raw["profiles"] = {"yunnan.yuxi.chengjiang": {"standards": {"grant.project": raw["standards"].pop("grant.project")}}}
    assert policy_from_data(raw, ORIGIN, "street_lamps").id == "street_lamps"


def test_counts_keys_are_english_and_chinese():
    calc = Calculator("service_grants", "澄江市")
    english = calc.compute_counts({"community": 6, "village": 41}, 2024).to_json()["totals"]
    chinese = calc.compute_counts({"社区": 6, "行政村": 41}, 2024).to_json()["totals"]
    assert english == chinese and english["amount"] == "2650000.00"
    with pytest.raises(ValueError, match="未知的计数项"):
        calc.compute_counts({"居委会": 1}, 2024)


def test_a_roster_of_units_rejects_unknown_types_duplicates_and_blanks(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("序号,名称,类型,所属乡镇（街道）\n1,拥晖社区,社区,凤麓街道\n2,拥晖社区,社区,凤麓街道\n"
                    "3,某居委会,居委会,凤麓街道\n4,甲村,,右所镇\n5,乙村,行政村,右所镇\n", encoding="utf-8")
    proc = run_cli("calc", str(path), "--policy", "service_grants", "--year", "2024", "--profile", "澄江市",
                   "--format", "json")
    doc = json.loads(proc.stdout)
    assert doc["totals"]["amount"] == "150000.00"
    rejects = {r["row"]: (r["column"], r["reason"]) for r in doc["rejects"]}
    assert set(rejects) == {3, 4, 5}
    assert rejects[3][0] == "名称" and "重复" in rejects[3][1]
    assert rejects[4][0] == "类型" and "居委会" in rejects[4][1]
    assert rejects[5][0] == "类型" and "为空" in rejects[5][1]
    checked = run_cli("validate", str(path), "--policy", "service_grants", "--profile", "澄江市", "--format", "json")
    assert {r["row"] for r in json.loads(checked.stdout)["rejects"]} == {3, 4, 5}


def test_a_village_turned_community_is_a_village():
    """“41个行政村（含村改社区）”: a 村改社区 is paid as a 行政村."""
    one = Calculator("service_grants", "澄江市").compute({"名称": "某社区", "类型": "村改社区"}, year=2024)
    assert {k: str(v) for k, v in one.by_component.items()} == {"community": "0.00", "village": "50000.00"}


def test_a_one_type_roster_needs_no_type_column_but_a_given_one_is_checked(tmp_path):
    path = tmp_path / "projects.csv"
    path.write_text("项目名称,类型,所属乡镇（街道）\n路灯,项目,凤麓街道\n水管,,右所镇\n广场,工程类,海口镇\n", encoding="utf-8")
    doc = json.loads(run_cli("calc", str(path), "--policy", "livelihood_projects", "--year", "2024", "--profile",
                             "澄江市", "--format", "json").stdout)
    assert doc["totals"]["amount"] == "50000.00"
    assert sorted((r["row"], r["column"]) for r in doc["rejects"]) == [(3, "类型"), (4, "类型")]


def test_a_multi_type_roster_without_a_type_column_is_refused(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("名称\n拥晖社区\n", encoding="utf-8")
    proc = run_cli("calc", str(path), "--policy", "service_grants", "--year", "2024", "--profile", "澄江市")
    assert proc.returncode == 2 and "类型" in proc.stderr


def test_a_floor_is_said_in_the_output_and_in_explain(tmp_path):
    doc = json.loads(run_cli("calc", "--policy", "model_case_awards", "--year", "2024", "--profile", "澄江市",
                             "--count", "case=5", "--format", "json").stdout)
    assert any("不少于" in n["message"] and "下限" in n["message"] for n in doc["notices"])
    path = tmp_path / "cases.csv"
    path.write_text("案例名称,所属乡镇（街道）\n某村党建引领产业发展,右所镇\n", encoding="utf-8")
    proc = run_cli("explain", str(path), "--policy", "model_case_awards", "--year", "2024", "--profile", "澄江市",
                   "--id", "某村党建引领产业发展")
    assert proc.returncode == 0, proc.stderr
    assert "下限" in proc.stdout and "不少于5万元" in proc.stdout and "项目2" in proc.stdout
    plain = json.loads(run_cli("calc", "--policy", "livelihood_projects", "--year", "2024", "--profile", "澄江市",
                               "--count", "project=20", "--format", "json").stdout)
    assert plain["notices"] == []  # not a floor: nothing to say


def test_explain_shows_the_units_own_type_only():
    proc = run_cli("explain", "examples/service_grant_units.csv", "--policy", "service_grants", "--year", "2024",
                   "--profile", "澄江市", "--id", "示例村一")
    assert proc.returncode == 0, proc.stderr
    assert "行政村服务群众专项经费：50000.00元/个/年" in proc.stdout and "社区服务群众专项经费：" not in proc.stdout
    assert "合计: 50000.00" in proc.stdout


def test_a_per_event_programme_is_computed_for_a_whole_year_only():
    calc = Calculator("four_level_meetings", "澄江市")
    assert str(calc.compute({"名称": "3月现场会"}, year=2024).amount) == "20000.00"
    with pytest.raises(EntitlementInputError, match="按次（个）计，只能按一个完整的预算年度计算"):
        calc.compute({"名称": "3月现场会"}, month="2024-03")
    yearly = Calculator("service_grants", "澄江市").compute({"名称": "甲村", "类型": "行政村"}, month="2024-03")
    assert str(yearly.amount) == "4166.67"  # a yearly grant prorates: 50000 / 12


def test_budget_whatif_and_xlsx(tmp_path):
    budget = run_cli("budget", "--policy", "service_grants", "--year", "2024", "--profile", "澄江市",
                     "--count", "社区=6", "--count", "行政村=41")
    assert budget.returncode == 0, budget.stderr
    assert "| 党组织服务群众专项经费 | 47 | 2650000.00 | 2650000.00 |" in budget.stdout
    assert "| 其中：社区服务群众专项经费 | 6 | 600000.00 | 600000.00 |" in budget.stdout
    whatif = run_cli("whatif", "--policy", "service_grants", "--year", "2024", "--profile", "澄江市", "--count",
                     "village=41", "--set", "grant.village=60000", "--format", "json")
    assert whatif.returncode == 0, whatif.stderr
    assert "2460000.00" in whatif.stdout
    out = tmp_path / "分配表.xlsx"
    proc = run_cli("calc", "examples/service_grant_units.xlsx", "--policy", "service_grants", "--year", "2024",
                   "--profile", "澄江市", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True))
    total = rows[3].index("合计")  # below the title, units line and band (分项, 分级负担)
    assert sum(r[total] for r in rows[4:] if isinstance(r[total], int)) == 750000
    assert rows[4][:6] == ("拥晖社区", "拥晖社区", "凤麓街道", "社区", 100000, 0)
