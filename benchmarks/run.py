"""The scale benchmark: each policy at 10^4 … 10^7 rows, against a plain numpy bound.

    python benchmarks/run.py                   # 10^4, 10^5, 10^6 rows
    python benchmarks/run.py --sizes 4,5,6,7   # and 10^7 (several GB of CSV and minutes)

For each policy and size it reports:
- check: reading the roster table into parsed columns and beneficiaries (parse + prepare);
- compute: the formulas alone on the checked roster (what the numpy bound does);
- bound: a plain numpy computation of the same rules in integer fen, written here
  independently of the engine; its total and per-level totals must equal the engine's
  to the fen, or the script stops;
- end to end: the console command on a CSV file to JSON totals (``--summary``), wall
  seconds and the peak resident memory of that process;
- API: one-person calls (brigade policy), median microseconds.

Synthetic rosters are seeded. The benchmark prints figures and writes
``benchmarks/RESULTS.md``; it asserts nothing but exactness.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from entitlements import Calculator
from entitlements.roster import Table, parse_table
from entitlements.standards import year_months

YEAR = 2025
HERE = Path(__file__).parent
FEN = 100


# ---------- rosters ----------

def brigade(n: int, rnd: np.random.Generator) -> dict[str, np.ndarray]:
    born = rnd.integers(1925, 1960, n)
    return {
        "编号": np.char.add("P", np.arange(n).astype(str)),
        "性别": np.where(rnd.random(n) < 0.8, "男", "女"),
        "出生年": born, "出生月": rnd.integers(1, 13, n),
        # plausible rows only (issue 10 rejects the rest): tenure from age 14 to the 1984 reform, no death after today
        "任职年限": np.minimum(rnd.integers(5, 41, n), 1984 - born - 14),
        "死亡年": np.where(rnd.random(n) < 0.1, rnd.integers(2010, 2026, n), 0), "死亡月": rnd.integers(1, 13, n),
        "所属单位": np.char.add("镇", (np.arange(n) % 50).astype(str)),
    }


def brigade_cells(g: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    birth = np.char.add(np.char.add(g["出生年"].astype(str), "-"), np.char.zfill(g["出生月"].astype(str), 2))
    death = np.where(g["死亡年"] > 0, np.char.add(np.char.add(g["死亡年"].astype(str), "-"),
                                                np.char.zfill(g["死亡月"].astype(str), 2)), "")
    return {"编号": g["编号"], "性别": g["性别"], "出生日期": birth, "任职年限": g["任职年限"].astype(str),
            "死亡日期": death, "所属单位": g["所属单位"]}


def brigade_bound(g: dict[str, np.ndarray]) -> tuple[int, dict[str, int]]:
    """云组发〔1989〕55号 tiers (5:3:2) + 云组发〔2002〕10号 +60 (70/20/10), 次月起发, 死亡次月停发."""
    first, stop = YEAR * 12, YEAR * 12 + 12
    age = np.where(g["性别"] == "男", 55, 50)
    birth = g["出生年"] * 12 + g["出生月"] - 1
    first_paid = birth + age * 12 + 1
    death = np.where(g["死亡年"] > 0, g["死亡年"] * 12 + g["死亡月"] - 1 + 1, 10**7)
    months = np.clip(np.minimum(death, stop) - np.maximum(first_paid, first), 0, None) * (g["任职年限"] >= 11)
    tier = np.array([0, 1800, 2300, 2800, 3500])[np.searchsorted([11, 16, 21, 31], g["任职年限"], side="right")]
    levels = {"province": 0, "prefecture": 0, "county": 0}
    for line, shares in ((months * tier, (5, 3, 2)), (months * 6000, (7, 2, 1))):
        for lv, part in zip(levels, largest_remainder(line, shares)):
            levels[lv] += int(part.sum())
    return sum(levels.values()), levels


def largest_remainder(line: np.ndarray, shares: tuple[int, ...]) -> list[np.ndarray]:
    """Parts of each line by weights, leftover fen to the largest remainders (ties: last level)."""
    w = np.array(shares)
    exact = line[:, None] * w[None, :]
    floor, rem = exact // w.sum(), exact % w.sum()
    left = line - floor.sum(axis=1)
    # rank remainders descending, later level first on ties
    order = np.argsort(-(rem * len(w) + np.arange(len(w))[None, :]), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(len(w))[None, :].repeat(len(line), axis=0), axis=1)
    return list((floor + (rank < left[:, None])).T)


def two_new(n: int, rnd: np.random.Generator) -> dict[str, np.ndarray]:
    return {
        "组织编号": np.char.add("O", np.arange(n).astype(str)),
        "组织类型": rnd.choice(np.array(["党委", "党总支", "党支部"]), n, p=[0.05, 0.1, 0.85]),
        "党员人数": rnd.integers(3, 200, n),
        "书记是否公职人员": np.where(rnd.random(n) < 0.15, "是", "否"),
        "书记任职月数": rnd.integers(0, 13, n),
        "所属单位": np.char.add("街道", (np.arange(n) % 50).astype(str)),
    }


def two_new_cells(g: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: v.astype(str) for k, v in g.items()}


def two_new_bound(g: dict[str, np.ndarray]) -> tuple[int, dict[str, int]]:
    """云组通〔2017〕23号: 10000/6000/3000 per org, 200/month per non-public-servant secretary,
    100 per member; the 云南 default splits everything 100% county."""
    rate = np.select([g["组织类型"] == "党委", g["组织类型"] == "党总支"], [1_000_000, 600_000], 300_000)
    stipend = np.where(g["书记是否公职人员"] == "是", 0, g["书记任职月数"] * 20_000)
    total = int(rate.sum() + stipend.sum() + (g["党员人数"] * 10_000).sum())
    return total, {"province": 0, "prefecture": 0, "county": total}


def two_new_chengjiang_bound(g: dict[str, np.ndarray]) -> tuple[int, dict[str, int]]:
    """The same lines under 澄江市: org funding and member training split 1:1 between 玉溪
    (prefecture) and 澄江 (county) line by line, the secretary stipend the county's alone."""
    rate = np.select([g["组织类型"] == "党委", g["组织类型"] == "党总支"], [1_000_000, 600_000], 300_000)
    stipend = np.where(g["书记是否公职人员"] == "是", 0, g["书记任职月数"] * 20_000)
    levels = {"province": 0, "prefecture": 0, "county": int(stipend.sum())}
    for line in (rate, g["党员人数"] * 10_000):
        prefecture, county = largest_remainder(line, (1, 1))
        levels["prefecture"] += int(prefecture.sum())
        levels["county"] += int(county.sum())
    return sum(levels.values()), levels


