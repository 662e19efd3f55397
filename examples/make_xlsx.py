"""Build the bundled Excel rosters from their CSV twins, laid out as county staff keep them.

    python examples/make_xlsx.py

Each workbook has a merged title row and a 填报单位 line above the header, a 序号 column,
身份证号 stored as text, full dates as real Excel date cells (one as a bare serial number,
as rosters pasted between workbooks often have), the 乡镇 column merged down each group,
a 合计 row and a 填表人 footer. The data is illustrative (not real people), the same as the
CSV twins, so both compute the same totals. ``brigade_cadres_with_errors.xlsx`` adds broken
rows to show what ``validate`` reports.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).parent
FULL_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
NUMBER_COLUMNS = {"任职年限", "党员人数", "书记任职月数", "任职月数"}
MONEY_COLUMNS = {"基本报酬"}  # amounts as Excel number cells (2133.33), as payroll sheets keep them
NUMBER_COLUMNS = {"任职年限", "党员人数", "书记任职月数"}
MONEY_COLUMNS = {"申请金额"}  # written as numbers with two decimals, as a clerk's sheet has them
# (csv, xlsx, title, issuing office, unit column)
ROSTERS = [
    ("brigade_cadres.csv", "brigade_cadres.xlsx",
     "江川区2025年农村原大队一级部分离职半脱产干部定期生活补助花名册", "中共玉溪市江川区委社会工作部", "所属单位"),
    ("two_new_orgs.csv", "two_new_orgs.xlsx",
     "澄江市2025年两新组织党组织基本情况统计表", "中共澄江市委组织部", "所属单位"),
    ("village_departures.csv", "village_departures.xlsx",
     "澄江市2025年离任村（社区）干部任职情况花名册", "中共澄江市委组织部", None),
    ("retired_cadres.csv", "retired_cadres.xlsx",
     "澄江市2024年离退休干部关爱经费花名册", "中共澄江市委组织部", "所属单位"),
    ("service_grant_units.csv", "service_grant_units.xlsx",
     "澄江市2024年村（社区）党组织服务群众专项经费测算表", "中共澄江市委组织部", "所属乡镇（街道）"),
    ("joint_party_orgs.csv", "joint_party_orgs.xlsx",
     "晋城市城区2025年两新组织联合党组织和党建指导员花名册", "中共晋城市城区委社会工作部", "所属单位"),
    ("community_workers.csv", "community_workers.xlsx",
     "晋城市城区2025年社区工作者任职情况花名册", "中共晋城市城区委社会工作部", None),
    ("village_cadres_performance.csv", "village_cadres_performance.xlsx",
     "澄江市2024年村（社区）干部绩效补贴测算花名册", "中共澄江市委组织部", None),
    ("chenggong_projects.csv", "chenggong_projects.xlsx",
     "呈贡区2026年民生小实事项目申报汇总表", "中国共产党昆明市呈贡区委员会社会工作部", "所属街道"),
]
NUMBER_COLUMNS |= {"县内住院次数", "县外住院次数", "任职月数"}
# broken rows appended to a copy of the brigade roster: each should be one reject
BROKEN = [
    ["JC011", "钱有才", "530421193804121214", "男", "1938-04-12", "16", "是", "是", "1984-06", "", "江城镇"],  # check digit
    ["JC012", "孙桂花", "530421194203053344", "男", "1942-03-05", "12", "是", "是", "", "", "江城镇"],  # sex vs ID
    ["JC013", "李德顺", "", "男", "1940-02-30", "20", "是", "是", "", "", "前卫镇"],  # no such date
    ["JC014", "周正清", "", "男", "1941-05", "-3", "是", "是", "", "", "九溪镇"],  # negative tenure
    ["JC004", "赵永福", "", "男", "1936-08", "25", "是", "是", "", "", "前卫镇"],  # duplicate id
    ["JC015", "何美英", "", "女", "1939-10", "18", "是", "是", "", "1930-01", "雄关乡"],  # died before birth
]


def build(csv_name: str, xlsx_name: str, title: str, office: str, unit_column: str | None,
          extra: list[list[str]] = ()) -> Path:
    with open(HERE / csv_name, encoding="utf-8-sig", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    rows += list(extra)
    path = HERE / xlsx_name
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("花名册")
    title_fmt = book.add_format({"bold": True, "font_size": 16, "align": "center"})
    head_fmt = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True})
    cell = book.add_format({"border": 1})
    text = book.add_format({"border": 1, "num_format": "@"})
    date = book.add_format({"border": 1, "num_format": "yyyy-mm-dd"})
    merged = book.add_format({"border": 1, "valign": "vcenter"})
    money = book.add_format({"border": 1, "num_format": "#,##0.00"})
    columns = ["序号", *header]
    sheet.merge_range(0, 0, 0, len(columns) - 1, title, title_fmt)
    sheet.write_string(1, 0, f"填报单位：{office}")
    sheet.write_string(1, len(columns) - 2, "单位：人、元")
    sheet.write_row(2, 0, columns, head_fmt)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, len(columns) - 1, 14)
    first = 3
    serial_written = False
    for i, row in enumerate(rows):
        r = first + i
        sheet.write_number(r, 0, i + 1, cell)
        for j, (name, value) in enumerate(zip(header, row), start=1):
            if name == unit_column:
                continue
            m = FULL_DATE.match(value)
            day = _date(m) if m else None
            if day is not None:
                if not serial_written:  # a date that lost its format: Excel shows the serial number
                    sheet.write_number(r, j, (day - dt.date(1899, 12, 30)).days, cell)
                    serial_written = True
                else:
                    sheet.write_datetime(r, j, dt.datetime.combine(day, dt.time()), date)
            elif name in NUMBER_COLUMNS and value.lstrip("-").isdigit():
                sheet.write_number(r, j, int(value), cell)
            elif name in MONEY_COLUMNS and re.fullmatch(r"\d+(\.\d{1,2})?", value):
                sheet.write_number(r, j, float(value), cell)  # an Excel cell is a double: the reader restores 2133.33
                sheet.write_number(r, j, float(value), money)
            else:
                sheet.write_string(r, j, value, text)
    if unit_column:  # the 乡镇 column merged down each run of equal values
        j = 1 + header.index(unit_column)
        start = 0
        for k in range(1, len(rows) + 1):
            if k == len(rows) or rows[k][j - 1] != rows[start][j - 1]:
                if k - start > 1:
                    sheet.merge_range(first + start, j, first + k - 1, j, rows[start][j - 1], merged)
                else:
                    sheet.write_string(first + start, j, rows[start][j - 1], merged)
                start = k
    total = first + len(rows)
    sheet.write_string(total, 0, "合计", head_fmt)
    sheet.write_string(total, 1, f"{len(rows)}行", cell)
    sheet.write_string(total + 2, 0, "填表人：            审核人：            填表日期：2024年9月30日")
    sheet.freeze_panes(first, 0)
    book.close()
    return path


def _date(m: re.Match) -> dt.date | None:
    try:
        return dt.date(*(int(g) for g in m.groups()))
    except ValueError:  # an impossible date stays text, for validate to name
        return None


def main() -> None:
    for spec in ROSTERS:
        print("wrote", build(*spec))
    csv_name, _, title, office, unit = ROSTERS[0]
    print("wrote", build(csv_name, "brigade_cadres_with_errors.xlsx", title, office, unit, BROKEN))


if __name__ == "__main__":
    main()
