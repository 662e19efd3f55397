"""离退休干部关爱经费 (澄江市委组织部2024年预算文本，离退休老干部、老党员工作经费): 春节、老年节每人每节
慰问金500元；健康体检每人800元；生病住院看望慰问县内每人200元、县外每人300元；离退休党支部书记每月
300元、支委每月200元工作补贴；党员活动经费每人每年500元. Amounts and splits: standards.toml.

Who is owed which part is the roster's to say, one row per retired cadre: 春节慰问、老年节慰问（或两节慰问）、
体检、党员 (是/否), 县内住院次数、县外住院次数, 支部职务 (书记/委员) with 任职月数. Rulings (README):
- a component whose column the roster lacks is claimed for no one, and the run says so (a notice);
  a roster with none of them is refused (exit 2): it cannot say who is owed what;
- a yes/no cell left blank is a reject (blank would silently pay or not pay);
- a blank 住院次数 is 0 (most rows have no stay; the column counts stays);
- 任职月数 blank for a 书记/委员 is a reject, months for a row without a post a reject; without the
  column a 书记/委员 is paid the whole year (12 months), said once;
- 副书记 is refused: the text names its stipend but gives no amount.
"""

from __future__ import annotations

import numpy as np

from entitlements.dates import month_label
from entitlements.declared import DeclaredPolicy
from entitlements.fields import Field, choice_map
from entitlements.people import UNIT_ALIASES
from entitlements.profiles import PolicyData
from entitlements.roster import InputError, Notice, ParsedTable
from entitlements.rules import Component, Condition, Count, Note, standard
from entitlements.splits import MONTHS_PER_YEAR
from entitlements.standards import StandardsError

MAX_STAYS = 24  # hospital stays of one person in a year: more is a typing slip, not a visit count
POSTS = {"secretary": ("书记", "支部书记", "党支部书记"),
         "member": ("委员", "支委", "支部委员", "组织委员", "宣传委员", "纪检委员"),
         "none": ("无", "否", "/", "-")}
POST_CODE = {"none": 0, "secretary": 1, "member": 2}
NO_AMOUNT = ("副书记的工作补贴标准未载明（预算文本只列书记每月300元、支委每月200元），不予计算，请核定后另行计算",
             "no stipend is given for a deputy secretary (the text names 300/month for a secretary, 200 for a member)")
PARTY = {"yes": ("是", "√", "y", "yes", "true", "1", "中共党员", "党员", "共产党员"),
         "no": ("否", "×", "n", "no", "false", "0", "群众", "非党员", "无党派人士", "民主党派")}
PROBATIONARY = ("按党员计发党员活动经费（假设：澄办发〔2004〕5号“每个党员”未排除预备党员）",
                "paid as a party member (assumption: the text's 每个党员 does not exclude probationary members)")


def _yes_no(header: str) -> tuple[str, ...]:
    """The header as clerks write a yes/no column: 体检（是/否）, 体检(是否)."""
    return tuple(f"{header}({words})" for words in ("是/否", "是否", "是或否"))


