"""The 分配表's columns that justify each amount: what a policy shows beside its lines.

A policy declares them in ``DeclaredPolicy.shown`` (roster fields by name, and a few values the
engine worked out); by default they are the fields its components read (the column a rate, a tier
table, a fallback, a ratio factor or a cap is named by, and ``per``), the tier and the standard in
force where a rate is tiered, the posts and months in post of a programme over posts, each ratio
standard a component is multiplied by, the cap of a capped component and the amount before a cut
to the programme budget. All are worked out over columns, never person by person.

Derived values, by name: ``tier`` (档次: 16–20档), ``standard`` (the sum of the standards of the components
paid by a standard, per schedule unit: 月标准), ``posts`` (职务), ``months_in_post`` (任职月数),
``ratio:<path>`` (a ratio standard, headed by its label), ``cap`` (限额), ``before_cut`` (削减前金额). The standards are
those in force in the period's last month.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from .columns import Encoded
from .money import basis_points
from .rules import NOT_GIVEN

DERIVED = {  # name -> (zh header, en header, kind)
    "tier": ("档次", "tier", "text"),
    "posts": ("职务", "posts", "text"),
    "months_in_post": ("任职月数", "months in post", "int"),
    "cap": ("限额", "cap", "money"),
    "before_cut": ("削减前金额", "before the cut", "money"),
}
STANDARD_HEADERS = {"monthly": ("月标准", "monthly standard"), "annual": ("年标准", "yearly standard")}


def default_shown(policy, data) -> tuple[str, ...]:
    """What a policy shows when it declares nothing: what its components read."""
    names: list[str] = []

    def add(name: str | None) -> None:
        if name and name not in names:
            names.append(name)

    tiered = False
    for c in policy.resolved(data):
        for rate in (c.rate, *c.factors, c.cap):
            if rate is None:
                continue
            if rate.kind in ("by", "tiers", "column"):
                add(rate.column)
            add(rate.fallback)
            tiered |= rate.kind == "tiers"
        for f in c.factors:
            if f.kind == "standard":
                add(f"ratio:{f.path}")
        add(c.per)
        if c.cap is not None:
            add("cap")
    if tiered:
        add("tier")
        add("standard")
    service = getattr(policy, "service", None)
    if service is not None and (service.over_time or getattr(policy, "lump_sum", None) is not None):
        add("posts")
        add("months_in_post")
    if getattr(policy, "cut", None) is not None:
        add("before_cut")
    return tuple(names)


def shown_columns(policy, comp, lang: str = "zh") -> list[tuple[str, str, list[Any]]]:
    """(header, kind, values per beneficiary) of each column the policy shows; money in fen, None blank."""
    zh = lang != "en"
    names = policy.shown if policy.shown is not None else default_shown(policy, comp.data)
    month = comp.stop - 1
    out = []
    for name in names:
        if name in comp.who.columns:
            out.append(_field_column(policy, comp.who.columns[name], name, zh))
        elif name == "standard":
            head = STANDARD_HEADERS.get(policy.schedule, ("标准", "standard"))
            out.append((head[0 if zh else 1], "money", _standard(policy, comp, month)))
        elif name.startswith("ratio:"):
            std = comp.data.standards.get(name[6:])
            v = None if std is None else std.at(month)
            text = "" if v is None else f"{(Decimal(basis_points(v.value)) / 100).normalize():f}%"
            label = None if std is None else std.label if zh else std.label_en
            out.append((label or ("比例" if zh else "ratio"), "text", [text] * len(comp.who)))
        elif name in DERIVED:
            zh_head, en_head, kind = DERIVED[name]
            out.append((zh_head if zh else en_head, kind, _derived(policy, comp, name, month, zh)))
        else:
            raise KeyError(f"{policy.id}: shown column '{name}' is neither a column nor a derived value")
    return out


def _field_column(policy, values, name: str, zh: bool) -> tuple[str, str, list[Any]]:
    """A roster column as read: its header (a derived column, tenure, by the field it comes from)."""
    field = next((f for f in policy.fields if f.name == name), None) or \
        next((f for f in policy.fields if f.name.startswith(name)), None)
    header = name if field is None else field.header if zh else field.label_en
    if isinstance(values, Encoded):
        shown = _choice_names(field, zh) if field is not None else {}
        return header, "text", [shown.get(v, v) for v in values.decoded().tolist()]
    values = np.asarray(values)
    if values.dtype == bool:
        return header, "text", np.where(values, "是" if zh else "yes", "否" if zh else "no").tolist()
    if values.dtype.kind in "iu":
        if field is not None and field.kind == "money":
            return header, "money", [None if v == NOT_GIVEN else v for v in values.tolist()]
        return header, "int", values.tolist()
    shown = _choice_names(field, zh) if field is not None and field.kind == "choice" else {}
    return header, "text", ["" if v is None else shown.get(v, str(v)) for v in values.tolist()]


def _choice_names(field, zh: bool) -> dict[str, str]:
    """A choice's code -> the first name a clerk writes for it (zh), or the code (en)."""
    out: dict[str, str] = {}
    for text, code in field.choices.items():
        if code not in out or out[code] == code or out[code] == code.lower():
            out[code] = text if zh else code
    return out


