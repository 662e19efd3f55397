"""What may be published: the 公示 list never holds a full 身份证号; what the other outputs hold.

For every registered policy a roster is made from its bundled example (tests/test_library.py's
LIBRARY) whose people are keyed by valid 身份证号 (the 编号 column dropped), with one more valid
number typed into a name; every output the tool writes is read back (text, the xlsx's XML, the
PDF's text) and searched for a valid 18-digit number (stdnum.cn.ric).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from stdnum.cn import ric

from entitlements import Calculator, registry
from entitlements.dates import parse_date
from entitlements.money import ratio_text
from entitlements.publish import (NoticeError, mask_name, mask_number, mask_text, notice_period, parse_keep)

from . import test_hostile_sweep as hostile
from .conftest import EXAMPLES, run_cli
from .test_library import LIBRARY

ID_RUN = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


def valid_id(n: int, region: str = "530421", born: dt.date | None = None, sex: str = "") -> str:
    """A valid 18-digit number: born on ``born`` (else a date made from n), its order code odd for 男, even for 女."""
    born = born or dt.date(1950, 1, 1) + dt.timedelta(days=97 * n)
    order = 100 + 2 * (n % 400) + (0 if sex == "女" else 1)
    body = f"{region}{born:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum reads the first 17 of 18


def is_full_id(number: str) -> bool:
    """stdnum.cn.ric's checks of the check digit and the birth date. Its place check is left out: it
    refuses a region code outside the years stdnum records (530421 for one born in 1938), which
    is still a person's full number."""
    try:
        ric.get_birth_date(number)
    except ValueError:
        return False
    return number[-1].upper() == ric.calc_check_digit(number)


def full_ids(text: str) -> set[str]:
    """Every valid full 18-digit 身份证号 in ``text``."""
    return {m for m in ID_RUN.findall(text) if is_full_id(m)}


def file_text(path: Path) -> str:
    """What a reader of the file sees: text, every XML part of an xlsx, the text of a PDF."""
    data = path.read_bytes()
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return "\n".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return data.decode("utf-8-sig", "replace")


def id_roster(policy: str, folder: Path) -> tuple[Path, set[str]]:
    """The bundled example with its people keyed by 身份证号 (no 编号), and a 身份证号 typed into a name."""
    pol = registry.get_policy(policy)
    example = EXAMPLES / LIBRARY[policy][0]
    with example.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    field_headers = {f.name: set(f.headers()) for f in pol.fields}
    col = {name: next((j for j, h in enumerate(header) if h in hs), None) for name, hs in field_headers.items()}
    given: set[str] = set()
    if col.get("id_number") is not None:
        key = col.get("id") if col.get("id") is not None else col.get("name")
        people: dict[str, str] = {}
        for row in body:  # one number per person (a person of several rows keeps one), agreeing with 性别/出生日期
            born = parse_date(row[col["birth_date"]]) if col.get("birth_date") is not None and \
                row[col["birth_date"]].strip() else None
            sex = row[col["sex"]].strip() if col.get("sex") is not None else ""
            own = row[col["id_number"]].strip()  # a valid number of the example stays: ages are read from it
            row[col["id_number"]] = people.setdefault(row[key], own if is_full_id(own) else valid_id(
                len(people) + 1, born=born and dt.date(born.year, born.month, max(born.day, 1)), sex=sex))
        given |= set(people.values())
        if col.get("id") is not None:  # keyed by 身份证号 alone
            header.pop(col["id"])
            body = [r[:col["id"]] + r[col["id"] + 1:] for r in body]
            col = {name: next((j for j, h in enumerate(header) if h in hs), None) for name, hs in field_headers.items()}
    typed = valid_id(999, "110105")
    first = body[0][col["name"]]
    for row in body:  # every row of that person (several posts) bears the one name
        if row[col["name"]] == first:
            row[col["name"]] = f"{first}（{typed}）"
    given.add(typed)
    path = folder / f"{policy}.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([header, *body])
    return path, given


