"""The 公示 list: who is paid what, for posting at village boards and on the government site.

Published, so it carries no full 身份证号, ever: the number is shown masked (first 6 and last 4
digits by default: 530421********1213), and every text cell (names, units, the standard, the
header and footer) has any run of 15 or more digits masked the same way, so an id made from a
身份证号, or one typed into a name, cannot slip through. Only beneficiaries paid are listed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from attrs import define, field

from .money import fen_to_yuan
from .output import Sheet

DEFAULT_KEEP = (6, 4)
MAX_KEEP = (6, 4)  # the 8 digits of the birth date (7th–14th) are never shown
MIN_DAYS = 7  # "公示期不少于7天"
# a run of digits, single spaces allowed between them (5304 2119 …), an X check digit at the end
_DIGIT_RUN = re.compile(r"(?<![\dXx])\d(?: ?\d)*(?: ?[Xx])?(?!\d)")
ID_RUN_DIGITS = 15  # a 15-digit (first generation) or 18-digit 身份证号; bank cards (16–19) too


class NoticeError(ValueError):
    """Options of a 公示 list that cannot be honoured (a short period, a mask showing the birth date)."""


def parse_keep(text: str) -> tuple[int, int]:
    """``--mask 6,4``: digits shown at the start and the end. More than 6 and 4 would show the birth date."""
    m = re.fullmatch(r"\s*(\d{1,2})\s*[,，]\s*(\d{1,2})\s*", text or "")
    if not m:
        raise NoticeError(f"--mask 应写作 前几位,后几位，如 6,4 (expected FIRST,LAST digits shown, e.g. 6,4): {text!r}")
    first, last = int(m.group(1)), int(m.group(2))
    if first > MAX_KEEP[0] or last > MAX_KEEP[1]:
        raise NoticeError(f"--mask {first},{last}：公示最多显示前{MAX_KEEP[0]}位和后{MAX_KEEP[1]}位，出生日期不得公开 "
                          f"(at most the first {MAX_KEEP[0]} and last {MAX_KEEP[1]} digits: the birth date stays hidden)")
    return first, last


def mask_number(text: str, keep: tuple[int, int] = DEFAULT_KEEP) -> str:
    """A 身份证号 (or any number) with all but the first and last ``keep`` characters starred;
    one too short to keep both ends is starred whole (15 digits: at most 3 last, the order code)."""
    chars = [c for c in str(text) if not c.isspace()]
    if not chars:
        return ""
    first, last = keep
    if len(chars) == 15:
        last = min(last, 3)
    if len(chars) <= first + last + 4:  # at least 4 hidden, or nothing is shown
        return "*" * len(chars)
    return "".join(chars[:first]) + "*" * (len(chars) - first - last) + "".join(chars[len(chars) - last:])


def mask_text(text: str, keep: tuple[int, int] = DEFAULT_KEEP) -> str:
    """Every run of 15 or more digits in ``text`` (an 18- or 15-digit 身份证号, a card number) masked."""
    def masked(m: re.Match) -> str:
        run = m.group(0)
        digits = sum(c.isdigit() or c in "Xx" for c in run)
        return mask_number(run, keep) if digits >= ID_RUN_DIGITS else run

    return _DIGIT_RUN.sub(masked, str(text))


def mask_name(name: str) -> str:
    """张三丰 → 张*丰, 李四 → 李*, 欧阳明月 → 欧**月; one character stays."""
    name = str(name).strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


@define
class NoticeOptions:
    start: dt.date
    end: dt.date
    keep: tuple[int, int] = DEFAULT_KEEP
    mask_names: bool = False
    phone: str | None = None
    office: str | None = None
    lang: str = "zh"


def notice_period(start: dt.date | None, end: dt.date | None, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """From ``start`` (default today) to ``end`` (default the 7th day), both inclusive; under 7 days is refused."""
    start = start or today or dt.date.today()
    end = end or start + dt.timedelta(days=MIN_DAYS - 1)
    days = (end - start).days + 1
    if days < MIN_DAYS:
        raise NoticeError(f"公示期 {start} 至 {end} 只有 {max(days, 0)} 天，公示期不少于{MIN_DAYS}天 "
                          f"(the notice period {start} to {end} is {max(days, 0)} days: it must be at least {MIN_DAYS})")
    return start, end


@define
class NoticeDocument:
    """The list and its words: title, header lines, the table (a Sheet), footer lines."""

    title: str
    preamble: list[str]
    sheet: Sheet
    footer: list[str] = field(factory=list)


def _day(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _yuan(fen: int) -> str:
    text = fen_to_yuan(fen)
    return text[:-3] if text.endswith(".00") else text


def _unit(unit: str, lang: str, per: bool) -> str:
    """元/人/月 → 元/月 (the list is per person or organisation already), unless a count multiplies it."""
    if not per:
        unit = unit.replace("/人", "").replace("/个", "")
    if lang != "en":
        return unit
    for zh, en in (("元", " yuan"), ("/人次", "/stay"), ("/人", "/person"), ("/个", "/unit"), ("/月", "/month"),
                   ("/年", "/year"), ("/节", "/festival"), ("/次", "/event")):
        unit = unit.replace(zh, en)
    return unit


def _short(label: str) -> str:
    """A label without its parenthetical: 基础生活补助（按任职年限分档） → 基础生活补助."""
    return re.sub(r"[（(][^（）()]*[）)]", "", label).strip() or label


def _component_words(item: dict[str, Any], tier_headers: dict[str, tuple[str, str]], lang: str,
                     shared: bool) -> str | None:
    """One component's standard in words; ``shared``: its standard's label names another part too."""
    zh = lang != "en"
    label = _short(item["label"]["zh" if zh else "en"])
    std, per = item.get("standard"), item.get("per")
    words = ""
    if "requested" in item:  # an amount the roster asks, capped
        req, cap = item["requested"], item.get("cap")
        words = (f"申请{_yuan(req['value'])}元" if zh else f"requested {_yuan(req['value'])} yuan")
        if cap is not None:
            words += (f"（{_short(cap['label'])}{_yuan(cap['value'])}元）" if zh
                      else f" (cap {_yuan(cap['value'])} yuan)")
        return words
    if std is None or std.get("value") is None:
        return None
    amount = f"{_yuan(std['value'])}{_unit(std.get('unit', ''), lang, per is not None)}"
    tier = std.get("tier")
    if tier is not None:  # 任职年限16–20档 23元/月
        header = tier_headers.get(item["component"], ("", ""))[0 if zh else 1] + ("" if zh else " ")
        span = f"{tier['min']}–{tier['max']}" if tier.get("max") is not None else \
            (f"{tier['min']}及以上" if zh else f"{tier['min']}+")
        words = f"{header}{span}{'档' if zh else ''} {amount}"
    elif std.get("roster"):  # the roster's own amount (基本报酬) times ratios
        words = f"{std.get('label', '')}{amount}" if zh else f"{label} {amount}"
        words += "".join(f" × {f['value']}" for f in item.get("factors", []))
    else:
        words = f"{_short(label if shared else std.get('label') or label)} {amount}" if zh else f"{label} {amount}"
        words += "".join(f" × {f['value']}" for f in item.get("factors", []))
    if per is not None:
        words += f" × {per['header']}{per['value']}" if zh else f" × {per['value']}"
    return words


def tier_headers(policy, data) -> dict[str, tuple[str, str]]:
    """Per component, the header of the roster column its tier table reads (任职年限)."""
    out = {}
    for c in policy.resolved(data):
        column = getattr(c.rate, "column", None) if c.rate is not None and c.rate.kind == "tiers" else None
        # a derived column (tenure) is read from the field it is made of (tenure_years)
        field = next((f for f in policy.fields if f.name == column), None) or \
            next((f for f in policy.fields if column and f.name.startswith(column)), None)
        if field is not None:
            out[c.name] = (field.header, field.label_en)
    return out


def _pieces_words(pieces: Sequence[dict[str, Any]], lang: str) -> str:
    """Months in post or credited for a lump sum: 主任 2000元/月×36个月 + 委员 1500元/月×36个月."""
    zh = lang != "en"
    grouped: dict[tuple[str, int], int] = {}
    for p in pieces:
        if p.get("value"):
            key = (p["credited"]["zh" if zh else "en"], int(p["value"]))
            grouped[key] = grouped.get(key, 0) + int(p["months"])
    return " + ".join(f"{post} {_yuan(v)}元/月×{m}个月" if zh else f"{post} {_yuan(v)} yuan/month × {m} months"
                      for (post, v), m in grouped.items())


def standard_words(trace: dict[str, Any], headers: dict[str, tuple[str, str]], lang: str = "zh") -> str:
    """The standard or tier that applies to one beneficiary, in words, from its trace."""
    paid = {line["component"] for line in trace.get("lines", []) if line["amount"] not in ("0.00", "-0.00")}
    if "lump_sum" in trace:  # the kit's lump sum: Σ(monthly standard × months) ÷ 12, a month's standard a year
        pieces = _pieces_words(trace["lump_sum"].get("pieces", []), lang)
        return f"每任职一年计一个月标准：({pieces}) ÷ 12" if lang != "en" else \
            f"a month's standard for each year served: ({pieces}) ÷ 12"
    if "in_post" in trace:
        return _pieces_words(trace["in_post"].get("pieces", []), lang)
    texts: list[tuple[str, str]] = []
    for seg in trace.get("segments", []):
        if not seg.get("paid"):
            continue
        items = [c for c in seg["components"] if c["component"] in paid and "not_paid" not in c]
        labels = [c.get("standard", {}).get("label") for c in items]
        shared = {x for x in labels if x and labels.count(x) > 1}  # 春节、老年节慰问金 for two parts: say which
        parts = [w for c in items
                 if (w := _component_words(c, headers, lang, c.get("standard", {}).get("label") in shared))]
        if parts:
            texts.append((f"{seg['start']}至{seg['end']}" if lang != "en" else f"{seg['start']} to {seg['end']}",
                          " + ".join(parts)))
    distinct = list(dict.fromkeys(t for _, t in texts))
    if len(distinct) <= 1:
        words = distinct[0] if distinct else ""
    else:
        words = "；".join(f"{when}：{t}" for when, t in texts)
    cut = trace.get("cut")
    if cut and cut.get("cut"):
        words += "，按预算比例削减" if lang != "en" else ", cut pro rata to the budget"
    return words


def basis_docs(traces: Sequence[dict[str, Any]]) -> list[str]:
    """The documents (文号) of the standards the listed amounts used."""
    docs: dict[str, None] = {}

    def take(item: Any) -> None:
        if isinstance(item, dict):
            if isinstance(item.get("doc"), str) and ("value" in item or "rule" in item):
                docs[item["doc"]] = None
            for k, v in item.items():
                if k not in ("conditions", "window", "splits"):
                    take(v)
        elif isinstance(item, list):
            for v in item:
                take(v)

    for t in traces:
        take(t)
    return list(docs)


def _first_rows(who) -> dict[int, int]:
    """Each beneficiary's first roster row (position in the table)."""
    first: dict[int, int] = {}
    for pos, owner in enumerate(who.row_owner.tolist()):
        if owner >= 0 and owner not in first:
            first[owner] = pos
    return first


