"""Service in posts over time, each month credited once: the kernel of lump sums earned
by service (one month's post standard per year served, 离任补助).

The rule, readable (``credit_by_month``): every month served is credited once, at the
standard of the post held that month; a month in which several posts are held is credited
at the standard of the combined post when the two posts that make it are held together
(一肩挑, where the table has one), else at the highest of the posts held; a month whose
post has no standard is missing (refused by the caller, never paid 0). With
``at_departure`` every month takes the standard in force in the departure month.

The kernels compute the same sums over whole rosters: people whose spans do not overlap
from running sums along a post × month grid of standards (two lookups a span), the rest
piece by piece (``credited_months``, which the explanation also reads).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .columns import group_sums
from .standards import Standard

MISSING = -1


class PostTable(list):
    """The dated monthly standard of each post code (None where none is given), and which
    post is two others held together (``combined``, made of ``pair``)."""

    def __init__(self, standards: Sequence[Standard | None], combined: int | None = None,
                 pair: tuple[int, int] | None = None):
        super().__init__(standards)
        self.combined, self.pair = combined, pair


def credit_by_month(spans: Sequence[tuple[int, int, int]], table: PostTable, departure: int,
                    at_departure: bool) -> int | None:
    """The readable rule for one person: Σ over months served of the month's credited
    standard (fen), or None when a month has no standard. ``spans``: (post, first, stop)."""
    held: dict[int, set[int]] = {}
    for post, first, stop in spans:
        for month in range(first, stop):
            held.setdefault(month, set()).add(post)

    def value(post: int, month: int) -> int | None:
        std = table[post] if 0 <= post < len(table) else None
        v = None if std is None else std.at(departure if at_departure else month)
        return None if v is None else int(v.value)

    total = 0
    for month, posts in held.items():
        if table.combined is not None and set(table.pair) <= posts and value(table.combined, month) is not None:
            total += value(table.combined, month)
            continue
        values = [value(p, month) for p in posts]
        if any(v is None for v in values):
            return None
        total += max(values)
    return total


SPAN_KEYS = ("owner", "post", "first", "stop")
PIECE_KEYS = ("owner", "start", "stop", "months", "value", "top_post", "lookup", "held")
MONTH_RANGE = 10**6  # month indices stay below this: owner * MONTH_RANGE + month orders by owner


def credited_sums(spans: dict[str, np.ndarray], n: int, departure: np.ndarray,
                  table: PostTable, at_departure: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per person: Σ months × monthly standard (fen × months) over their service, and
    whether a month served has no standard.

    A person whose spans do not overlap is credited span by span from running sums of
    the post × month standards grid (two lookups a span); people holding posts at the
    same time go through the pieces of ``credited_months``."""
    owner, post, a, b = (spans[k] for k in SPAN_KEYS)
    keep = b > a
    owner, post, a, b = owner[keep], post[keep], a[keep], b[keep]
    numerator, missing = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    if len(owner) == 0:
        return numerator, missing
    if not _sorted_by_owner_and_start(owner, a):
        order = np.lexsort((a, owner))
        owner, post, a, b = owner[order], post[order], a[order], b[order]
    concurrent = _owners_with_overlaps(owner, a, b, n)[owner]
    single = ~concurrent
    if single.all():
        o, p_, s_, e_ = owner, post, a, b
    else:
        o, p_, s_, e_ = owner[single], post[single], a[single], b[single]
    if len(o):
        lo = int(min(s_.min(), departure[o].min())) if at_departure else int(s_.min())
        hi = int(max(e_.max(), departure[o].max())) if at_departure else int(e_.max())
        grid = standards_grid(table, lo, hi)
        row = np.where((p_ >= 0) & (p_ < len(table)), p_, len(table))
        if at_departure:  # every month at the departure month's standard
            value = grid[row, departure[o] - lo]
            credit, gap = (e_ - s_) * np.maximum(value, 0), value == MISSING
        else:  # running sums along the months: a span's credit is the difference at its ends
            paid = np.zeros((len(grid), grid.shape[1] + 1), dtype=np.int64)
            np.cumsum(np.maximum(grid, 0), axis=1, out=paid[:, 1:])
            holes = np.zeros_like(paid)
            np.cumsum(grid == MISSING, axis=1, out=holes[:, 1:])
            credit = paid[row, e_ - lo] - paid[row, s_ - lo]
            gap = holes[row, e_ - lo] > holes[row, s_ - lo]
        numerator += group_sums(o, n, credit)[0]
        missing[o[gap]] = True
    if concurrent.any():
        g = _credit_concurrent(owner[concurrent], post[concurrent], a[concurrent], b[concurrent],
                               n, departure, table, at_departure, _cuts(a, b, table))
        numerator += group_sums(g["owner"], n, g["months"] * np.maximum(g["value"], 0))[0]
        missing[g["owner"][g["value"] == MISSING]] = True
    return numerator, missing


