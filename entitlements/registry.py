"""Which policies exist: found, not listed by hand.

A policy is a module or sub-package of ``entitlements.policies`` that exposes ``POLICY``;
other distributions may add theirs through the entry-point group ``entitlements.policies``
(the entry point names a ``Policy`` or a module exposing ``POLICY``). This is the only engine
module that imports the policies: they depend on the engine, never the reverse.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from functools import cache
from importlib.metadata import entry_points
from types import MappingProxyType

from .policy import Policy

PACKAGE = "entitlements.policies"
ENTRY_POINT_GROUP = "entitlements.policies"


@cache
def all_policies() -> Mapping[str, Policy]:
    """Every policy by id: the bundled ones (by module name), then third-party ones."""
    found: dict[str, Policy] = {}
    package = importlib.import_module(PACKAGE)
    for info in pkgutil.iter_modules(package.__path__, PACKAGE + "."):
        policy = getattr(importlib.import_module(info.name), "POLICY", None)
        if policy is not None:
            _add(found, policy, info.name)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        loaded = ep.load()
        _add(found, getattr(loaded, "POLICY", loaded), f"entry point {ep.name} = {ep.value}")
    return MappingProxyType(found)


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