def what_to_set(policy: str) -> str:
    """A what-if --set: the LIBRARY's standard raised, else the first money or ratio standard as it is."""
    _, profile, year, extra, path = LIBRARY[policy]
    given = dict(zip(extra[::2], extra[1::2]))
    data = Calculator(policy, profile=profile, standards=given.get("--standards")).data
    for std_path in ([path] if path else list(data.standards)):
        std = data.get(std_path)
        v = std.at(year * 12) or std.values[0]
        if std.kind == "money":
            return f"{std_path}={Decimal(int(v.value) + (100 if path else 0)) / 100}"
        if std.kind == "ratio":
            return f"{std_path}={ratio_text(v.value)}"
    raise AssertionError(f"{policy}: no money or ratio standard to set")


def _pdf_ready() -> bool:
    """LibreOffice and a Chinese font (fontconfig) on this machine: what notice --format pdf needs."""
    fc_list = shutil.which("fc-list")
    fonts = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True).stdout if fc_list else "?"
    return bool(shutil.which("soffice") or shutil.which("libreoffice")) and bool(fonts.strip())


PDF_READY = _pdf_ready()


# the outputs, and whether each may hold a full 身份证号 (internal) or must not (publishable)
INTERNAL, NONE = "internal", "none"


@pytest.mark.parametrize("policy", sorted(registry.policy_ids()))
def test_no_publishable_output_holds_a_full_id_number(policy, tmp_path):
    assert policy in LIBRARY, f"{policy}: add its bundled example to tests/test_library.py's LIBRARY"
    roster, given = id_roster(policy, tmp_path)
    _, profile, year, extra, _ = LIBRARY[policy]
    extra = [str(a) for a in extra]
    base = [str(roster), "--policy", policy, "--profile", profile, "--year", str(year), *extra]
    no_budget = [a for a, b in zip(base, ["", *base]) if "--budget" not in (a, b)]
    doc = json.loads(run_cli("calc", *base, "--format", "json").stdout)
    assert doc["rows"]["rejected"] == 0, doc["rejects"]  # every row read: the numbers made are valid
    first_paid = next(b["id"] for b in doc["beneficiaries"] if Decimal(b["amount"]) > 0)
    out = tmp_path / "out"
    out.mkdir()
    runs = {  # file -> (arguments, expectation)
        "calc.json": (["calc", *base, "-o", str(out / "calc.json")], INTERNAL),
        "calc.csv": (["calc", *base, "-o", str(out / "calc.csv"), "--rejects", str(out / "rejects.csv")], INTERNAL),
        "calc.xlsx": (["calc", *base, "-o", str(out / "calc.xlsx"), "--rejects", str(out / "rejects.xlsx")], INTERNAL),
        "budget.md": (["budget", *base, "-o", str(out / "budget.md")], NONE),
        "budget.xlsx": (["budget", *base, "-o", str(out / "budget.xlsx")], NONE),
        "budget.csv": (["budget", *base, "-o", str(out / "budget.csv")], NONE),
        "whatif.xlsx": (["whatif", *no_budget, "--set", what_to_set(policy), "-o", str(out / "whatif.xlsx")], None),
        "whatif.md": (["whatif", *no_budget, "--set", what_to_set(policy), "--detail", "-o", str(out / "whatif.md")],
                      None),
    }
    for kind in ("xlsx", "csv", "md", *(["pdf"] if PDF_READY else [])):
        runs[f"notice.{kind}"] = (["notice", *base, "--mask-names", "-o", str(out / f"notice.{kind}")]
                                  if kind == "md" else ["notice", *base, "-o", str(out / f"notice.{kind}")], NONE)
    runs["notice_en.xlsx"] = (["notice", *base, "--lang", "en", "-o", str(out / "notice_en.xlsx")], NONE)
    found: dict[str, set[str]] = {}
    for name, (arguments, _) in runs.items():
        proc = run_cli(*arguments)
        assert proc.returncode == 0, (name, proc.stderr)
        found[name] = full_ids(file_text(out / name))
    for name in ("rejects.csv", "rejects.xlsx"):
        found[name] = full_ids(file_text(out / name))
    for fmt in ("text", "json"):  # explain prints
        proc = run_cli("explain", *base, "--id", first_paid, "--format", fmt)
        assert proc.returncode == 0, proc.stderr
        found[f"explain {fmt}"] = full_ids(proc.stdout)
    assert found["calc.json"] & given, "the detector finds the numbers the internal allocation holds"
    for name, (_, expected) in runs.items():
        if expected == NONE:
            assert not found[name], f"{policy}: {name} holds a full 身份证号 {sorted(found[name])}"
    people = any(f.name == "id_number" for f in registry.get_policy(policy).fields)
    if people:  # keyed by 身份证号: every internal output that names beneficiaries holds them, as it should
        for name in ("calc.csv", "calc.xlsx", "explain text", "explain json"):
            assert found[name], f"{policy}: {name} was expected to hold the 身份证号 it is keyed by"