def credited_months(spans: dict[str, np.ndarray], n: int, departure: np.ndarray,
                    table: PostTable, at_departure: bool) -> dict[str, np.ndarray]:
    """Pieces of each person's service where the posts held and the standard are constant.

    Vectorised: spans are cut at year starts and standard changes and each piece is
    credited once. People with spans held at the same time (concurrent posts, overlaps)
    go the general way: elementary segments between their span boundaries, paired with
    the spans active in them, credited at the combined standard of the posts held. The
    rest, most people, are credited span by span.
    """
    owner, post, a, b = spans["owner"], spans["post"], spans["first"], spans["stop"]
    keep = b > a
    owner, post, a, b = owner[keep], post[keep], a[keep], b[keep]
    if len(owner) == 0:
        return {k: np.array([], dtype=np.int64) for k in PIECE_KEYS}
    cuts = _cuts(a, b, table)
    if not _sorted_by_owner_and_start(owner, a):  # prepare orders each person's spans by start
        order = np.lexsort((a, owner))
        owner, post, a, b = owner[order], post[order], a[order], b[order]
    concurrent = _owners_with_overlaps(owner, a, b, n)[owner]
    parts = []
    if (~concurrent).any():
        o, p_, s_, e_ = owner[~concurrent], post[~concurrent], a[~concurrent], b[~concurrent]
        rep, p_start, p_stop, _ = _cut(s_, e_, cuts)
        p_owner, p_post = o[rep], p_[rep]
        lookup = departure[p_owner] if at_departure else p_start
        parts.append({"owner": p_owner, "start": p_start, "stop": p_stop, "months": p_stop - p_start,
                      "value": standard_values(table, p_post, lookup), "top_post": p_post, "lookup": lookup,
                      "held": _post_bits(p_post)})
    if concurrent.any():
        parts.append(_credit_concurrent(owner[concurrent], post[concurrent], a[concurrent], b[concurrent],
                                        n, departure, table, at_departure, cuts))
    if len(parts) == 1:
        return parts[0]
    return {k: np.concatenate([part[k] for part in parts]) for k in PIECE_KEYS}


def _sorted_by_owner_and_start(owner: np.ndarray, a: np.ndarray) -> bool:
    later = owner[1:] > owner[:-1]
    return bool(np.all(later | ((owner[1:] == owner[:-1]) & (a[1:] >= a[:-1]))))


