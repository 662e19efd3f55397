"""Renderings of a roster result: the JSON contract (SPEC §6), CSV, and terminal tables."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .money import fen_to_yuan
from .standards import LEVEL_NAMES, LEVELS

if TYPE_CHECKING:
    from .calculator import RosterResult

CONTRACT_VERSION = "1"
SHOWN_LEVELS = ("province", "prefecture", "county")  # township only when it pays


def _levels(by_level: dict[str, np.ndarray]) -> list[str]:
    return [lv for lv in LEVELS if lv in SHOWN_LEVELS or by_level[lv].any()]


def result_json(result: RosterResult, lang: str = "zh", summary: bool = False) -> dict[str, Any]:
    comp = result.computation
    calc = result.calculator
    who = comp.who
    amounts = comp.amounts()
    by_level = comp.by_level()
    by_component = comp.by_component()
    levels = _levels(by_level)
    counts = comp.counts()
    paid = amounts > 0
    units: dict[str, Any] = {}
    unit_names = who.units.astype(str)
    for unit in dict.fromkeys(unit_names.tolist()):
        sel = unit_names == unit
        units[unit] = {
            "amount": fen_to_yuan(amounts[sel].sum()),
            "by_level": {lv: fen_to_yuan(by_level[lv][sel].sum()) for lv in levels},
            "beneficiaries": int(counts[sel & paid].sum()),
        }
    out: dict[str, Any] = {
        "contract": CONTRACT_VERSION,
        "policy": calc.policy.id,
        "profile": calc.profile.id,
        "year": result.year,
        "mode": result.mode,
        "currency": "CNY",
        "totals": {
            "amount": fen_to_yuan(amounts.sum()),
            "by_level": {lv: fen_to_yuan(by_level[lv].sum()) for lv in levels},
            "by_component": {c: fen_to_yuan(v.sum()) for c, v in by_component.items()},
            "beneficiaries": int(counts[paid].sum()),
            "by_unit": units,
        },
    }
    if not summary:
        out["beneficiaries"] = [_beneficiary(comp, i, lang, amounts, by_level, by_component, levels, counts)
                                for i in range(len(who))]
    out["rejects"] = [{"row": r.row, "column": r.column, "value": r.value, "reason": r.reason(lang)}
                      for r in result.rejects]
    out["notices"] = [{"row": n.row, "column": n.column, "value": n.value, "message": n.message(lang)}
                      for n in result.notices]
    rejected = result.rows_rejected
    out["rows"] = {"read": result.rows_read, "accepted": result.rows_read - rejected, "rejected": rejected}
    return out


def _beneficiary(comp, i, lang, amounts, by_level, by_component, levels, counts) -> dict[str, Any]:
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
    if "quantity" in who.columns:  # counts mode: how many organisations, secretaries or members
        entry["count"] = int(who.columns["quantity"][i])
    entry["eligible"] = bool(amounts[i] > 0)
    entry["reasons"] = comp.reasons(i, lang)
    return entry


def csv_text(result: RosterResult, lang: str = "zh") -> str:
    """One row per beneficiary: components, levels, total, paid months, reasons."""
    comp = result.computation
    calc = result.calculator
    who = comp.who
    zh = lang != "en"
    amounts, by_level, by_component = comp.amounts(), comp.by_level(), comp.by_component()
    levels = _levels(by_level)
    names = LEVEL_NAMES[lang]
    header = ["编号", "名称", "所属单位"] if zh else ["id", "name", "unit"]
    header += [calc.policy.component_label(calc.data, c, lang) for c in by_component]
    header += [names[lv] for lv in levels] + (["合计"] if zh else ["total"])
    monthly = comp.paid_months is not None
    if monthly:
        header.append("发放月数" if zh else "paid months")
    header += ["是否发放", "说明"] if zh else ["paid", "reasons"]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for i in range(len(who)):
        row = [who.ids[i], who.names[i] or "", who.units[i] or ""]
        row += [fen_to_yuan(v[i]) for v in by_component.values()]
        row += [fen_to_yuan(by_level[lv][i]) for lv in levels] + [fen_to_yuan(amounts[i])]
        if monthly:
            row.append(int(comp.paid_months[i]))
        row += [("是" if zh else "yes") if amounts[i] > 0 else ("否" if zh else "no"), "；".join(comp.reasons(i, lang))]
        writer.writerow(row)
    total = ["合计" if zh else "total", "", ""] + [fen_to_yuan(v.sum()) for v in by_component.values()]
    total += [fen_to_yuan(by_level[lv].sum()) for lv in levels] + [fen_to_yuan(amounts.sum())]
    writer.writerow(total + [""] * (len(header) - len(total)))
    return buf.getvalue()


def rejects_csv(result: RosterResult, lang: str = "zh") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["行号", "列", "值", "原因"] if lang != "en" else ["row", "column", "value", "reason"])
    for r in result.rejects:
        writer.writerow([r.row, r.column, r.value, r.reason(lang)])
    return buf.getvalue()


def write_atomic(path: str | Path, text: str, encoding: str = "utf-8-sig") -> None:
    """Write to a temporary file beside ``path`` and rename: a failed run leaves no half file.

    CSV is written with a BOM so that Excel opens the Chinese headers correctly.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