FIELDS = (
    Field("id", "编号", "text", "id", aliases=("人员编号",)),
    Field("name", "姓名", "text", "name", aliases=("名称", "老干部姓名")),
    Field("id_number", "身份证号", "id_number", "ID number", aliases=("公民身份号码", "身份证号码", "身份证")),
    Field("unit", "所属单位", "text", "unit", default="",
          aliases=(*UNIT_ALIASES, "原单位", "原工作单位", "工作单位", "所在单位", "所属支部", "所在支部", "支部", "党支部",
                   "所属党支部")),
    Field("spring_visit", "春节慰问", "bool", "Spring Festival visit",
          aliases=("春节走访慰问", "是否春节慰问", "春节", *_yes_no("春节慰问"))),
    Field("elders_day_visit", "老年节慰问", "bool", "Elders' Day visit",
          aliases=("老年节走访慰问", "重阳节慰问", "敬老节慰问", "是否老年节慰问", "老年节", "重阳节", "敬老节",
                   *_yes_no("老年节慰问"), *_yes_no("重阳节慰问"))),
    Field("both_visits", "两节慰问", "bool", "both festival visits",
          aliases=("两节走访慰问", "春节、老年节慰问", "是否两节慰问", *_yes_no("两节慰问"))),
    Field("health_check", "体检", "bool", "health check",
          aliases=("健康体检", "是否体检", "是否参加体检", *_yes_no("体检"), *_yes_no("健康体检"))),
    Field("hospital_in", "县内住院次数", "int", "hospital stays in the county", max=MAX_STAYS,
          aliases=("县内住院", "县内住院(次)", "县内住院慰问次数", "市内住院次数", "市内住院")),
    Field("hospital_out", "县外住院次数", "int", "hospital stays outside the county", max=MAX_STAYS,
          aliases=("县外住院", "县外住院(次)", "县外住院慰问次数", "市外住院次数", "市外住院")),
    Field("post", "支部职务", "choice", "branch post", aliases=("党支部职务", "支部任职", "党内职务"),
          choices=choice_map(POSTS), refused={"副书记": NO_AMOUNT, "支部副书记": NO_AMOUNT, "党支部副书记": NO_AMOUNT}),
    Field("post_months", "任职月数", "int", "months in post", aliases=("支部任职月数", "职务任职月数", "任职时长"),
          max=MONTHS_PER_YEAR, unit="月"),
    Field("party_member", "党员", "choice", "party member",
          aliases=("是否党员", "政治面貌", "中共党员", "党员活动经费", *_yes_no("党员")),
          choices=choice_map(PARTY) | {"中共预备党员": "yes", "预备党员": "yes"},
          assumed={"中共预备党员": PROBATIONARY, "预备党员": PROBATIONARY}),
)
# the columns that claim a component; a roster with none of them says nothing about who is owed what
CLAIMS = {"spring_visit": "春节慰问金", "elders_day_visit": "老年节慰问金", "health_check": "健康体检费",
          "hospital_in": "县内住院慰问金", "hospital_out": "县外住院慰问金", "post": "支部书记、支委工作补贴",
          "party_member": "党员活动经费"}
YES_NO = ("spring_visit", "elders_day_visit", "both_visits", "health_check", "party_member")


def _roster_error(message: str) -> InputError:
    """The roster as a whole cannot be read (exit 2); the API names the roster, not a column."""
    error = InputError(message)
    error.field = "roster"
    return error


def _flag(name: str, zh: str, en: str, no_zh: str, no_en: str) -> Condition:
    return Condition(name, lambda c: np.asarray(getattr(c, name), dtype=bool), (zh, en), (no_zh, no_en))


