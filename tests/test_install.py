"""What the installed distribution puts in site-packages: the `entitlements` package and its
dist-info, nothing else (a top-level `policies` or `cli` would clash with a user's own, and pip
lets another distribution overwrite them silently)."""

from __future__ import annotations

import re
import sysconfig
from importlib.metadata import Distribution, distributions
from pathlib import Path

import pytest


def installed() -> tuple[Distribution, Path]:
    """The distribution pip installed, looked up in site-packages only: from a checkout, the
    repository root is on sys.path and may hold a build's entitlements.egg-info."""
    for key in ("purelib", "platlib"):
        site = Path(sysconfig.get_paths()[key])
        found = list(distributions(name="entitlements", path=[str(site)]))
        if found:
            return found[0], site
    pytest.fail("entitlements is not installed in this environment: pip install .")


def stray_files(dist: Distribution, site: Path) -> list[str]:
    """Installed files outside the package, its dist-info and the console command."""
    scripts = Path(sysconfig.get_paths()["scripts"]).resolve()
    info = f"entitlements-{dist.version}.dist-info/"
    editable = re.compile(r"(__pycache__/)?__editable__[._]entitlements[-_][^/]*$")  # an editable install's .pth, finder
    stray = []
    for file in dist.files or ():
        where = (site / file).resolve()
        if where.is_relative_to(site.resolve()):
            name = where.relative_to(site.resolve()).as_posix()
            if not (name.startswith(("entitlements/", info)) or editable.match(name)):
                stray.append(name)
        elif not (where.parent == scripts and where.name == "entitlements"):
            stray.append(str(file))
    return stray


def test_nothing_is_installed_outside_the_entitlements_package():
    dist, site = installed()
    assert dist.files, "the distribution lists no files"
    assert stray_files(dist, site) == []
    assert (dist.read_text("top_level.txt") or "entitlements").split() == ["entitlements"]
    scripts = {ep.name: ep.value for ep in dist.entry_points if ep.group == "console_scripts"}
    assert scripts == {"entitlements": "entitlements.cli:app"}


def test_an_editable_install_maps_only_entitlements_names():
    dist, site = installed()
    finders = [f for f in dist.files or () if f.name.startswith("__editable__") and f.suffix == ".py"]
    if not finders:
        pytest.skip("not an editable install")
    text = (site / finders[0]).read_text(encoding="utf-8")
    mapping = re.search(r"^MAPPING[^=]*=\s*(\{.*?\})$", text, re.M)
    assert mapping, "setuptools' editable finder has no MAPPING"
    names = re.findall(r"'([^']+)':", mapping.group(1))
    assert names and all(n == "entitlements" or n.startswith("entitlements.") for n in names), names


def test_the_stray_check_sees_a_top_level_module(tmp_path):
    class Fake:  # what the installed files of a distribution look like before the fix
        version = "0.1.0"
        files = [Path("cli.py"), Path("policies/__init__.py"), Path("entitlements/__init__.py"),
                 Path("entitlements-0.1.0.dist-info/RECORD")]

    assert stray_files(Fake(), tmp_path) == ["cli.py", "policies/__init__.py"]


def test_one_module_object_each_and_no_top_level_copies():
    import sys

    import entitlements.cli
    import entitlements.policies.two_new_16321 as module
    from entitlements import Calculator, Scenario  # noqa: F401 - the public API
    from entitlements.registry import get_policy

    assert get_policy("two_new_16321") is module.POLICY
    assert Calculator("two_new_16321").policy is module.POLICY
    assert Path(entitlements.cli.__file__).name == "cli.py"
    assert "policies" not in sys.modules and "cli" not in sys.modules


def test_the_engine_data_files_are_installed():
    """Files the engine reads through importlib.resources (the message catalogue, the JSON
    schema, each policy's standards and cases) are package data: missing, explain fails."""
    dist, _ = installed()
    names = {str(f).replace("\\", "/") for f in dist.files or ()}
    if not any(n.startswith("entitlements/") for n in names):
        pytest.skip("an editable install lists no package files")
    root = Path(__file__).resolve().parent.parent
    wanted = {"entitlements/messages.toml", "entitlements/contract.schema.json", "entitlements/policies/profiles.toml"}
    wanted |= {f"entitlements/web/templates/{f.name}" for f in (root / "entitlements" / "web" / "templates").glob("*.html")}
    for folder in (root / "policies").iterdir():
        if (folder / "__init__.py").is_file() or (folder / "standards.toml").is_file():  # data-only folders too
            wanted |= {f"entitlements/policies/{folder.name}/{f.name}" for f in folder.glob("*.toml")}
    assert wanted - names == set()
