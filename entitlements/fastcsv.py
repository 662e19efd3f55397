"""The fast CSV path: polars reads the file on all cores into dictionary-encoded columns.

It gives exactly the table the careful reader (``reading.build_table``) gives, or None
when it cannot promise that: not UTF-8, a cell spanning lines (row numbers would drift
from Excel's), more cells than the header, an empty body. Text is normalised once per
distinct value: ASCII by stripping in polars, the rest through ``normalise_cell``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from attrs import frozen

from .columns import Encoded
from .fields import Field, normalise_cell, normalise_header
from .reading import (FOOTER_FIRST_CHARACTERS, HEADER_SEARCH_ROWS, EXCEL_ERRORS, _column_letter, _row_label,
                      clean_header, data_columns, error_literal, error_reason, find_header, skip_reason)
from .roster import InputError, Notice, Table, make_table

ASCII_SPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # what str.strip() removes from ASCII text
HEAD_BYTES = 1 << 16
CHUNK = 1 << 24
LINE_END = re.compile(r"\r\n|\r|\n")  # as Excel reads a CSV: CRLF, LF or a bare CR (old Mac files)
LINE_END_BYTES = re.compile(rb"\r\n|\r|\n")
# a whole cell that is an Excel error value, as polars matches it (ASCII; other texts are checked one by one)
ERROR_PATTERN = "(?i)^(?:" + "|".join(re.escape(e) for e in sorted(EXCEL_ERRORS)) + r"|ERR:\d{3})$"


@frozen
class Layout:
    """Where a CSV roster's data starts and what its header says."""

    header: list[str]  # normalised, without empty trailing headers
    fields_in_header: int  # cells on the header line, empty trailing ones included
    start: int  # physical lines before the first data line (titles, header, blank lines)
    titles: list[Notice]  # the title rows above the header, reported
    parsed: frozenset[int] = frozenset()  # columns parsed one distinct value at a time (dates, numbers)
    known: Mapping[int, str] = {}  # columns naming a field, where a beneficiary's data lies -> their role (data_columns)

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
    h = find_header(head, fields, str(path)) if fields else 0
    header_line, header_cells = head[h]
    header = [clean_header(c) for c in header_cells]
    if not any(header):
        return None
    titles = [Notice(n, "", _row_label([normalise_cell(c) for c in cells])[:40], "表头以上的标题行，已跳过",
                     "title row above the header, skipped") for n, cells in head[:h]]
    # polars takes the number of columns from the first line it reads: start at a full one
    start = header_line + _blank_lines_after(path, header_line)
    # ID numbers are read in bulk, so a column of them, like an untyped one, need not be deduplicated
    typed = {normalise_header(h) for f in fields if f.kind not in ("text", "id_number") for h in f.headers()}
    parsed = frozenset(j for j, h in enumerate(header) if normalise_header(h) in typed)
    return Layout(header, len(header_cells), start, titles, parsed, data_columns(header, fields))


def read_csv_columns(path: Path, fields: Sequence[Field]) -> Table | None:
    import polars as pl

    try:
        layout = csv_layout(path, fields)
    except InputError:
        return None  # no header among the first lines: the careful reader says where it is
    if layout is None:
        return None
    lines, bare_cr = _line_count(path)
    if bare_cr or _ends_with_eof_mark(path):
        return None  # a bare CR (a line end polars does not know) or a DOS EOF mark: the careful reader
    try:  # as many columns as the header line: a row with more cells makes polars refuse
        df = pl.read_csv(path, has_header=False, skip_lines=layout.start, encoding="utf8", quote_char='"',
                         schema=layout.schema())
    except (pl.exceptions.PolarsError, OSError, ValueError):
        return None  # not UTF-8, more cells than the header, no data: the careful reader says what is wrong
    if df.height != lines - layout.start:
        return None  # a quoted cell spans lines (or a quote is unclosed): row numbers would not be Excel's
    table = frame_table(df, layout, layout.start + 1, str(path))
    if table is not None:
        table.skipped[:0] = layout.titles
    return table