# ---------- masking ----------

def test_an_id_number_shows_its_first_6_and_last_4_digits():
    assert mask_number("530421193804121213") == "530421********1213"
    assert mask_number("53042119380412121X", (3, 4)) == "530***********121X"
    assert mask_number("530421380412121") == "530421******121"  # 15 digits: the last 3 at most
    assert mask_number("12345") == "*****"  # too short to show both ends


def test_any_id_like_run_in_text_is_masked_and_nothing_else():
    text = "张三（530421193804121213）住院2次，卡号 6222 0212 3456 7890 123，电话0877-1234567"
    masked = mask_text(text)
    assert "530421********1213" in masked and "193804" not in masked
    assert "6222 0212 3456 7890 123" not in masked
    assert "0877-1234567" in masked and "住院2次" in masked
    assert mask_text("５３０４２１１９３８０４１２１２１３") == "５３０４２１********１２１３"  # full-width digits too
    assert mask_text("2025-01 至 2025-12，合计 256644.00 元") == "2025-01 至 2025-12，合计 256644.00 元"


def test_names_masked_keep_the_first_and_last_character():
    assert [mask_name(n) for n in ("张三丰", "李四", "欧阳明月", "王")] == ["张*丰", "李*", "欧**月", "王"]


def test_a_mask_showing_the_birth_date_and_a_short_period_are_refused():
    assert parse_keep("3,4") == (3, 4)
    for bad in ("7,4", "6,5", "6", "a,b"):
        with pytest.raises(NoticeError):
            parse_keep(bad)
    today = dt.date(2026, 1, 10)
    assert notice_period(None, None, today) == (today, dt.date(2026, 1, 16))  # 7 days, both counted
    with pytest.raises(NoticeError, match="不少于7天"):
        notice_period(today, dt.date(2026, 1, 15))


# ---------- the command ----------

BRIGADE = [str(EXAMPLES / "brigade_cadres.csv"), "-p", "brigade_cadre_living", "-y", "2025", "--profile", "江川区"]


