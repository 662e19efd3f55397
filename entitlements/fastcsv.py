"""The fast CSV path: polars reads the file on all cores into dictionary-encoded columns.

It gives exactly the table the careful reader (``reading.build_table``) gives, or None
when it cannot promise that: not UTF-8, a cell spanning lines (row numbers would drift
from Excel's), more cells than the header, an empty body. Text is normalised once per
distinct value: ASCII by stripping in polars, the rest through ``normalise_cell``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from attrs import frozen

from .columns import Encoded
from .fields import Field, normalise_cell, normalise_header
from .reading import FOOTER_FIRST_CHARACTERS, HEADER_SEARCH_ROWS, _column_letter, _row_label, find_header, skip_reason
from .roster import InputError, Notice, Table, make_table

ASCII_SPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # what str.strip() removes from ASCII text
HEAD_BYTES = 1 << 16
CHUNK = 1 << 24


@frozen
class Layout:
    """Where a CSV roster's data starts and what its header says."""

    header: list[str]  # normalised, without empty trailing headers
    fields_in_header: int  # cells on the header line, empty trailing ones included
    start: int  # physical lines before the first data line (titles, header, blank lines)
    titles: list[Notice]  # the title rows above the header, reported
    parsed: frozenset[int] = frozenset()  # columns parsed one distinct value at a time (dates, numbers)

    def schema(self):
        import polars as pl

        return {f"c{j}": pl.String for j in range(self.fields_in_header)}


def csv_layout(path: Path, fields: Sequence[Field]) -> Layout | None:
    """Header and data start of a UTF-8 CSV, or None if the careful reader must take it."""
    head = _head_rows(path)
    if head is None:
        return None
    if not head:
        raise InputError(f"文件为空 empty roster: {path}")
    h = find_header(head, fields) if fields else 0
    header_line, header_cells = head[h]
    header = [normalise_cell(c) for c in header_cells]
    while header and not header[-1]:
        header.pop()
    if not header:
        return None
    titles = [Notice(n, "", _row_label([normalise_cell(c) for c in cells])[:40], "表头以上的标题行，已跳过",
                     "title row above the header, skipped") for n, cells in head[:h]]
    # polars takes the number of columns from the first line it reads: start at a full one
    start = header_line + _blank_lines_after(path, header_line)
    # ID numbers are read in bulk, so a column of them, like an untyped one, need not be deduplicated
    typed = {normalise_header(h) for f in fields if f.kind not in ("text", "id_number") for h in f.headers()}
    parsed = frozenset(j for j, h in enumerate(header) if normalise_header(h) in typed)
    return Layout(header, len(header_cells), start, titles, parsed)


def read_csv_columns(path: Path, fields: Sequence[Field]) -> Table | None:
    import polars as pl

    layout = csv_layout(path, fields)
    if layout is None:
        return None
    try:  # as many columns as the header line: a row with more cells makes polars refuse
        df = pl.read_csv(path, has_header=False, skip_lines=layout.start, encoding="utf8", quote_char='"',
                         schema=layout.schema())
    except (pl.exceptions.PolarsError, OSError, ValueError):
        return None  # not UTF-8, more cells than the header, no data: the careful reader says what is wrong
    if df.height != _line_count(path) - layout.start:
        return None  # a quoted cell spans lines: row numbers would not be Excel's
    table = frame_table(df, layout, layout.start + 1, str(path))
    if table is not None:
        table.skipped[:0] = layout.titles
    return table


def frame_table(df, layout: Layout, first_line: int, origin: str) -> Table | None:
    """A frame of data lines (the first at physical line ``first_line``) as a table."""
    header = layout.header
    width = len(header)
    if layout.fields_in_header > width:  # columns under empty trailing headers must be empty
        extra = df.select(df.columns[width:]).fill_null("")
        if any((col.str.strip_chars() != "").any() for col in extra.iter_columns()):
            return None  # the careful reader rejects those rows as shifted
        df = df.select(df.columns[:width])
    blank_column = (Encoded(np.zeros(df.height, np.uint32), np.array([""], dtype=object)),
                    np.array([True]), np.array([False]))
    encoded = [_encode(df.to_series(j), j not in layout.parsed) if j < df.width else blank_column
               for j in range(width)]
    del df  # the encoded columns hold everything now
    columns = [col for col, _, _ in encoded]
    lines = np.arange(first_line, first_line + len(columns[0]), dtype=np.int64)
    keep, skipped = _skip_rows(encoded, lines)
    table = make_table(header, [], [], origin)
    table.cells = {hd: col[keep] for hd, col in zip(table.headers, columns) if hd}
    table.row_numbers = lines[keep]
    table.skipped.extend(sorted(skipped, key=lambda nt: nt.row))
    for j, (col, empty, _) in enumerate(encoded):
        if not header[j]:
            filled = np.flatnonzero(~empty[col.codes] & keep)
            if filled.size:
                letter = _column_letter(j)
                table.skipped.append(Notice(int(lines[filled[0]]), letter, "", f"第{letter}列没有表头，其内容已忽略",
                                            f"column {letter} has no header; its cells are ignored"))
    return table


