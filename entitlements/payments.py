"""The 一卡通 payment list: who a finance office asks the bank to pay, on which account, how much.

惠民惠农财政补贴资金“一卡通” pays each person on an account in their name. From a roster result
(the year's, or one month's of a monthly programme) this makes two tables: the people paid, with
姓名, full 身份证号, 银行账号, 开户行, 金额, 补贴项目名称 and 所属单位; and the people whose amount is due
but who lack a usable account, name or ID number (待补银行账号), each with the reason. Together
they add up to the allocation's paid total to the fen. People paid nothing are not listed (counted
in a note). The list holds sensitive personal information (PIPL art. 28): it is never published.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from attrs import define, field
from stdnum import luhn

from .dates import DateError, month_label, parse_date
from .money import fen_to_yuan
from .output import Sheet, rejects_sheet
from .people import PAYMENT_FIELDS, pays_people
from .roster import InputError

ACCOUNT_DIGITS = (16, 19)  # a bank card (银联 PAN) or 一卡通/社保卡 financial account: 16 to 19 digits
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: NFKC has made full-width digits ASCII; ² or ١ are no digit
SENSITIVE = ("本表含身份证号、银行账号等敏感个人信息（《个人信息保护法》第二十八条），仅供财政部门、代发银行发放使用，不得公示、外传",
             "This list holds sensitive personal information (ID numbers, bank accounts; PIPL art. 28): "
             "for the finance office and the paying bank only, never to be published")


def refuse_unless_people(policy: Any) -> None:
    """A programme whose beneficiaries are organisations, projects or units has no one to pay on a card."""
    if not pays_people(policy.fields):
        raise InputError(f"政策 {policy.id} 的发放对象不是个人（花名册没有身份证号列），不能生成一卡通发放清单；"
                         f"一卡通只适用于发放到个人的补贴 (policy {policy.id} pays organisations or projects, not "
                         f"people: it has no 身份证号 column, so there is no 一卡通 payment list)")


def check_month(policy: Any, year: int, month: str | None) -> None:
    """--month: one month of a monthly programme, within --year; an annual or lump-sum programme's
    list is the year's (its amount is not a sum of months paid month by month)."""
    if month is None:
        return
    if policy.schedule != "monthly":
        what = "一次性" if policy.schedule == "lump_sum" else "按年"
        raise InputError(f"--month 只适用于按月发放的政策；{policy.id} {what}发放，清单为 {year} 年全年金额，请去掉 --month "
                         f"(--month is for monthly programmes; {policy.id} pays {'lump sums' if what == '一次性' else 'by year'}"
                         f": its list is the year's, drop --month)")
    try:
        when = parse_date(month)
    except DateError:
        raise InputError(f"--month 应写作 {year}-06 这样的年月：{month} (a month is written like {year}-06)") from None
    if when.year != year or when.has_day:
        raise InputError(f"--month {month} 应为 --year {year} 年内的一个月，如 {year}-06 "
                         f"(--month is one month within --year {year}, e.g. {year}-06)")


def account_columns_present(result: Any) -> None:
    """The roster must have one column of accounts: without it every person would wait."""
    parsed = result.parsed
    if parsed.has("bank_account"):
        return
    account = PAYMENT_FIELDS[0]
    twice = [n for n in parsed.notices if n.row is None and n.column == account.header]
    if twice:
        raise InputError(f"{twice[0].zh}；请删去或改名多余的列 ({twice[0].en}: remove or rename the extra ones)")
    names = "、".join(account.headers()[:6])
    raise InputError(f"花名册没有银行账号列（{names} 等），无法生成一卡通发放清单 (the roster has no bank account "
                     f"column){parsed.hint([account])}")


@define
class Payee:
    index: int  # the beneficiary in the computation
    id: str
    name: str
    id_number: str
    account: str  # as typed (spaces removed when usable)
    bank: str
    amount: int  # fen
    unit: str
    remarks: list[str] = field(factory=list)  # listed: checks to make (a failed Luhn)
    reasons: list[str] = field(factory=list)  # waiting: why no payment can be made yet


@define
class PaymentList:
    listed: list[Payee]
    waiting: list[Payee]
    unpaid: int  # beneficiaries paid nothing in the period: not listed
    total: int  # the allocation's paid total for the period (fen)
    period: str  # "2025" or "2025-06"

    def listed_total(self) -> int:
        return sum(p.amount for p in self.listed)

    def waiting_total(self) -> int:
        return sum(p.amount for p in self.waiting)