class RetiredCadreCare(DeclaredPolicy):
    id = "retired_cadre_care"
    schedule = "annual"  # every standard a year's (or a month's times months served): the budget year whole
    key_fields = ("id", "id_number", "name")  # 编号, else 身份证号, else 姓名 (a roster of names only)
    fields = FIELDS
    conditions = (
        _flag("spring_visit", "春节慰问：是", "Spring Festival visit: yes", "未列入春节慰问", "no Spring Festival visit"),
        _flag("elders_day_visit", "老年节慰问：是", "Elders' Day visit: yes", "未列入老年节慰问", "no Elders' Day visit"),
        _flag("health_check", "健康体检：是", "health check: yes", "未列入健康体检", "no health check"),
        Condition("secretary", lambda c: c.post == POST_CODE["secretary"], ("支部职务：书记", "branch secretary"),
                  ("非离退休党支部书记，无书记工作补贴", "not a branch secretary")),
        Condition("committee_member", lambda c: c.post == POST_CODE["member"], ("支部职务：委员", "branch member"),
                  ("非离退休党支部委员，无支委工作补贴", "not a branch committee member")),
        _flag("party_member", "党员：是", "party member: yes", "非党员（或未列入），无党员活动经费", "not a party member"),
    )
    notes = (
        Note(lambda c: np.asarray(c.party_member, bool) & (np.asarray(c.spring_visit, bool)
                                                           | np.asarray(c.elders_day_visit, bool)),
             ("党员活动经费“含春节、敬老节慰问”（澄办发〔2004〕5号），此人同时列入两节慰问，请核实是否重复",
              "the party activity fund includes the festival visits (澄办发〔2004〕5号): both are claimed, check"),
             roster_only=True),
        Note(lambda c: (c.post > 0) & (c.post_months < MONTHS_PER_YEAR),
             ("支部任职{post_months}个月，工作补贴按月计发", "in the branch post {post_months} months, paid by month"),
             roster_only=True),
    )
    parts = (
        Component("spring_visit", ("春节慰问金", "Spring Festival visit"), standard("festival_visit.per_festival"),
                  when=("spring_visit",)),
        Component("elders_day_visit", ("老年节慰问金", "Elders' Day visit"), standard("festival_visit.per_festival"),
                  when=("elders_day_visit",)),
        Component("health_check", ("健康体检费", "health check"), standard("health_check.per_person"),
                  when=("health_check",)),
        Component("hospital_in", ("县内住院慰问金", "hospital visits in the county"),
                  standard("hospital_visit.in_county"), per="hospital_in"),
        Component("hospital_out", ("县外住院慰问金", "hospital visits outside the county"),
                  standard("hospital_visit.out_of_county"), per="hospital_out"),
        Component("secretary_stipend", ("离退休党支部书记工作补贴", "retired branch secretary stipend"),
                  standard("branch_stipend.secretary"), per="post_months", when=("secretary",)),
        Component("member_stipend", ("离退休党支部支委工作补贴", "retired branch committee member stipend"),
                  standard("branch_stipend.member"), per="post_months", when=("committee_member",)),
        Component("party_activity", ("党员活动经费", "party member activities"), standard("party_activity.per_member"),
                  when=("party_member",)),
    )
    counts = (  # as budgets are drafted: how many are owed each part (visits: stays, 人次)
        Count("person", "离退休干部（春节、老年节两节慰问）", ("离退休干部", "人数", "两节慰问", "festival_visit"),
              {"spring_visit": True, "elders_day_visit": True}),
        Count("spring_festival", "春节慰问", ("春节慰问",), {"spring_visit": True}, beneficiaries=False),
        Count("elders_day", "老年节慰问", ("老年节慰问", "重阳节慰问"), {"elders_day_visit": True}, beneficiaries=False),
        Count("health_check", "健康体检", ("体检", "健康体检"), {"health_check": True}, beneficiaries=False),
        Count("hospital_in", "县内住院慰问（人次）", ("县内住院",), {"hospital_in": 1}, beneficiaries=False),
        Count("hospital_out", "县外住院慰问（人次）", ("县外住院",), {"hospital_out": 1}, beneficiaries=False),
        Count("secretary", "离退休党支部书记（全年）", ("书记", "支部书记"),
              {"post": POST_CODE["secretary"], "post_months": MONTHS_PER_YEAR}, beneficiaries=False),
        Count("member", "离退休党支部支委（全年）", ("支委", "委员"),
              {"post": POST_CODE["member"], "post_months": MONTHS_PER_YEAR}, beneficiaries=False),
        Count("activity", "党员（活动经费）", ("党员", "党员活动"), {"party_member": True}, beneficiaries=False),
    )

    def check_rows(self, parsed: ParsedTable, data: PolicyData) -> None:
        """Which components the roster claims (a missing column: for no one, said), and the cells
        that cannot be read without guessing (a blank 是/否, months without a post)."""
        origin = parsed.table.origin
        if not any(parsed.has(f) for f in (*CLAIMS, "both_visits")):
            wanted = "、".join(self.field(f).header for f in (*CLAIMS, "both_visits"))
            raise _roster_error(f"{origin}: 花名册没有任何补助项目列（{wanted}），无法确定每人应发哪些项目 "
                             f"(the roster has none of the columns that say who is owed which part){parsed.hint([])}")
        if parsed.has("both_visits") and (parsed.has("spring_visit") or parsed.has("elders_day_visit")):
            raise _roster_error(f"{origin}: “两节慰问”列与“春节慰问”/“老年节慰问”列不能同时使用，同一慰问可能计两次 "
                             f"(a both-festivals column with a single-festival column could pay one visit twice)")
        if parsed.has("post_months") and not parsed.has("post"):
            raise _roster_error(f"{origin}: 有“任职月数”列但没有“支部职务”列，无法确定按书记还是支委计发 "
                             f"(months in post without the branch post column)")
        festivals = parsed.has("both_visits")
        for f, what in CLAIMS.items():
            if not parsed.has(f) and not (festivals and f in ("spring_visit", "elders_day_visit")):
                header = self.field(f).header
                parsed.notices.append(Notice(None, header, "", f"花名册无“{header}”列：本次不计{what}",
                                             f"no '{header}' column: {what} is computed for no one"))
        if parsed.has("post") and not parsed.has("post_months"):
            parsed.notices.append(Notice(None, "任职月数", "", "花名册无“任职月数”列：支部书记、支委按全年12个月计发工作补贴",
                                         "no months-in-post column: branch posts are paid for the whole year"))
        for f in YES_NO:
            if parsed.has(f):
                blank = ~parsed.columns[f].present & ~parsed.rejected
                header = parsed.column(f)
                parsed.reject(np.flatnonzero(blank), f, f"未填写{header}（应填“是”或“否”，空白不能判断是否计发）",
                              f"{self.field(f).label_en} left blank (fill in 是 or 否)", "")
        if parsed.has("post_months"):
            post = self._posts(parsed)
            months = parsed.columns["post_months"]
            live = ~parsed.rejected
            parsed.reject(np.flatnonzero(live & (post > 0) & ~months.present), "post_months",
                          "支部书记、支委未填任职月数", "months in post missing for a branch post", "")
            parsed.reject(np.flatnonzero(~parsed.rejected & (post == 0) & (months.ints() > 0)), "post_months",
                          "填有任职月数但支部职务为空（或“无”），无法确定按何职务计发",
                          "months in post given without a branch post")

    @staticmethod
    def _posts(parsed: ParsedTable) -> np.ndarray:
        col = parsed.columns["post"]
        codes = np.array([POST_CODE.get(v, 0) if isinstance(v, str) else 0 for v in col.uniq], dtype=np.int64)
        return codes[col.inverse]

    def columns(self, parsed: ParsedTable, data: PolicyData) -> dict[str, np.ndarray]:
        c = parsed.columns
        both = c["both_visits"].flags()
        post = self._posts(parsed)
        months = c["post_months"].ints() if parsed.has("post_months") else np.full(len(post), MONTHS_PER_YEAR)
        party = c["party_member"]
        return {"spring_visit": c["spring_visit"].flags() | both,
                "elders_day_visit": c["elders_day_visit"].flags() | both,
                "health_check": c["health_check"].flags(),
                "hospital_in": np.asarray(c["hospital_in"].ints(), dtype=np.int64),
                "hospital_out": np.asarray(c["hospital_out"].ints(), dtype=np.int64),
                "post": post, "post_months": np.where(post > 0, months, 0).astype(np.int64),
                "party_member": np.array([v == "yes" for v in party.uniq], dtype=bool)[party.inverse]}

    def columns_template(self) -> dict[str, np.ndarray]:
        flag, count = np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64)
        return {"spring_visit": flag, "elders_day_visit": flag, "health_check": flag, "hospital_in": count,
                "hospital_out": count, "post": count, "post_months": count, "party_member": flag}

    def reasons(self, comp, i: int, lang: str = "zh") -> list[str]:
        """A part not claimed is not a reason worth a line each (``explain`` shows every part with
        ✓/✗): the reasons keep the notes, and say so once when nothing at all is claimed."""
        k = 0 if lang != "en" else 1
        unclaimed = {c.reason[k] for c in self.conditions}
        out = [r for r in super().reasons(comp, i, lang) if r not in unclaimed]
        ev, columns = comp.detail["evaluation"], comp.who.columns
        for c in self.parts:  # claimed, but the year has no standard for it (before the text's year)
            std = comp.data.get(c.rate.path)
            claimed = all(ev.conditions[w][i] for w in c.when) and (c.per is None or columns[c.per][i] > 0)
            if claimed and std.at(comp.stop - 1) is None:
                first = month_label(std.values[0].start)
                out.append((f"{c.label[0]}的标准自{first}起施行，本期没有标准，未计",
                            f"{c.label[1]}: no standard before {first}, not computed")[k])
        if not comp.amounts()[i] and comp.who.multiplicity is None and not out:
            out.insert(0, ("未列入任何补助项目（各项均为“否”或0次）", "no part is claimed (all 否 or 0)")[k])
        return out

    def compute(self, who, data, first, stop, whole_programme=True, **options):
        """Visits and checks are paid once a year, not by month: a part of a year would pay a
        twelfth of a visit, so only whole budget years are computed."""
        if first % MONTHS_PER_YEAR or stop - first != MONTHS_PER_YEAR:
            raise StandardsError("离退休干部关爱经费（慰问、体检按次、按年发放）只按整个预算年度计算，不按月折算 "
                                 "(visits and health checks are paid per year, not prorated by month: give a year)")
        return super().compute(who, data, first, stop, whole_programme, **options)


POLICY = RetiredCadreCare()
