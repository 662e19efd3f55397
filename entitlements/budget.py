"""The budget table of a 预算文本: 项目名称, 人数, 月补助经费, 年补助经费 and one column per
funding level, laid out as in the 江川区 2025 budget text:

    项目名称 | 人数（人） | 月补助经费（元） | 年补助经费（元） | 年区级补助经费（元） | 年市级补助经费（元）
    农村原大队一级部分离职半脱产干部定期生活补助经费 | 44 | 21387 | 256644 | 244588 | 12056
    备注：2025年市级预算补助44人，标准为274元/人/年。

Levels appear from the jurisdiction's own upward (区级 before 市级), only those that pay,
named as the profile names them. 月补助经费 (monthly policies) is what the roster costs
in the first month of the year, as the budget text counts 实有人员 at a date; 年补助经费
is the year's computed total, so the two differ when people join or leave in the year.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .ledger import Ledger
from .money import fen_to_yuan
from .output import Sheet
from .standards import SplitRule

if TYPE_CHECKING:
    from .calculator import RosterResult

LEVEL_ORDER = ("township", "county", "prefecture", "province")  # the jurisdiction's own level first


def budget_sheet(result: RosterResult, lang: str = "zh") -> Sheet:
    zh = lang != "en"
    calc = result.calculator
    comp = result.computation
    policy, data = calc.policy, calc.data
    monthly = policy.schedule == "monthly"
    names = calc.profile.level_names(lang)
    ledger = result.ledger
    used = ledger.levels_used()
    levels = [lv for lv in LEVEL_ORDER if lv in used] or ["county"]
    heads = policy.headcounts(comp)
    if monthly:  # what the roster costs in the year's first month
        month = Ledger.of(policy.compute(comp.who, data, comp.first, comp.first + 1))

    title = data.meta["title"] if zh else data.meta.get("title_en", data.meta["title"])
    item = title if "经费" in title or not zh else f"{title}经费"
    header = ["项目名称" if zh else "item", policy.headcount_label[0 if zh else 1]]
    kinds = ["text", "int"]
    if monthly:
        header.append("月补助经费（元）" if zh else "per month (yuan)")
        kinds.append("money")
    header.append("年补助经费（元）" if zh else "per year (yuan)")
    header += [f"年{names[lv]}补助经费（元）" if zh else f"{names[lv]} (yuan)" for lv in levels]
    kinds += ["money"] * (1 + len(levels))

    def row(label: str, components: list[str], count: int) -> list:
        out: list = [label, count]
        if monthly:
            out.append(month.restricted(components).amount)
        year = ledger.restricted(components)
        return out + [year.amount, *(year.by_level[lv] for lv in levels)]

    components = list(ledger.components)
    rows = [row(item, components, ledger.beneficiaries)]
    if len(components) > 1:
        for c in components:
            label = policy.component_label(data, c, lang)
            rows.append(row(("其中：" if zh else "of which: ") + label, [c], int(heads[c].sum())))
    notes = _notes(result, names, lang)
    title = calc.data.meta["title"] if zh else calc.data.meta.get("title_en", calc.data.meta["title"])
    name = (f"{calc.profile.name}{result.year}年{title}预算测算表" if zh
            else f"{title}: budget {result.year} ({calc.profile.id})")
    return Sheet("预算表" if zh else "budget", name, header, kinds, rows, None, notes, lang=lang, words_total=ledger.amount)


def _notes(result: RosterResult, names: dict[str, str], lang: str) -> list[str]:
    """备注: each split rule in force for the year, in the budget text's words."""
    zh = lang != "en"
    calc, comp = result.calculator, result.computation
    paid = result.ledger.beneficiaries
    notes: list[str] = []
    for std in calc.policy.splits_in_force(calc.data, comp.first):
        value = std.at(comp.first)
        rule: SplitRule = value.value
        if rule.rule == "fixed_per_capita" and zh:
            text = _per_capita_note(result, rule, names[rule.level], paid)
        else:
            what = std.label or std.path
            text = f"{what}：{rule.describe(lang, names)}" if zh else f"{what}: {rule.describe(lang, names)}"
        notes.append(f"{text}〔{value.source.cite()}〕")
    notes = list(dict.fromkeys(notes))
    return [("备注：" if zh else "Notes: ") + notes[0], *notes[1:]] if notes else []


def _per_capita_note(result: RosterResult, rule: SplitRule, level: str, paid: int) -> str:
    """"44人 × 274" only when all are paid all year; otherwise how the level's figure is made
    (5人全年 + 2人按发放月数折算): the note must not contradict its own table."""
    comp = result.computation
    standard = fen_to_yuan(rule.amount).removesuffix(".00")
    head = f"{result.year}年{level}预算补助{paid}人，标准为{standard}元/人/年"
    months, year_months = comp.paid_months, comp.stop - comp.first
    if months is None:
        return head + "。"
    times = np.ones(len(comp.who), dtype=np.int64) if comp.who.multiplicity is None else comp.who.multiplicity
    on = comp.amounts() > 0
    full = on & (months >= year_months)
    part = on & ~full
    if not part.any():
        return head + "。"
    whole, some, worked = int(times[full].sum()), int(times[part].sum()), int((times * months)[part].sum())
    return (head + f"：{whole}人全年 × {standard}元，{some}人按发放月数折算（共{worked}个月 × {standard}元 ÷ 12）。")


def budget_markdown(sheet: Sheet) -> str:
    """A GitHub/Typora-style markdown table, amounts to two decimals, notes below."""
    texts = sheet.text_rows()
    right = ["---:" if k != "text" else "---" for k in sheet.kinds]
    lines = [f"**{sheet.title}**", "", "| " + " | ".join(sheet.header) + " |", "| " + " | ".join(right) + " |"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in r) + " |" for r in texts]
    if sheet.notes:
        lines += ["", *(f"{n}  " for n in sheet.notes)]
    return "\n".join(lines) + "\n"