def test_notice_lists_the_paid_with_their_tier_basis_period_and_a_footer_to_fill(tmp_path):
    out = tmp_path / "公示.md"
    proc = run_cli("notice", *BRIGADE, "--from", "2026-01-05", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    assert "云组发〔1989〕55号" in text and "云组发〔2002〕10号" in text  # the basis (文号)
    assert "2026年1月5日至2026年1月11日（7天）" in text  # default: 7 days from --from
    assert "| 1 | 张德明 | 530421********1213 | 江城镇 | 任职年限16–20档 23元/月 + 2002年提标 60元/月 | 12 | 996.00 |" in text
    assert "| 合计 | 6人 |" in text and "5430.00" in text  # only the 6 paid of the 10 rows
    calc = json.loads(run_cli("calc", *BRIGADE, "--format", "json").stdout)
    unpaid = [b["name"] for b in calc["beneficiaries"] if Decimal(b["amount"]) == 0]
    assert unpaid and not any(name in text for name in unpaid)
    assert "监督电话：＿＿＿＿＿＿＿＿（未提供，请填写）" in text and "发布单位：＿＿" in text


def test_notice_options_phone_office_names_and_english(tmp_path):
    out = tmp_path / "n.csv"
    proc = run_cli("notice", *BRIGADE, "--phone", "0877-6012345", "--office", "中共玉溪市江川区委社会工作部",
                   "--mask-names", "--mask", "3,4", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8-sig")
    assert "监督电话：0877-6012345" in text and "发布单位：中共玉溪市江川区委社会工作部" in text
    assert "张*明" in text and "张德明" not in text and "530***********1213" in text
    en = tmp_path / "n_en.md"
    assert run_cli("notice", *BRIGADE, "--lang", "en", "-o", str(en)).returncode == 0
    assert "Complaints phone: ________ (not given: fill in)" in en.read_text(encoding="utf-8")


@pytest.mark.parametrize("bad, said", [(["--from", "2026-01-05", "--to", "2026-01-10"], "只有 6 天，公示期不少于7天"),
                                       (["--from", "2026-01"], "需要具体到日"), (["--mask", "8,4"], "出生日期不得公开"),
                                       (["--format", "csv"], "格式须与扩展名一致"), (["--to", "2020-01-01"], "不少于7天")])
def test_notice_refuses_a_short_period_a_month_a_revealing_mask_and_a_wrong_extension(bad, said, tmp_path):
    out = tmp_path / "n.xlsx"
    proc = run_cli("notice", *BRIGADE, *bad, "-o", str(out))
    assert proc.returncode == 2 and said in proc.stderr and not out.exists()


def test_notice_pdf_without_libreoffice_exits_2(tmp_path):
    out = tmp_path / "n.pdf"
    proc = run_cli("notice", *BRIGADE, "-o", str(out), env={"PATH": str(tmp_path)})
    assert proc.returncode == 2 and "LibreOffice" in proc.stderr and not out.exists()


def test_notice_xlsx_has_the_header_lines_above_the_table_and_the_footer_below(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "公示.xlsx"
    proc = run_cli("notice", *BRIGADE, "--from", "2026-01-05", "--to", "2026-01-15", "--phone", "0877-6012345",
                   "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    cells = [[c for c in row if c is not None] for row in load_workbook(out).active.iter_rows(values_only=True)]
    texts = [" ".join(map(str, row)) for row in cells]
    header = next(k for k, t in enumerate(texts) if t.startswith("序号 姓名 身份证号"))
    above, below = "\n".join(texts[:header]), "\n".join(texts[header + 1:])
    assert "发放对象公示" in texts[0] and "依据：云组发〔1989〕55号" in above
    assert "公示期：2026年1月5日至2026年1月15日（11天）" in above and "未获发放者不予公示" in above
    assert "监督电话：0877-6012345" in below and "530421********1213" in below
    assert cells[header + 1][:2] == [1, "张德明"]


def test_a_roster_keyed_by_id_number_alone_prints_it_masked_and_lists_no_reject(tmp_path):
    roster = tmp_path / "insured.csv"
    roster.write_text("身份证号,所属单位\n530421193804121213,右所镇\n5304211938041212,右所镇\n", encoding="utf-8")
    out = tmp_path / "n.csv"
    proc = run_cli("notice", str(roster), "-p", "village_accident_insurance", "-y", "2024", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8-sig")
    assert text.count("530421********1213") == 1  # in the 身份证号 column, not again as a name
    assert "5304211938041212" not in text and "1 行被退回，未列入公示名单" in proc.stderr


def test_notice_with_nobody_paid_exits_2_rather_than_post_an_empty_list(tmp_path):
    out = tmp_path / "n.md"
    proc = run_cli("notice", str(EXAMPLES / "village_cadres_insured.csv"), "-p", "village_accident_insurance",
                   "-y", "2020", "-o", str(out))
    assert proc.returncode == 2 and "无获发放对象" in proc.stderr and not out.exists()


@pytest.mark.parametrize("case", sorted(hostile.CASES))
@pytest.mark.parametrize("policy", sorted(hostile.POLICIES))
def test_notice_on_a_hostile_roster_is_never_silently_wrong(policy, case, tmp_path):
    """The hostile rosters of test_hostile_sweep through notice: refused (2) or written, never a
    traceback; the input is not written; a damaged row is left out and said, never listed."""
    roster = hostile.Roster(policy)
    name, content, expect = hostile.CASES[case](roster, hostile.POLICIES[policy][3])
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "公示.csv"
    proc = run_cli("notice", str(path), "-p", policy, *hostile.POLICIES[policy][1], "-o", str(out))
    assert path.read_bytes() == content
    assert proc.returncode in (0, 2) and "Traceback" not in proc.stderr, proc.stderr
    if expect == "exit2":
        assert proc.returncode == 2 and not out.exists(), proc.stderr
    elif expect == "rows" and proc.returncode == 0:
        assert "被退回，未列入公示名单" in proc.stderr
    if out.exists():
        assert not full_ids(out.read_text(encoding="utf-8-sig"))


def test_notice_pdf_without_a_chinese_font_exits_2(tmp_path):
    for tool, script in (("soffice", "exit 0"), ("fc-list", "exit 0")):  # LibreOffice there, no font known
        (tmp_path / tool).write_text(f"#!/bin/sh\n{script}\n")
        (tmp_path / tool).chmod(0o755)
    out = tmp_path / "n.pdf"
    proc = run_cli("notice", *BRIGADE, "-o", str(out), env={"PATH": str(tmp_path)})
    assert proc.returncode == 2 and "没有中文字体" in proc.stderr and not out.exists()


@pytest.mark.skipif(not PDF_READY, reason="LibreOffice (soffice) or a Chinese font is not installed")
def test_notice_pdf_is_rendered_masked(tmp_path):
    out = tmp_path / "公示.pdf"
    proc = run_cli("notice", *BRIGADE, "--from", "2026-01-05", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = file_text(out)
    assert out.read_bytes().startswith(b"%PDF") and "530421********1213" in text and "5430.00" in text
    assert not full_ids(text)


def _notice_rows(result) -> list[list]:
    from entitlements.publish import NoticeOptions, notice_document

    doc = notice_document(result, NoticeOptions(dt.date(2026, 1, 5), dt.date(2026, 1, 11)))
    return doc.sheet.rows


def test_a_standard_changed_mid_year_is_said_for_each_part_of_the_year():
    raise_from_july = {"sources": {"later": {"doc": "某文〔2025〕1号"}}, "standards": {"layers.raise_2002": {
        "values": [{"from": "2002-01", "amount": "60", "source": "yzf_2002_10"},
                   {"from": "2025-07", "amount": "100", "source": "later"}]}}}
    calc = Calculator("brigade_cadre_living", profile="江川区", standards=raise_from_july)
    rows = _notice_rows(calc.compute_roster(EXAMPLES / "brigade_cadres.csv", 2025))
    assert rows[0][4] == ("2025-01至2025-06：任职年限16–20档 23元/月 + 2002年提标 60元/月；"
                          "2025-07至2025-12：任职年限16–20档 23元/月 + 2002年提标 100元/月")
    assert rows[0][-1] == (23 + 60) * 600 + (23 + 100) * 600


def test_a_lump_sum_says_it_is_a_month_of_standard_for_each_year_served():
    calc = Calculator("village_cadre_departure", profile="澄江市", standards=EXAMPLES / "village_post_standards.csv")
    rows = _notice_rows(calc.compute_roster(EXAMPLES / "village_departures.csv", 2021))
    first = rows[0]  # 赵玉芬: 委员 2015–2017, 主任 2018–2020 → 11100.00 (SPEC §4.3)
    assert first[1] == "赵玉芬" and first[-1] == 1110000
    assert first[3] == ("每任职一年计一个月标准：(委员 1500元/月×12个月 + 委员 1600元/月×12个月 + 委员 1700元/月×12个月"
                        " + 主任 2000元/月×12个月 + 主任 2100元/月×12个月 + 主任 2200元/月×12个月) ÷ 12")


def test_a_nameless_person_without_a_number_in_a_list_that_shows_numbers_keeps_a_masked_key(tmp_path):
    roster = tmp_path / "insured.csv"
    roster.write_text("编号,姓名,身份证号,所属单位\n530421193804121213,,,右所镇\nB2,李四,530422197503121230,右所镇\n",
                      encoding="utf-8")
    out = tmp_path / "n.md"
    proc = run_cli("notice", str(roster), "-p", "village_accident_insurance", "-y", "2024", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    assert "| 1 | 530421********1213 |  | 右所镇 |" in text and "| 2 | 李四 | 530422********1230 | 右所镇 |" in text
