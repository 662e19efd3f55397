"""Review of joint_party_org, community_worker_pay and capped_project_grants as a county clerk
would write their rosters (revB). Each test was seen failing before its fix."""

from __future__ import annotations

import json

import pytest

from .conftest import EXAMPLES, run_cli

CHENGQU = ["--policy", "community_worker_pay", "--year", "2025", "--profile", "城区", "--format", "json"]


def calc(path, args):
    proc = run_cli("calc", str(path), *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# --- community_worker_pay: a clerk's end-of-service column is read, never ignored -------------
# Ignoring it would pay a worker who left in March as still in post (a blank end is "in post"):
# 委员 2020-01-01 → 2025-03-31 is 3 months × 2947 = 8841.00, not 12 × 2947 = 35364.00.

@pytest.mark.parametrize("header", ["任职截止日期", "任职截止时间", "截止日期", "结束日期", "结束时间", "免职时间",
                                    "免职日期", "解聘时间", "离职时间", "离职日期", "离岗时间", "卸任时间",
                                    "终止日期", "任职终止日期"])
def test_an_end_column_as_clerks_name_it_is_read(tmp_path, header):
    path = tmp_path / "w.csv"
    path.write_text(f"编号,姓名,职务,任职开始,{header}\nA1,甲,委员,2020-01-01,2025-03-31\n", encoding="utf-8")
    out = calc(path, CHENGQU)
    assert out["totals"]["amount"] == "8841.00", out["notices"]


@pytest.mark.parametrize("header", ["入职时间", "入职日期", "到岗时间", "任职日期", "开始日期", "开始时间"])
def test_a_start_column_as_clerks_name_it_is_read(tmp_path, header):
    path = tmp_path / "w.csv"
    path.write_text(f"编号,姓名,职务,{header},任职结束\nA1,甲,委员,2025-10-01,\n", encoding="utf-8")
    assert calc(path, CHENGQU)["totals"]["amount"] == "8841.00"  # Oct–Dec: 3 × 2947


# --- community_worker_pay: posts as clerks write them -----------------------------------------
# Each is one post (or 书记 and 主任 held together) beyond doubt; a rejected row would leave a
# worker unpaid. Monthly standards: 一肩挑 4421, 书记/主任 3684, 副职 3316, 委员 2947.

CLERK_POSTS = {
    "支部书记": 3684, "总支书记": 3684, "社区副书记": 3316, "支部副书记": 3316, "社区副主任": 3316,
    "支部委员": 2947, "总支委员": 2947, "社区委员": 2947, "社区工作者（委员）": 2947,
    "党委书记、居委会主任": 4421, "社区党委书记兼居委会主任": 4421, "党支部书记、居委会主任": 4421,
    "党总支书记兼居委会主任": 4421, "主任兼书记": 4421, "居委会主任兼党委书记": 4421, "书记兼任主任": 4421,
    "副书记兼副主任": 3316, "副书记、副主任": 3316,
}


def test_posts_as_clerks_write_them(tmp_path):
    path = tmp_path / "posts.csv"
    rows = [f"P{i:02d},{post},2021-01-01," for i, post in enumerate(CLERK_POSTS)]
    path.write_text("编号,职务,任职开始,任职结束\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = calc(path, CHENGQU)
    assert [(r["value"], r["reason"][:20]) for r in out["rejects"]] == []
    paid = {b["id"]: b["amount"] for b in out["beneficiaries"]}
    assert paid == {f"P{i:02d}": f"{12 * v}.00" for i, v in enumerate(CLERK_POSTS.values())}


@pytest.mark.parametrize("post", ["书记(主任)", "书记（主任）", "书记/主任", "网格员"])
def test_a_post_that_could_be_read_two_ways_is_still_a_reject(tmp_path, post):
    """书记(主任) is the budget's label of the 3684 standard (书记 or 主任), and 书记/主任 may be
    read either way: which one the clerk meant is not ours to guess (a named reject)."""
    path = tmp_path / "p.csv"
    path.write_text(f"编号,职务,任职开始\nP1,{post},2021-01-01\n", encoding="utf-8")
    out = calc(path, CHENGQU)
    assert out["rows"] == {"read": 1, "accepted": 0, "rejected": 1}
    assert out["rejects"][0]["column"] == "职务" and out["rejects"][0]["reason"].startswith("无法识别")


# --- community_worker_pay: 至今 in the end column is still in post ----------------------------

@pytest.mark.parametrize("end", ["至今", "至 今", "在任", "现任", "在职", "在岗"])
def test_still_in_post_written_in_the_end_column(tmp_path, end):
    """A clerk writes 至今 where the end of a post still held would go: the same as a blank end.
    副主任 from 2025-04-01: April–December, 9 × 3316 = 29844.00."""
    path = tmp_path / "w.csv"
    path.write_text(f"编号,职务,任职开始,任职结束\nA1,副主任,2025-04-01,{end}\nA2,委员,2025-01-01,2025-01-31\n",
                    encoding="utf-8")
    out = calc(path, CHENGQU)
    assert out["rejects"] == [] and out["totals"]["amount"] == "32791.00"  # 29844 + 2947


def test_still_in_post_through_the_api():
    from entitlements import Calculator

    calc_ = Calculator("community_worker_pay", profile="城区")
    one = calc_.compute({"编号": "A1", "spans": [{"post": "委员", "start": "2025-07-01", "end": "至今"}]}, 2025)
    assert str(one.amount) == "17682.00"  # July–December, 6 × 2947


# --- joint_party_org: 单位名称 names the organisation (as in the kit's per-unit rosters) ----------

JOINT = ["--policy", "joint_party_org", "--year", "2025", "--profile", "城区", "--format", "json"]


def test_joint_roster_with_unit_name_header(tmp_path):
    """序号, 单位名称, 类别, 任职月数, 所属乡镇（街道）: 2 organisations + an instructor 7 months =
    3200 × 2 + 500 × 7 = 9900.00, 省级 and 市级 4950.00 each."""
    path = tmp_path / "j.csv"
    path.write_text("序号,单位名称,类别,任职月数,所属乡镇（街道）\n1,东街商务楼宇联合党支部,联合党支部,,东街街道\n"
                    "2,北石店非公企业联合党总支,联合党总支,,北石店镇\n3,张志强,党建指导员,7,北石店镇\n", encoding="utf-8")
    out = calc(path, JOINT)
    assert out["totals"]["amount"] == "9900.00"
    assert out["totals"]["by_level"] == {"province": "4950.00", "prefecture": "4950.00", "county": "0.00"}


def test_joint_roster_with_both_name_and_unit_name_is_refused_not_guessed(tmp_path):
    path = tmp_path / "j.csv"
    path.write_text("姓名,单位名称,类别,任职月数\n张志强,某联合党支部,党建指导员,7\n", encoding="utf-8")
    proc = run_cli("calc", str(path), *JOINT)
    assert proc.returncode == 2 and "多列都对应" in proc.stderr


# --- capped_project_grants: a cut shared among the accepted projects says so when rows are rejected

CHENGGONG = ["--policy", "capped_project_grants", "--year", "2026", "--profile", "呈贡区", "--format", "json"]


def test_a_cut_with_rejected_rows_says_the_shares_will_change(tmp_path):
    """The budget is shared by the accepted projects only: once a rejected row is corrected every
    project's cut changes, so the run says so (A and B: 30000 each, budget 30000 → 15000 each)."""
    path = tmp_path / "p.csv"
    path.write_text("项目编号,类别,申请金额\nA,治理类,30000\nB,治理类,30000\nC,文化类,30000\n", encoding="utf-8")
    out = calc(path, [*CHENGGONG, "--budget", "30000"])
    assert [b["amount"] for b in out["beneficiaries"]] == ["15000.00", "15000.00"]
    said = [n["message"] for n in out["notices"] if n["row"] is None]
    assert any("1 行被退回" in m and "未参与" in m for m in said), said
    # no rejects, or no cut: nothing to say
    path.write_text("项目编号,类别,申请金额\nA,治理类,30000\nB,治理类,30000\n", encoding="utf-8")
    assert not any("被退回" in n["message"] for n in calc(path, [*CHENGGONG, "--budget", "30000"])["notices"])
    path.write_text("项目编号,类别,申请金额\nA,治理类,30000\nC,文化类,30000\n", encoding="utf-8")
    assert not any("被退回" in n["message"] for n in calc(path, [*CHENGGONG, "--budget", "90000"])["notices"])


# --- a money column in 万元 is refused by name, never read (or renamed) as 元 -------------------

@pytest.mark.parametrize("header", ["申请金额（万元）", "申请金额(万元)", "申请补助金额（万元）"])
def test_a_money_column_in_wan_yuan_is_refused_with_the_reason(tmp_path, header):
    """5.5 under 申请金额（万元） is 55000 元: read as 元 it would be 5.50. The message says to
    convert; it must not suggest dropping the unit from the header (the old hint did)."""
    path = tmp_path / "p.csv"
    path.write_text(f"项目编号,类别,{header}\nA,工程,5.5\n", encoding="utf-8")
    proc = run_cli("calc", str(path), *CHENGGONG)
    assert proc.returncode == 2
    assert "万元" in proc.stderr and "换算为元" in proc.stderr and "did you mean" not in proc.stderr, proc.stderr


@pytest.mark.parametrize("budget", ["¥126300", "￥126,300.00", " 126300元 ", "１２６３００"])
def test_budget_is_read_as_a_money_cell_is(budget):
    """--budget reads what a 申请金额 cell reads (¥, full-width digits); it refused ¥126300."""
    out = calc(EXAMPLES / "chenggong_projects.csv", [*CHENGGONG, "--budget", budget])
    assert out["totals"]["amount"] == "126300.00"


@pytest.mark.parametrize("budget", ["12.63万", "-5", "126300.001"])
def test_a_budget_that_is_no_amount_in_yuan_is_refused(budget):
    proc = run_cli("calc", str(EXAMPLES / "chenggong_projects.csv"), *CHENGGONG, "--budget", budget)
    assert proc.returncode == 2 and ("--budget" in proc.stderr or "项目预算" in proc.stderr), proc.stderr


# --- joint_party_org: kinds and the months column as clerks write them -----------------------

@pytest.mark.parametrize("kind, amount", [("非公企业联合党支部", "3200.00"), ("商务楼宇联合党委", "3200.00"),
                                          ("社会组织联合党总支", "3200.00"), ("个体工商户联合党支部", "3200.00"),
                                          ("行业联合党委", "3200.00"), ("专职党建指导员", "3500.00"),
                                          ("党建指导员（专职）", "3500.00")])
def test_joint_kinds_as_clerks_write_them(tmp_path, kind, amount):
    path = tmp_path / "k.csv"
    months = "7" if "指导员" in kind else ""
    path.write_text(f"编号,类型,任职月数\nK1,{kind},{months}\n", encoding="utf-8")
    out = calc(path, JOINT)
    assert out["rejects"] == [] and out["totals"]["amount"] == amount


def test_a_part_time_instructor_is_a_reject_that_says_why(tmp_path):
    """The budget pays 500元/月 to each 党建工作指导员 and says nothing of 兼职 ones: not guessed."""
    path = tmp_path / "k.csv"
    path.write_text("编号,类型,任职月数\nK1,兼职党建指导员,7\n", encoding="utf-8")
    out = calc(path, JOINT)
    assert out["rows"]["rejected"] == 1 and "兼职" in out["rejects"][0]["reason"]
    assert not out["rejects"][0]["reason"].startswith("无法识别")


@pytest.mark.parametrize("header", ["任职月份", "在岗月数", "在职月数", "履职月数", "本年任职月数", "发放月数", "补助月数"])
def test_joint_months_column_as_clerks_name_it(tmp_path, header):
    path = tmp_path / "m.csv"
    path.write_text(f"编号,类型,{header}\nZ1,党建指导员,7\n", encoding="utf-8")
    assert calc(path, JOINT)["totals"]["amount"] == "3500.00"


# --- capped_project_grants: categories as the budget text and clerks write them ----------------

@pytest.mark.parametrize("category, amount", [("民生小实事（工程类）", "500000.00"), ("民生小实事工程类", "500000.00"),
                                              ("民生小实事（服务类）", "50000.00"), ("民生小实事服务类", "50000.00"),
                                              ("党建引领基层治理项目", "30000.00"), ("基层治理项目", "30000.00")])
def test_capped_categories_as_clerks_write_them(tmp_path, category, amount):
    path = tmp_path / "c.csv"
    path.write_text(f"项目编号,类别,申请金额\nC1,{category},600000\n", encoding="utf-8")
    out = calc(path, CHENGGONG)
    assert out["rejects"] == [] and out["totals"]["amount"] == amount


def test_a_bare_livelihood_category_is_a_reject(tmp_path):
    """民生小实事 alone may be a 工程类 (≤50万) or a 服务类 (≤5万) project: not guessed."""
    path = tmp_path / "c.csv"
    path.write_text("项目编号,类别,申请金额\nC1,民生小实事,600000\n", encoding="utf-8")
    assert calc(path, CHENGGONG)["rows"]["rejected"] == 1


# --- a number cell is read as Excel shows it (15 significant digits) -----------------------------

def test_a_formula_result_with_a_float_artefact_is_read_as_excel_shows_it(tmp_path):
    """=B2*1.1 style results are stored as 42000.499999999996 and shown by Excel as 42000.5: read
    as shown, not refused as a third decimal; a real third decimal (1234.565) stays a reject."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目编号", "类别", "申请金额"])
    for i, v in enumerate((42000.499999999996, 3.3000000000000003, 1234.565)):
        ws.append([f"F{i}", "服务类", v])
    wb.save(tmp_path / "f.xlsx")
    out = calc(tmp_path / "f.xlsx", CHENGGONG)
    assert [(b["id"], b["amount"]) for b in out["beneficiaries"]] == [("F0", "42000.50"), ("F1", "3.30")]
    assert [(r["row"], r["value"]) for r in out["rejects"]] == [(4, "1234.565")]


def test_a_run_without_the_policys_profile_says_which_to_give():
    """A clerk of 城区 who gives another profile (云南) is told which profile to give (without --profile the
    policy runs under its own, 晋城市城区)."""
    proc = run_cli("calc", str(EXAMPLES / "community_workers.csv"), "--policy", "community_worker_pay", "--year", "2025",
                   "--profile", "云南")
    assert proc.returncode == 2
    assert "--profile shanxi.jincheng.chengqu" in proc.stderr and "晋城市城区" in proc.stderr, proc.stderr


# --- clerks' rosters, totals worked by hand -------------------------------------------------------

CLERK_PROJECTS = """呈贡区2026年度民生小实事项目申报汇总表,,,,,,
序号,项目编号,项目名称,项目类别,申请补助金额（元）,所属街道,备注
1,CG-01,老旧小区改造,工程类项目,"¥600,000.00",龙城街道,超上限
2,CG-02,长者助餐,服务类, 42000.5元 ,乌龙街道,
3,CG-03,路面修补,工程,"１２３，４５６．７８",洛龙街道,全角
4,CG-04,课后托管,服务项目,"60,000元",吴家营街道,
5,CG-05,议事协商,党建引领基层治理,35000,雨花街道,
6,CG-06,楼栋长培训,治理,29999.99,斗南街道,
,,,,,,
7,CG-07,未知类,文化类,10000,龙城街道,
8,CG-08,空金额,服务类,,龙城街道,
9,CG-09,零金额,服务类,0,龙城街道,
10,CG-10,负金额,服务类,-100,龙城街道,
11,CG-11,三位小数,服务类,100.123,龙城街道,
12,CG-02,重复编号,服务类,1000,乌龙街道,
13,CG-13,文本金额,服务类,一万元,乌龙街道,
合计,,,,"1,000,000",,
填表人：张三,,,审核人：李四,,,
"""
# Capped by hand: 500000 + 42000.50 + 123456.78 + 50000 + 30000 + 29999.99 = 775457.27 (77545727 fen).
# Budget 126300 (12630000 fen): each project's floor of capped × 12630000 / 77545727 fen, remainder:
#   CG-01 8143582 r13425886, CG-02 684069 r3576837, CG-03 2010760 r67117480, CG-04 814358 r16851734,
#   CG-05 488614 r72147622, CG-06 488614 r59517622; floors add up to 12629997, so the 3 fen left go to
#   the 3 largest remainders: CG-05, CG-03, CG-06 (+1 fen each). Sum 12630000 exactly.
CUT_BY_HAND = {"CG-01": "81435.82", "CG-02": "6840.69", "CG-03": "20107.61", "CG-04": "8143.58",
               "CG-05": "4886.15", "CG-06": "4886.15"}


def largest_remainder(fen: dict[str, int], budget: int) -> dict[str, int]:
    """The cut worked independently of the engine: floors, then 1 fen each to the largest
    remainders, equal remainders to the smaller id."""
    total = sum(fen.values())
    out = {k: v * budget // total for k, v in fen.items()}
    rest = {k: v * budget % total for k, v in fen.items()}
    for k in sorted(rest, key=lambda k: (-rest[k], k))[: budget - sum(out.values())]:
        out[k] += 1
    return out


def test_clerk_project_roster_cut_to_the_budget_by_hand(tmp_path):
    path = tmp_path / "projects.csv"
    path.write_text(CLERK_PROJECTS, encoding="utf-8")
    capped = {"CG-01": 50000000, "CG-02": 4200050, "CG-03": 12345678, "CG-04": 5000000, "CG-05": 3000000,
              "CG-06": 2999999}
    by_hand = largest_remainder(capped, 12630000)
    assert {k: f"{v // 100}.{v % 100:02d}" for k, v in by_hand.items()} == CUT_BY_HAND
    out = calc(path, [*CHENGGONG, "--budget", "126300"])
    assert {b["id"]: b["amount"] for b in out["beneficiaries"]} == CUT_BY_HAND
    assert out["totals"]["amount"] == "126300.00" and out["totals"]["by_level"]["county"] == "126300.00"
    assert out["rows"] == {"read": 13, "accepted": 6, "rejected": 7}
    assert {(r["row"], r["column"]) for r in out["rejects"]} == {
        (10, "项目类别"), (11, "申请补助金额(元)"), (12, "申请补助金额(元)"), (13, "申请补助金额(元)"),
        (14, "申请补助金额(元)"), (15, "项目编号"), (16, "申请补助金额(元)")}
    assert all(r["value"] or "为空" in r["reason"] for r in out["rejects"])
    # above the capped total nothing is cut; one fen below, CG-01 (the smallest remainder) gives it
    uncut = calc(path, [*CHENGGONG, "--budget", "775457.27"])
    assert uncut["totals"]["amount"] == "775457.27"
    below = calc(path, [*CHENGGONG, "--budget", "775457.26"])
    assert {b["id"]: b["amount"] for b in below["beneficiaries"]}["CG-01"] == "499999.99"


CLERK_WORKERS = """晋城市城区2025年社区工作者工资发放花名册,,,,,,,
序号,姓名,公民身份号码,所属街道（社区）,现任职务,任职开始时间,任职截止日期,备注
1,王红梅,140502198003120022,凤台社区,书记主任一肩挑,2021-01-01,,
2,李建军,14050219760825001X,景西社区,党委书记,2021-01-01,至今,
3,李建军,14050219760825001X,景西社区,居委会主任,2025-07-01,,7月起兼任
4,张丽,140502198504070027,泰森社区, 主任 ,2024.06,2026.06,跨年
5,赵刚,140502198201190013,书院社区,一肩挑,2021年1月,,
6,赵刚,140502198201190013,书院社区,书记,2021年1月,,一肩挑也写了书记
7,刘芳,140502199006300023,矿苑社区,副主任,2022-03-01,2025-08-31,
8,杨磊,140502199509030010,南村社区,社区工作者,2023-05-01,2025-03-31,
9,杨磊,140502199509030010,南村社区,社区副主任,2025-04-01,,
10,周敏,140502197005140022,凤台社区,委员,2020-01-01,2024-12-31,2024年底离任
11,孙强,140502198807150016,凤台社区,网格员,2022-01-01,,未知职务
12,何五,14050219850505001X,凤台社区,支部委员,2025-01-01,2025-06-30,
13,何五,14050219850505001X,凤台社区,委员,2025-07-01,2025-13-31,同一人一行损坏
,,,,,,,
合计,,,,,,,
填表人：张三,,,,,,,
"""


def test_clerk_worker_roster_by_hand(tmp_path):
    """By hand (元/月: 一肩挑 4421, 书记/主任 3684, 副职 3316, 委员 2947):
    王红梅 4421×12 = 53052; 李建军 3684×6 + 4421×6 = 48630; 张丽 3684×12 = 44208;
    赵刚 (一肩挑 and 书记) 4421×12 = 53052; 刘芳 3316×8 = 26528; 杨磊 2947×3 + 3316×9 = 38685;
    周敏 0 (left 2024); 孙强 reject (网格员); 何五 both rows rejected (one damaged).
    Total 264155.00."""
    path = tmp_path / "workers.csv"
    path.write_text(CLERK_WORKERS, encoding="utf-8")
    out = calc(path, CHENGQU)
    paid = {b["name"]: b["amount"] for b in out["beneficiaries"]}
    assert paid == {"王红梅": "53052.00", "李建军": "48630.00", "张丽": "44208.00", "赵刚": "53052.00",
                    "刘芳": "26528.00", "杨磊": "38685.00", "周敏": "0.00"}
    assert out["totals"]["amount"] == "264155.00"
    assert out["rows"] == {"read": 13, "accepted": 10, "rejected": 3}
    assert sorted(r["row"] for r in out["rejects"]) == [13, 14, 15]


def test_clerk_joint_roster_xlsx_by_hand(tmp_path):
    """By hand: 联合党组织 2 × 3200 = 6400; instructors 12 + 12 + 7 + 0 months × 500 = 15500;
    total 21900.00, 省级 and 市级 10950.00 each. Rejected: an organisation with 6 months, 13 months,
    a blank months cell, a repeated name, an unknown kind, an #N/A cell."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2025年两新组织联合党组织和党建指导员工作经费测算表"])
    ws.append(["序号", "单位名称", "类别", "在岗月数", "所属乡镇（街道）", "备注"])
    rows = [(1, "东街商务楼宇联合党支部", "联合党支部", None, "东街街道"),
            (2, "西街个体工商户联合党委", "个体工商户联合党委", 12, "西街街道"),
            (3, "北石店非公企业联合党总支", "联合党总支", 6, "北石店镇"),
            (4, "王建国", "党建指导员", "１２", "东街街道"),
            (5, "李秀英", "专职党建指导员", "12个月", "西街街道"),
            (6, "张志强", "指导员", 7, "北石店镇"),
            (7, "赵丽华", "党建指导员", 0, "钟家庄街道"),
            (8, "刘伟", "党建指导员", 13, "南街街道"),
            (9, "陈某", "党建指导员", None, "南街街道"),
            (10, "东街商务楼宇联合党支部", "联合党支部", None, "东街街道"),
            (11, "某社会组织", "社会组织党支部", None, "东街街道"),
            (12, "吴某", "党建指导员", "#N/A", "东街街道")]
    for r in rows:
        ws.append(list(r))
    ws.append([])
    ws.append(["合计"])
    ws.append(["填表人：张三"])
    wb.save(tmp_path / "j.xlsx")
    out = calc(tmp_path / "j.xlsx", JOINT)
    assert out["totals"]["amount"] == "21900.00"
    assert out["totals"]["by_component"] == {"org_funding": "6400.00", "instructor_stipend": "15500.00"}
    assert out["totals"]["by_level"] == {"province": "10950.00", "prefecture": "10950.00", "county": "0.00"}
    assert out["rows"] == {"read": 12, "accepted": 6, "rejected": 6}
    assert sorted(r["row"] for r in out["rejects"]) == [5, 10, 11, 12, 13, 14]


def test_whatif_budget_scenario_under_a_given_budget_is_refused_not_ignored():
    """--budget wins over the budget.total standard, so a scenario setting budget.total under a
    --budget changed nothing and said nothing (a 0.00 difference): the run stops and says why."""
    proc = run_cli("whatif", str(EXAMPLES / "chenggong_projects.csv"), "--policy", "capped_project_grants",
                   "--year", "2026", "--profile", "呈贡区", "--budget", "126300", "--set", "budget.total=100000")
    assert proc.returncode == 2 and "budget.total" in proc.stderr and "--budget" in proc.stderr, proc.stdout[-500:]
    ok = run_cli("whatif", str(EXAMPLES / "chenggong_projects.csv"), "--policy", "capped_project_grants",
                 "--year", "2026", "--profile", "呈贡区", "--set", "budget.total=100000", "--format", "json")
    assert ok.returncode == 0, ok.stderr


def test_an_unknown_post_lists_the_posts_not_every_alias(tmp_path):
    """A reject listing ~90 aliases (some, like 书记、主任, with the list's own separator) was
    unreadable: with many names, each post is listed once by its name."""
    path = tmp_path / "p.csv"
    path.write_text("编号,职务,任职开始\nP1,网格员,2021-01-01\n", encoding="utf-8")
    reason = calc(path, CHENGQU)["rejects"][0]["reason"]
    assert reason == "无法识别：网格员（可填：书记、主任、书记主任一肩挑、副书记、副主任、委员(社区工作者)等）", reason