def _standard(policy, comp, month: int) -> list[Any]:
    """Per beneficiary, the sum of the standards in force of the components paid by a standard
    (a tier, a flat standard, one a choice names), where the component is paid at all."""
    from .lines import Context, rate_values

    n, parts = len(comp.who), comp.by_component()
    ctx = Context(comp.who.columns, comp.data, month, n)
    total = np.zeros(n, dtype=np.int64)
    for c in policy.resolved(comp.data):
        if c.rate is None or c.rate.kind == "column" or c.per or c.factors:
            continue
        total += np.where(parts[c.name] != 0, rate_values(c.rate, ctx, comp.data, month)[0], 0)
    return total.tolist()


def _derived(policy, comp, name: str, month: int, zh: bool) -> list[Any]:
    n = len(comp.who)
    if name == "tier":
        return _tiers(policy, comp, month, zh)
    if name == "cap":
        capped = comp.detail.get("capped") or {}
        limit = next((hit[2] for hit in capped.values()), None)
        return [None] * n if limit is None else np.asarray(limit, dtype=np.int64).tolist()
    if name == "before_cut":
        cut = comp.detail.get("cut")
        return [None] * n if not cut or cut.get("before") is None else np.asarray(cut["before"], dtype=np.int64).tolist()
    spans = (comp.detail.get("in_post") if "in_post" in comp.detail else comp.who.spans) or {}
    if not spans or not len(spans.get("owner", ())):
        return [None if name == "months_in_post" else ""] * n
    if name == "months_in_post":
        return _months_held(spans, n).tolist()
    masks = np.zeros(n, dtype=np.int64)
    np.bitwise_or.at(masks, spans["owner"], np.left_shift(1, spans["post"].astype(np.int64)))
    codes = range(len(policy.service.posts))
    text = {int(m): "、".join(policy.service.name(p, "zh" if zh else "en") for p in codes if m >> p & 1)
            for m in np.unique(masks)}
    return [text[m] for m in masks.tolist()]


def _months_held(spans: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Per owner, the months in any post (two posts held in one month count it once)."""
    owner, first, stop = (np.asarray(spans[k], dtype=np.int64) for k in ("owner", "first", "stop"))
    order = np.lexsort((first, owner))
    owner, first, stop = owner[order], first[order], stop[order]
    # the latest stop so far within an owner: offsets by owner keep a running maximum from crossing owners
    offset = owner * (int(stop.max()) + 1 if len(stop) else 1)
    reach = np.maximum.accumulate(stop + offset) - offset
    before = np.concatenate(([np.iinfo(np.int64).min], reach[:-1]))
    before = np.where(np.concatenate(([True], owner[1:] != owner[:-1])), first, before)
    new = np.maximum(stop - np.maximum(first, before), 0)
    return np.bincount(owner, weights=new, minlength=n).astype(np.int64)


def _tiers(policy, comp, month: int, zh: bool) -> list[str]:
    """The tier of the first tiered component, in words: 16–20档 (beside the column it is looked up on,
    任职年限, which says in what the bounds are counted)."""
    for c in policy.resolved(comp.data):
        if c.rate is None or c.rate.kind != "tiers":
            continue
        std = comp.data.get(c.rate.path)
        v = std.at(month) or std.at_or_first(month)
        tiers = v.value
        labels = []
        for k, t in enumerate(tiers):
            upper = tiers[k + 1].min - 1 if k + 1 < len(tiers) else None
            span = f"{t.min}–{upper}" if upper is not None else (f"{t.min}及以上" if zh else f"{t.min}+")
            labels.append(f"{span}档" if zh else span)
        mins = np.array([t.min for t in tiers], dtype=np.int64)
        idx = np.searchsorted(mins, np.asarray(comp.who.columns[c.rate.column], dtype=np.int64), side="right") - 1
        lookup = np.array([*labels, ""], dtype=object)  # -1: below the first tier
        return lookup[idx].tolist()
    return [""] * len(comp.who)
