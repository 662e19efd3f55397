"""The trace: what the engine used for one beneficiary, as data, and its rendering.

``trace_of`` re-reads the standards the way the lines were computed (segment by segment)
and records every value used with its source and any assumption, the conditions, the
paid months, the splits and the resulting lines. It is plain JSON-ready data (for audit);
``explain_trace`` renders it in a language from the message catalogue (messages.toml).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from .dates import month_label
from .lines import NEVER, Context
from .rules import NOT_GIVEN
from .money import BASIS_POINTS, div_round_half_up, fen_to_yuan, ratio_text
from .standards import LEVELS, DatedValue

if TYPE_CHECKING:
    from .policy import Computation

DeclaredPolicy = Any  # a policy made of declarations (declared.py, which renders through this module)


UNITS_EN = {  # the standards' units, as --lang en says them (a unit not listed is shown as written)
    "元/个": "yuan each", "元/个/年": "yuan each a year", "元/人/年": "yuan a person a year",
    "元/人/月": "yuan a person a month", "元/人/节": "yuan a person a festival", "元/人次": "yuan a visit",
    "元/月": "yuan a month", "元/次": "yuan a time", "元": "yuan", "元/年": "yuan a year",
}


@cache
def catalogue() -> dict[str, dict[str, str]]:
    return tomllib.loads(resources.files("entitlements").joinpath("messages.toml").read_text(encoding="utf-8"))


def _standard_read(data, path: str, v) -> dict[str, Any]:
    """A standard a condition or the paid window read: its path, value, source, and its names
    (English only where the data gives one)."""
    std = data.standards.get(path)
    label = {} if std is None else {"label": {"zh": std.label, **({"en": std.label_en} if std.label_en else {})}}
    return {"path": path, "value": v.value, **label, **_source(v)}


def _source(value: DatedValue) -> dict[str, Any]:
    return {"from": value.start_label, "source": value.source.cite(), "doc": value.source.doc,
            "assumption": value.assumption}


def _pair(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def trace_of(policy: DeclaredPolicy, comp: Computation, i: int) -> dict[str, Any]:
    data, who, ev = comp.data, comp.who, comp.detail["evaluation"]
    one = {k: v[i:i + 1] for k, v in who.columns.items()}
    out: dict[str, Any] = {"policy": policy.id, "profile": data.profile.id, "id": str(who.ids[i]),
                           "level_names": {lang: data.profile.level_names(lang) for lang in ("zh", "en")},
                           "period": [month_label(comp.first), month_label(comp.stop - 1)], "conditions": []}
    for c in policy.conditions:
        ctx = Context(one, data, comp.first, 1)
        c.test(ctx)  # which standards it reads, for their sources
        out["conditions"].append({
            "name": c.name, "holds": bool(ev.conditions[c.name][i]),
            "label": _pair(fill_in(c.label[0], comp, i), fill_in(c.label[1], comp, i)),
            "reason": _pair(fill_in(c.reason[0], comp, i), fill_in(c.reason[1], comp, i)),
            "standards": [_standard_read(data, p, v) for p, v in ctx.read.items()]})
    fp = sp = None
    if ev.first_paid is not None:
        fp, sp = int(ev.first_paid[i]), int(ev.stop_paid[i])
        ctx = Context(one, data, comp.first, 1)
        policy.window.starts(ctx)
        out["window"] = {"first_paid": month_label(fp), "event": _pair(*policy.window.event),
                         "event_month": month_label(int(ev.event[i])) if ev.event[i] < NEVER else None,
                         "last_paid": month_label(sp - 1) if sp < NEVER else None,  # no end: paid on
                         "start": data.conventions.start,
                         "stop": data.conventions.stop,
                         "standards": [_standard_read(data, p, v) for p, v in ctx.read.items()]}
    if policy.lump_sum is not None:
        out["lump_sum"] = _lump_sum_trace(policy, comp, i)
    if "in_post" in comp.detail:
        out["in_post"] = _in_post_trace(policy, comp, i)
    mult = 1 if who.multiplicity is None else int(who.multiplicity[i])
    gated = {c.name: all(ev.conditions[w][i] for w in c.when) for c in policy.parts}
    out["segments"] = []
    for s, e in ([] if policy.lump_sum is not None else ev.segments):
        months = e - s if fp is None else max(min(e, sp) - max(s, fp), 0)
        if not ev.gates[i]:
            months = 0
        seg: dict[str, Any] = {"start": month_label(s), "end": month_label(e - 1), "months": e - s,
                               "paid": months, "components": []}
        ctx = Context(one, data, s, 1)
        for c in policy.resolved(data):
            item: dict[str, Any] = {"component": c.name, "label": _pair(*c.label)}
            if not gated.get(c.name, True):
                failed = next(w for w in c.when if not ev.conditions[w][i])
                cond = next(x for x in policy.conditions if x.name == failed)
                item["not_paid"] = _pair(fill_in(cond.reason[0], comp, i), fill_in(cond.reason[1], comp, i))
                seg["components"].append(item)
                continue
            if c.rate is None:
                seg["components"].append(item)
                continue
            item["factors"] = [_factor(f, ctx, data, s) for f in c.factors]
            if c.cap is not None:  # a request the roster gives, and its cap
                _requested_and_cap(item, c, policy, data, ctx, one, s)
                if c.rate.kind == "column":
                    seg["components"].append(item)
                    continue
            given = int(one[c.rate.column][0]) if c.rate.kind == "column" else NOT_GIVEN
            if given != NOT_GIVEN:  # the roster's own amount (基本报酬), no standard
                item["standard"] = {"path": c.rate.column, "label": policy.field(c.rate.column).header,
                                    "unit": c.rate.unit, "value": given, "roster": True}
                if c.per:
                    item["per"] = {"column": c.per, "header": policy.field(c.per).header, "value": int(one[c.per][0])}
                seg["components"].append(item)
                continue
            path = c.rate.path if c.rate.kind not in ("by", "column") else \
                f"{c.rate.path}.{getattr(ctx, c.rate.column if c.rate.kind == 'by' else c.rate.fallback)[0]}"
            std = data.standards.get(path)
            if std is None:  # a blank choice (a counts entry without an org type): no standard, nothing due
                continue
            v = std.at(s)
            item["standard"] = {"path": path, "label": std.label, "unit": std.unit,
                                **({"value": None, "first": std.values[0].start_label} if v is None else _source(v))}
            if v is not None:
                if std.kind == "tiers":
                    tiers = v.value
                    value = int(one[c.rate.column][0])
                    idx = int(np.searchsorted([t.min for t in tiers], value, side="right") - 1)
                    item["standard"]["value"] = tiers[idx].amount if idx >= 0 else 0
                    if idx >= 0:
                        upper = tiers[idx + 1].min - 1 if idx + 1 < len(tiers) else None
                        item["standard"]["tier"] = {"index": idx, "min": tiers[idx].min, "max": upper}
                else:
                    item["standard"]["value"] = int(v.value)
            if c.per:
                item["per"] = {"column": c.per, "header": policy.field(c.per).header, "value": int(one[c.per][0])}
            if mult != 1:
                item["multiplicity"] = mult
            seg["components"].append(item)
        out["segments"].append(seg)
    if comp.paid_months is not None:
        out["paid_months"] = int(comp.paid_months[i])
    out["schedule"] = policy.schedule
    out["splits"] = []
    seen = set()
    due = [] if policy.lump_sum is None else [(int(who.columns[policy.lump_sum.due][i]),) * 2]
    for s, _ in (due or ev.segments):
        for std in policy.splits_in_force(data, s) or [data.standards.get(c.split_path) for c in policy.resolved(data)]:
            if std is None:
                continue
            v = std.at_or_first(s)
            if (std.path, v.start) in seen:
                continue
            seen.add((std.path, v.start))
            label = (policy.component_label(data, std.path.rsplit(".", 1)[-1], "zh"),
                     policy.component_label(data, std.path.rsplit(".", 1)[-1], "en"))
            if std.path == "splits.total":
                label = (catalogue()["zh"]["total_split"], catalogue()["en"]["total_split"])
            out["splits"].append({"path": std.path, "label": _pair(*label), "from": v.start_label,
                                  "rule": _pair(v.value.describe("zh", data.profile.level_names("zh")),
                                                v.value.describe("en")), **_source(v)})
    cut = comp.detail.get("cut")
    if cut:
        out["cut"] = _cut_trace(policy, comp, cut, i)
    out["lines"] = [{"component": c, "label": _pair(policy.component_label(data, c, "zh"),
                                                   policy.component_label(data, c, "en")),
                     "amount": fen_to_yuan(sum(int(p[i]) for p in parts.values())),
                     "by_level": {lv: fen_to_yuan(parts[lv][i]) for lv in LEVELS if lv in parts}}
                    for c, parts in comp.lines.items()]
    return out


def _factor(rate, ctx: Context, data, month: int) -> dict[str, Any]:
    """A ratio factor as used: its standard (the one a choice names), the ratio shown, its source."""
    path = rate.path if rate.kind != "by" else f"{rate.path}.{getattr(ctx, rate.column)[0]}"
    std = data.standards.get(path)
    v = None if std is None else std.at(month)
    return {"path": path, "label": path if std is None else std.label,
            "value": "0%" if v is None else ratio_text(v.value), **({} if v is None else _source(v))}


def _requested_and_cap(item: dict[str, Any], c, policy: DeclaredPolicy, data, ctx: Context, one, s: int) -> None:
    """A component paid what the roster asks (a money column) and/or capped: the request, the cap
    in force with its source, and the amount after the cap (per schedule unit)."""
    from .lines import asked_and_cap, rate_values

    amount = int(rate_values(c.rate, ctx, data, s)[0][0]) if c.rate.kind == "column" else None
    if amount is not None:
        item["requested"] = {"column": c.rate.column, "header": policy.field(c.rate.column).header, "value": amount}
    if c.cap is None:
        return
    path = c.cap.path if c.cap.kind != "by" else f"{c.cap.path}.{getattr(ctx, c.cap.column)[0]}"
    std = data.standards.get(path)
    v = None if std is None else std.at(s)
    limit = 0 if v is None else int(v.value)
    item["cap"] = {"path": path, "label": std.label if std is not None else path,
                   "unit": std.unit if std is not None else "", "value": limit, **({} if v is None else _source(v))}
    if amount is not None:  # what is paid per schedule unit: the share (× ratio factors) or the cap
        asked, _ = asked_and_cap(c, ctx, data, s, one, 1)
        scale = BASIS_POINTS ** len(c.factors)
        item["capped"] = int(div_round_half_up(min(int(asked[0]), limit * scale), scale))


def _cut_trace(policy: DeclaredPolicy, comp: Computation, cut: dict[str, Any], i: int) -> dict[str, Any]:
    """The programme budget, where it came from, the capped total and this beneficiary's amount
    before and after the pro-rata cut."""
    source: dict[str, Any] = {"option": policy.cut.option} if cut["given"] else \
        {"path": policy.cut.standard, **_source(comp.data.standards[policy.cut.standard].at(comp.first))}
    after = comp.amount_of(i)
    return {"label": _pair(*policy.cut.label), "budget": fen_to_yuan(cut["budget"]), "total": fen_to_yuan(cut["total"]),
            "cut": bool(cut["cut"]), "before": fen_to_yuan(int(cut["before"][i])), "after": fen_to_yuan(after), **source}


def _lump_sum_trace(policy: DeclaredPolicy, comp: Computation, i: int) -> dict[str, Any]:
    """The service credited for a lump sum: spans as written, then each piece (constant posts
    held and standard) with the post credited, its standard and source."""
    from .service import service_pieces

    who, data, service = comp.who, comp.data, policy.service
    due = int(who.columns[policy.lump_sum.due][i])
    sp = who.spans
    spans = _spans(service, sp, np.flatnonzero(sp["owner"] == i))
    pieces = []
    if comp.detail["in_period"][i]:
        g = service_pieces(service, data, sp, i, len(who), who.columns[policy.lump_sum.due])
        pieces = [_piece(service, data, g, j) for j in np.flatnonzero(g["owner"] == i)]
    return {"due": month_label(due), "due_label": _pair(*policy.lump_sum.label), "in_period": bool(comp.detail["in_period"][i]),
            "standard_year": data.conventions.standard_year, "spans": spans, "pieces": pieces,
            "credit": fen_to_yuan(int(comp.detail["numerator"][i]))}


def _spans(service, sp: Mapping[str, np.ndarray], rows: np.ndarray) -> list[dict[str, Any]]:
    """Service spans as written (their roster row, post and months)."""
    return [{"row": int(sp["row"][j]), "post": _pair(service.name(int(sp["post"][j])), service.name(int(sp["post"][j]), "en")),
             "start": month_label(sp["first"][j]), "end": month_label(sp["stop"][j] - 1),
             "months": int(sp["stop"][j] - sp["first"][j])} for j in rows]


def _piece(service, data, g: Mapping[str, np.ndarray], j: int) -> dict[str, Any]:
    """One piece of service (constant posts held and standard): the months, the posts held, the
    post credited, its standard (None: none in force) and source."""
    from .service import MISSING

    post, value = int(g["top_post"][j]), int(g["value"][j])
    held = [p for p in range(len(service.posts)) if int(g["held"][j]) >> p & 1]
    std = data.standards.get(f"{service.standards}.{list(service.posts)[post]}")
    v = std.at(int(g["lookup"][j])) if std is not None else None
    return {"start": month_label(g["start"][j]), "end": month_label(g["stop"][j] - 1), "months": int(g["months"][j]),
            "held": _pair("+".join(service.name(p) for p in held), "+".join(service.name(p, "en") for p in held)),
            "credited": _pair(service.name(post), service.name(post, "en")),
            "value": None if value == MISSING else value, **(_source(v) if v is not None else {})}


def _in_post_trace(policy: DeclaredPolicy, comp: Computation, i: int) -> dict[str, Any]:
    """The months in post within the period: the spans (as clipped to it), then each piece
    (constant posts held and standard) with the post credited, its standard, source and months."""
    from .service import OPEN_END, SPAN_KEYS, credited_months, post_table

    who, data, service, sp = comp.who, comp.data, policy.service, comp.detail["in_post"]
    mine = np.flatnonzero(sp["owner"] == i)
    spans = _spans(service, sp, mine) if who.multiplicity is None else []
    open_end = bool(who.spans) and bool((who.spans["stop"][who.spans["owner"] == i] >= OPEN_END).any())
    g = credited_months({k: sp[k][mine] for k in SPAN_KEYS}, len(who), np.zeros(len(who), dtype=np.int64),
                        post_table(service, data), False)
    pieces = [_piece(service, data, g, j) for j in range(len(g["owner"]))]
    total = sum((p["value"] or 0) * p["months"] for p in pieces if (p["value"] or 0) > 0)
    months = sum(p["months"] for p in pieces if (p["value"] or 0) > 0)
    return {"spans": spans, "open_end": open_end, "pieces": pieces, "months": months, "total": fen_to_yuan(total)}


def _render_in_post(t: dict[str, Any], m: dict[str, str], pick, cite) -> list[str]:
    out = [m["in_post"]]
    out += [m["in_post_span"].format(row=s["row"], post=pick(s["post"]), start=s["start"], end=s["end"],
                                     months=s["months"]) for s in t["spans"]]
    out += [m["in_post_open"]] if t["open_end"] else []
    for p in t["pieces"]:
        value = m["no_standard"] if p["value"] is None else fen_to_yuan(p["value"])
        out.append(m["in_post_piece"].format(start=p["start"], end=p["end"], held=pick(p["held"]),
                                             credited=pick(p["credited"]), value=value, months=p["months"]) + cite(p))
    out.append(m["in_post_total"].format(months=t["months"], total=t["total"]))
    return out


def explain_trace(trace: dict[str, Any], lang: str = "zh") -> list[str]:
    m = catalogue()["en" if lang == "en" else "zh"]
    pick = lambda pair: pair["en" if lang == "en" else "zh"]  # noqa: E731

    def named(standard: dict[str, Any]) -> str:
        """A standard a condition read, by its name with the path a scenario sets beside it:
        最低任职年限（eligibility.min_tenure_years）."""
        label = (standard.get("label") or {}).get("en" if lang == "en" else "zh")
        return f"{label}（{standard['path']}）" if label and lang != "en" else \
            f"{label} ({standard['path']})" if label else standard["path"]

    def cite(item: dict[str, Any]) -> str:
        if not item.get("source"):
            return ""
        text = f"  〔{item['source']}〕" if lang != "en" else f"  [{item['doc']}]"
        return text + (m["assumption"].format(text=item["assumption"]) if item.get("assumption") else "")

    out: list[str] = []
    if trace["conditions"]:
        out.append(m["conditions"])
        for c in trace["conditions"]:
            out.append(m["condition"].format(label=pick(c["label"]), mark=m["holds" if c["holds"] else "fails"]))
            out += [f"    {named(s)} = {s['value']}{cite(s)}" for s in c["standards"]]
    window = trace.get("window")
    if window:
        out.append(m["window"])
        out += [f"    {named(s)} = {s['value']}{cite(s)}" for s in window["standards"]]
        start = m["start_next_month" if window["start"] == "next_month" else "start_same_month"]
        out.append(m["window_from"].format(convention=start, first_paid=window["first_paid"]))
        if window["event_month"]:
            event = pick(window["event"])
            stop = m["stop_after_event" if window["stop"] == "after_death_month" else "stop_event_month"]
            out.append(m["window_event"].format(event=event, month=window["event_month"],
                                                convention=stop.format(event=event), last_paid=window["last_paid"]))
    if "lump_sum" in trace:
        out += _render_lump_sum(trace["lump_sum"], m, pick, cite)
    if "in_post" in trace:
        out += _render_in_post(trace["in_post"], m, pick, cite)
    per_year = trace["schedule"] == "annual"
    for seg in trace["segments"]:
        key = "segment_paid" if trace.get("window") else "segment"
        out.append(m[key].format(start=seg["start"], end=seg["end"], months=seg["months"], paid=seg["paid"]))
        for item in seg["components"]:
            label = pick(item["label"])
            if "not_paid" in item:
                out.append(m["gated"].format(label=label, reason=pick(item["not_paid"])))
                continue
            std = item.get("standard")
            months = seg["months"] if per_year else seg["paid"]
            months_text = (m["months_per_year"] if per_year else m["months_paid"]).format(months=months)
            cap = item.get("cap")
            if "requested" in item:
                req = item["requested"]
                cap_text = "" if cap is None else m["capped"].format(
                    cap_label=cap["label"], cap=fen_to_yuan(cap["value"]),
                    unit=cap["unit"] if lang != "en" else UNITS_EN.get(cap["unit"], cap["unit"]),
                    capped=fen_to_yuan(item["capped"])) + cite(cap)
                factors = "".join(m["factor"].format(label=f["label"], value=f["value"]) for f in item["factors"])
                out.append(m["requested"].format(label=label, header=req["header"], value=fen_to_yuan(req["value"]),
                                                 factors=factors, cap=cap_text, months=months_text))
                out += [f"    {f['label']} = {f['value']}{cite(f)}" for f in item["factors"]]
                continue
            if std is None:
                continue
            if std["value"] is None:
                out.append(m["not_in_force"].format(label=label, first=std["first"]))
                continue
            tier = std.get("tier")
            tier_text = "" if tier is None else m["tier"].format(
                range=f"{tier['min']}–{tier['max']}" if tier["max"] else f"{tier['min']}+")
            per = item.get("per")
            factors = item.get("factors", [])
            tier_text += "".join(m["factor"].format(label=f["label"], value=f["value"]) for f in factors)
            # the standard's own name where it says more than the component's (in English, the Chinese
            # name only where it is not the component's own)
            same = std["label"] in (label, item["label"]["zh"])
            out.append(m["amount"].format(
                label=label, standard="" if same else std["label"] + " ", value=fen_to_yuan(std["value"]),
                unit=std["unit"] if lang != "en" else " " + UNITS_EN.get(std["unit"], std["unit"]), tier=tier_text,
                per="" if per is None else m["per"].format(header=per["header"], value=per["value"]),
                times="" if "multiplicity" not in item else m["times"].format(count=item["multiplicity"]),
                months=months_text) + cite(std))
            if std.get("roster"):
                out.append("    " + m["from_roster"].format(label=std["label"]))
            out += [f"    {f['label']} = {f['value']}{cite(f)}" for f in factors]
            if cap is not None:
                out.append(m["cap_note"].format(cap_label=cap["label"], cap=fen_to_yuan(cap["value"]),
                                                unit=cap["unit"]) + cite(cap))
    if "paid_months" in trace:
        out.append(m["paid_months"].format(months=trace["paid_months"]))
    if "cut" in trace:
        cut = trace["cut"]
        out.append(m["cut"])
        out.append(m["cut_given"].format(label=pick(cut["label"]), budget=cut["budget"]) if "option" in cut else
                   m["cut_standard"].format(label=pick(cut["label"]), budget=cut["budget"], path=cut["path"]) + cite(cut))
        out.append(m["cut_applied" if cut["cut"] else "cut_none"].format(**cut))
    out.append(m["splits"])
    for s in trace["splits"]:
        out.append(f"  [{s['from']}] " + m["split"].format(label=pick(s["label"]), rule=pick(s["rule"])).strip()
                   + cite(s))
    out.append(m["lines"])
    names = trace["level_names"]["en" if lang == "en" else "zh"]
    for line in trace["lines"]:
        parts = "，".join(f"{names[lv]} {v}" for lv, v in line["by_level"].items()) if lang != "en" else \
            ", ".join(f"{names[lv]} {v}" for lv, v in line["by_level"].items())
        out.append(m["line"].format(label=pick(line["label"]), amount=line["amount"], parts=parts))
    return out


def _render_lump_sum(lump: dict[str, Any], m: dict[str, str], pick, cite) -> list[str]:
    out = [m["service"]]
    out += [m["service_span"].format(row=s["row"], post=pick(s["post"]), start=s["start"], end=s["end"],
                                     months=s["months"]) for s in lump["spans"]]
    out.append(m["service_conventions"])
    out.append(m["due"].format(label=pick(lump["due_label"]), month=lump["due"], year=lump["due"][:4]))
    out.append(m["standard_year_" + lump["standard_year"]])
    out.append(m["credited"])
    if not lump["in_period"]:
        out.append(m["not_due"])
    for p in lump["pieces"]:
        value = m["no_standard"] if p["value"] is None else fen_to_yuan(p["value"])
        out.append(m["piece"].format(start=p["start"], end=p["end"], held=pick(p["held"]),
                                     credited=pick(p["credited"]), value=value, months=p["months"]) + cite(p))
    out.append(m["credit_total"].format(credit=lump["credit"]))
    return out


_PLACE = re.compile(r"\{([\w.]+)(?::(month))?\}")


def fill_in(text: str, comp: Computation, i: int) -> str:
    """A condition's words with ``{column}`` and ``{standard.path}`` filled in for beneficiary i."""
    def value(m: re.Match) -> str:
        name, fmt = m.group(1), m.group(2)
        if name in comp.who.columns:
            v = comp.who.columns[name][i]
            return month_label(int(v)) if fmt == "month" else str(v.item() if hasattr(v, "item") else v)
        std = comp.data.standards.get(name)
        if std is not None:
            v = std.at_or_first(comp.first).value
            return fen_to_yuan(v) if std.kind == "money" else ratio_text(v) if std.kind == "ratio" else str(v)
        return m.group(0)
    return _PLACE.sub(value, text)


