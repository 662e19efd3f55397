"""Rosters larger than memory: a CSV computed batch by batch, totals only (``--summary``).

Each batch of lines becomes a table and runs through the same checks and formulas as a
whole roster; the totals of the batches add up exactly (integer fen). What a batch cannot
see on its own is kept small across batches:

- duplicate keys across batches: a 64-bit hash of every accepted key with its row, in a
  few sorted runs (12 bytes a beneficiary, merged by position as they double);
- a person's service rows (span rosters) must lie together: a batch ends after the last
  row of a person, and rows of a person met again later are rejected and named;
- a fixed-total split shares one sum over the whole programme, so it cannot stream.

Rejects and notices are kept up to MAX_KEPT each; beyond that they are counted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .fields import normalise_header
from .policy import first_rows, key_texts, keys_for
from .fastcsv import LINE_END_BYTES, Layout, csv_layout, frame_table
from .reading import check_roster_path
from .contract import run_json
from .ledger import Ledger
from .roster import InputError, Reject
from .standards import year_months

if TYPE_CHECKING:
    from .calculator import Calculator

MAX_KEPT = 100_000


def stream_summary(calc: Calculator, path: str | Path, year: int, batch_rows: int = 1_000_000,
                   lang: str = "zh", **options: Any) -> dict[str, Any]:
    """The JSON contract's summary (no ``beneficiaries``) of a CSV roster read in batches."""
    import polars as pl

    path = Path(path)
    check_roster_path(path)
    _refuse_fixed_totals(calc, year)
    _refuse_budget_cut(calc, year, options)
    layout = csv_layout(path, calc.fields)
    if layout is None:
        raise InputError(f"分批计算需要 UTF-8 编码、带表头的 CSV 文件 (batches need a UTF-8 CSV with a header): {path}")
    totals = _Totals(calc, lang)
    totals.notices.extend(layout.titles)
    seen = _SeenKeys()
    key_names = {normalise_header(h) for name in calc.policy.key_fields for h in calc.policy.field(name).headers()}
    key_column = next((j for j, h in enumerate(layout.header) if normalise_header(h) in key_names), 0)
    for first_line, chunk, lines in _batches(path, layout, batch_rows, key_column):
        try:
            # polars counts the columns on the first line: a full line of empty cells leads, so a
            # short row opening a batch (a CR inside a cell ends its line) reads as it does whole
            lead = b"," * (layout.fields_in_header - 1) + b"\n"
            df = pl.read_csv(io.BytesIO(lead + chunk), has_header=False, encoding="utf8", quote_char='"',
                             schema=layout.schema()).slice(1)
        except pl.exceptions.PolarsError:
            df = None
        if df is None or df.height != lines:
            # polars refuses a quote inside a cell ("李"桂英, 李"桂英) that Python's csv module, and
            # so the whole-file reader, accepts: the batch is read that way, line for line
            df = _python_frame(chunk, lines, layout)
        if df is None:
            _refuse_open_quote(path, chunk, first_line)
            raise InputError(f"{path}: 第{first_line}行起的一批无法分批读取（单元格跨行、多于表头的单元格或编码问题）；"
                             f"请不用 --batch-rows 重新计算以查看逐行原因 (the batch from line {first_line} cannot be "
                             f"read on its own: a cell spanning lines, more cells than the header, or the encoding; "
                             f"run without --batch-rows for the details)")
        table = frame_table(df, layout, first_line, str(path))
        if table is None:
            raise InputError(f"{path}: 第{first_line}行起有行的单元格多于表头；请不用 --batch-rows 重新计算以查看逐行原因 "
                             f"(rows with more cells than the header; run without --batch-rows for the details)")
        del df
        result = calc.compute_roster(table, year, **options)
        totals.add(result, seen)
    return totals.summary(year)


def _python_frame(chunk: bytes, lines: int, layout: Layout):
    """The batch read by Python's csv module, as the whole-file reader reads it, or None
    where it is not one record a line, has more cells than the header, or is not UTF-8."""
    import polars as pl

    try:
        text = chunk.decode("utf-8")
    except UnicodeDecodeError:
        return None
    reader = csv.reader(io.StringIO(text))
    records = []
    for cells in reader:
        if (reader.line_num != len(records) + 1 or len(cells) > layout.fields_in_header
                or any("\n" in c for c in cells)):
            return None  # a cell spanning lines (a quote left open), or more cells than the header
        records.append(cells + [""] * (layout.fields_in_header - len(cells)))
    if len(records) != lines:
        return None
    columns = list(zip(*records)) if records else [()] * layout.fields_in_header
    return pl.DataFrame({f"c{j}": list(col) for j, col in enumerate(columns)}, schema=layout.schema())


