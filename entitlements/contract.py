"""The JSON contract (SPEC §6), written in one place: calc (full and ``--summary``), the
batch path (``--batch-rows``) and whatif. ``contract.schema.json`` beside this module
describes every document written here (JSON Schema draft 2020-12); the tests check every
JSON the command prints against it.

Totals come from a ``Ledger`` and have one shape everywhere, whatif's included:
{amount, by_level, by_component, beneficiaries, by_unit: {unit: {amount, by_level,
beneficiaries}}}. Amounts are yuan strings with two decimals, from integer fen.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from .ledger import Ledger, shown_levels
from .money import fen_to_yuan

if TYPE_CHECKING:
    from .roster import Notice, Reject

RosterResult = Any  # calculator.RosterResult (described by output.RosterResult; imported by neither: a cycle)
Comparison = Any  # whatif.Comparison, which serialises itself through this module

CONTRACT_VERSION = "1"
SCHEMA_FILE = "contract.schema.json"


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of the contract, as shipped inside the package."""
    return json.loads(resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def totals(ledger: Ledger, levels: Sequence[str]) -> dict[str, Any]:
    """A ledger as the contract's ``totals`` (or a whatif ``difference``)."""
    unit_levels, paid = ledger.unit_levels(), ledger.paid_by_unit()
    return {
        "amount": fen_to_yuan(ledger.amount),
        "by_level": {lv: fen_to_yuan(v) for lv, v in _pick(ledger.by_level, levels).items()},
        "by_component": {c: fen_to_yuan(v) for c, v in ledger.by_component.items()},
        "beneficiaries": ledger.beneficiaries,
        "by_unit": {u: {"amount": fen_to_yuan(sum(unit_levels[u].values())),
                        "by_level": {lv: fen_to_yuan(v) for lv, v in _pick(unit_levels[u], levels).items()},
                        "beneficiaries": paid[u]}
                    for u in ledger.units},
    }


def _pick(by_level: dict[str, int], levels: Sequence[str]) -> dict[str, int]:
    return {lv: by_level.get(lv, 0) for lv in levels}


def problems(rejects: Iterable[Reject], notices: Iterable[Notice], lang: str) -> dict[str, Any]:
    return {"rejects": [{"row": r.row, "column": r.column, "value": r.value, "reason": r.reason(lang)} for r in rejects],
            "notices": [{"row": n.row, "column": n.column, "value": n.value, "message": n.message(lang)}
                        for n in notices]}


def run_json(policy: str, profile: str, year: int, mode: str, ledger: Ledger, rejects: Iterable[Reject],
             notices: Iterable[Notice], rows: tuple[int, int], lang: str,
             beneficiaries: list[dict[str, Any]] | None = None, truncated: dict[str, int] | None = None
             ) -> dict[str, Any]:
    """calc's document: ``rows`` is (read, rejected); ``beneficiaries`` None for a summary."""
    out: dict[str, Any] = {
        "contract": CONTRACT_VERSION, "policy": policy, "profile": profile, "year": year, "mode": mode,
        "currency": "CNY", "totals": totals(ledger, ledger.levels_shown()),
    }
    if beneficiaries is not None:
        out["beneficiaries"] = beneficiaries
    out.update(problems(rejects, notices, lang))
    read, rejected = rows
    out["rows"] = {"read": read, "accepted": read - rejected, "rejected": rejected}
    if truncated:
        out["truncated"] = truncated
    return out


def calc_json(result: RosterResult, lang: str = "zh", summary: bool = False) -> dict[str, Any]:
    """calc's document for a roster or counts result (``summary``: without ``beneficiaries``)."""
    calc, comp = result.calculator, result.computation
    ledger = result.ledger
    people = None
    if not summary:
        levels = ledger.levels_shown()
        amounts, by_level, by_component = comp.amounts(), comp.by_level(), comp.by_component()
        shown = comp.who.shown_counts
        people = [_beneficiary(comp, i, lang, amounts, by_level, by_component, levels, shown)
                  for i in range(len(comp.who))]
    return run_json(calc.policy.id, calc.profile.id, result.year, result.mode, ledger, result.rejects,
                    result.notices, (result.rows_read, result.rows_rejected), lang, people)


def _beneficiary(comp, i: int, lang: str, amounts: np.ndarray, by_level: dict[str, np.ndarray],
                 by_component: dict[str, np.ndarray], levels: Sequence[str],
                 shown: np.ndarray | None) -> dict[str, Any]:
    who = comp.who
    entry: dict[str, Any] = {
        "id": str(who.ids[i]),
        "name": str(who.names[i] or ""),
        "unit": str(who.units[i] or ""),
        "amount": fen_to_yuan(amounts[i]),
        "by_level": {lv: fen_to_yuan(by_level[lv][i]) for lv in levels},
        "by_component": {c: fen_to_yuan(v[i]) for c, v in by_component.items()},
    }
    if comp.paid_months is not None:
        entry["paid_months"] = int(comp.paid_months[i])
    if shown is not None:  # counts mode: how many organisations or people the entry stands for
        entry["count"] = int(shown[i])
    entry["eligible"] = bool(amounts[i] > 0)
    entry["reasons"] = comp.reasons(i, lang)
    return entry


def whatif_json(comparison: Comparison, lang: str = "zh", detail: bool = False) -> dict[str, Any]:
    """whatif's document: per year, the baseline's totals, and each scenario's totals and its
    difference from the baseline, all in calc's totals shape over the same levels."""
    calc = comparison.calculator
    levels = shown_levels(led for run in comparison.years for led in (run.baseline, *run.scenarios))
    out: dict[str, Any] = {
        "contract": CONTRACT_VERSION, "policy": calc.policy.id, "profile": calc.profile.id, "mode": comparison.mode,
        "scenarios": [{"name": s.name, "description": s.description,
                       "overrides": [o.describe() for o in s.overrides],
                       "conventions": dict(s.conventions),
                       "counts": [f"{c.key}={'+' if c.relative and c.value >= 0 else ''}{c.value}"
                                  + (f" (from {c.from_year})" if c.from_year else "") for c in s.counts]}
                      for s in comparison.scenarios],
        "years": [],
    }
    for run in comparison.years:
        entry: dict[str, Any] = {"year": run.year, "baseline": totals(run.baseline, levels), "scenarios": []}
        for k, (s, led) in enumerate(zip(comparison.scenarios, run.scenarios)):
            item = {"name": s.name, "totals": totals(led, levels), "difference": totals(led.minus(run.baseline), levels)}
            if detail:
                item["changes"] = [{"id": c.id, "name": c.name, "baseline": fen_to_yuan(c.baseline),
                                    "scenario": fen_to_yuan(c.scenario),
                                    "difference": fen_to_yuan(c.scenario - c.baseline), "why": list(c.why)}
                                   for c in run.changes[k]]
            entry["scenarios"].append(item)
        out["years"].append(entry)
    return out
