"""The fast CSV reader (polars) gives exactly the table the careful reader gives, or
steps aside: same headers, row numbers, cells, skipped rows and row errors."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from entitlements import Calculator
from entitlements.fastcsv import read_csv_columns
from entitlements.rosterfile import read_roster

CELLS = st.sampled_from(["", " ", "P1", " P1 ", "Ｐ１", "男", "女", "1938-04", "１９３８－０４", "16", "是", "否",
                         "江城镇", "江城镇 ", "\u3000", "合计", "小计", "填表人：张三", "a\tb", "1,5", '"q"', "备注：x",
                         "a\nb"])
FIELDS = Calculator("brigade_cadre_living").policy.fields


def decoded(col) -> list:
    return list(col.decoded() if hasattr(col, "decoded") else col)


ROWS = st.one_of(st.lists(CELLS, min_size=6, max_size=6), st.lists(CELLS, min_size=1, max_size=5), st.just([]))


def stepping_aside_is_right(body: list[list[str]]) -> bool:
    """When the fast reader may leave a file to the careful one."""
    if not any(cell.strip() for row in body for cell in row):
        return True  # no data below the header
    if any("\n" in cell for row in body for cell in row):
        return True  # a cell spanning lines: the careful reader numbers the rows
    if any(len(row) > 5 and row[5].strip() for row in body):
        return True  # a cell beyond the header: the careful reader rejects the row
    # polars counts columns on the first line it reads: a blank line ([]) and a line of commas only
    # (empty cells, written ',,,,,') are skipped, but a line holding one empty quoted cell ([''],
    # written '""') is a line of one column
    first = next(row for row in body if row and not (len(row) > 1 and all(cell == "" for cell in row)))
    return len(first) < 6


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "40")), deadline=None)
@given(st.lists(ROWS, min_size=1, max_size=25), st.integers(0, 3), st.booleans())
@example([["", "", "", "", "", ""], [""], ["", "", "", "", "P1", ""]], 0, True)  # a line of commas, then '""'
def test_fast_csv_reader_equals_the_careful_one(body, titles, trailing_newline):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for t in range(titles):
        w.writerow([f"江川区2025年花名册{t}"])
    w.writerow(["编号", "性别", "出生日期", "任职年限", "所属单位", ""])
    w.writerows(body)
    text = buf.getvalue() if trailing_newline else buf.getvalue().rstrip("\n")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.csv"
        path.write_text(text, encoding="utf-8")
        fast = read_csv_columns(path, FIELDS)
        if fast is None:
            assert stepping_aside_is_right(body)
            return
        careful = read_roster(path, FIELDS, fast=False)
    assert fast.headers == careful.headers
    assert fast.row_numbers.tolist() == careful.row_numbers.tolist()
    assert {h: decoded(c) for h, c in fast.cells.items()} == {h: decoded(c) for h, c in careful.cells.items()}
    assert fast.skipped == careful.skipped
    assert fast.row_errors == careful.row_errors == {}


def test_most_rosters_take_the_fast_way(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("江川区花名册\n编号,性别,出生日期,任职年限,所属单位,\n\nP1,男,1938-04,16,镇,\nP2,女\n合计,,,,,\n",
                    encoding="utf-8")
    fast = read_csv_columns(path, FIELDS)
    assert fast is not None and fast.row_numbers.tolist() == [4, 5]
    assert [n.zh for n in fast.skipped] == ["表头以上的标题行，已跳过", "合计行，已跳过（不参与计算）"]


def test_ragged_rows_and_other_encodings_go_the_careful_way(tmp_path):
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("编号,性别,出生日期,任职年限\nP1,男,1938-04,16\nP2,男,1938-04,16,extra\n", encoding="utf-8")
    assert read_csv_columns(ragged, FIELDS) is None
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("编号,性别,出生日期,任职年限\nP1,男,1938-04,16\n".encode("gb18030"))
    assert read_csv_columns(gbk, FIELDS) is None
    assert read_roster(gbk, FIELDS, fast=True).row_numbers.tolist() == [2]  # and still read


def test_the_bundled_csv_rosters_read_the_same_both_ways():
    examples = Path(__file__).resolve().parent.parent / "examples"
    for name in ("brigade_cadres.csv", "two_new_orgs.csv", "village_departures.csv"):
        careful = read_roster(examples / name, FIELDS, fast=False)
        fast = read_roster(examples / name, FIELDS, fast=True)
        assert {h: decoded(c) for h, c in fast.cells.items()} == {h: decoded(c) for h, c in careful.cells.items()}
        assert fast.row_numbers.tolist() == careful.row_numbers.tolist() and fast.skipped == careful.skipped