def _refuse_open_quote(path: Path, chunk: bytes, first_line: int) -> None:
    """A line with an odd number of quotes opens a quoted cell that runs on: name the first."""
    for k, line in enumerate(chunk.split(b"\n")):
        if line.count(b'"') % 2:
            n = first_line + k
            raise InputError(f"{path}: 第{n}行有未闭合的引号（或跨行的单元格），无法分批计算；请检查该行的双引号 "
                             f"(an unclosed quote, or a cell spanning lines, on line {n}: check its double quotes)")


def _refuse_fixed_totals(calc: Calculator, year: int) -> None:
    first, stop = year_months(year)
    for std in calc.policy.splits_in_force(calc.data, first) + calc.policy.splits_in_force(calc.data, stop - 1):
        for v in std.values:
            if v.value.rule == "fixed_total" and v.start < stop:
                raise InputError(f"{std.path} 为定额分担，需按整个项目一次计算，不能分批 "
                                 f"(a fixed-total split shares one sum over the whole roster: run without --batch-rows)")


def _refuse_budget_cut(calc: Calculator, year: int, options: dict[str, Any]) -> None:
    """A programme budget is shared over the whole roster (rules.Cut): each batch would be cut to
    all of it."""
    cut = getattr(calc.policy, "cut", None)
    if cut is not None and calc.policy.has_budget(calc.data, year_months(year)[0], options):
        raise InputError(f"{cut.label[0]}按整个项目按比例削减，需一次计算整个花名册，不能分批 "
                         f"(a {cut.label[1]} is shared over the whole roster: run without --batch-rows)")


def _batches(path: Path, layout: Layout, batch_rows: int, key_column: int) -> Iterator[tuple[int, bytes, int]]:
    """(first physical line, bytes of the batch, lines in it); a batch ends after the last
    line of a key (the text in ``key_column``), so a person's adjacent rows stay together.
    Lines end at CRLF, LF or a bare CR, as for the whole roster; each is given to polars with LF."""
    with path.open("rb") as fh:
        source = _without_eof_mark(_lines(fh))
        for _ in range(layout.start):
            next(source, None)
        line_no = layout.start
        carry: list[bytes] = []
        while True:
            lines, carry = carry, []
            while len(lines) < batch_rows and (raw := next(source, None)) is not None:
                lines.append(raw)
            last_key = _cell(lines[-1], key_column) if lines else b""
            while last_key and (raw := next(source, None)) is not None:  # the last person's further rows join
                if _cell(raw, key_column) != last_key:
                    carry = [raw]
                    break
                lines.append(raw)
            if not lines:
                return
            while lines and not lines[0].strip(b"\r\n\t ,"):  # polars counts columns on the first line
                lines.pop(0)
                line_no += 1
            if lines:
                yield line_no + 1, b"".join(lines), len(lines)
            line_no += len(lines)


def _lines(fh, size: int = 1 << 20) -> Iterator[bytes]:
    """The file's lines, each ending in LF whatever ended it (CRLF, LF, a bare CR)."""
    rest = b""
    while True:
        data = fh.read(size)
        if not data:
            parts = LINE_END_BYTES.split(rest)
            yield from (p + b"\n" for p in parts[:-1])
            if parts[-1]:
                yield parts[-1] + b"\n"
            return
        data = rest + data
        held = data.endswith(b"\r")  # a CR last may be the first half of a CRLF
        parts = LINE_END_BYTES.split(data[:-1] if held else data)
        rest = parts[-1] + (b"\r" if held else b"")
        yield from (p + b"\n" for p in parts[:-1])


def _without_eof_mark(lines: Iterator[bytes]) -> Iterator[bytes]:
    """The lines, the last without a DOS end-of-file mark (Ctrl-Z), and dropped if it was
    only that mark, as the careful reader reads the file."""
    last = next(lines, None)
    for line in lines:
        yield last
        last = line
    if last is not None:
        body = last.rstrip(b"\r\n")
        if body.endswith(b"\x1a"):
            body = body.rstrip(b"\x1a")
            if not body:
                return
            last = body + b"\n"
        yield last


def _cell(line: bytes, column: int) -> bytes:
    """A cell of a raw line, split naively: it only decides where a batch ends."""
    cells = line.split(b",")
    return cells[column].strip(b'\r\n\t "') if column < len(cells) else b""


