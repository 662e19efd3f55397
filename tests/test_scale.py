"""Exactness at scale: a million-row roster read through the fast CSV path; per-level and
per-unit totals equal the sums of the lines to the fen, every line's parts add up to it."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from entitlements import Calculator

ROWS = 1_000_000


def write_roster(path, n: int, seed: int = 7) -> None:
    rnd = np.random.default_rng(seed)
    death = np.where(rnd.random(n) < 0.1, np.char.add(rnd.integers(2015, 2027, n).astype(str), "-06"), "")
    years = rnd.integers(1925, 1960, n)
    birth = np.char.add(np.char.add(years.astype(str), "-"), np.char.zfill(rnd.integers(1, 13, n).astype(str), 2))
    tenure = np.minimum(rnd.integers(5, 41, n), 1984 - years - 14)  # plausible: from age 14 to the 1984 reform
    columns = [np.char.add("P", np.arange(n).astype(str)), np.where(rnd.random(n) < 0.8, "男", "女"), birth,
               tenure.astype(str), death, np.char.add("镇", (np.arange(n) % 37).astype(str))]
    with path.open("w", encoding="utf-8") as fh:
        fh.write("编号,性别,出生日期,任职年限,死亡日期,所属单位\n")
        fh.write("\n".join(",".join(row) for row in zip(*(c.tolist() for c in columns))) + "\n")


def test_a_million_rows_add_up_to_the_fen(tmp_path):
    path = tmp_path / "province.csv"
    write_roster(path, ROWS)
    result = Calculator("brigade_cadre_living", profile="江川区").compute_roster(path, 2025)
    data = result.to_json(summary=True)
    assert data["rows"] == {"read": ROWS, "accepted": ROWS, "rejected": 0}
    comp = result.computation
    lines = [part for parts in comp.lines.values() for part in parts.values()]
    assert (sum(lines) == comp.amounts()).all()  # each beneficiary's parts add up to its amount
    fen = lambda text: int(Decimal(text) * 100)  # noqa: E731
    totals = data["totals"]
    for level, text in totals["by_level"].items():
        exact = sum(int(v) for parts in comp.lines.values() if level in parts for v in parts[level].tolist())
        assert fen(text) == exact
    assert fen(totals["amount"]) == sum(fen(v) for v in totals["by_level"].values())
    assert fen(totals["amount"]) == sum(fen(u["amount"]) for u in totals["by_unit"].values())
    assert len(totals["by_unit"]) == 37
    # the Jiangchuan rule: the prefecture pays 274 × paid months / 12 per person, once rounded
    months = comp.paid_months
    per_person = (2 * 27400 * months + 12) // 24
    assert fen(totals["by_level"]["prefecture"]) == int(np.minimum(per_person, comp.amounts()).sum())