POSTS = ("书记", "主任", "副书记", "副主任", "委员")


def village(n_rows: int, rnd: np.random.Generator) -> dict[str, np.ndarray]:
    """People with 1-3 consecutive spans between 2005 and 2025 (month precision), each a
    different post; departures spread over 2021-2025 so a fifth leave in the budget year."""
    people = n_rows  # enough: each has at least one span
    k = rnd.integers(1, 4, people)
    owner = np.repeat(np.arange(people), k)[:n_rows]
    span_no = np.arange(n_rows) - (np.cumsum(k) - k)[owner]
    end = (2021 + rnd.integers(0, 5, people)) * 12 + rnd.integers(0, 12, people)
    lengths = rnd.integers(12, 73, (people, 3))
    stops = end[:, None] - np.c_[np.zeros(people, dtype=np.int64), np.cumsum(lengths[:, :2], axis=1)]
    starts = stops - lengths
    stop, start = stops[owner, span_no], np.maximum(starts[owner, span_no], 2005 * 12)
    post = (owner + span_no) % len(POSTS)
    return {"owner": owner, "post": post, "start": start, "stop": np.maximum(stop, start + 1)}


def month_text(m: np.ndarray) -> np.ndarray:
    return np.char.add(np.char.add((m // 12).astype(str), "-"), np.char.zfill((m % 12 + 1).astype(str), 2))


def village_cells(g: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {"编号": np.char.add("V", g["owner"].astype(str)), "职务": np.array(POSTS)[g["post"]],
            "任职开始": month_text(g["start"]), "任职结束": month_text(g["stop"]),
            "所属村（社区）": np.char.add("村", (g["owner"] % 50).astype(str))}


def post_standard(post: int, year: np.ndarray) -> np.ndarray:
    """Synthetic standards (fen/month) for every post and year 2005-2025: illustrative."""
    return (1000 + 150 * (len(POSTS) - post) + 40 * (year - 2005)) * FEN


def village_standards(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["职务", "年度", "月岗位补贴标准"])
        for p, name in enumerate(POSTS):
            for y in range(2005, 2026):
                w.writerow([name, y, int(post_standard(p, np.array(y))) // FEN])


def village_bound(g: dict[str, np.ndarray]) -> tuple[int, dict[str, int]]:
    """One month of the post's standard of that year per year served (months × standard / 12
    per person, half up), for those whose last month falls in the budget year; 100% county."""
    owner, post, a, b = g["owner"], g["post"], g["start"], g["stop"]
    n = int(owner.max()) + 1
    departure = np.zeros(n, dtype=np.int64)
    np.maximum.at(departure, owner, b)  # the end month as written (SPEC §4.3): month-precision ends here
    paid = (departure >= YEAR * 12) & (departure < YEAR * 12 + 12)
    keep = paid[owner]  # only the service of those who leave in the year
    owner, post, a, b = owner[keep], post[keep], a[keep], b[keep]
    per_span = np.zeros(len(owner), dtype=np.int64)
    for y in range(a.min() // 12, b.max() // 12 + 1):  # months of each span in each calendar year
        months = np.clip(np.minimum(b, (y + 1) * 12) - np.maximum(a, y * 12), 0, None)
        per_span += months * post_standard(post, np.full(len(post), y))
    numerator = np.zeros(n, dtype=np.int64)  # spans are generated owner by owner: sum each run, exactly
    heads = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]]) if len(owner) else np.array([], dtype=np.int64)
    if len(owner):
        numerator[owner[heads]] = np.add.reduceat(per_span, heads)
    total = int(((2 * numerator[paid] + 12) // 24).sum())
    return total, {"province": 0, "prefecture": 0, "county": total}


POLICIES = {
    "brigade_cadre_living": (brigade, brigade_cells, brigade_bound),
    "two_new_16321": (two_new, two_new_cells, two_new_bound),
    "two_new_16321@澄江市": (two_new, two_new_cells, two_new_chengjiang_bound),
    "village_cadre_departure": (village, village_cells, village_bound),
}


# ---------- measuring ----------

def table_of(cells: dict[str, np.ndarray]) -> Table:
    n = len(next(iter(cells.values())))
    return Table(list(cells), {h: v.astype(object) for h, v in cells.items()}, np.arange(2, n + 2), "synthetic")


def write_csv(path: Path, cells: dict[str, np.ndarray]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(cells) + "\n")
        columns = list(cells.values())
        n = len(columns[0])
        step = 200_000
        for i in range(0, n, step):
            block = [c[i:i + step].astype(str) for c in columns]
            fh.write("\n".join(",".join(row) for row in zip(*block)) + "\n")


# Linux keeps a process's peak RSS across fork and exec, so a child of this (large)
# process would report our peak: a small wrapper process runs the command and reports its
# child's own peak.
PEAK_WRAPPER = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[2:], stdout=open(sys.argv[1], 'wb')); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)


def run_cli(args: list[str], tmp: Path) -> tuple[float, int, dict]:
    """Wall seconds, peak resident memory (bytes) and the JSON of one console command."""
    exe = shutil.which("entitlements") or str(Path(sys.executable).with_name("entitlements"))
    out_path = tmp / "stdout.json"
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", PEAK_WRAPPER, str(out_path), exe, *args],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"CLI failed: {proc.stderr}")
    peak_kib = int(proc.stdout.strip().splitlines()[-1])
    return seconds, peak_kib * 1024, json.loads(out_path.read_text(encoding="utf-8"))


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def measure(case: str, n: int, tmp: Path, standards: Path, e2e: bool) -> dict:
    """One row of the table: ``case`` is a policy id, or ``policy@profile`` for another profile."""
    generate, to_cells, bound = POLICIES[case]
    policy, _, profile = case.partition("@")
    profile = profile or "yunnan"
    rnd = np.random.default_rng(n)
    g = generate(n, rnd)
    cells = to_cells(g)
    calc = Calculator(policy, profile=profile, standards=standards if policy == "village_cadre_departure" else None)
    table = table_of(cells)
    t0 = time.perf_counter()
    parsed = parse_table(table, calc.policy.fields)
    who = calc.policy.prepare(parsed, calc.data)
    check = time.perf_counter() - t0
    assert not parsed.rejects, parsed.rejects[:3]
    first, stop = year_months(YEAR)
    options = {}
    repeat = 5 if n <= 10**6 else 2  # at 10^7 the first run also pays for fresh pages
    comp = calc.policy.compute(who, calc.data, first, stop, **options)
    compute = best_of(lambda: calc.policy.compute(who, calc.data, first, stop, **options), repeat)
    bound_total, bound_levels = bound(g)
    bound_s = best_of(lambda: bound(g), repeat)
    total = int(comp.amounts().sum())
    levels = {lv: int(v.sum()) for lv, v in comp.by_level().items() if lv in bound_levels}
    if total != bound_total or levels != bound_levels:
        raise SystemExit(f"{case} {n}: engine {total} {levels} != bound {bound_total} {bound_levels}")
    row = {"policy": case, "rows": n, "check": check, "compute": compute, "bound": bound_s,
           "ratio": compute / bound_s if bound_s else float("nan"), "total": total}
    if e2e:
        path = tmp / f"{policy}_{n}.csv"
        write_csv(path, cells)
        args = [str(path), "--policy", policy, "--profile", profile, "--year", str(YEAR), "--format", "json", "--summary"]
        if policy == "village_cadre_departure":
            args += ["--standards", str(standards)]
        seconds, peak, data = run_cli(["calc", *args], tmp)
        if data["totals"]["amount"] != f"{total // FEN}.{total % FEN:02d}":
            raise SystemExit(f"{case} {n}: CLI total {data['totals']['amount']} != {total}")
        row.update(e2e=seconds, peak=peak, stages=stages(calc, path))
        path.unlink()
    return row


def stages(calc: Calculator, path: Path) -> dict[str, float]:
    """Where the end-to-end time goes, in this process: read the CSV, check, compute, JSON."""
    from entitlements.calculator import RosterResult
    from entitlements.output import result_json
    from entitlements.rosterfile import read_roster

    t0 = time.perf_counter()
    table = read_roster(path, calc.policy.fields)
    t1 = time.perf_counter()
    parsed = parse_table(table, calc.policy.fields)
    who = calc.policy.prepare(parsed, calc.data)
    t2 = time.perf_counter()
    comp = calc.policy.compute(who, calc.data, *year_months(YEAR))
    t3 = time.perf_counter()
    result_json(RosterResult(calc, YEAR, comp, parsed.rejects, parsed.notices, len(table), "roster", parsed), summary=True)
    t4 = time.perf_counter()
    return {"read": t1 - t0, "check": t2 - t1, "compute": t3 - t2, "json": t4 - t3}


def streamed(rows: int, tmp: Path, batch_rows: int = 1_000_000, chunk: int = 10_000_000) -> dict:
    """A brigade roster larger than memory, written chunk by chunk, computed with
    ``--batch-rows``; its totals are checked against the numpy bound summed over the chunks."""
    path = tmp / "stream.csv"
    total, levels = 0, {"province": 0, "prefecture": 0, "county": 0}
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("编号,性别,出生日期,任职年限,死亡日期,所属单位\n")
    for k, start in enumerate(range(0, rows, chunk)):
        g = brigade(min(chunk, rows - start), np.random.default_rng(10_000 + k))
        g["编号"] = np.char.add("P", (np.arange(len(g["编号"])) + start).astype(str))
        t, lv = brigade_bound(g)
        total += t
        levels = {key: levels[key] + lv[key] for key in levels}
        cells = brigade_cells(g)
        with path.open("a", encoding="utf-8", newline="") as fh:
            columns = list(cells.values())
            for i in range(0, len(columns[0]), 200_000):
                block = [c[i:i + 200_000].astype(str) for c in columns]
                fh.write("\n".join(",".join(r) for r in zip(*block)) + "\n")
    args = [str(path), "--policy", "brigade_cadre_living", "--year", str(YEAR), "--format", "json",
            "--batch-rows", str(batch_rows)]
    seconds, peak, data = run_cli(["calc", *args], tmp)
    got = {lv: data["totals"]["by_level"][lv] for lv in levels}
    want = {lv: f"{v // FEN}.{v % FEN:02d}" for lv, v in levels.items()}
    if data["totals"]["amount"] != f"{total // FEN}.{total % FEN:02d}" or got != want:
        raise SystemExit(f"streamed {rows}: {data['totals']} != bound {total} {levels}")
    size = path.stat().st_size
    path.unlink()
    return {"rows": rows, "batch": batch_rows, "seconds": seconds, "peak": peak, "bytes": size}


def with_id_numbers(g: dict[str, np.ndarray], rnd: np.random.Generator) -> dict[str, np.ndarray]:
    """Brigade cells with a valid 18-digit 身份证号 (region, birth date, sex digit, check digit)
    in place of 性别 and 出生日期, which are then read from the number."""
    n = len(g["编号"])
    regions = np.array([530421, 530402, 530423, 530424, 530425, 530426, 530427, 530428, 530102, 530111])
    day = rnd.integers(1, 29, n)
    seq = rnd.integers(0, 500, n) * 2 + (g["性别"] == "男")  # odd for men
    body = np.char.add(np.char.add(regions[rnd.integers(0, len(regions), n)].astype(str), g["出生年"].astype(str)),
                       np.char.add(np.char.add(np.char.zfill(g["出生月"].astype(str), 2), np.char.zfill(day.astype(str), 2)),
                                   np.char.zfill(seq.astype(str), 3)))
    digits = np.frombuffer(body.astype("S17").tobytes(), dtype=np.uint8).reshape(n, 17) - ord("0")
    check = (12 - (digits * np.array([pow(2, 17 - i, 11) for i in range(17)])).sum(axis=1) % 11) % 11
    cells = brigade_cells(g)
    del cells["性别"], cells["出生日期"]
    return {**cells, "身份证号": np.char.add(body, np.array(list("0123456789X"))[check])}


def id_roster(rows: int, tmp: Path) -> dict:
    """End to end on a brigade roster that carries 身份证号 (every number checked), against the bound.
    Random numbers repeat now and then: one number on two people rejects both, so the bound leaves them out."""
    g = brigade(rows, np.random.default_rng(rows + 1))
    cells = with_id_numbers(g, np.random.default_rng(rows + 2))
    _, back, count = np.unique(cells["身份证号"], return_inverse=True, return_counts=True)
    single = count[back.reshape(-1)] == 1
    total, _ = brigade_bound({k: v[single] for k, v in g.items()})
    path = tmp / "with_ids.csv"
    write_csv(path, cells)
    args = [str(path), "--policy", "brigade_cadre_living", "--year", str(YEAR), "--format", "json", "--summary"]
    seconds, peak, data = run_cli(["calc", *args], tmp)
    path.unlink()
    if data["totals"]["amount"] != f"{total // FEN}.{total % FEN:02d}":
        raise SystemExit(f"ID roster {rows}: CLI total {data['totals']['amount']} != bound {total}")
    return {"rows": rows, "seconds": seconds, "peak": peak}


def xlsx_read_seconds(rows: int, tmp: Path) -> float:
    """A brigade roster as an .xlsx workbook (title row, dates as date cells): seconds to read it."""
    import xlsxwriter

    g = brigade(rows, np.random.default_rng(rows))
    cells = brigade_cells(g)
    path = tmp / "roster.xlsx"
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet("花名册")
    date = book.add_format({"num_format": "yyyy-mm"})
    sheet.write_row(0, 0, ["江川区花名册（示例）"])
    sheet.write_row(1, 0, list(cells))
    births = [dt.datetime(int(y), int(m), 1) for y, m in zip(g["出生年"], g["出生月"])]
    columns = [c.tolist() for c in cells.values()]
    for i in range(rows):
        sheet.write_row(i + 2, 0, [columns[0][i], columns[1][i]])
        sheet.write_datetime(i + 2, 2, births[i], date)
        sheet.write_number(i + 2, 3, int(g["任职年限"][i]))
        sheet.write_row(i + 2, 4, [columns[4][i], columns[5][i]])
    book.close()
    calc = Calculator("brigade_cadre_living")
    t0 = time.perf_counter()
    table = calc.read(path)
    seconds = time.perf_counter() - t0
    assert len(table) == rows
    return seconds


def api_micros(calls: int = 5000) -> float:
    """Median seconds (as µs) of `Calculator.compute` over different people, one call each."""
    calc = Calculator("brigade_cadre_living", profile="江川区")
    g = brigade(calls + 50, np.random.default_rng(5))
    people = [{"id": f"P{i}", "sex": str(g["性别"][i]), "birth_date": f"{g['出生年'][i]}-{g['出生月'][i]:02d}",
               "tenure_years": int(g["任职年限"][i])} for i in range(calls + 50)]
    return statistics.median(per_call(calc, people)) * 1e6


def per_call(calc: Calculator, people: list[dict]) -> list[float]:
    """Seconds of each `Calculator.compute` call, one person a call, after 50 to warm up."""
    for person in people[:50]:
        calc.compute(person, year=YEAR).amount
    times = []
    for person in people[50:]:
        t0 = time.perf_counter()
        calc.compute(person, year=YEAR).amount
        times.append(time.perf_counter() - t0)
    return times


def machine() -> str:
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}, numpy {np.__version__}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="4,5,6", help="powers of ten, e.g. 4,5,6,7")
    ap.add_argument("--policies", default=",".join(POLICIES))
    ap.add_argument("--no-e2e", action="store_true", help="skip the console-command runs")
    ap.add_argument("--out", default=str(HERE / "RESULTS.md"))
    ap.add_argument("--xlsx-rows", type=int, default=100_000, help="rows of the xlsx read test (0 to skip)")
    ap.add_argument("--id-rows", type=int, default=1_000_000,
                    help="rows of the brigade roster with 身份证号, end to end (0 to skip)")
    ap.add_argument("--stream-rows", type=int, default=0,
                    help="also stream a brigade CSV of this many rows in batches (e.g. 100000000; minutes, GBs of disk)")
    args = ap.parse_args()
    sizes = [10 ** int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        standards = tmp / "post_standards.csv"
        village_standards(standards)
        for policy in args.policies.split(","):
            for n in sizes:
                row = measure(policy, n, tmp, standards, not args.no_e2e)
                rows.append(row)
                print(_line(row), flush=True)
        xlsx = xlsx_read_seconds(args.xlsx_rows, tmp) if args.xlsx_rows else None
        ids = id_roster(args.id_rows, tmp) if args.id_rows else None
        if ids:
            print(f"brigade roster of {ids['rows']:,} rows with ID numbers: {ids['seconds']:.2f} s, "
                  f"peak {ids['peak'] / 2**20:.0f} MiB", flush=True)
        stream = streamed(args.stream_rows, tmp) if args.stream_rows else None
        if stream:
            print(f"streamed {stream['rows']:,} rows in batches of {stream['batch']:,}: {stream['seconds']:.0f} s, "
                  f"peak {stream['peak'] / 2**20:.0f} MiB, totals equal the bound", flush=True)
    if xlsx is not None:
        print(f"xlsx roster of {args.xlsx_rows:,} rows read in {xlsx:.2f} s")
    api = api_micros()
    print(f"one-person API (brigade_cadre_living, 江川区): median {api:.0f} µs per call")
    report = _report(rows, api, args.sizes, xlsx, args.xlsx_rows, stream, ids)
    out = Path(args.out)
    notes = out.read_text(encoding="utf-8").partition(NOTES_MARK)[2] if out.exists() else ""
    out.write_text(report + (NOTES_MARK + notes if notes else ""), encoding="utf-8")
    print(f"wrote {args.out}")


def _line(r: dict) -> str:
    e2e = f"  e2e {r['e2e']:7.2f} s  peak {r['peak'] / 2**20:7.0f} MiB" if "e2e" in r else ""
    return (f"{r['policy']:<24} {r['rows']:>10,}  check {r['check']:7.3f} s  compute {r['compute']:7.4f} s  "
            f"bound {r['bound']:7.4f} s  ×{r['ratio']:5.1f}  {r['rows'] / r['compute']:>12,.0f} rows/s{e2e}")


NOTES_MARK = "\n<!-- notes: kept when the benchmark rewrites the figures above -->\n"


def _report(rows: list[dict], api: float, sizes: str, xlsx: float | None, xlsx_rows: int,
            stream: dict | None = None, ids: dict | None = None) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"`python benchmarks/run.py --sizes {sizes}` on {dt.date.today().isoformat()}: {machine()}.",
        "",
        "compute = the formulas on a checked roster (best of 5, or of 2 at 10^7); bound = the plain",
        "numpy computation in this script, whose totals equal the engine's to the fen; check =",
        "parsing and cross-checking the table; e2e = `entitlements calc ROSTER.csv --format json",
        "--summary` as a process (CSV read, check, compute, JSON), with its peak resident memory.",
        "",
        "| policy | rows | check s | compute s | bound s | compute / bound | rows/s (compute) | e2e s | peak MiB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        e2e = (f"{r['e2e']:.2f} | {r['peak'] / 2**20:.0f}") if "e2e" in r else "– | –"
        lines.append(f"| {r['policy']} | {r['rows']:,} | {r['check']:.3f} | {r['compute']:.4f} | {r['bound']:.4f} | "
                     f"{r['ratio']:.1f} | {r['rows'] / r['compute']:,.0f} | {e2e} |")
    lines += ["", f"One-person API (`Calculator.compute`, brigade policy, 江川区, a different person each call): "
                  f"median {api:.0f} µs per call."]
    if ids is not None:
        lines.append(f"A brigade CSV of {ids['rows']:,} rows with 身份证号 in place of 性别 and 出生日期 (each number "
                     f"checked, sex and birth read from it), end to end: {ids['seconds']:.2f} s, peak "
                     f"{ids['peak'] / 2**20:.0f} MiB; totals equal the bound.")
    if xlsx is not None:
        lines.append(f"An .xlsx roster of {xlsx_rows:,} rows (brigade, date cells) read and parsed in {xlsx:.2f} s.")
    if stream is not None:
        lines.append(f"A brigade CSV of {stream['rows']:,} rows ({stream['bytes'] / 2**30:.1f} GiB) computed with "
                     f"`--batch-rows {stream['batch']}`: {stream['seconds']:.0f} s, peak {stream['peak'] / 2**20:.0f} MiB; "
                     "its totals equal the numpy bound summed over the chunks it was written in.")
    lines.append("")
    staged = [r for r in rows if "stages" in r]
    if staged:
        lines += ["## Where the end-to-end time goes", "",
                  "The same CSV read, checked, computed and summarised in one process (seconds):", "",
                  "| policy | rows | read CSV | check | compute | JSON totals |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for r in staged:
            st = r["stages"]
            lines.append(f"| {r['policy']} | {r['rows']:,} | {st['read']:.2f} | {st['check']:.2f} | "
                         f"{st['compute']:.2f} | {st['json']:.2f} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