class _SeenKeys:
    """Hashes of the keys accepted so far, with their rows: a few sorted runs, merged as
    they grow (each run at least twice the next), so a lookup is a handful of searches."""

    def __init__(self) -> None:
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []  # (sorted hashes, rows)

    def find(self, hashes: np.ndarray) -> np.ndarray:
        """Row of an earlier key with the same hash, or 0."""
        found = np.zeros(len(hashes), dtype=np.int64)
        for keys, rows in self.runs:
            at = np.minimum(np.searchsorted(keys, hashes), len(keys) - 1)
            hit = keys[at] == hashes
            found = np.where(hit & (found == 0), rows[at], found)
        return found

    def add(self, hashes: np.ndarray, rows: np.ndarray) -> None:
        if not len(hashes):
            return
        order = np.argsort(hashes, kind="stable")
        run = (hashes[order], rows[order].astype(np.int32))  # row numbers fit 31 bits
        while self.runs and len(self.runs[-1][0]) <= 2 * len(run[0]):
            run = _merge(self.runs.pop(), run)
        self.runs.append(run)


def _merge(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted runs as one, placed by position: no sort, no index array of the whole."""
    at = np.searchsorted(a[0], b[0], side="right") + np.arange(len(b[0]))  # b's places in the result
    keys = np.empty(len(a[0]) + len(b[0]), dtype=a[0].dtype)
    rows = np.empty(len(keys), dtype=np.int32)
    from_a = np.ones(len(keys), dtype=bool)
    from_a[at] = False
    keys[at], rows[at] = b
    keys[from_a], rows[from_a] = a
    return keys, rows


def _hashes(keys: np.ndarray) -> np.ndarray:
    import polars as pl

    return pl.Series(keys.astype(str), dtype=pl.String).hash(seed=0).to_numpy().view(np.int64)


def _pair_hashes(numbers: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each (身份证号, key) pair."""
    import polars as pl

    frame = pl.DataFrame({"n": pl.Series(numbers.astype(str), dtype=pl.String),
                          "k": pl.Series(keys.astype(str), dtype=pl.String)})
    return frame.hash_rows(seed=0).to_numpy().view(np.int64)


class _Totals:
    def __init__(self, calc: Calculator, lang: str):
        self.calc, self.lang = calc, lang
        self.ledger = Ledger.empty()  # the sum of the batches' ledgers
        self.read = 0
        self.rejected_rows = 0
        self.rejects: list[Reject] = []
        self.notices: list = []
        self.more_rejects = 0
        self.more_notices = 0
        # 身份证号 met so far: every readable one, with its key, those of beneficiaries counted,
        # and those met under two keys
        self.numbers, self.pairs, self.counted, self.multi = _SeenKeys(), _SeenKeys(), _SeenKeys(), _SeenKeys()
        # a text fallback key (an organisation's name where it has no id): the names of rows
        # accepted so far, and of those accepted without the primary key
        self.names, self.nameless = _SeenKeys(), _SeenKeys()
        self.rejected_keys = _SeenKeys()  # keys of rows rejected so far: a later row under one is a duplicate

    def add(self, result, seen: _SeenKeys) -> None:
        comp = result.computation
        who = comp.who
        amounts = comp.amounts()
        keep = np.ones(len(who), dtype=bool)
        rejects = list(result.rejects)
        if len(who):  # a key met in an earlier batch: a duplicate, or a person's rows apart
            hashes = _hashes(np.asarray(who.ids, dtype=object))
            earlier = seen.find(hashes)
            owner = who.row_owner
            rows = np.flatnonzero(owner >= 0)
            first_row_numbers = result.parsed.table.row_numbers[first_rows(owner, len(who))]
            keep = earlier == 0
            for pos in rows[~keep[owner[rows]]]:  # every row of a beneficiary met before
                i = owner[pos]
                column, what = self._key_of_row(result.parsed, pos)
                rejects.append(Reject(int(result.parsed.table.row_numbers[pos]), column, str(who.ids[i]),
                                      f"{what}重复，与第{earlier[i]}行相同（分批计算时同一人的各行须相邻）",
                                      f"duplicate id, same as row {earlier[i]} (in batches a person's rows must be adjacent)"))
            seen.add(hashes[keep], first_row_numbers[keep])
        keep = self._check_after_rejected(result, keep, rejects)
        keep = self._check_id_numbers(result, keep, rejects)  # a batch of rejected rows too: their numbers count
        keep = self._check_fallback_names(result, keep, rejects)
        self.read += result.rows_read
        self.rejected_rows += len({r.row for r in rejects})
        self._keep(rejects, self.rejects, "more_rejects")
        notices = [n for n in result.notices if n.row is not None or not self.read - result.rows_read]
        self._keep(notices, self.notices, "more_notices")  # a header notice once, not once per batch
        self.ledger = self.ledger + Ledger.of(comp, keep, amounts)

    def _check_after_rejected(self, result, keep: np.ndarray, rejects: list) -> np.ndarray:
        """A key whose first row was rejected in an earlier batch: the whole roster rejects every
        later row under it as a duplicate (policy.reject_duplicates), so a beneficiary of this
        batch under it is rejected too. Returns ``keep`` with such beneficiaries dropped."""
        parsed, who = result.parsed, result.computation.who
        if parsed is None:
            return keep
        line = parsed.table.row_numbers
        if len(who) and self.rejected_keys.runs:
            earlier = self.rejected_keys.find(_hashes(np.asarray(who.ids, dtype=object)))
            owner = who.row_owner
            for pos in np.flatnonzero(owner >= 0):
                i = owner[pos]
                if keep[i] and earlier[i]:
                    rejects.append(Reject(int(line[pos]), "编号", str(who.ids[i]),
                                          f"编号重复，与第{earlier[i]}行相同（第{earlier[i]}行已被拒收：改正后只保留一行）",
                                          f"duplicate id, same as row {earlier[i]} (row {earlier[i]} is rejected: "
                                          "fix it and keep one row)"))
            keep = keep & (earlier == 0)
        bad = np.flatnonzero(parsed.rejected)
        keys = keys_for(parsed, self.calc.policy.key_fields)[bad]
        filled = keys != ""
        self.rejected_keys.add(_hashes(keys[filled]), line[bad][filled])
        return keep

    def _check_id_numbers(self, result, keep: np.ndarray, rejects: list) -> np.ndarray:
        """One 身份证号 under two beneficiaries in different batches (SPEC §7). The whole
        roster rejects every row involved; here an earlier beneficiary that was counted
        cannot be taken back, so the run stops (exit 2); when the earlier rows were rejected
        anyway, this batch's beneficiary is rejected, as the whole roster would. Returns
        ``keep`` with such beneficiaries dropped."""
        parsed = result.parsed
        if not parsed.has("id_number"):
            return keep
        idc = parsed.columns["id_number"]
        numbers = idc.uniq[idc.inverse]
        rows = np.flatnonzero(idc.present & np.not_equal(numbers, None))  # as the whole roster: every readable number
        if not len(rows):
            return keep
        keys = keys_for(parsed, self.calc.policy.key_fields)
        number_hash = _hashes(numbers[rows])
        pair_hash = _pair_hashes(numbers[rows], keys[rows])
        # met under another key: a number seen with a key other than this row's, or already with two keys
        other = ((self.numbers.find(number_hash) > 0) & (self.pairs.find(pair_hash) == 0)) | (self.multi.find(number_hash) > 0)
        counted = self.counted.find(number_hash)
        line = parsed.table.row_numbers
        if (other & (counted > 0)).any():
            k = int(np.flatnonzero(other & (counted > 0))[0])
            row, first = int(line[rows[k]]), int(counted[k])
            raise InputError(f"第{row}行的身份证号与第{first}行相同（编号不同），同一人不能重复发放；分批计算时"
                             f"第{first}行已计入合计，无法撤回：请核实更正后重新计算，或不用 --batch-rows 计算以列出所有此类行 "
                             f"(row {row} has the ID number of row {first} under another id: in batches the "
                             f"earlier row is already counted; correct the roster, or run without --batch-rows to list them all)")
        who = result.computation.who
        owner = who.row_owner
        seen_at = self.numbers.find(number_hash)
        earlier = np.where(seen_at > 0, seen_at, self.multi.find(number_hash))
        # beneficiaries whose key carries such a number on any row (a rejected one too) -> an earlier row
        tainted: dict[str, int] = {}
        for k in np.flatnonzero(other):
            tainted.setdefault(str(keys[rows[k]]), int(earlier[k]))
        hit = np.flatnonzero(keep & np.isin(who.ids.astype(str), list(tainted))) if tainted else []
        dropped = {int(i): tainted[str(who.ids[i])] for i in hit}
        if dropped:
            keep = keep.copy()
            for pos in np.flatnonzero(np.isin(owner, list(dropped))):
                first = dropped[int(owner[pos])]
                rejects.append(Reject(int(line[pos]), parsed.headers.get("id_number", "身份证号"), parsed.cell("id_number", pos),
                                      f"身份证号与第{first}行相同，同一人不能重复发放，各行均不计算，请核实",
                                      f"same ID number as row {first}: one person cannot be paid twice; none of "
                                      f"these rows is computed"))
            keep[list(dropped)] = False
        pairs = np.unique(np.stack([number_hash, pair_hash], axis=1), axis=0)[:, 0]  # distinct (number, key)
        within = np.isin(number_hash, pairs[1:][pairs[1:] == pairs[:-1]])  # two keys in this batch
        self.multi.add(number_hash[other | within], line[rows][other | within])
        self.numbers.add(number_hash, line[rows])
        self.pairs.add(pair_hash, line[rows])
        # every number under a counted key, a rejected row's too: the whole roster would reject that key for it
        paid = np.isin(keys[rows], result.computation.who.ids[keep])
        self.counted.add(number_hash[paid], line[rows][paid])
        return keep

    def _key_of_row(self, parsed, pos: int) -> tuple[str, str]:
        """The roster's header of the key a row is known by (the first of the keys it fills in),
        and the key's name (编号, 身份证号, 名称)."""
        for f in self.calc.policy.key_fields:
            if parsed.has(f) and parsed.columns[f].present[pos]:
                return parsed.headers[f], self.calc.policy.field(f).header
        return "编号", "编号"

    def _check_fallback_names(self, result, keep: np.ndarray, rejects: list) -> np.ndarray:
        """A row without its primary key is known by a text fallback (an organisation without
        组织编号 by its 组织名称); the whole roster rejects it when another row bears that text.
        Across batches: such a row meeting an earlier row's text is rejected; an earlier such
        row already counted, met by a later row's text, stops the run (exit 2)."""
        key_fields = self.calc.policy.key_fields
        if len(key_fields) < 2:
            return keep
        parsed = result.parsed
        fallback = key_fields[-1]  # the ids before it (编号, 身份证号): any the roster has
        ids = [f for f in key_fields[:-1] if parsed.has(f)]
        if self.calc.policy.field(fallback).kind != "text" or not (ids and parsed.has(fallback)):
            return keep  # an ID-number fallback is checked by _check_id_numbers
        owner = result.computation.who.row_owner
        rows = np.flatnonzero((owner >= 0) & parsed.columns[fallback].present)
        if not len(rows):
            return keep
        rows = rows[keep[owner[rows]]]
        names = parsed.columns[fallback]
        texts = key_texts(names.uniq)[names.inverse[rows]]  # as keys compare: 王 五 is 王五
        without = ~np.logical_or.reduce([parsed.columns[f].present[rows] for f in ids])
        primary, id_header = "/".join(ids), "、".join(parsed.headers[f] for f in ids)  # named in the messages
        hashes = _hashes(texts)
        line = parsed.table.row_numbers
        met = self.nameless.find(hashes)
        if ((met > 0) & ~without).any():  # an earlier row known by this text is counted already
            k = int(np.flatnonzero((met > 0) & ~without)[0])
            raise InputError(f"第{met[k]}行未填{id_header}，其{parsed.headers[fallback]}与第{line[rows[k]]}行相同；"
                             f"分批计算时第{met[k]}行已计入合计，无法撤回：请核实更正后重新计算，或不用 --batch-rows 计算 "
                             f"(row {met[k]} has no {primary} and the {fallback} of row {line[rows[k]]}: in batches it is "
                             f"already counted; correct the roster, or run without --batch-rows)")
        earlier = self.names.find(hashes)
        clash = without & (earlier > 0)
        if clash.any():
            keep = keep.copy()
            for k in np.flatnonzero(clash):
                pos, row = int(rows[k]), int(earlier[k])
                rejects.append(Reject(int(line[pos]), parsed.headers[fallback], str(texts[k]),
                                      f"{parsed.headers[fallback]}与第{row}行相同且未填{id_header}，无法区分，不能重复发放",
                                      f"same {fallback} as row {row} and no {primary}: cannot tell them apart, not paid twice"))
                keep[owner[pos]] = False
        ok = ~clash
        self.names.add(hashes[ok], line[rows][ok])
        self.nameless.add(hashes[ok & without], line[rows][ok & without])
        return keep

    def _keep(self, items, store: list, overflow: str) -> None:
        room = MAX_KEPT - len(store)
        store.extend(items[:max(room, 0)])
        setattr(self, overflow, getattr(self, overflow) + max(len(items) - max(room, 0), 0))

    def summary(self, year: int) -> dict[str, Any]:
        truncated = {"rejects": self.more_rejects, "notices": self.more_notices}
        return run_json(self.calc.policy.id, self.calc.profile.id, year, "roster", self.ledger,
                        sorted(self.rejects, key=lambda r: r.row), self.notices, (self.read, self.rejected_rows),
                        self.lang, truncated=truncated if any(truncated.values()) else None)