def _head_rows(path: Path) -> list[tuple[int, list[str]]] | None:
    """The first non-empty rows with their physical line numbers, or None if not UTF-8."""
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    cut = head.rfind(b"\n")
    head = head if cut < 0 else head[: cut + 1]
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        cells = next(csv.reader(io.StringIO(line)), [])
        if any(c.strip() for c in cells):
            rows.append((n, cells))
        if len(rows) >= HEADER_SEARCH_ROWS:
            break
    return rows


def _blank_lines_after(path: Path, line: int) -> int:
    """How many blank lines follow physical line ``line`` (within the first HEAD_BYTES)."""
    with path.open("rb") as fh:
        lines = fh.read(HEAD_BYTES).split(b"\n")[line:-1]
    count = 0
    for raw in lines:
        if raw.strip(b"\r\t ,"):
            break
        count += 1
    return count


def _line_count(path: Path) -> int:
    count, last = 0, b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


SAMPLE_ROWS = 4096
MOSTLY_DISTINCT = 4  # a sample with over a quarter distinct texts


def _encode(series, as_text: bool = False) -> tuple[Encoded, np.ndarray, np.ndarray]:
    """Codes into the distinct raw texts, each normalised once; per value, whether it is
    empty and whether it may open a total or footer row.

    ``as_text``: the column is not parsed value by value (ids, names, units, ID numbers),
    so a column of mostly distinct texts may keep an entry per cell."""
    s = series.fill_null("")
    head = s.head(SAMPLE_ROWS)
    if as_text and len(s) > SAMPLE_ROWS and head.n_unique() * MOSTLY_DISTINCT > len(head):
        # an id or name column (a person's few rows at most repeat a text): each cell is its
        # own entry (values may then repeat), since finding the repeats would hash millions of texts
        distinct = s
        codes = np.arange(len(s), dtype=np.uint32)
    else:  # a hash join, not a sort: a few hundred dates or units over millions of rows
        distinct = s.unique(maintain_order=True)
        index = distinct.to_frame("v").with_row_index("code")
        codes = s.to_frame("v").join(index, on="v", how="left", maintain_order="left")["code"].to_numpy()
    stripped = distinct.str.strip_chars(ASCII_SPACE)
    values = np.array(stripped.to_list() + [None], dtype=object)[:-1]  # an object array of str
    empty = (stripped == "").to_numpy()
    suspect = (stripped.str.contains("计", literal=True)
               | stripped.str.slice(0, 1).is_in(list(FOOTER_FIRST_CHARACTERS))).to_numpy()
    for k in np.flatnonzero(~distinct.str.contains(r"^[\x00-\x7F]*$").to_numpy()):  # NFKC for the rest
        text = normalise_cell(distinct[int(k)])
        values[k], empty[k] = text, text == ""
        suspect[k] = "计" in text or text[:1] in FOOTER_FIRST_CHARACTERS
    return Encoded(codes, values), empty, suspect


def _skip_rows(encoded, lines: np.ndarray) -> tuple[np.ndarray, list[Notice]]:
    """Blank lines dropped; 合计/小计 rows and 填表人 footers skipped and reported."""
    columns = [col for col, _, _ in encoded]
    blank = np.ones(len(lines), dtype=bool)
    # candidates: a first non-empty cell with 计 (合计, 小计 …) or that may open a footer
    suspect = np.zeros(len(lines), dtype=bool)
    for col, empty, marks in encoded:
        is_empty = empty[col.codes]
        suspect |= marks[col.codes] & blank & ~is_empty
        blank &= is_empty
    keep = ~blank
    skipped = []
    for pos in np.flatnonzero(suspect):
        label, why = skip_reason(next((col[pos] for col in columns if col[pos] != ""), ""))
        if why is not None:
            keep[pos] = False
            skipped.append(Notice(int(lines[pos]), "", label[:40], *why))
    return keep, skipped
