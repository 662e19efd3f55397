"""The arguments of a run given as text — counts, a budget, column names — read the same way by the
console command and the web page (each turns the ValueError into its own exit 2 or 400)."""

from __future__ import annotations

import re

from entitlements.limits import MAX_COUNT


FULL_WIDTH = str.maketrans("＝０１２３４５６７８９", "=0123456789")  # the input method's = and digits, nothing more


def parse_counts(counts: list[str]) -> dict[str, int]:
    """``NAME=N`` items, N a whole number in 0..MAX_COUNT (ASCII digits: ² and ١٢ are no count).
    A key given twice is refused: a clerk re-typing a corrected count must not double it (the
    engine refuses 党支部 with branch the same way)."""
    parsed: dict[str, int] = {}
    for item in counts:
        item = item.translate(FULL_WIDTH)  # typed with a Chinese input method: 社区＝６ is 社区=6
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not re.fullmatch(r"\s*-?[0-9]+\s*", value):
            raise ValueError(f"--count 应写作 名称=数量，如 branch=112 (expected NAME=NUMBER): {item!r}")
        number = int(value)
        if number < 0:
            raise ValueError(f"--count {key.strip()}: 计数不能为负 a count must not be negative: {value.strip()}")
        if len(value.strip()) > 20 or number > MAX_COUNT:
            raise ValueError(f"--count {key.strip()}: 计数超出引擎上限 {MAX_COUNT} "
                             f"(a count above the engine limit of {MAX_COUNT}): {value.strip()}")
        if key.strip() in parsed:
            raise ValueError(f"计数项重复：--count {key.strip()} 给了两次（{parsed[key.strip()]} 和 {number}），每项只能给一次 "
                             f"(--count {key.strip()} is given twice: give each count once)")
        parsed[key.strip()] = number
    return parsed


def run_options(include_earlier: bool, budget: str | None = None) -> dict:
    """The typed options of a run from its flags (only those given: a policy refuses one it lacks)."""
    from entitlements.fields import MONEY_SUFFIX, normalise_cell
    from entitlements.money import MoneyError, fen_to_decimal, yuan_to_fen

    options: dict = {"include_earlier": True} if include_earlier else {}
    if budget is not None:  # read as a money cell is (¥, 元, thousands separators, full-width digits)
        try:
            fen = yuan_to_fen(MONEY_SUFFIX.sub("", normalise_cell(budget)).strip())
        except MoneyError as exc:
            raise ValueError(f"--budget 应为金额（元，最多两位小数）：{budget} ({exc})") from None
        options["budget"] = fen_to_decimal(fen)  # a negative budget is the policy's to refuse, with its bounds
    return options


def column_map(items: list[str] | None) -> dict[str, str]:
    """``--columns "任职时间=任职年限,镇别=所属单位"`` (repeatable) as {sheet header: column}."""
    mapping: dict[str, str] = {}
    for item in items or []:
        for pair in re.split(r"[,，;；]", item):
            given, sep, target = pair.partition("=")
            if not pair.strip():
                continue
            if not sep or not given.strip() or not target.strip():
                raise ValueError(f"--columns 应写作 表中列名=本政策列名，如 任职时间=任职年限 (expected SHEET_HEADER=COLUMN): {pair!r}")
            if given.strip() in mapping:
                raise ValueError(f"--columns：“{given.strip()}”给了两次 (given twice): {pair!r}")
            mapping[given.strip()] = target.strip()
    return mapping