def notice_document(result, options: NoticeOptions) -> NoticeDocument:
    """The 公示 list of a roster run: paid beneficiaries only, every text cell masked."""
    import numpy as np

    calc, comp = result.calculator, result.computation
    who, policy, data, lang = comp.who, calc.policy, comp.data, options.lang
    zh, keep = lang != "en", options.keep
    people = any(f.name == "id_number" for f in policy.fields)  # a roster of people, not organisations
    amounts = comp.amounts()
    paid = [int(i) for i in np.flatnonzero(amounts > 0)]
    headers = tier_headers(policy, data)
    traces = [policy.trace(comp, i) for i in paid]
    id_numbers: dict[int, str] = {}
    parsed = getattr(result, "parsed", None)
    if people and parsed is not None and parsed.has("id_number"):
        first = _first_rows(who)
        id_numbers = {i: parsed.cell("id_number", first[i]).strip() for i in paid if i in first}
    show_ids = any(id_numbers.values())
    name_field, unit_field = policy.field("name"), policy.field("unit")
    monthly = comp.paid_months is not None
    header = ["序号" if zh else "no.", name_field.header if zh else name_field.label_en]
    header += (["身份证号" if zh else "ID number"] if show_ids else [])
    header += [unit_field.header if zh else unit_field.label_en, "补助标准" if zh else "standard"]
    header += (["发放月数" if zh else "months paid"] if monthly else []) + ["金额（元）" if zh else "amount (yuan)"]
    kinds = ["int", "text"] + (["text"] if show_ids else []) + ["text", "text"] + (["int"] if monthly else []) + ["money"]
    rows: list[list[Any]] = []
    for k, (i, trace) in enumerate(zip(paid, traces)):
        name = str(who.names[i] or "").strip()
        if not name:  # a roster without names: its key (masked: it may be a 身份证号), unless its 身份证号 shows
            name = "" if id_numbers.get(i) else mask_number(str(who.ids[i]), keep) if people else str(who.ids[i])
        elif options.mask_names and people:
            name = mask_name(name)
        row: list[Any] = [k + 1, name]
        if show_ids:
            row.append(mask_number(id_numbers.get(i, ""), keep))
        row += [str(who.units[i] or ""), standard_words(trace, headers, lang)]
        if monthly:
            row.append(int(comp.paid_months[i]))
        row.append(int(amounts[i]))
        rows.append([mask_text(v, keep) if kind == "text" else v for v, kind in zip(row, kinds)])
    total_fen = int(sum(int(amounts[i]) for i in paid))
    who_word = ("人" if people else "个") if zh else ""
    total: list[Any] = ["合计" if zh else "total", f"{len(paid)}{who_word}" if zh else f"{len(paid)}"]
    total += [""] * (len(header) - 3) + [total_fen]
    profile = calc.profile
    title_zh, title_en = data.meta["title"], data.meta.get("title_en", data.meta["title"])
    title = (f"{profile.name}{result.year}年{title_zh}发放对象公示" if zh
             else f"Public notice: {title_en}, {result.year} ({profile.id})")
    # the programme's own basis first (a rule no single standard carries: 离任补助's 澄办发〔2014〕104号),
    # then the documents of the standards the amounts used
    declared = [data.sources[k].doc for k in data.meta.get("basis", ()) if k in data.sources]
    docs = list(dict.fromkeys([*declared, *basis_docs(traces)])) or list(dict.fromkeys(s.doc for s in data.sources.values()))
    days = (options.end - options.start).days + 1
    kept = f"前{keep[0]}位和后{keep[1]}位" if zh else f"the first {keep[0]} and last {keep[1]} digits"
    if zh:
        preamble = [f"项目：{title_zh}（{result.year}年度，{profile.name}）",
                    f"依据：{'、'.join(docs)}",
                    f"公示期：{_day(options.start)}至{_day(options.end)}（{days}天）",
                    f"本表仅列{result.year}年度获发放的{len(paid)}{'人' if people else '个发放对象'}，合计{fen_to_yuan(total_fen)}元；"
                    f"未获发放者不予公示。" + (f"身份证号只显示{kept}。" if show_ids else "")]
    else:
        preamble = [f"Programme: {title_en} ({result.year}, {profile.id})",
                    f"Basis: {', '.join(docs)}",
                    f"Notice period: {options.start} to {options.end} ({days} days)",
                    f"Only the {len(paid)} beneficiaries paid for {result.year} are listed, total "
                    f"{fen_to_yuan(total_fen)} yuan; those not paid are not published."
                    + (f" ID numbers show {kept} only." if show_ids else "")]
    blank = "＿＿＿＿＿＿＿＿（未提供，请填写）" if zh else "________ (not given: fill in)"
    if zh:
        footer = [f"如有异议，请于公示期内向发布单位反映。监督电话：{options.phone or blank}",
                  f"发布单位：{options.office or blank}", f"发布日期：{_day(options.start)}"]
    else:
        footer = [f"Objections during the notice period to the issuing office. Complaints phone: {options.phone or blank}",
                  f"Issued by: {options.office or blank}", f"Date: {options.start}"]
    preamble = [mask_text(line, keep) for line in preamble]
    footer = [mask_text(line, keep) for line in footer]
    sheet = Sheet("公示" if zh else "notice", mask_text(title, keep), header, kinds, rows, total,
                  notes=footer, preamble=preamble, lang="zh" if zh else "en", signed=False)
    return NoticeDocument(sheet.title, preamble, sheet, footer)


def notice_csv(doc: NoticeDocument) -> str:
    """The list as CSV: the title and header lines, the table, the footer (each line one cell)."""
    import csv
    import io

    from .output import csv_safe, sheet_csv

    def lines(texts: Sequence[str]) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        for text in texts:
            writer.writerow([csv_safe(text)])
        return buf.getvalue()

    return lines([doc.title, *doc.preamble]) + sheet_csv(doc.sheet) + lines(doc.footer)


def notice_markdown(doc: NoticeDocument) -> str:
    """The list as Markdown: a heading, the header lines, the table, the footer."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    out = [f"# {cell(doc.title)}", "", *(f"{cell(line)}  " for line in doc.preamble), ""]
    out.append("| " + " | ".join(cell(h) for h in doc.sheet.header) + " |")
    out.append("| " + " | ".join("---:" if k in ("money", "int") else "---" for k in doc.sheet.kinds) + " |")
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in doc.sheet.text_rows()]
    out += ["", *(f"{cell(line)}  " for line in doc.footer)]
    return "\n".join(out) + "\n"
