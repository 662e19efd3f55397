"""Which policies exist: found, not listed by hand.

A policy is a module or sub-package of ``entitlements.policies`` that exposes ``POLICY``;
other distributions may add theirs through the entry-point group ``entitlements.policies``
(the entry point names a ``Policy`` or a module exposing ``POLICY``). This is the only engine
module that imports the policies: they depend on the engine, never the reverse.

A folder without Python (no ``__init__.py``, or one without ``POLICY``) is a policy made of
data: its ``standards.toml`` names a ``kind`` under ``[policy]`` (``per_unit``: per_unit.py)
and the engine builds the policy from the file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from functools import cache
from importlib import resources
from importlib.metadata import entry_points
from types import MappingProxyType
from typing import Any

from .policy import Policy
from .profiles import DATA_PACKAGE, _data_file
from .standards import StandardsError

PACKAGE = "entitlements.policies"
ENTRY_POINT_GROUP = "entitlements.policies"


@cache
def all_policies() -> Mapping[str, Policy]:
    """Every policy by id: the bundled ones (by module name), then third-party ones."""
    found: dict[str, Policy] = {}
    package = importlib.import_module(PACKAGE)
    modules = {info.name.rsplit(".", 1)[-1] for info in pkgutil.iter_modules(package.__path__)}
    for name in sorted(modules | set(data_folders())):
        policy = getattr(importlib.import_module(f"{PACKAGE}.{name}"), "POLICY", None) if name in modules else None
        if policy is None:
            policy = data_policy(name)
        if policy is not None:
            _add(found, policy, f"{PACKAGE}.{name}")
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        loaded = ep.load()
        _add(found, getattr(loaded, "POLICY", loaded), f"entry point {ep.name} = {ep.value}")
    return MappingProxyType(found)


def data_folders() -> list[str]:
    """Folders under policies/ that hold a standards.toml (with or without Python)."""
    root = resources.files(DATA_PACKAGE)
    return [p.name for p in root.iterdir() if p.is_dir() and p.joinpath("standards.toml").is_file()]


def data_policy(name: str) -> Policy | None:
    """The policy a folder without ``POLICY`` declares by its standards file's ``kind``; None
    when the folder has no standards file (a helper module). A standards file without a known
    kind in such a folder is refused, naming the file: the programme would silently be missing."""
    if not resources.files(DATA_PACKAGE).joinpath(name, "standards.toml").is_file():
        return None
    return policy_from_data(_data_file(f"{name}/standards.toml"), f"policies/{name}/standards.toml", name)


def policy_from_data(raw: Mapping[str, Any], origin: str, name: str) -> Policy:
    """The policy a standards file (``origin``, in folder ``name``) declares by its ``kind``."""
    from .per_unit import build as per_unit  # only where a data-only folder exists

    kinds = {"per_unit": per_unit}
    meta = raw.get("policy")
    kind = meta.get("kind") if isinstance(meta, Mapping) else None
    if not isinstance(kind, str) or kind not in kinds:
        said = "没有写明 kind (no kind)" if kind is None else f"未知的政策类型 unknown kind {kind!r}"
        raise StandardsError(f"{origin}: {said}；没有 Python 模块（POLICY）的政策文件夹须在 [policy] 中写明 kind，"
                             f"可用 known: {', '.join(kinds)} (a policy folder without a POLICY module needs "
                             f"[policy] kind = one of: {', '.join(kinds)})")
    return kinds[kind](raw, origin, name)


def _add(found: dict[str, Policy], policy: object, origin: str) -> None:
    # a second policy under a taken id would silently replace the first: refused
    if not isinstance(policy, Policy):
        raise LookupError(f"不是政策 not a Policy: {origin} gives {type(policy).__name__}")
    if policy.id in found:
        raise LookupError(f"政策编号重复 duplicate policy id '{policy.id}': {origin}")
    found[policy.id] = policy


def policy_ids() -> tuple[str, ...]:
    return tuple(all_policies())


def get_policy(policy_id: str) -> Policy:
    policies = all_policies()
    try:
        return policies[policy_id.strip()]
    except KeyError:
        raise LookupError(f"未知政策 unknown policy '{policy_id}'. 可用 known: {', '.join(policies)}") from None