def payment_list(result: Any) -> PaymentList:
    """The payees of a roster result: its period's (the year, or one month of it)."""
    comp, parsed = result.computation, result.parsed
    who = comp.who
    amounts = comp.amounts()
    zh = result.calculator.lang != "en"
    per = _PerPerson(parsed, who.row_owner, len(who))
    names, numbers = per.values("name"), per.values("id_number")
    accounts, banks = per.values("bank_account"), per.values("bank_name")
    damaged = per.damaged("bank_account")
    listed, waiting, unpaid = [], [], 0
    for i in range(len(who)):
        amount = int(amounts[i])
        if amount <= 0:
            unpaid += 1
            continue
        payee = Payee(i, str(who.ids[i]), _one(names[i]), _one(numbers[i]), _one(accounts[i]), _one(banks[i]), amount,
                      str(who.units[i] or ""))
        payee.reasons += _identity_reasons(names[i], numbers[i], banks[i], zh)
        payee.reasons += _account_reasons(accounts[i], damaged.get(i), zh)
        if not payee.reasons:
            payee.account = re.sub(r"\s+", "", payee.account)
            if not luhn.is_valid(payee.account):
                payee.remarks.append("银行账号未通过银行卡校验位（Luhn）检验，请核对（存折等非卡账号可不符合）" if zh else
                                     "the account fails the bank-card check digit (Luhn): check it (a passbook "
                                     "account need not pass)")
        (waiting if payee.reasons else listed).append(payee)
    total = int(amounts.sum())
    period = month_label(comp.first) if comp.stop - comp.first == 1 else str(result.year)
    return PaymentList(listed, waiting, unpaid, total, period)


class _PerPerson:
    """Each beneficiary's distinct non-blank values of a column over its rows (a person of several rows)."""

    def __init__(self, parsed: Any, owner: np.ndarray, n: int):
        self.parsed, self.owner, self.n = parsed, owner, n
        self.rows = np.flatnonzero(owner >= 0)

    def values(self, name: str) -> list[list[str]]:
        out: list[list[str]] = [[] for _ in range(self.n)]
        if not self.parsed.has(name):
            return out
        texts = self.parsed.columns[name].objects()
        for pos in self.rows:
            text = texts[pos]
            if text is None or str(text).strip() == "":
                continue
            mine = out[self.owner[pos]]
            if str(text) not in mine:
                mine.append(str(text))
        return out

    def damaged(self, name: str) -> dict[int, tuple[str, str, str]]:
        """Beneficiary -> (cell text, zh, en) of a damaged cell of the column (an Excel error, lost digits)."""
        header = self.parsed.headers.get(name)
        table = self.parsed.table
        out: dict[int, tuple[str, str, str]] = {}
        for pos, (zh, en) in sorted(table.cell_errors.get(header, {}).items()) if header else ():
            if self.owner[pos] >= 0:
                out.setdefault(int(self.owner[pos]), (str(table.cells[header][pos]), zh, en))
        return out


def _one(values: list[str]) -> str:
    return values[0] if len(values) == 1 else "、".join(values)


def _identity_reasons(names: list[str], numbers: list[str], banks: list[str], zh: bool) -> list[str]:
    out = []
    for values, what, en in ((names, "姓名", "name"), (numbers, "身份证号", "ID number")):
        if not values:
            out.append(f"缺少{what}（一卡通按姓名和身份证号发放）" if zh else f"no {en} (一卡通 pays by name and ID number)")
        elif len(values) > 1:
            out.append(f"各行{what}不一致：{'、'.join(values)}" if zh else f"rows disagree on the {en}: {', '.join(values)}")
    if len(banks) > 1:
        out.append(f"各行开户行不一致：{'、'.join(banks)}" if zh else f"rows disagree on the bank: {', '.join(banks)}")
    return out


def _account_reasons(accounts: list[str], damaged: tuple[str, str, str] | None, zh: bool) -> list[str]:
    """Why an account cannot be paid on: none, damaged, two, not digits, not 16–19 digits."""
    if damaged is not None:
        text, why_zh, why_en = damaged
        return [f"银行账号单元格有误（{text}）：{why_zh}" if zh else f"damaged account cell ({text}): {why_en}"]
    if not accounts:
        return ["未填银行账号" if zh else "no bank account given"]
    if len(accounts) > 1:
        return [f"各行银行账号不一致：{'、'.join(accounts)}" if zh else f"rows disagree on the account: {', '.join(accounts)}"]
    digits = re.sub(r"\s+", "", accounts[0])
    if not _DIGITS.fullmatch(digits):
        return [f"银行账号含非数字字符：{accounts[0]}" if zh else f"the account holds characters other than digits: {accounts[0]}"]
    low, high = ACCOUNT_DIGITS
    if not low <= len(digits) <= high:
        return [f"银行账号为{len(digits)}位，应为{low}至{high}位" if zh else
                f"the account has {len(digits)} digits, not {low} to {high}"]
    return []


# ---------- sheets ----------

def _title(result: Any, payments: PaymentList, zh_what: str, en_what: str, zh: bool) -> str:
    calc = result.calculator
    meta = calc.data.meta
    if not zh:
        return f"{meta.get('title_en', meta['title'])} {payments.period}: {en_what} ({calc.profile.id})"
    when = f"{payments.period[:4]}年{int(payments.period[5:])}月" if len(payments.period) > 4 else f"{payments.period}年"
    return f"{calc.profile.name}{when}{meta['title']}{zh_what}"


