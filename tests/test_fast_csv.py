"""The fast CSV reader (polars) gives exactly the table the careful reader gives, or
steps aside: same headers, row numbers, cells, skipped rows and row errors."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from entitlements import Calculator, InputError
from entitlements.reading import read_roster

CELLS = st.sampled_from(["", " ", "P1", " P1 ", "Ｐ１", "男", "女", "1938-04", "１９３８－０４", "16", "是", "否",
                         "江城镇", "江城镇 ", "\u3000", "合计", "小计", "填表人：张三", "a\tb", "1,5", '"q"', "备注：x",
                         "a\nb"])
FIELDS = Calculator("brigade_cadre_living").policy.fields


def decoded(col) -> list:
    return list(col.decoded() if hasattr(col, "decoded") else col)


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "40")), deadline=None)
@given(st.lists(st.lists(CELLS, min_size=0, max_size=7), min_size=0, max_size=25), st.integers(0, 3),
       st.booleans())
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
        try:
            careful = read_roster(path, FIELDS, fast=False)
        except InputError:
            return
        fast = read_roster(path, FIELDS, fast=True)
    assert fast.headers == careful.headers
    assert fast.row_numbers.tolist() == careful.row_numbers.tolist()
    assert {h: decoded(c) for h, c in fast.cells.items()} == {h: decoded(c) for h, c in careful.cells.items()}
    assert fast.skipped == careful.skipped
    assert fast.row_errors == careful.row_errors


def test_the_bundled_csv_rosters_read_the_same_both_ways():
    examples = Path(__file__).resolve().parent.parent / "examples"
    for name in ("brigade_cadres.csv", "two_new_orgs.csv", "village_departures.csv"):
        careful = read_roster(examples / name, FIELDS, fast=False)
        fast = read_roster(examples / name, FIELDS, fast=True)
        assert {h: decoded(c) for h, c in fast.cells.items()} == {h: decoded(c) for h, c in careful.cells.items()}
        assert fast.row_numbers.tolist() == careful.row_numbers.tolist() and fast.skipped == careful.skipped
