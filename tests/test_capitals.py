"""人民币大写 of exact fen: the examples of 《支付结算办法》附一 and 《会计基础工作规范》第五十二条,
and the edges of the engine's range (see entitlements/capitals.py for the rules)."""

import pytest

from entitlements.capitals import rmb_capitals
from entitlements.limits import MAX_TOTAL_FEN

KNOWN = [
    (0, "零元整"),
    (1, "壹分"),  # 0.01
    (10, "壹角整"),  # 0.10: 角 then 整, as 会计基础工作规范 52(三) has it
    (15, "壹角伍分"),
    (100, "壹元整"),
    (1000, "壹拾元整"),  # 10.00: 壹拾, never a bare 拾
    (11000, "壹佰壹拾元整"),
    (10005, "壹佰元零伍分"),  # 100.05
    (100100, "壹仟零壹元整"),  # 1001.00
    (1000000, "壹万元整"),
    (10000000, "壹拾万元整"),
    (10001000000, "壹亿零壹万元整"),  # 100010000.00
    (25664400, "贰拾伍万陆仟陆佰肆拾肆元整"),  # 256644.00, the 江川区 budget figure
    # 《支付结算办法》附一《正确填写票据和结算凭证的基本规定》第四条 (the first form where two are allowed)
    (140950, "壹仟肆佰零玖元伍角整"),
    (600714, "陆仟零柒元壹角肆分"),
    (168032, "壹仟陆佰捌拾元零叁角贰分"),
    (10700053, "壹拾万柒仟元零伍角叁分"),
    (1640902, "壹万陆仟肆佰零玖元零贰分"),
    (32504, "叁佰贰拾伍元零肆分"),
    # examples given with 《会计基础工作规范》第五十二条
    (28954652, "贰拾捌万玖仟伍佰肆拾陆元伍角贰分"),
    (53200, "伍佰叁拾贰元整"),
    (42503, "肆佰贰拾伍元零叁分"),
    (10150, "壹佰零壹元伍角整"),
    (100456, "壹仟零肆元伍角陆分"),
    # zero runs across 万 and 亿, and the high units
    (10000100000, "壹亿零壹仟元整"),  # 100001000.00: a whole zero 万 group is one 零
    (100000000100, "壹拾亿零壹元整"),
    (123400005678_00, "壹仟贰佰叁拾肆亿零伍仟陆佰柒拾捌元整"),
    (10**12 * 100, "壹万亿元整"),
    (MAX_TOTAL_FEN - 1, "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    (MAX_TOTAL_FEN, "壹亿亿元整"),
]


@pytest.mark.parametrize("fen, words", KNOWN)
def test_known_amounts_in_capitals(fen, words):
    assert rmb_capitals(fen) == words


@pytest.mark.parametrize("bad", [-1, -100, MAX_TOTAL_FEN + 1, 1.5, "100", True])
def test_negative_fractional_or_out_of_range_amounts_are_refused(bad):
    with pytest.raises((ValueError, TypeError)):
        rmb_capitals(bad)
