"""Profiles (地区口径): a jurisdiction's standards, splits and conventions.

``yunnan`` -> ``yunnan.yuxi`` -> ``yunnan.yuxi.jiangchuan``: a child inherits and overrides
what differs. Chinese names (江川区, 澄江市) are aliases. The tree lives in
``policies/profiles.toml`` (installed as ``entitlements.policies``); each policy's standards file
(see ``policy_data_name``) holds the standards per profile.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any, Literal

from attrs import evolve, frozen
from pydantic import BaseModel, ConfigDict, ValidationError

from .standards import (LEVEL_NAMES, LEVELS, Source, Standard, StandardsError, _first_error, build_sources,
                        build_standards)


class ProfileError(LookupError):
    pass


class ConventionsModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: Literal["next_month", "same_month"] | None = None
    stop: Literal["after_death_month", "death_month"] | None = None
    rounding: Literal["fen", "yuan"] | None = None
    standard_year: Literal["service", "departure"] | None = None
    note: str | None = None


@frozen
class Conventions:
    """Named conventions where a rule is ambiguous (SPEC §3), surfaced by ``explain``.

    start: 次月起发 (next_month) or 当月起发 (same_month); stop: 死亡次月停发
    (after_death_month: the death month is paid) or death_month (it is not);
    rounding of a line to 分 or 元; standard_year: service (each year's own standard)
    or departure (the departure year's standard for every year served).
    """

    start: str = "next_month"
    stop: str = "after_death_month"
    rounding: str = "fen"
    standard_year: str = "service"
    notes: tuple[str, ...] = ()

    def apply(self, raw: Mapping[str, Any], origin: str) -> Conventions:
        try:
            m = ConventionsModel.model_validate(raw)
        except ValidationError as exc:
            raise StandardsError(f"{origin}: 口径设置有误 conventions.{_first_error(exc)}") from None
        changes = {k: v for k, v in m.model_dump().items() if v is not None and k != "note"}
        notes = self.notes + ((m.note,) if m.note else ())
        return evolve(self, notes=notes, **changes)


@frozen
class Profile:
    id: str
    name: str
    aliases: tuple[str, ...]
    conventions: Mapping[str, Any]
    own_level_names: Mapping[str, str] = {}  # what this jurisdiction calls a level (区级, 澄江市级)

    @property
    def chain(self) -> list[str]:
        """Ids from the root down to this profile."""
        parts = self.id.split(".")
        return [".".join(parts[: i + 1]) for i in range(len(parts))]

    def level_names(self, lang: str = "zh") -> dict[str, str]:
        """Level -> display name in this jurisdiction's own words (Chinese), inherited down the tree."""
        names = dict(LEVEL_NAMES[lang])
        if lang != "en":
            for pid in self.chain:
                names.update(profiles()[pid].own_level_names)
        return names


DATA_PACKAGE = "entitlements.policies"  # the installed name of the repository's policies/ folder


def _data_file(name: str) -> dict[str, Any]:
    text = resources.files(DATA_PACKAGE).joinpath(*name.split("/")).read_text(encoding="utf-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StandardsError(f"policies/{name}: {exc}") from None


def policy_data_name(policy_id: str) -> str:
    """Where a policy's standards file is, under policies/: ``<id>.toml`` beside a one-file
    module, or in a policy's folder ``<id>/<id>.toml`` or ``<id>/standards.toml``. Exactly one."""
    root = resources.files(DATA_PACKAGE)
    names = [n for n in (f"{policy_id}.toml", f"{policy_id}/{policy_id}.toml", f"{policy_id}/standards.toml")
             if root.joinpath(*n.split("/")).is_file()]
    if len(names) != 1:
        found = "、".join(f"policies/{n}" for n in names) or "none"
        raise StandardsError(f"政策 {policy_id} 的标准文件应恰有一个 (policy {policy_id} needs exactly one standards "
                             f"file: policies/{policy_id}.toml, policies/{policy_id}/{policy_id}.toml or "
                             f"policies/{policy_id}/standards.toml); found {found}")
    return names[0]


@cache
def profiles() -> dict[str, Profile]:
    raw = _data_file("profiles.toml")["profiles"]
    out = {}
    for pid, body in raw.items():
        parent = pid.rsplit(".", 1)[0] if "." in pid else None
        if parent and parent not in raw:
            raise StandardsError(f"profiles.toml: {pid} has no parent profile {parent}")
        unknown = set(body.get("level_names", {})) - set(LEVELS)
        if unknown:
            raise StandardsError(f"profiles.toml: {pid}.level_names: unknown level(s) {', '.join(sorted(unknown))}")
        out[pid] = Profile(pid, body["name"], tuple(body.get("aliases", ())), body.get("conventions", {}),
                           body.get("level_names", {}))
    return out


def resolve_profile(name: str) -> Profile:
    """A profile by id or Chinese alias; the error lists what exists."""
    table = profiles()
    if not isinstance(name, str):
        raise ProfileError(f"未知地区口径 unknown profile {name!r}. 可用 known: "
                           + ", ".join(f"{p.id} ({p.name})" for p in table.values()))
    key = name.strip()
    if key in table:
        return table[key]
    for p in table.values():
        if key == p.name or key in p.aliases:
            return p
    known = ", ".join(f"{p.id} ({p.name})" for p in table.values())
    raise ProfileError(f"未知地区口径 unknown profile '{name}'. 可用 known: {known}")


@frozen
class PolicyData:
    """Everything one policy reads under one profile: standards, conventions, sources."""

    policy_id: str
    meta: Mapping[str, Any]
    profile: Profile
    standards: Mapping[str, Standard]
    conventions: Conventions
    sources: Mapping[str, Source]

    def get(self, path: str) -> Standard:
        try:
            return self.standards[path]
        except KeyError:
            raise StandardsError(
                f"{self.policy_id}: no standard '{path}' under profile {self.profile.id}"
            ) from None

    def under(self, prefix: str) -> dict[str, Standard]:
        """Standards whose path starts with ``prefix.``, keyed by the rest of the path."""
        cut = len(prefix) + 1
        return {p[cut:]: s for p, s in self.standards.items() if p.startswith(prefix + ".")}

    def overlay(self, raw: Mapping[str, Any], origin: str,
                lines: Callable[[str], int | None] | None = None) -> PolicyData:
        """Apply a ``[sources] [standards] [conventions]`` table (a profile section or a user file);
        ``lines`` gives the line of a standard's path in the file, for messages."""
        if not isinstance(raw, Mapping):
            raise StandardsError(f"{origin}: 标准应为表 standards must be a table: {str(raw)[:80]!r}")
        unknown = set(map(str, raw)) - {"sources", "standards", "conventions"}
        if unknown:
            raise StandardsError(f"{origin}: 未知的表 {', '.join(sorted(unknown))}，只能有 sources、standards、conventions "
                                 f"(unknown table(s) {', '.join(sorted(unknown))})")
        sources = {**self.sources, **build_sources(raw.get("sources", {}), origin)}
        added = build_standards(raw.get("standards", {}), sources, origin, self.standards, lines)
        for path, std in added.items():
            _refuse_lost_history(self.standards.get(path), std, origin, lines)
        conventions = self.conventions.apply(raw.get("conventions", {}), origin)
        return evolve(self, standards={**self.standards, **added}, conventions=conventions, sources=sources)

    def with_standards(self, standards: Mapping[str, Standard]) -> PolicyData:
        return evolve(self, standards={**self.standards, **standards})


def _refuse_lost_history(old: Standard | None, new: Standard, origin: str,
                         lines: Callable[[str], int | None] | None) -> None:
    """An overlay replaces a standard's values. Given only from a later month, it would leave
    the months before without a standard, which pays nothing there: a raise from 2024-07
    written alone would silently drop January to June. Refused; the file must repeat the
    earlier values (a --set or scenario override keeps the history by itself)."""
    if old is None or not old.values or not new.values or new.values[0].start <= old.values[0].start:
        return
    first, was = new.values[0].start_label, old.values[0].start_label
    line = lines(new.path) if lines else None
    where = f"{origin}:{line}" if line else origin
    raise StandardsError(
        f"{where}: {new.path} 只给出了自{first}起的值，会删去此前自{was}起的标准，使{was}至{first}之间没有标准（不发放）；"
        f"请在文件中一并给出此前的值，或用 --set / 情景文件覆盖（保留此前的历史） "
        f"({new.path} is given only from {first}: the values in force from {was} would be dropped and the months "
        f"between would pay nothing; repeat the earlier values, or use --set / a scenario, which keeps the history)")


def root_profile(policy_id: str) -> str:
    """The profile a policy is defined for (its data file's ``root_profile``): it applies
    there and below."""
    return _data_file(policy_data_name(policy_id))["policy"]["root_profile"]


@cache
def load_policy_data(policy_id: str, profile_id: str) -> PolicyData:
    name = policy_data_name(policy_id)
    raw = _data_file(name)
    meta = raw["policy"]
    origin = f"policies/{name}"
    profile = resolve_profile(profile_id)
    root = meta["root_profile"]
    if root not in profile.chain:
        where = profiles()[root].name if root in profiles() else root
        raise ProfileError(
            f"政策 {policy_id} 适用于 {root} 及其下级口径，不适用于 {profile.id}；请指定地区口径 --profile {root}（{where}）"
            f"或其下级 (policy {policy_id} is defined for {root} and below, not {profile.id}: give --profile {root})"
        )
    conventions = Conventions()
    for pid in profile.chain:
        conventions = conventions.apply(profiles()[pid].conventions, f"profiles.toml: {pid}")
    sources = build_sources(raw.get("sources", {}), origin)
    unknown = [k for k in meta.get("basis", ()) if k not in sources]  # the programme's own basis: cited sources
    if unknown:
        raise StandardsError(f"{origin}: policy.basis 引用了未定义的来源 names no source: {', '.join(map(str, unknown))}")
    data = PolicyData(policy_id, meta, profile, {}, conventions, sources)
    data = data.overlay({k: raw[k] for k in ("standards", "conventions") if k in raw}, origin)
    sections = raw.get("profiles", {})
    for name in sections:
        if name not in profiles():
            raise StandardsError(f"{origin}: profiles.{name} is not a known profile")
    for pid in profile.chain:
        if pid in sections:
            data = data.overlay(sections[pid], f"{origin}: profiles.{pid}")
    return data
