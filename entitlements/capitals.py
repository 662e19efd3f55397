"""人民币大写: an exact amount in fen written in Chinese capitals, as a filed sheet's total is.

The rules followed (where a rule allows two forms, the first form of its own example is used):

- 《支付结算办法》(银发〔1997〕393号) 附一《正确填写票据和结算凭证的基本规定》: the characters
  壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分零整; a 零 for zeros inside the number, one 零 for a run
  of them (¥6,007.14 → 陆仟零柒元壹角肆分); when the 万位 or 元位 is 0 and the 仟位 or 角位 is not,
  one 零 or none (¥107,000.53 → 壹拾万柒仟元零伍角叁分, the first form: no 零 after 万, a 零
  after 元); 角位 0 and 分位 not 0: 元 is followed by 零 (¥16,409.02 → 壹万陆仟肆佰零玖元零贰分).
- 《会计基础工作规范》(财会字〔1996〕19号) 第五十二条(三): an amount that ends at 元 or 角 ends
  with 整 (伍佰叁拾贰元整, 壹佰零壹元伍角整); one with 分 has no 整. 《支付结算办法》 allows
  omitting 整 after 角; writing it satisfies both.
- The tens digit is always written with its digit: 壹拾元整, never 拾元整 (a bare 拾 can be
  altered by writing a digit before it; the official example writes 壹拾万).
- Zeros that end a higher part are not marked (壹拾万柒仟, 壹亿壹仟万); zeros that begin a lower
  part, or a whole zero 万 group, are one 零 (壹亿零壹万元整, 壹亿零壹仟元整), as read aloud.
- 万亿 for 10^12 and 亿亿 for 10^16 元 (limits.MAX_TOTAL_FEN = 10^18 fen), by the same
  place-value composition; an amount under 1 元 starts at 角 or 分 (壹角整, 壹分); 0 is 零元整.
- A negative amount has no capitals on a bank or accounting document: it is refused, as is a
  fraction of a fen (anything that is not an int).

Sources read (2026-11): the rule texts as quoted at m.ningxialong.com/c/0QDM23R022_3.html
(支付结算办法 附一 第四条 examples), www.hkxiaopan.com/column/zhidao/87436.html (会计基础工作
规范 第52条) and zztongyun.com (its worked examples 289,546.52 … 1,004.56); tests/test_capitals.py
checks every example quoted there.
"""

from __future__ import annotations

from .limits import MAX_TOTAL_FEN

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")
WAN, YI = 10**4, 10**8


def rmb_capitals(fen: int) -> str:
    """``fen`` (exact integer fen, 0 ≤ fen ≤ MAX_TOTAL_FEN) in capitals, without the 人民币 prefix."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError(f"大写金额只接受整数分 capitals take integer fen, not {fen!r}")
    if not 0 <= fen <= MAX_TOTAL_FEN:
        raise ValueError(f"大写金额须在 0 至 {MAX_TOTAL_FEN} 分之间 capitals take 0..{MAX_TOTAL_FEN} fen, not {fen}")
    yuan, cents = divmod(fen, 100)
    jiao, fen_digit = divmod(cents, 10)
    if fen == 0:
        return "零元整"
    out = _integer(yuan) + "元" if yuan else ""
    if jiao:
        if yuan and yuan % 10 == 0:
            out += "零"  # 元位 0, 角位 not: the first form (…捌拾元零叁角贰分)
        out += DIGITS[jiao] + "角"
    if fen_digit:
        if yuan and not jiao:
            out += "零"  # 角位 0, 分位 not: 元 is followed by 零
        out += DIGITS[fen_digit] + "分"
    else:
        out += "整"
    return out


def _integer(n: int) -> str:
    """A positive whole number of 元 in capitals (no unit)."""
    for size, unit in ((YI, "亿"), (WAN, "万")):
        if n >= size:
            high, low = divmod(n, size)
            words = _integer(high) + unit
            if low:
                # a lower part that begins with zero (or a whole zero group within it) gets one 零
                words += ("零" if low < size // 10 else "") + _integer(low)
            return words
    return _group(n)


def _group(n: int) -> str:
    """1..9999: one 零 for each run of inner zeros, none for trailing ones."""
    words, zero = "", False
    for place in (3, 2, 1, 0):
        digit = n // 10**place % 10
        if digit == 0:
            zero = bool(words)
            continue
        if zero:
            words += "零"
            zero = False
        words += DIGITS[digit] + PLACES[place]
    return words