def frame_table(df, layout: Layout, first_line: int, origin: str) -> Table | None:
    """A frame of data lines (the first at physical line ``first_line``) as a table."""
    header = layout.header  # every cell of the header line, a blank one too (data under it: a notice)
    width = len(header)
    blank_column = (Encoded(np.zeros(df.height, np.uint32), np.array([""], dtype=object)),
                    np.array([True]), np.array([False]), np.array([False]))
    encoded = [_encode(df.to_series(j), j not in layout.parsed) if j < df.width else blank_column
               for j in range(width)]
    del df  # the encoded columns hold everything now
    columns = [col for col, _, _, _ in encoded]
    lines = np.arange(first_line, first_line + len(columns[0]), dtype=np.int64)
    keep, skipped = _skip_rows(encoded, lines, layout.known)
    table = make_table(header, [], [], origin)
    table.cells = {hd: col[keep] for hd, col in zip(table.headers, columns) if hd}
    table.row_numbers = lines[keep]
    table.skipped.extend(sorted(skipped, key=lambda nt: nt.row))
    new_pos = np.cumsum(keep) - 1
    for j, (col, _, _, faults) in enumerate(encoded):  # Excel error values exported as text (#N/A)
        if header[j] and faults.any():
            at = np.flatnonzero(faults[col.codes] & keep)
            table.cell_errors[table.headers[j]] = {
                int(new_pos[pos]): error_reason(error_literal(col.values[col.codes[pos]])) for pos in at}
    for j, (col, empty, _, _) in enumerate(encoded):
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
    cut = max(head.rfind(b"\n"), head.rfind(b"\r", 0, len(head) - 1))  # a CR last may open a CRLF
    head = head if cut < 0 else head[: cut + 1]
    if cut < 0 or not head.endswith((b"\n", b"\r")):
        head += b"\n"
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    rows = []
    for n, line in enumerate(LINE_END.split(text)[:-1] if text else [], start=1):
        cells = next(csv.reader(io.StringIO(line)), [])
        if any(c.strip() for c in cells):
            rows.append((n, cells))
        if len(rows) >= HEADER_SEARCH_ROWS:
            break
    return rows


def _blank_lines_after(path: Path, line: int) -> int:
    """How many blank lines follow physical line ``line`` (within the first HEAD_BYTES)."""
    with path.open("rb") as fh:
        lines = LINE_END_BYTES.split(fh.read(HEAD_BYTES))[line:-1]
    count = 0
    for raw in lines:
        if raw.strip(b"\r\t ,"):
            break
        count += 1
    return count


def _ends_with_eof_mark(path: Path) -> bool:
    """Whether the file ends with a DOS end-of-file mark (Ctrl-Z), maybe followed by a line end."""
    with path.open("rb") as fh:
        fh.seek(max(0, path.stat().st_size - 8))
        return fh.read().rstrip(b"\r\n").endswith(b"\x1a")


def _line_count(path: Path) -> tuple[int, bool]:
    """Lines of the file (LF-ended, a last one without its LF too), and whether a bare CR
    (a line end polars does not know) occurs."""
    count, last, bare, cr_last = 0, b"\n", False, False
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            count += chunk.count(b"\n")
            if cr_last and chunk[:1] != b"\n":
                bare = True
            cr_last = chunk.endswith(b"\r")  # its LF, if any, opens the next chunk
            inner = chunk[:-1] if cr_last else chunk
            if not bare and inner.count(b"\r") != inner.count(b"\r\n"):
                bare = True
            last = chunk[-1:]
    return count + (last != b"\n"), bare or cr_last


SAMPLE_ROWS = 4096
MOSTLY_DISTINCT = 4  # a sample with over a quarter distinct texts


def _encode(series, as_text: bool = False) -> tuple[Encoded, np.ndarray, np.ndarray, np.ndarray]:
    """Codes into the distinct raw texts, each normalised once; per value, whether it is
    empty, whether it may open a total or footer row, and whether it is an Excel error value.

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
    faults = stripped.str.contains(ERROR_PATTERN).to_numpy().copy()
    # printable ASCII (and tab, line breaks) needs only the strip; the rest, with NUL and other
    # control characters, goes through NFKC and the removal of invisible characters
    for k in np.flatnonzero(~distinct.str.contains(r"^[\t\n\r\x20-\x7E]*$").to_numpy()):
        text = normalise_cell(distinct[int(k)])
        values[k], empty[k] = text, text == ""
        suspect[k] = "计" in text or text[:1] in FOOTER_FIRST_CHARACTERS
        faults[k] = error_literal(text) is not None
    return Encoded(codes, values), empty, suspect, faults


def _skip_rows(encoded, lines: np.ndarray, known: Mapping[int, str] = {}) -> tuple[np.ndarray, list[Notice]]:
    """Blank lines dropped; 合计/小计 rows and 填表人 footers that carry no beneficiary data
    skipped and reported (``reading.skip_reason``: one rule for both readers)."""
    columns = [col for col, _, _, _ in encoded]
    blank = np.ones(len(lines), dtype=bool)
    # candidates: a first non-empty cell with 计 (合计, 小计 …) or that may open a footer
    suspect = np.zeros(len(lines), dtype=bool)
    for col, empty, marks, _ in encoded:
        is_empty = empty[col.codes]
        suspect |= marks[col.codes] & blank & ~is_empty
        blank &= is_empty
    keep = ~blank
    skipped = []
    for pos in np.flatnonzero(suspect):
        label, why = skip_reason([col[pos] for col in columns], known)
        if why is not None:
            keep[pos] = False
            skipped.append(Notice(int(lines[pos]), "", label[:40], *why))
    return keep, skipped
