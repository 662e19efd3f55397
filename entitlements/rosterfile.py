"""A roster file as a table, read by the reader its kind needs.

A workbook or a small CSV is read carefully (``reading``); a large UTF-8 CSV by polars
(``fastcsv``), which falls back to the careful reader for any file it cannot read line for
line. This module sits above both because the fast reader reuses the careful reader's header
and row rules: were the choice made in ``reading``, the two would import each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .fastcsv import read_csv_columns
from .fields import Field
from .reading import EXCEL_SUFFIXES, FAST_CSV_BYTES, check_roster_path, read_csv, read_excel
from .roster import InputError, Table


def read_roster(path: str | Path, fields: Sequence[Field] = (), sheet: str | None = None,
                fast: bool | None = None) -> Table:
    """A roster file as a table: .csv (UTF-8 or GB18030) or an Excel/WPS/ODS workbook.

    A large UTF-8 CSV is read by polars (``fast``; by default from FAST_CSV_BYTES up) into
    dictionary-encoded columns; any file it cannot read line for line goes the careful way.
    """
    path = Path(path)
    check_roster_path(path)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return read_excel(path, fields, sheet)
    if sheet is not None:
        raise InputError(f"--sheet 只适用于 Excel 文件 (--sheet applies to Excel files): {path}")
    if fast is None:
        fast = path.is_file() and path.stat().st_size >= FAST_CSV_BYTES
    if fast:
        table = read_csv_columns(path, fields)
        if table is not None:
            return table
    return read_csv(path, fields)