def _owners_with_overlaps(owner: np.ndarray, a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Per person: does any span start before an earlier one (by start) ends? Spans sorted by (owner, start)."""
    key_end = np.maximum.accumulate(owner * MONTH_RANGE + b)  # running latest end, within the owner
    overlap = np.zeros(len(owner), dtype=bool)
    overlap[1:] = (owner[1:] == owner[:-1]) & (owner[1:] * MONTH_RANGE + a[1:] < key_end[:-1])
    out = np.zeros(n, dtype=bool)
    out[owner[overlap]] = True
    return out


def _cuts(a: np.ndarray, b: np.ndarray, table: PostTable) -> np.ndarray:
    """Year starts over the service, and every change of a post standard."""
    years = np.arange(int(a.min()) // 12, int(b.max()) // 12 + 2) * 12
    changes = [v.start for s in table if s is not None for v in s.values]
    return np.unique(np.r_[years, changes]).astype(np.int64)


def _cut(lo: np.ndarray, hi: np.ndarray, cuts: np.ndarray):
    """Intervals [lo, hi) cut at ``cuts``: index of the interval, start, stop and piece number."""
    i0 = np.searchsorted(cuts, lo, side="right")
    pieces = np.searchsorted(cuts, hi, side="left") - i0 + 1
    rep = np.repeat(np.arange(len(lo)), pieces)
    j = np.arange(pieces.sum()) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    p_start = np.where(j == 0, lo[rep], cuts[np.minimum(i0[rep] + j - 1, len(cuts) - 1)])
    p_stop = np.where(j == pieces[rep] - 1, hi[rep], cuts[np.minimum(i0[rep] + j, len(cuts) - 1)])
    return rep, p_start, p_stop, j


def _post_bits(posts: np.ndarray) -> np.ndarray:
    return np.where(posts >= 0, np.left_shift(1, np.maximum(posts, 0)), 0)


def _credit_concurrent(owner, post, a, b, n, departure, table, at_departure, cuts) -> dict[str, np.ndarray]:
    # 1. elementary segments between each person's boundaries
    po, pp = np.r_[owner, owner], np.r_[a, b]
    order = np.lexsort((pp, po))
    po, pp = po[order], pp[order]
    distinct = np.r_[True, (po[1:] != po[:-1]) | (pp[1:] != pp[:-1])]
    po, pp = po[distinct], pp[distinct]
    same = po[:-1] == po[1:]
    seg_o, seg_s, seg_e = po[:-1][same], pp[:-1][same], pp[1:][same]
    # 2. pair each segment with its person's spans, keep those active in it
    by_owner = np.argsort(owner, kind="stable")
    count = np.bincount(owner, minlength=n)
    begin = np.r_[0, np.cumsum(count)[:-1]]
    k = count[seg_o]
    seg_idx = np.repeat(np.arange(len(seg_o)), k)
    offset = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)
    span_idx = by_owner[np.repeat(begin[seg_o], k) + offset]
    active = (a[span_idx] <= seg_s[seg_idx]) & (seg_e[seg_idx] <= b[span_idx])
    seg_idx, span_idx = seg_idx[active], span_idx[active]
    # 3. cut at year starts and at every change of a post standard
    rep, p_start, p_stop, j = _cut(seg_s[seg_idx], seg_e[seg_idx], cuts)
    p_seg, p_post = seg_idx[rep], post[span_idx[rep]]
    p_owner = seg_o[p_seg]
    lookup = departure[p_owner] if at_departure else p_start
    value = standard_values(table, p_post, lookup)
    # 4. one credit per piece: 一肩挑 where 书记 and 主任 are held together, else the highest
    order = np.lexsort((-value, j, p_seg))
    p_seg, j, p_post, value, p_start, p_stop, p_owner, lookup = (
        x[order] for x in (p_seg, j, p_post, value, p_start, p_stop, p_owner, lookup))
    heads = np.flatnonzero(np.r_[True, (p_seg[1:] != p_seg[:-1]) | (j[1:] != j[:-1])])
    any_missing = np.logical_or.reduceat(value == MISSING, heads)
    best, top = value[heads], p_post[heads]  # sorted by value, highest first
    best = np.where(any_missing, MISSING, best)
    if table.combined is not None:  # two posts held together have a standard of their own (一肩挑)
        has_a = np.logical_or.reduceat(p_post == table.pair[0], heads)
        has_b = np.logical_or.reduceat(p_post == table.pair[1], heads)
        combined = standard_values(table, np.full(len(heads), table.combined), lookup[heads])
        use_combined = has_a & has_b & (combined != MISSING)
        best = np.where(use_combined, combined, best)
        top = np.where(use_combined, table.combined, top)
    held = np.bitwise_or.reduceat(_post_bits(p_post), heads)  # bit p set when post p is held
    return {"owner": p_owner[heads], "start": p_start[heads], "stop": p_stop[heads],
            "months": p_stop[heads] - p_start[heads], "value": best, "top_post": top,
            "lookup": lookup[heads], "held": held}


def standard_values(table: PostTable, posts: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Monthly standard (fen) of each post in each month; MISSING where none is in force."""
    if len(posts) == 0:
        return np.full(0, MISSING, dtype=np.int64)
    lo = int(months.min())
    grid = standards_grid(table, lo, int(months.max()))
    return grid[np.where((posts >= 0) & (posts < len(table)), posts, len(table)), months - lo]


def standards_grid(table: PostTable, lo: int, hi: int) -> np.ndarray:
    """The monthly standard of each post in each month lo..hi (a column per month), and a
    last row of MISSING for a post that is not in the table."""
    grid = np.full((len(table) + 1, hi - lo + 1), MISSING, dtype=np.int64)
    for p, std in enumerate(table):
        if std is not None:
            starts = np.array([v.start for v in std.values], dtype=np.int64)
            amounts = np.array([v.value for v in std.values] + [MISSING], dtype=np.int64)
            grid[p] = amounts[np.searchsorted(starts, np.arange(lo, hi + 1), side="right") - 1]
    return grid


# ---------- a policy's declared Service, over its standards ----------

MAX_LISTED = 10  # posts, years and people named in a refusal


def post_table(service, data) -> PostTable:
    """The dated monthly standard of each declared post, or None where none is given."""
    from .roster import InputError

    found = data.under(service.standards)
    unknown = set(found) - set(service.posts)
    if unknown:
        raise InputError(f"岗位补贴标准中有未知职务 unknown post(s) in standards: {', '.join(sorted(unknown))}")
    posts = list(service.posts)
    combined = pair = None
    if service.combined is not None:
        combined, (a, b) = posts.index(service.combined[0]), service.combined[1]
        pair = (posts.index(a), posts.index(b))
    return PostTable([found.get(p) for p in posts], combined, pair)


def service_credit(service, data, spans: dict[str, np.ndarray], n: int, due: np.ndarray,
                   payable: np.ndarray, table: PostTable | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per beneficiary: Σ months × the credited monthly standard over the service of those
    ``payable`` (fen × months), and whether a month served has no standard."""
    if not payable.all():  # only the service of those paid in the period is credited
        keep = payable[spans["owner"]]
        spans = {k: spans[k][keep] for k in SPAN_KEYS}
    at_due = data.conventions.standard_year == "departure"
    return credited_sums(spans, n, due, post_table(service, data) if table is None else table, at_due)


def service_pieces(service, data, spans: dict[str, np.ndarray], i: int, n: int, due: np.ndarray) -> dict[str, np.ndarray]:
    """Beneficiary i's credited pieces (for the explanation and the refusal): the same grid, by piece."""
    mine = spans["owner"] == i
    return credited_months({k: spans[k][mine] for k in SPAN_KEYS}, n, due, post_table(service, data),
                           data.conventions.standard_year == "departure")


def missing_standards(service, data, spans: dict[str, np.ndarray], n: int, due: np.ndarray,
                      unpriced: np.ndarray, ids: np.ndarray) -> str:
    """Which posts and years have no standard, for whom: the refusal's message."""
    from .dates import month_label

    mine = unpriced[spans["owner"]]
    g = credited_months({k: spans[k][mine] for k in SPAN_KEYS}, n, due, post_table(service, data),
                        data.conventions.standard_year == "departure")
    gap = g["value"] == MISSING
    what = sorted({(int(p), month_label(m)[:4]) for p, m in zip(g["top_post"][gap], g["lookup"][gap])})
    listed = "、".join(f"{service.name(p)}{y}年" for p, y in what[:MAX_LISTED])
    listed_en = ", ".join(f"{service.name(p, 'en')} {y}" for p, y in what[:MAX_LISTED])
    more = f"等{len(what)}项" if len(what) > MAX_LISTED else ""
    who = "、".join(str(i) for i in ids[np.flatnonzero(unpriced)[:MAX_LISTED]])
    count = int(unpriced.sum())
    return (f"缺少岗位补贴标准：{listed}{more}（涉及{count}人，如编号{who}）；请在 --standards 文件"
            f"（职务,年度,月岗位补贴标准）中补充这些职务和年度 "
            f"(no post standard for: {listed_en}; {count} people, e.g. id {who}; add them to the --standards "
            f"file, columns 职务,年度,月岗位补贴标准)")


def standards_from_csv(service, path) -> dict[str, object]:
    """A user's post standards file (职务, 年度, 月岗位补贴标准) as a standards overlay table."""
    from pathlib import Path

    from .fields import Field, choice_map
    from .roster import InputError, match_headers
    from .reading import read_csv

    names = choice_map(service.posts)
    fields = (
        Field("post", "职务", "choice", "post", aliases=("岗位",), required=True, choices=names),
        Field("year", "年度", "text", "year", aliases=("年份",), required=True),
        Field("monthly", "月岗位补贴标准", "text", "monthly standard", aliases=("岗位补贴标准", "月标准"), required=True),
    )
    table = read_csv(path)
    headers, _ = match_headers(table, fields)
    values: dict[str, list[dict[str, object]]] = {}
    seen: dict[tuple[str, str], int] = {}  # (post, year) -> its line: a second standard is refused, not last-wins
    for pos, line in enumerate(table.row_numbers):
        cell = {f: str(table.cells[h][pos]) for f, h in headers.items()}
        post = names.get(cell["post"]) or names.get(cell["post"].lower())
        if post is None:
            raise InputError(f"{path} 第{line}行：未知职务 unknown post {cell['post']!r}")
        if not (cell["year"].isdigit() and len(cell["year"]) == 4):
            raise InputError(f"{path} 第{line}行：年度应为四位年份 year must be YYYY: {cell['year']!r}")
        if (post, cell["year"]) in seen:  # also two names of one post (一肩挑, 书记主任一肩挑)
            raise InputError(f"{path} 第{line}行：{service.posts[post][0]} {cell['year']}年的标准与第{seen[post, cell['year']]}行"
                             f"重复，每个职务每年只能有一个标准 (line {line}: a second standard for this post and year)")
        seen[post, cell["year"]] = int(line)
        values.setdefault(post, []).append(
            {"from": f"{cell['year']}-01", "amount": cell["monthly"], "source": "user_post_standards", "line": int(line)})
    return {
        "sources": {"user_post_standards": {"doc": f"用户提供的岗位补贴标准文件 {Path(path).name}",
                                            "via": "--standards"}},
        "standards": {f"{service.standards}.{p}": {"kind": "money", "label": f"{service.posts[p][0]}岗位补贴标准",
                                                   "unit": "元/月", "values": v} for p, v in values.items()},
    }


def service_roster(parsed, data, keys: np.ndarray, service, key_field: str, min_age: int, open_end: bool = False):
    """A roster of service rows (职务, 任职开始, 任职结束; several rows a person) checked and
    grouped: spans that cannot be (end before start, before birth or ``min_age``), one key
    naming two people, a person's rows apart, one 身份证号 under two keys are rejected;
    overlaps and gaps are notices. Each person's due month is the end of their last span.
    With ``open_end`` a blank 任职结束 is service continuing (in post): the span runs on."""
    from .people import card_births, not_after_today, span_notices, spans, spans_in_order
    from .policy import Beneficiaries, first_rows, group_keys, reject_conflicting_rows, reject_shared_id_numbers
    from .roster import reject_groups

    birth = card_births(parsed)  # the birth date in a valid 身份证号: none after today, no service before min_age
    not_after_today(parsed, "id_number", birth, "身份证号中的出生日期", "birth date in the ID number")
    span = spans(parsed, birth, min_age, ("身份证号中的出生日期", "the birth date in the ID number"))
    reject_conflicting_rows(parsed, keys, key_field)  # one 编号, two people: not merged into one sum
    reject_groups(parsed, keys, key_field)
    reject_shared_id_numbers(parsed, keys)  # one person under two 编号: not paid twice
    ids, owner = group_keys(keys, ~parsed.rejected)
    n = len(ids)
    rows = np.flatnonzero(~parsed.rejected)
    first_row = first_rows(owner, n)
    stop = span["first"] + span["months"]
    if open_end:  # still in post: no end month
        stop = np.where(parsed.columns["start"].present & ~parsed.columns["end"].present, OPEN_END, stop)
    due = np.full(n, -NEVER_MONTH, dtype=np.int64)
    np.maximum.at(due, owner[rows], span["departure"][rows])
    rows = spans_in_order(owner, span["first"])  # each person's spans together, by start
    span_notices(parsed, owner, span["first"], stop, key_field, rows)
    post_col = parsed.columns["post"]  # a code per distinct post name, then per row
    codes = np.array([service.code(p) if p else MISSING for p in post_col.uniq], dtype=np.int64)[post_col.inverse]
    cols = parsed.columns
    return Beneficiaries(
        ids=ids, names=cols["name"].objects()[first_row], units=cols["unit"].encoded()[first_row],
        columns={"departure": due}, row_owner=owner,
        spans={"owner": owner[rows], "post": codes[rows], "first": span["first"][rows], "stop": stop[rows],
               "row": parsed.table.row_numbers[rows]},
    ), first_row


NEVER_MONTH = 10**9  # a month index beyond any date
OPEN_END = 10_000 * 12  # the stop of a span still running (in post): beyond any period, below MONTH_RANGE


# ---------- paid for each month in post (a monthly programme over posts) ----------

def clip_spans(spans: dict[str, np.ndarray], first: int, stop: int) -> dict[str, np.ndarray]:
    """The spans' months within [first, stop), spans with none left out."""
    a, b = np.maximum(spans["first"], first), np.minimum(spans["stop"], stop)
    keep = b > a
    out = {k: v[keep] for k, v in spans.items()}
    out["first"], out["stop"] = a[keep], b[keep]
    return out


def counted_spans(service, posts: np.ndarray, first: int, stop: int) -> dict[str, np.ndarray]:
    """Counts mode: each entry holds its post (column ``post``) all through [first, stop)."""
    owner = np.flatnonzero(np.asarray([bool(p) for p in posts], dtype=bool))
    return {"owner": owner, "post": np.array([service.code(p) for p in posts[owner]], dtype=np.int64),
            "first": np.full(len(owner), first, dtype=np.int64), "stop": np.full(len(owner), stop, dtype=np.int64),
            "row": np.zeros(len(owner), dtype=np.int64)}


def in_post_by_month(spans: dict[str, np.ndarray], n: int, first: int, stop: int,
                     table: PostTable) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """Per month of [first, stop): each person's pay (fen) at the post credited that month (one
    credit a month, as ``credit_by_month``), and per person whether a month in post has no
    standard although some post has one by then (before any standard begins nothing is due)."""
    begins = min((v.start for std in table if std is not None for v in std.values), default=NEVER_MONTH)
    by_month, gap = {}, np.zeros(n, dtype=bool)
    none = np.zeros(n, dtype=np.int64)
    for month in range(first, stop):
        by_month[month], missing = credited_sums(clip_spans(spans, month, month + 1), n, none, table, False)
        if month >= begins:
            gap |= missing
    return by_month, gap


# ---------- whole years of service: a tenure column, or service spans ----------

def check_tenure(parsed, keys: np.ndarray, key_field: str, tenure_field: str, birth: tuple, min_age: int,
                 until_year: int | None = None, until_rows: np.ndarray | None = None,
                 until_label: tuple[str, str] = ("", "")) -> dict | None:
    """Row checks for whole years of service given as a column (``tenure_field``) or as
    service spans (任职开始/任职结束 rows, several a person). Returns the spans when they
    are the source (no tenure given), else None.

    Spans: a missing start or end, one key naming two people, a person's rows apart are
    rejected. A column: blank is rejected; a row that also has dates saying another tenure
    (beyond a part year either way) is rejected; a tenure longer than the years from
    ``min_age`` to ``until_year`` (service counted up to that year, on ``until_rows``) is
    impossible and rejected."""
    from .people import spans
    from .policy import reject_conflicting_rows
    from .roster import reject_groups

    has_spans = parsed.has("start") or parsed.has("end")
    tenure_given = parsed.has(tenure_field) and parsed.columns[tenure_field].present.any()
    if has_spans and not tenure_given:
        span = spans(parsed, birth, min_age)
        missing = ~span["present"] & ~parsed.rejected
        parsed.reject(np.flatnonzero(missing), "start", "任职开始或任职结束为空", "service start or end missing", "")
        reject_conflicting_rows(parsed, keys, key_field)  # one 编号, two people: not merged
        reject_groups(parsed, keys, key_field)
        return span
    tenure = parsed.columns[tenure_field].ints(missing=-1)
    if has_spans:  # both given: a row whose dates say another tenure cannot be paid by either
        _reject_tenure_against_dates(parsed, tenure, tenure_field)
    blank = (tenure < 0) & ~parsed.rejected
    if has_spans:  # a roster mixing both ways: which one the clerk meant for this row is not ours to guess
        dated = blank & parsed.columns["start"].present & parsed.columns["end"].present
        parsed.reject(np.flatnonzero(dated), tenure_field,
                      "任职年限为空：本表有任职年限列，每行都应填写；或删去该列，全部按任职起止日期计算",
                      "tenure missing: the roster has a tenure column, so every row needs one; or remove the column "
                      "and give service dates for all", "")
        blank &= ~dated
    parsed.reject(np.flatnonzero(blank), tenure_field, "任职年限为空", "tenure missing", "")
    if until_year is not None:
        bound = np.maximum(until_year - birth[0] - min_age, 0)
        bad = (tenure > bound) & (birth[0] > 0) & (True if until_rows is None else until_rows) & ~parsed.rejected
        for pos in np.flatnonzero(bad):
            t, y, b = int(tenure[pos]), int(birth[0][pos]), int(bound[pos])
            parsed.reject([pos], tenure_field, f"任职年限{t}年不合理：{y}年出生，自{min_age}周岁至{until_year}年{until_label[0]}最多{b}年",
                          f"tenure of {t} years is impossible: born {y}, at most {b} years from age {min_age} "
                          f"to {until_year} {until_label[1]}".rstrip())
    return None


def tenure_of(parsed, span: dict | None, owner: np.ndarray, n: int, key_field: str,
              tenure_field: str, per_person) -> np.ndarray:
    """Whole years of service per beneficiary: the column's value, or the months of their
    spans merged (overlapping months once) // 12."""
    from .dates import merge_intervals
    from .people import span_notices

    if span is None:
        return per_person(parsed.columns[tenure_field].ints(missing=-1))
    rows = np.flatnonzero(owner >= 0)
    o, s, e = merge_intervals(owner[rows], span["first"][rows], (span["first"] + span["months"])[rows])
    (months,) = group_sums(o, n, e - s)  # whole months served, in exact integers
    span_notices(parsed, owner, span["first"], span["first"] + span["months"], key_field)
    return months // 12


def _reject_tenure_against_dates(parsed, tenure: np.ndarray, tenure_field: str) -> None:
    """任职年限 and 任职开始/任职结束 on one row must agree (whole years of the span)."""
    from .dates import service_months

    (sy, sm, sd), (ey, em, ed) = parsed.columns["start"].dates(), parsed.columns["end"].dates()
    _, months = service_months(sy, sm, sd, ey, em, ed)
    years = np.asarray(months) // 12
    # a part year may be counted either way (满15年 or 16个年头): only more than that disagrees
    ceiling = years + (np.asarray(months) % 12 > 0)
    both = (tenure >= 0) & (np.asarray(sy) > 0) & (np.asarray(ey) > 0) & ~parsed.rejected
    for pos in np.flatnonzero(both & ((tenure < years) | (tenure > ceiling))):
        parsed.reject([pos], tenure_field,
                      f"任职年限与任职起止日期不一致：任职年限{int(tenure[pos])}年，任职起止{parsed.cell('start', pos)}至"
                      f"{parsed.cell('end', pos)}满{int(years[pos])}年；请核实后只保留正确的一项",
                      f"tenure of {int(tenure[pos])} years disagrees with the service dates "
                      f"({parsed.cell('start', pos)} to {parsed.cell('end', pos)}: {int(years[pos])} whole years)")
