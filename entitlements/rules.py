"""What a policy declares: its conditions, its components and how each is paid.

A policy reads like the document it encodes:

    Component("training", ("教育培训经费", "training"), standard("training.per_person"), per="people")

says "each person counted in the column `people` is paid the per-person standard each year". The engine (lines.py) turns
the declarations into lines: it reads the standards in force in each segment of the
period, prorates, sums, rounds once, splits, and records what it used for ``explain``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

import numpy as np
from attrs import field, frozen

Columns = Any  # the formula context (lines.Context): columns by attribute, standards by path


@frozen
class Rate:
    """Where a component's amount per beneficiary and schedule unit comes from.

    standard: one dated standard (元/个/年, 元/人/月); by: the standard named by a choice
    column (``funding.<type>``); tiers: a tiered standard looked up on a column
    (years of service); a flat standard under a tiered path is paid to everyone;
    column: an amount the roster gives (基本报酬, fen in a money column), or where the
    column holds NOT_GIVEN, the standard ``path.<value of fallback>`` (a post's pay standard).
    """

    kind: Literal["standard", "by", "tiers", "column"]
    path: str
    column: str = ""
    fallback: str = ""  # column: the choice column naming the standard used where no amount is given
    unit: str = ""  # column: what the amount is per (元/月), for the explanation


NOT_GIVEN = -1  # a money column's value where the roster has no such column: the fallback standard applies


def standard(path: str) -> Rate:
    return Rate("standard", path)


def by(prefix: str, column: str) -> Rate:
    """The standard ``prefix.<value of column>``; no standard (a blank) pays nothing."""
    return Rate("by", prefix, column)


def tiers(path: str, on: str) -> Rate:
    return Rate("tiers", path, on)


def amount_in(column: str, unit: str, otherwise: tuple[str, str] | None = None) -> Rate:
    """The amount in a money column of the roster (元/月 as ``unit`` says); with ``otherwise =
    (prefix, choice column)``, where the column holds NOT_GIVEN, the standard ``prefix.<choice>``."""
    path, fallback = otherwise or ("", "")
    return Rate("column", path, column, fallback, unit)


def column(name: str) -> Rate:
    """The amount in the money column ``name`` (fen), per beneficiary and schedule unit, with no
    fallback: ``amount_in`` without a unit or ``otherwise``."""
    return amount_in(name, "")


@frozen
class Condition:
    """A named predicate over a beneficiary's columns and the standards in force at the
    start of the period. ``label`` says what is checked (``explain`` shows it with ✓ or
    ✗); ``reason`` says why nothing is paid when it fails. Both may name columns and
    standards in braces: ``任职年限{years}年，不满{eligibility.min_years}年``."""

    name: str
    test: Callable[[Columns], np.ndarray]
    label: tuple[str, str]  # zh, en
    reason: tuple[str, str]


@frozen
class Note:
    """A remark on how a beneficiary is paid (not a refusal), listed with the reasons."""

    test: Callable[[Columns], np.ndarray]
    text: tuple[str, str]
    roster_only: bool = False  # counts-mode entries are not people: no remark about them


@frozen
class Window:
    """The months a beneficiary is paid in (monthly programmes). ``starts`` gives the month
    in which the last condition is met, ``ends`` the month of the event that ends payment
    (a death), or ``NEVER``. The profile's conventions decide whether payment starts that
    month or the next (次月起发) and whether the event's month is paid (死亡次月停发)."""

    starts: Callable[[Columns], np.ndarray]
    ends: Callable[[Columns], np.ndarray]
    event: tuple[str, str] = ("死亡", "died")


@frozen
class Component:
    """A part of the payment with its own line and split (基本工作经费, 书记津贴 …).

    The amount per beneficiary and schedule unit (year or month) is ``rate`` times the
    column ``per`` (people counted, months served), or ``formula`` for what a rate cannot say;
    ``cap`` (a rate, e.g. ``by("caps", "category")``) is the most it may be per beneficiary and
    schedule unit: the amount is the smaller of the two (no cap standard in force: nothing).
    ``when`` names the conditions that gate this component alone; the policy's other
    conditions gate every component. ``heads`` is the column counted in a budget's 人数
    (people trained); by default the beneficiary itself.
    """

    name: str
    label: tuple[str, str]
    rate: Rate | None = None
    per: str | None = None
    when: tuple[str, ...] = ()
    heads: str | None = None
    split: str = ""  # the split standard's path; "splits.<name>" when not given
    formula: Callable[[Columns], np.ndarray] | None = None
    first_value: int | None = None  # month its standard first took effect (a layer: for a total split)
    # ratio standards (``standard`` or ``by`` a choice column) the amount is multiplied by: 10% of
    # a monthly pay, a payout coefficient by assessment grade; exact, the line rounded once
    factors: tuple[Rate, ...] = ()
    cap: Rate | None = None

    @property
    def split_path(self) -> str:
        return self.split or f"splits.{self.name}"


@frozen
class Layers:
    """Components read from the standards: each standard under ``prefix`` is a layer (the
    1989 tiers, the 2002 raise, any later raise a profile, file or scenario adds) with its
    split under ``split_prefix``; a tiered layer is looked up on ``on``."""

    prefix: str
    split_prefix: str
    on: str


@frozen
class Count:
    """A counts-mode key (as budgets are drafted: KEY=N): an entry standing for
    ``value`` beneficiaries with the columns ``entry``; ``beneficiaries`` says whether
    they are the programme's beneficiaries (organisations) or only paid through one
    component (people paid through an organisation)."""

    key: str
    name: str
    aliases: tuple[str, ...] = ()
    entry: Mapping[str, Any] = field(factory=dict)
    beneficiaries: bool = True


@frozen
class LumpSum:
    """A sum earned once (a departure lump sum), due in the month in column ``due``; a
    budget year pays the sums that fall due in it (earlier ones too with ``include_earlier``)."""

    due: str
    label: tuple[str, str]  # what the due month is: 离任时间, departed


@frozen
class Service:
    """Service in posts over time (rows of 职务, 任职开始, 任职结束), each month credited once
    at the post's monthly standard under ``standards.<post>`` (by year): a month in which
    several posts are held is credited at ``combined`` when both posts of its pair are held
    and it has a standard (一肩挑), else at the highest. ``posts``: post id -> Chinese names,
    the first canonical. ``over_time=False`` declares only the posts and their standards table
    (``--standards`` reads it; a rate may fall back on it): no one is paid by months in post."""

    posts: Mapping[str, tuple[str, ...]]
    standards: str = "posts"
    combined: tuple[str, tuple[str, str]] | None = None
    over_time: bool = True

    def code(self, post: str) -> int:
        return list(self.posts).index(post)

    def name(self, code: int, lang: str = "zh") -> str:
        post = list(self.posts)[code]
        return self.posts[post][0] if lang != "en" else post


@frozen
class Option:
    """Something a run may be asked besides the year (``include_earlier``), with its type and
    its help text; the CLI, the API and ``entitlements policies`` show what a policy has."""

    name: str
    type: type
    help: tuple[str, str]
    flag: str = ""  # the command-line flag that sets it


@frozen
class Cut:
    """A programme budget: when the programme's lines (after any caps, rounded) add up to more
    than it, every line is cut pro rata to the fen by largest remainder, so that they add up to
    the budget exactly (before the splits); when they do not, nothing is cut. The budget is the
    run's option ``option`` (``--budget``) or, without it, the money standard ``standard`` in
    force at the start of the period (a profile may set it); with neither, nothing is cut.
    Equal remainders go to the smallest id (row order does not matter)."""

    standard: str = "budget.total"
    option: str = "budget"
    label: tuple[str, str] = ("项目预算", "programme budget")