def listed_sheet(result: Any, payments: PaymentList, lang: str = "zh") -> Sheet:
    zh = lang != "en"
    title = result.calculator.data.meta["title"] if zh else result.calculator.data.meta.get(
        "title_en", result.calculator.data.meta["title"])
    header = (["序号", "姓名", "身份证号", "银行账号", "开户行", "金额", "补贴项目名称", "所属单位", "备注"] if zh else
              ["no.", "name", "ID number", "bank account", "bank", "amount", "programme", "unit", "remarks"])
    kinds = ["text", "text", "text", "text", "text", "money", "text", "text", "text"]
    rows = [[str(k + 1), p.name, p.id_number, p.account, p.bank, p.amount, title, p.unit, "；".join(p.remarks)]
            for k, p in enumerate(payments.listed)]
    total = ["合计" if zh else "total", "", "", "", "", payments.listed_total(), "", "", ""]
    return Sheet("一卡通发放清单" if zh else "payment list",
                 _title(result, payments, "“一卡通”发放清单", "一卡通 payment list", zh),
                 header, kinds, rows, total, notes=_notes(result, payments, zh), lang=lang)


def waiting_sheet(result: Any, payments: PaymentList, lang: str = "zh") -> Sheet:
    zh = lang != "en"
    header = (["序号", "编号", "姓名", "身份证号", "银行账号（所填）", "开户行", "金额", "所属单位", "原因"] if zh else
              ["no.", "id", "name", "ID number", "bank account (as given)", "bank", "amount", "unit", "reason"])
    kinds = ["text", "text", "text", "text", "text", "text", "money", "text", "text"]
    rows = [[str(k + 1), p.id, p.name, p.id_number, p.account, p.bank, p.amount, p.unit, "；".join(p.reasons)]
            for k, p in enumerate(payments.waiting)]
    total = ["合计" if zh else "total", "", "", "", "", "", payments.waiting_total(), "", ""]
    return Sheet("待补银行账号" if zh else "accounts needed",
                 _title(result, payments, "待补银行账号人员（暂不能发放）", "accounts needed before payment", zh),
                 header, kinds, rows, total, notes=[SENSITIVE[0 if zh else 1]], lang=lang)


def _notes(result: Any, payments: PaymentList, zh: bool) -> list[str]:
    listed, waiting = len(payments.listed), len(payments.waiting)
    total, here, rest = (fen_to_yuan(v) for v in (payments.total, payments.listed_total(), payments.waiting_total()))
    out = [SENSITIVE[0 if zh else 1]]
    if zh:
        out.append(f"分配表合计 {total} 元 = 本表 {here} 元（{listed}人）+ 待补银行账号 {rest} 元（{waiting}人）")
        if payments.unpaid:
            out.append(f"另有 {payments.unpaid}人 本期金额为0，未列入（原因见分配表）")
        if result.rejects:
            out.append(f"花名册有 {result.rows_rejected} 行被退回，未计算、未列入（见“退回”表）")
        checks = sum(1 for p in payments.listed if p.remarks)
        if checks:
            out.append(f"{checks}人 的银行账号未通过校验位检验，已在备注中标出，请核对后再报送银行")
    else:
        out.append(f"allocation total {total} = this list {here} ({listed} people) + accounts needed {rest} ({waiting})")
        if payments.unpaid:
            out.append(f"{payments.unpaid} people are paid nothing in the period and are not listed (see the allocation)")
        if result.rejects:
            out.append(f"{result.rows_rejected} roster rows were rejected: not computed, not listed (see rejects)")
        checks = sum(1 for p in payments.listed if p.remarks)
        if checks:
            out.append(f"{checks} accounts fail the check digit: marked in remarks, check them before sending")
    return out


def payment_sheets(result: Any, payments: PaymentList, lang: str = "zh") -> list[Sheet]:
    """The workbook's sheets: the list, the people waiting for an account, and any rejected rows."""
    sheets = [listed_sheet(result, payments, lang), waiting_sheet(result, payments, lang)]
    if result.rejects:
        sheets.append(rejects_sheet(result, lang))
    return sheets


def summary(payments: PaymentList, lang: str = "zh") -> str:
    listed, waiting = len(payments.listed), len(payments.waiting)
    here, rest = fen_to_yuan(payments.listed_total()), fen_to_yuan(payments.waiting_total())
    if lang != "en":
        return (f"发放 {listed}人，合计 {here} 元；待补银行账号 {waiting}人 {rest} 元；本期金额为0未列入 {payments.unpaid}人"
                f"（分配表合计 {fen_to_yuan(payments.total)} 元）。本清单含敏感个人信息，不得公示，文件权限仅本人可读写")
    return (f"{listed} paid, {here}; {waiting} waiting for an account, {rest}; {payments.unpaid} paid nothing, not listed "
            f"(allocation total {fen_to_yuan(payments.total)}). Sensitive personal information: not for publication; "
            f"the file is readable by its owner only")


__all__ = ["PaymentList", "Payee", "payment_list", "payment_sheets", "refuse_unless_people", "check_month",
           "account_columns_present", "listed_sheet", "waiting_sheet", "summary"]
