"""The console command ``entitlements`` (补助测算).

Exit codes: 0 success; 1 rejects under --strict; 2 usage or unreadable input.
"""

from __future__ import annotations

import io
import json
import re
import signal
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable
from rich.cells import cell_len

from entitlements import Calculator, InputError, ProfileError, StandardsError
from entitlements.dates import MONTH_PRECISION, DateError, month_label, parse_date
from entitlements.limits import MAX_COUNT
from entitlements.money import fen_to_yuan, ratio_text
from entitlements.budget import budget_markdown, budget_sheet
from entitlements.output import (
    CONTRACT_VERSION, explain_json,
    OutputRefused, OutputSet, Sheet, StagedFile, allocation_sheet, csv_text, discard_staged, notices_sheet,
    rejects_sheet, result_json, same_file, sheet_csv, unit_sheet, write_text_file,
)
from entitlements.workbook import build_workbook
from entitlements.profiles import load_policy_data, profiles, resolve_profile, root_profile
from entitlements.registry import get_policy, policy_ids

try:  # Typer >= 0.2x carries its own copy of Click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older Typer uses the click package
    from click import exceptions as click_errors


class Interrupted(BaseException):
    """SIGTERM, SIGINT (Ctrl-C) or SIGHUP during a run: unwinds it so that its temporary files are removed."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


HANDLED_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name))


def _interrupt(signum: int, frame) -> None:
    for sig in HANDLED_SIGNALS:  # once: the cleanup that follows must not be cut short by a second signal
        signal.signal(sig, signal.SIG_IGN)
    raise Interrupted(signum)


class _App(typer.Typer):
    """The Typer app, run so that usage errors read like every other message (Chinese first, no
    English-only panel) and an interrupted run leaves no temporary file behind."""

    def __call__(self, *args, **kwargs):
        global out, err
        out, err = _consoles()
        previous = {}  # restored at the end: a program (or test) may run the app more than once
        try:
            for sig in HANDLED_SIGNALS:
                previous[sig] = signal.signal(sig, _interrupt)
        except ValueError:  # not the main thread: leave signals alone
            pass
        kwargs.setdefault("standalone_mode", False)
        try:
            code = super().__call__(*args, **kwargs)
        except click_errors.ClickException as exc:
            message = _usage_message(exc)
            if message:
                err.print(f"[bold red]错误 error:[/] {escape(message)}", highlight=False)
            code = exc.exit_code
        except typer.Abort:
            code = 1
        except Interrupted as exc:
            discard_staged()
            name = signal.Signals(exc.signum).name
            err.print(f"[bold red]已中断 interrupted ({name}):[/] 未写出任何输出文件，临时文件已删除 "
                      "no output was written and temporary files were removed", highlight=False)
            code = 128 + exc.signum
        finally:
            discard_staged()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        sys.exit(code if isinstance(code, int) else 0)


def _usage_message(exc) -> str | None:
    """A Click/Typer usage error in Chinese, then Click's own English, then where help is."""
    if type(exc).__name__ == "NoArgsIsHelpError":
        return None  # the help has been printed
    english = exc.format_message()
    param = getattr(exc, "param", None)
    if param is None:
        names = ""
    elif getattr(param, "param_type_name", "") == "argument":
        names = str(param.name).upper()
    else:
        names = " / ".join(getattr(param, "opts", None) or [str(param.name)])
    if isinstance(exc, click_errors.MissingParameter):
        zh = f"缺少参数 {names}".rstrip()
    elif isinstance(exc, click_errors.BadParameter):
        zh = f"参数 {names} 的值无效".replace("  ", " ")
    elif isinstance(exc, click_errors.NoSuchOption):
        maybe = sorted(exc.possibilities or [])
        zh = f"没有这个选项 {exc.option_name}" + (f"（是否想用 {', '.join(maybe)}？）" if maybe else "")
        english = exc.message  # the possibilities are in the Chinese already
    elif isinstance(exc, click_errors.BadOptionUsage):
        zh = f"选项 {exc.option_name} 用法有误（缺少值？）"
    elif english.startswith("No such command"):
        zh = "没有这个命令"
    elif "unexpected extra argument" in english:
        zh = "多余的参数（文件名含空格时请加引号）"
    elif isinstance(exc, click_errors.UsageError):
        zh = "用法有误"
    else:
        zh = "无法执行"
    ctx = getattr(exc, "ctx", None)
    hint = f"\n  查看帮助 help: {ctx.command_path} --help" if ctx is not None else ""
    return f"{zh} {english}{hint}"


app = _App(
    help="补助测算：按政策标准精确计算补助金额、分担和依据。Exact, explained subsidy payouts.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)


def _consoles() -> tuple[Console, Console]:
    """stdout and stderr consoles, made afresh for each run: a console fixes the width, colour and
    terminal it finds when made, and one process may run the app many times (tests, a host program)."""
    return Console(soft_wrap=True), Console(stderr=True, soft_wrap=True)


out, err = _consoles()


class ExplainFormat(str, Enum):
    text = "text"
    json = "json"


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class Lang(str, Enum):
    zh = "zh"
    en = "en"


def _known_policies() -> str:
    """The ids for --help. A broken policy data file is not a traceback at start-up: the command
    that reads the policies says which file, and exits 2."""
    try:
        return ", ".join(policy_ids())
    except (LookupError, StandardsError):
        return "entitlements policies"


PolicyOpt = Annotated[str, typer.Option("--policy", "-p", help="政策编号 policy id: " + _known_policies())]
ProfileOpt = Annotated[Optional[str], typer.Option(
    "--profile", help="地区口径 profile id or Chinese name (江川区, 澄江市); default: the policy's own (云南 for "
                      "province-wide standards, 澄江市 for a 澄江市 programme: entitlements policies)")]
YearOpt = Annotated[int, typer.Option("--year", "-y", help="预算年度 budget year")]
ColumnsOpt = Annotated[Optional[list[str]], typer.Option(
    "--columns", help="表中自有列名=本政策列名，如 \"任职时间=任职年限\"（可重复，或以逗号分隔） "
                      "a sheet's own header for one of the policy's columns (repeat, or separate with commas)")]
StandardsOpt = Annotated[Optional[Path], typer.Option(
    "--standards", help="标准文件 standards file: .toml overlay, or post standards .csv (职务, 年度, 月岗位补贴标准)")]
LangOpt = Annotated[Lang, typer.Option("--lang", help="输出语言 output language")]
RosterArg = Annotated[Path, typer.Argument(help="花名册 roster (.xlsx .xls .csv)")]
SheetOpt = Annotated[Optional[str], typer.Option("--sheet", help="工作表名称 worksheet name (default: the first)")]
RosterOrCountsArg = Annotated[Optional[Path], typer.Argument(help="花名册 roster (.xlsx .xls .csv); or --count")]
CountOpt = Annotated[Optional[list[str]], typer.Option(
    "--count", help="计数模式 counts mode: KEY=N, e.g. --count 党支部=112 (each policy's keys: entitlements policies ID)")]
OutOpt = Annotated[Optional[Path], typer.Option("--out", "-o", help="输出文件 write the output here")]
IncludeEarlierOpt = Annotated[bool, typer.Option(
    "--include-earlier", help="一次性补助：包括以前年度到期（离任）者 lump sums due before the year too")]
BudgetOpt = Annotated[Optional[str], typer.Option(
    "--budget", help="项目预算（元）：封顶后的合计超出时按比例削减至预算 a programme budget (yuan): lines above it "
                     "are cut pro rata (policies with a budget cut: entitlements policies ID)")]


def _run_options(include_earlier: bool, budget: Optional[str] = None) -> dict:
    """The typed options of a run from its flags (entitlements.runargs, shared with the web page)."""
    from entitlements.runargs import run_options

    try:
        return run_options(include_earlier, budget)
    except ValueError as exc:
        raise _fail(str(exc)) from None


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]错误 error:[/] {escape(message)}", highlight=False)
    return typer.Exit(code)


# ---------- output files: the format from the extension, never an input, all or none ----------

DATA_EXTENSIONS = (".xlsx", ".csv", ".json", ".md")
# files a clerk opens in Excel, WPS or a reader, which the tool does not write: text in them would mislead
FOREIGN_EXTENSIONS = (".xls", ".xlsm", ".xlsb", ".ods", ".et", ".ett", ".numbers", ".tsv", ".pdf", ".doc", ".docx",
                      ".wps", ".html", ".htm", ".xml")
CALC_FORMATS = {".xlsx": "xlsx", ".csv": "csv", ".json": "json", ".md": "table"}
WHATIF_FORMATS = {".xlsx": "xlsx", ".json": "json", ".md": "table"}
BUDGET_FORMATS = {".xlsx": "xlsx", ".csv": "csv", ".md": "markdown"}


def _output_format(given: Optional[Enum], path: Optional[Path], formats: dict[str, str], default: str,
                   command: str) -> str:
    """The format of a run's output: the one given, else the one --out's extension names, else the default.

    ``formats`` maps an extension to this command's format. A data extension the command cannot
    write, or one that contradicts --format, exits 2: terminal text in a .xlsx, or JSON in a
    .csv, would be silently wrong.
    """
    ext = path.suffix.lower() if path is not None else ""
    if (ext in DATA_EXTENSIONS and ext not in formats) or ext in FOREIGN_EXTENSIONS:
        kinds = ", ".join(formats)
        raise _fail(f"{command} 不能写出 {ext} 文件（可写 {kinds}）：{path} ({command} cannot write {ext}; it writes {kinds})")
    if given is None:
        return formats.get(ext, default)
    chosen = given.value
    if ext in formats and formats[ext] != chosen:
        raise _fail(f"--format {chosen} 与输出文件的扩展名 {ext} 不符：{path}（去掉 --format 或改文件名） "
                    f"--format {chosen} contradicts the extension {ext} (drop --format or rename the file)")
    if chosen == "xlsx" and path is not None and ext != ".xlsx":
        raise _fail(f"xlsx 输出的文件名须以 .xlsx 结尾：{path} (an xlsx output needs a name ending in .xlsx)")
    return chosen


def _rejects_format(path: Optional[Path]) -> Optional[str]:
    """--rejects writes a workbook or a CSV; any other name exits 2 rather than guessing."""
    if path is None:
        return None
    ext = path.suffix.lower()
    if ext not in (".xlsx", ".csv"):
        raise _fail(f"退回行文件的扩展名须为 .xlsx 或 .csv：{path} (--rejects writes a .xlsx or .csv file)")
    return ext[1:]


def _refuse_overwrites(inputs: list[Optional[Path]], outputs: dict[str, Optional[Path]]) -> None:
    """An output naming an input (also through ./, .., a symlink or a hard link), or two outputs naming
    one file, exits 2 before anything is read: writing would destroy the roster, standards or scenario."""
    given = [(option, path) for option, path in outputs.items() if path is not None]
    for option, path in given:
        for source in inputs:
            if source is not None and same_file(path, source):
                raise _fail(f"{option} {path} 与输入文件 {source} 是同一文件，写出会覆盖输入；请另选文件名 "
                            f"{option} {path} is the same file as the input {source}: writing would overwrite it")
    for k, (option, path) in enumerate(given):
        for other, other_path in given[k + 1:]:
            if same_file(path, other_path):
                raise _fail(f"{option} 与 {other} 是同一文件：{path}，请分别命名 "
                            f"{option} and {other} are the same file: {path}")


class _Files:
    """The output files of one run (see OutputSet): built in staging folders beside their targets,
    renamed into place together by ``commit``; on failure or interruption none is written."""

    def __init__(self) -> None:
        self.outputs = OutputSet()

    def __enter__(self) -> _Files:
        return self

    def __exit__(self, *exc) -> None:
        self.outputs.discard()

    def stage(self, path: Optional[Path], private: bool = False) -> Optional[StagedFile]:
        """Staged early, so that an unwritable or refused target exits 2 before a long computation."""
        if path is None:
            return None
        try:
            return self.outputs.stage(path, private)
        except OutputRefused as exc:
            raise _fail(str(exc)) from None
        except OSError as exc:
            raise _fail(f"无法写出文件 cannot write {path}: {exc.strerror or exc}") from None

    @contextmanager
    def writing(self, what: object):
        try:
            yield
        except OSError as exc:
            raise _fail(f"无法写出文件 cannot write {what}: {exc.strerror or exc}") from None

    def text(self, staged: StagedFile, text: str, bom: bool = False) -> None:
        with self.writing(staged.target):
            write_text_file(staged.path, text, encoding="utf-8-sig" if bom else "utf-8")

    def book(self, staged: StagedFile, sheets) -> None:
        with self.writing(staged.target):
            build_workbook(staged.path, sheets)

    def book_at(self, path: str, sheets) -> None:
        """A workbook at a path of the staging folder (a PDF's source, rendered from it)."""
        with self.writing(path):
            build_workbook(path, sheets)

    def sheet(self, staged: StagedFile, kind: str, sheet: Sheet) -> None:
        """A single sheet (rejects, budget) as .xlsx or CSV."""
        if kind == "xlsx":
            self.book(staged, [sheet])
        else:
            self.text(staged, sheet_csv(sheet), bom=True)

    def commit(self) -> None:
        with self.writing(", ".join(str(f.target) for f in self.outputs.files)):
            self.outputs.commit()


def _calculator(policy: str, profile: Optional[str], standards: Optional[Path], lang: Lang,
                columns: Optional[list[str]] = None) -> Calculator:
    try:
        return Calculator(policy, profile=profile, standards=standards, lang=lang.value, columns=_column_map(columns))
    except (LookupError, ProfileError, StandardsError, InputError) as exc:
        raise _fail(str(exc)) from None


def _column_map(items: Optional[list[str]]) -> dict[str, str]:
    """``--columns "任职时间=任职年限,镇别=所属单位"`` (repeatable) as {sheet header: column}."""
    from entitlements.runargs import column_map

    try:
        return column_map(items)
    except ValueError as exc:
        raise _fail(str(exc)) from None


def _parse_counts(counts: list[str]) -> dict[str, int]:
    """``NAME=N`` items (entitlements.runargs.parse_counts, shared with the web page); exit 2 on a bad one."""
    from entitlements.runargs import parse_counts

    try:
        return parse_counts(counts)
    except ValueError as exc:
        raise _fail(str(exc)) from None


@app.command()
def calc(
    roster: RosterOrCountsArg = None,
    policy: PolicyOpt = ...,
    year: YearOpt = ...,
    profile: ProfileOpt = None,
    columns: ColumnsOpt = None,
    count: CountOpt = None,
    standards: StandardsOpt = None,
    sheet: SheetOpt = None,
    fmt: Annotated[Optional[Format], typer.Option(
        "--format", "-f", help="输出格式 output format (default: from --out's extension, else table)")] = None,
    out_path: OutOpt = None,
    rejects: Annotated[Optional[Path], typer.Option(
        "--rejects", help="把退回行写入文件 write rejects here (.xlsx or .csv)")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="有退回行时退出码为1 exit 1 on any reject")] = False,
    include_earlier: IncludeEarlierOpt = False,
    budget: BudgetOpt = None,
    summary: Annotated[bool, typer.Option("--summary", help="JSON 不含逐人明细 totals only")] = False,
    batch_rows: Annotated[Optional[int], typer.Option(
        "--batch-rows", min=1, help="分批计算大于内存的 CSV 花名册（只出 JSON 合计）compute a CSV in batches of N rows")] = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """计算补助 Compute a roster (or counts) for a budget year."""
    kind = _output_format(fmt, out_path, CALC_FORMATS, "table", "calc")
    rejects_kind = _rejects_format(rejects)
    if kind == "xlsx" and out_path is None:
        raise _fail("xlsx 输出需要 --out 文件名 (--format xlsx needs --out PATH)")
    _refuse_overwrites([roster, standards], {"--out": out_path, "--rejects": rejects})
    calculator = _calculator(policy, profile, standards, lang, columns)
    if batch_rows is not None:
        _calc_in_batches(calculator, roster, year, batch_rows, kind, out_path, rejects, rejects_kind, strict,
                         _run_options(include_earlier, budget), lang)
        return
    with _Files() as files:
        out_file, rejects_file = files.stage(out_path), files.stage(rejects)
        with _Stages(kind != "json") as stages:
            result = _compute(calculator, roster, count, year, sheet, _run_options(include_earlier, budget), stages)
            stages.step("写出结果" if lang is Lang.zh else "writing")
            if rejects_file is not None:
                files.sheet(rejects_file, rejects_kind, rejects_sheet(result, lang.value))
            text = None
            if kind == "json":
                text = json.dumps(result_json(result, lang.value, summary=summary), ensure_ascii=False, indent=2) + "\n"
            elif kind == "csv":
                text = csv_text(result, lang.value)
            elif kind == "xlsx":
                files.book(out_file, [allocation_sheet(result, lang.value), unit_sheet(result, lang.value),
                                      rejects_sheet(result, lang.value), notices_sheet(result, lang.value)])
            elif out_file is not None:
                buffer = Console(file=io.StringIO(), width=160, no_color=True, soft_wrap=True)
                _print_table(result, lang.value, buffer, limit=None)
                text = buffer.file.getvalue()
            if text is not None and out_file is not None:
                files.text(out_file, text, bom=kind == "csv")
        files.commit()
    if out_path is None:  # on the terminal, after the files are in place
        if text is not None:
            sys.stdout.write(text)
        else:
            _print_table(result, lang.value, out)
    if kind == "xlsx":
        data = result.to_json(lang.value, summary=True)
        err.print(f"已写出 {out_path}：合计 {data['totals']['amount']}，退回 {data['rows']['rejected']} 行" if lang is Lang.zh
                  else f"wrote {out_path}: total {data['totals']['amount']}, {data['rows']['rejected']} rows rejected",
                  highlight=False)
    if strict and result.rejects:
        raise typer.Exit(1)


def _calc_in_batches(calculator: Calculator, roster: Optional[Path], year: int, batch_rows: int, kind: str,
                     out_path: Optional[Path], rejects: Optional[Path], rejects_kind: Optional[str], strict: bool,
                     options: dict, lang: Lang) -> None:
    """A CSV larger than memory, batch by batch: the JSON summary (totals, units, rejects)."""
    from entitlements.streaming import stream_summary

    if roster is None or roster.suffix.lower() != ".csv":
        raise _fail("--batch-rows 只适用于 CSV 花名册 (--batch-rows reads a .csv roster)")
    if kind != "json":
        raise _fail("--batch-rows 只输出 JSON 合计，请加 --format json (batches give the JSON summary: add --format json)")
    with _Files() as files:
        out_file, rejects_file = files.stage(out_path), files.stage(rejects)
        try:
            data = stream_summary(calculator, roster, year, batch_rows, lang.value, **options)
        except ValueError as exc:  # InputError, StandardsError, a year out of range
            raise _fail(str(exc)) from None
        if rejects_file is not None:
            table = Sheet("rejects", "退回行" if lang is Lang.zh else "rejected rows", ["行号", "列", "值", "原因"] if lang is Lang.zh else ["row", "column", "value", "reason"],
                          ["int", "text", "text", "text"],
                          [[r["row"], r["column"], r["value"], r["reason"]] for r in data["rejects"]], lang=lang.value)
            files.sheet(rejects_file, rejects_kind, table)
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        if out_file is not None:
            files.text(out_file, text)
        files.commit()
    if out_file is None:
        sys.stdout.write(text)
    if strict and data["rows"]["rejected"]:
        raise typer.Exit(1)


def _compute(calculator: Calculator, roster: Optional[Path], count: Optional[list[str]], year: int,
             sheet: Optional[str], options: dict, stages: _Stages):
    try:
        if count:
            if roster is not None:
                raise _fail("花名册与 --count 只能二选一 (give a roster or --count, not both)")
            return calculator.compute_counts(_parse_counts(count), year, **options)
        if roster is None:
            raise _fail("请给出花名册文件或 --count (give a roster file or --count)")
        zh = calculator.lang != "en"
        stages.step("读取花名册" if zh else "reading the roster")
        table = calculator.read(roster, sheet)
        stages.step(f"校验并计算 {len(table)} 行" if zh else f"checking and computing {len(table)} rows")
        return calculator.compute_roster(table, year, **options)
    except ValueError as exc:  # InputError, StandardsError, a year out of range
        raise _fail(str(exc)) from None


class _Stages:
    """A progress bar over the stages of a run, on stderr, only when stdout is a terminal.

    Silent in pipes, files and with --format json, so captured output stays clean.
    """

    STAGES = 3  # read, check and compute, write

    def __init__(self, wanted: bool):
        self.enabled = wanted and sys.stdout.isatty() and sys.stderr.isatty()
        self.progress = None
        self.task = None
        self.done = -1

    def __enter__(self) -> _Stages:
        if self.enabled:
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                     TimeElapsedColumn(), console=err, transient=True)
            self.progress.start()
            self.task = self.progress.add_task("", total=self.STAGES)
        return self

    def step(self, description: str) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress.update(self.task, description=description, completed=max(self.done, 0))

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def __exit__(self, *exc) -> None:
        self.close()


def _print_table(result, lang: str, out: Console, limit: int | None = 50) -> None:
    zh = lang != "en"
    data = result.to_json(lang)
    calc = result.calculator
    names = calc.profile.level_names(lang)
    title = calc.data.meta["title"] if zh else calc.data.meta.get("title_en", calc.data.meta["title"])
    out.print(f"[bold]{title}[/]  {calc.profile.name}（{calc.profile.id}） {result.year}", highlight=False)
    totals = data["totals"]
    levels = list(totals["by_level"])
    table = RichTable(title="合计 Totals" if zh else "Totals", title_justify="left")
    table.add_column("项目" if zh else "component")
    for lv in levels:
        table.add_column(names[lv], justify="right")
    table.add_column("合计" if zh else "total", justify="right")
    comp = result.computation
    for c, by_level in result.ledger.component_levels().items():
        row = [fen_to_yuan(by_level[lv]) for lv in levels]
        table.add_row(calc.policy.component_label(calc.data, c, lang), *row, totals["by_component"][c])
    table.add_row("[bold]合计[/]" if zh else "[bold]total[/]", *totals["by_level"].values(), f"[bold]{totals['amount']}[/]")
    out.print(table)
    people = data["beneficiaries"]
    monthly = comp.paid_months is not None
    detail = RichTable(title=("明细 Beneficiaries" if zh else "Beneficiaries"), title_justify="left")
    for h in (["编号", "名称", "单位"] if zh else ["id", "name", "unit"]):
        detail.add_column(h)
    if monthly:
        detail.add_column("月数" if zh else "months", justify="right")
    shown = comp.who.shown_counts is not None  # counts mode: how many an entry stands for
    if shown:
        detail.add_column("数量" if zh else "count", justify="right")
    detail.add_column("金额" if zh else "amount", justify="right")
    detail.add_column("说明" if zh else "reasons")
    for p in people if limit is None else people[:limit]:
        row = [escape(p["id"]), escape(p["name"]), escape(p["unit"])]
        if monthly:
            row.append(str(p["paid_months"]))
        if shown:
            row.append(str(p["count"]))
        detail.add_row(*row, p["amount"], escape("；".join(p["reasons"])))
    out.print(detail)
    if limit is not None and len(people) > limit:
        out.print(f"…… 另有 {len(people) - limit} 条，完整明细请用 --format json 或 csv" if zh
                  else f"... {len(people) - limit} more; use --format json or csv for all")
    rows = data["rows"]
    if result.mode == "roster":
        out.print(f"读取 {rows['read']} 行：接收 {rows['accepted']}，退回 {rows['rejected']}；发放人数（个数）{totals['beneficiaries']}"
                  if zh else f"rows read {rows['read']}: accepted {rows['accepted']}, rejected {rows['rejected']}; "
                  f"paid {totals['beneficiaries']}", highlight=False)
    _print_problems(data, zh, out)


def _print_problems(data: dict, zh: bool, out: Console) -> None:
    if data["rejects"]:
        t = RichTable(title="退回 Rejects" if zh else "Rejects", title_justify="left", style="red")
        for h in (["行", "列", "值", "原因"] if zh else ["row", "column", "value", "reason"]):
            t.add_column(h)
        for r in data["rejects"]:
            t.add_row(str(r["row"]), escape(r["column"]), escape(r["value"]), escape(r["reason"]))
        out.print(t)
    if data["notices"]:
        t = RichTable(title="提示 Notices" if zh else "Notices", title_justify="left", style="yellow")
        for h in (["行", "列", "值", "提示"] if zh else ["row", "column", "value", "message"]):
            t.add_column(h)
        for n in data["notices"]:
            t.add_row("" if n["row"] is None else str(n["row"]), escape(n["column"]), escape(n["value"]),
                      escape(n["message"]))
        out.print(t)


@app.command()
def explain(
    roster: RosterArg,
    policy: PolicyOpt = ...,
    year: YearOpt = ...,
    beneficiary_id: Annotated[str, typer.Option("--id", help="编号（或身份证号、组织编号）the beneficiary's id")] = ...,
    profile: ProfileOpt = None,
    columns: ColumnsOpt = None,
    standards: StandardsOpt = None,
    sheet: SheetOpt = None,
    include_earlier: IncludeEarlierOpt = False,
    budget: BudgetOpt = None,
    fmt: Annotated[ExplainFormat, typer.Option(
        "--format", "-f", help="text，或 json：计算所用的一切（条件、标准及依据、月数、分担），供审计 "
                               "text, or json: everything used, as data, for audit")] = ExplainFormat.text,
    lang: LangOpt = Lang.zh,
) -> None:
    """逐步说明一人（一组织）的计算 Explain one beneficiary step by step."""
    calculator = _calculator(policy, profile, standards, lang, columns)
    options = _run_options(include_earlier, budget)
    try:
        result = calculator.compute_roster(roster, year, sheet=sheet, **options)
        one = calculator.entitlement(result, beneficiary_id, **options)
    except LookupError as exc:  # the message names the rejected rows that carry the id, if any
        raise _fail(str(exc)) from None
    except ValueError as exc:  # InputError, StandardsError, a year out of range
        raise _fail(str(exc)) from None
    if fmt is ExplainFormat.json:
        sys.stdout.write(json.dumps(explain_json(one, year), ensure_ascii=False, indent=2) + "\n")
        return
    out.print(one.explain(), highlight=False, markup=False)


@app.command()
def validate(
    roster: RosterArg,
    policy: PolicyOpt = ...,
    profile: ProfileOpt = None,
    columns: ColumnsOpt = None,
    year: Annotated[Optional[int], typer.Option("--year", "-y", help="预算年度 (default: this year)")] = None,
    sheet: SheetOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table | json")] = Format.table,
    rejects: Annotated[Optional[Path], typer.Option(
        "--rejects", help="把退回行写入文件 write rejects here (.xlsx or .csv)")] = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """检查花名册：逐行列出问题 Check a roster: every problem with row and column. Exit 1 on rejects."""
    import datetime as dt

    if fmt not in (Format.table, Format.json):
        raise _fail("validate 只输出 table 或 json；退回行文件请用 --rejects (use --rejects for a file)")
    rejects_kind = _rejects_format(rejects)
    _refuse_overwrites([roster], {"--rejects": rejects})
    calculator = _calculator(policy, profile, None, lang, columns)
    with _Files() as files:
        rejects_file = files.stage(rejects)
        try:
            # check_only: a roster is checked without the post standards only its amounts need
            result = calculator.compute_roster(roster, dt.date.today().year if year is None else year, sheet=sheet,
                                               check_only=True)
        except ValueError as exc:  # InputError, StandardsError, a year out of range
            raise _fail(str(exc)) from None
        if rejects_file is not None:
            files.sheet(rejects_file, rejects_kind, rejects_sheet(result, lang.value))
        files.commit()
    data = result.to_json(lang.value, summary=True)
    if fmt is Format.json:
        sys.stdout.write(json.dumps({k: data[k] for k in ("policy", "rejects", "notices", "rows")},
                                    ensure_ascii=False, indent=2) + "\n")
    else:
        rows = data["rows"]
        zh = lang is Lang.zh
        out.print(f"读取 {rows['read']} 行：接收 {rows['accepted']}，退回 {rows['rejected']}" if zh
                  else f"rows read {rows['read']}: accepted {rows['accepted']}, rejected {rows['rejected']}")
        _print_problems(data, zh, out)
    if result.rejects:
        raise typer.Exit(1)


class BudgetFormat(str, Enum):
    markdown = "markdown"
    xlsx = "xlsx"
    csv = "csv"


@app.command()
def budget(
    roster: RosterOrCountsArg = None,
    policy: PolicyOpt = ...,
    year: YearOpt = ...,
    profile: ProfileOpt = None,
    columns: ColumnsOpt = None,
    count: CountOpt = None,
    standards: StandardsOpt = None,
    sheet: SheetOpt = None,
    fmt: Annotated[Optional[BudgetFormat], typer.Option(
        "--format", "-f", help="markdown | xlsx | csv (default: from --out's extension, else markdown)")] = None,
    out_path: OutOpt = None,
    include_earlier: IncludeEarlierOpt = False,
    budget: BudgetOpt = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """预算文本测算表：人数、月补助经费、年补助经费、各级分担 The budget-text table."""
    kind = _output_format(fmt, out_path, BUDGET_FORMATS, "markdown", "budget")
    if kind == "xlsx" and out_path is None:
        raise _fail("xlsx 输出需要 --out 文件名 (--format xlsx needs --out PATH)")
    _refuse_overwrites([roster, standards], {"--out": out_path})
    calculator = _calculator(policy, profile, standards, lang, columns)
    with _Files() as files:
        out_file = files.stage(out_path)
        with _Stages(True) as stages:
            result = _compute(calculator, roster, count, year, sheet, _run_options(include_earlier, budget), stages)
            stages.step("写出结果" if lang is Lang.zh else "writing")
            table = budget_sheet(result, lang.value)
            text = budget_markdown(table) if kind == "markdown" else None
            if out_file is not None and kind in ("xlsx", "csv"):
                files.sheet(out_file, kind, table)
            elif out_file is not None:
                files.text(out_file, text)
        files.commit()
    if out_file is None:
        sys.stdout.write(text if kind == "markdown" else sheet_csv(table))
    else:
        total = fen_to_yuan(result.ledger.amount)
        err.print(f"已写出 {out_path}：合计 {total}" if lang is Lang.zh else f"wrote {out_path}: total {total}",
                  highlight=False)
    if result.rejects:
        rows = len({r.row for r in result.rejects})
        err.print(f"注意：花名册有 {rows} 行被退回，未计入本表；用 entitlements validate 查看" if lang is Lang.zh
                  else f"note: {rows} roster rows were rejected and are not counted; see entitlements validate",
                  highlight=False)


class PaymentsFormat(str, Enum):
    xlsx = "xlsx"
    csv = "csv"


PAYMENTS_FORMATS = {".xlsx": "xlsx", ".csv": "csv"}


@app.command()
def payments(
    roster: RosterArg,
    policy: PolicyOpt = ...,
    year: YearOpt = ...,
    month: Annotated[Optional[str], typer.Option(
        "--month", help="按月发放的政策：只列该月（如 2025-06） monthly programmes: that month only")] = None,
    profile: ProfileOpt = None,
    columns: ColumnsOpt = None,
    standards: StandardsOpt = None,
    sheet: SheetOpt = None,
    fmt: Annotated[Optional[PaymentsFormat], typer.Option(
        "--format", "-f", help="xlsx | csv (default: from --out's extension, else xlsx)")] = None,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="输出文件 write the list here (.xlsx or .csv)")] = ...,
    include_earlier: IncludeEarlierOpt = False,
    lang: LangOpt = Lang.zh,
) -> None:
    """一卡通发放清单（含身份证号、银行账号：敏感个人信息，不得公示） The 一卡通 payment list for the bank."""
    from entitlements.payments import (
        account_columns_present, check_month, payment_list, payment_sheets, refuse_unless_people, summary,
        waiting_sheet,
    )

    kind = _output_format(fmt, out_path, PAYMENTS_FORMATS, "xlsx", "payments")
    if kind == "csv" and out_path.suffix.lower() != ".csv":
        raise _fail(f"csv 输出的文件名须以 .csv 结尾：{out_path} (a csv output needs a name ending in .csv)")
    # csv: the people waiting for an account go to a file beside the list (the bank imports the list alone)
    waiting_path = out_path.with_name(f"{out_path.stem}.{'待补银行账号' if lang is Lang.zh else 'accounts_needed'}.csv") \
        if kind == "csv" else None
    _refuse_overwrites([roster, standards], {"--out": out_path, "待补银行账号 accounts needed": waiting_path})
    calculator = _calculator(policy, profile, standards, lang, columns)
    try:
        refuse_unless_people(calculator.policy)
        check_month(calculator.policy, year, month)
    except InputError as exc:
        raise _fail(str(exc)) from None
    with _Files() as files:
        out_file = files.stage(out_path, private=True)
        waiting_file = files.stage(waiting_path, private=True)
        with _Stages(True) as stages:
            # one month is computed as its own period: a standard changing later in the year refuses the
            # year (compute it in parts), not that month
            options = {**_run_options(include_earlier), **({"month": month} if month is not None else {})}
            result = _compute(calculator, roster, None, year, sheet, options, stages)
            try:
                account_columns_present(result)
            except ValueError as exc:
                raise _fail(str(exc)) from None
            stages.step("写出结果" if lang is Lang.zh else "writing")
            listing = payment_list(result)
            sheets = payment_sheets(result, listing, lang.value)
            if kind == "xlsx":
                files.book(out_file, sheets)
            else:
                files.text(out_file, sheet_csv(sheets[0]), bom=True)
                files.text(waiting_file, sheet_csv(waiting_sheet(result, listing, lang.value)), bom=True)
        files.commit()
    written = f"{out_path}" + (f"、{waiting_path}" if waiting_path is not None else "")
    err.print(f"已写出 {written}：{summary(listing, lang.value)}" if lang is Lang.zh
              else f"wrote {written}: {summary(listing, lang.value)}", highlight=False)
    if result.rejects:
        err.print(f"注意：花名册有 {result.rows_rejected} 行被退回，未列入；用 entitlements validate 查看 "
                  f"(rows rejected and not listed; see validate)", highlight=False)


class WhatifFormat(str, Enum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


@app.command()
def whatif(
    roster: RosterOrCountsArg = None,
    policy: PolicyOpt = ...,
    profile: ProfileOpt = None,
    columns: ColumnsOpt = None,
    scenario: Annotated[Optional[list[Path]], typer.Option(
        "--scenario", "-s", help="情景文件 scenario file (.toml); several allowed")] = None,
    sets: Annotated[Optional[list[str]], typer.Option(
        "--set", help="覆盖 override PATH=VALUE[@YYYY-MM], e.g. org_funding.branch=4000@2025-01")] = None,
    year: Annotated[Optional[int], typer.Option("--year", "-y", help="预算年度 budget year")] = None,
    years: Annotated[Optional[str], typer.Option("--years", help="多年 years, e.g. 2025-2030")] = None,
    count: CountOpt = None,
    standards: StandardsOpt = None,
    sheet: SheetOpt = None,
    detail: Annotated[bool, typer.Option("--detail", help="列出金额变动的对象及原因 who changes, by how much, why")] = False,
    fmt: Annotated[Optional[WhatifFormat], typer.Option(
        "--format", "-f", help="table | json | xlsx (default: from --out's extension, else table)")] = None,
    out_path: OutOpt = None,
    include_earlier: IncludeEarlierOpt = False,
    budget: BudgetOpt = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """情景测算：基准与情景对比（分项目、分级次、分单位、分年度） Baseline against scenarios."""
    from entitlements.scenarios import Scenario
    from attrs import evolve

    from entitlements.whatif import chart_sheet, compare, count_in_words, in_words, parse_years

    kind = _output_format(fmt, out_path, WHATIF_FORMATS, "table", "whatif")
    if kind == "xlsx" and out_path is None:
        raise _fail("xlsx 输出需要 --out 文件名 (--format xlsx needs --out PATH)")
    _refuse_overwrites([roster, standards, *(scenario or [])], {"--out": out_path})
    calculator = _calculator(policy, profile, standards, lang, columns)
    if year is None and years is None:
        raise _fail("请给出 --year 或 --years (give --year or --years)")
    with _Files() as files:
        out_file = files.stage(out_path)
        try:
            run_years = parse_years(years, year or 0) if years else [year]
            scenarios = [Scenario.from_file(p) for p in scenario or []]
            if sets:  # named by what it changes (党支部基本工作经费=4000元/个/年), not "--set"
                given = Scenario.from_sets(sets)
                words = [in_words(o, calculator.data, lang.value) for o in given.overrides]
                words += [f"conventions.{k}={v}" for k, v in given.conventions.items()]
                words += [count_in_words(c, lang.value) for c in given.counts]
                scenarios.append(evolve(given, name="；".join(words) or given.name))
            if not scenarios:
                raise _fail("请给出 --scenario 文件或 --set 覆盖 (give --scenario FILE or --set PATH=VALUE)")
            with _Stages(kind != "json") as stages:
                if count:
                    if roster is not None:
                        raise _fail("花名册与 --count 只能二选一 (give a roster or --count, not both)")
                    table, counts = None, _parse_counts(count)
                elif roster is None:
                    raise _fail("请给出花名册文件或 --count (give a roster file or --count)")
                else:
                    stages.step("读取花名册" if lang is Lang.zh else "reading the roster")
                    table, counts = calculator.read(roster, sheet), None
                stages.step("计算基准与情景" if lang is Lang.zh else "computing baseline and scenarios")
                options = _run_options(include_earlier, budget)
                comparison = compare(calculator, scenarios, run_years, table=table, counts=counts, detail=detail,
                                     **options)
                stages.step("写出结果" if lang is Lang.zh else "writing")
        except ValueError as exc:  # ScenarioError, InputError, StandardsError, bad --years
            raise _fail(str(exc)) from None
        text = None
        if kind == "json":
            text = json.dumps(comparison.to_json(lang.value, detail), ensure_ascii=False, indent=2) + "\n"
        elif kind == "xlsx":
            sheets = [comparison.sheet(lang.value), chart_sheet(comparison, lang.value)]
            if detail:
                sheets.append(comparison.changes_sheet(lang.value))
            files.book(out_file, sheets)
        elif out_file is not None:
            buffer = Console(file=io.StringIO(), width=200, no_color=True, soft_wrap=True)
            _print_comparison(comparison, lang.value, buffer, detail)
            text = buffer.file.getvalue()
        if out_file is not None and text is not None:
            files.text(out_file, text)
        files.commit()
    if kind == "xlsx":
        err.print(f"已写出 {out_path}" if lang is Lang.zh else f"wrote {out_path}", highlight=False)
    elif out_file is None and text is not None:
        sys.stdout.write(text)
    elif out_file is None:
        _print_comparison(comparison, lang.value, out, detail)


def _print_comparison(comparison, lang: str, console: Console, detail: bool) -> None:
    from entitlements.whatif import count_in_words, in_words

    zh = lang != "en"
    calc = comparison.calculator
    title = calc.data.meta["title"] if zh else calc.data.meta.get("title_en", calc.data.meta["title"])
    console.print(f"[bold]{title}[/]  {calc.profile.name}（{calc.profile.id}）", highlight=False)
    for number, s in enumerate(comparison.scenarios, 1):
        what = "；".join([in_words(o, calc.data, lang) for o in s.overrides]
                        + [f"conventions.{k}={v}" for k, v in s.conventions.items()]
                        + [count_in_words(c, lang) for c in s.counts])
        said = " ".join(t for t in (s.description, what if what != s.name else "") if t)  # the name once
        console.print(f"情景{number} scenario {number}: [bold]{escape(s.name)}[/]" + (f"  {escape(said)}" if said else ""),
                      highlight=False)
    sheet = comparison.sheet(lang)
    # the table's columns are headed 情景1 / 差额1 …, named above: a scenario named by its long change
    # ("2002年提标（每人每月提高60元）=80元/人/月（2025-01起）") as a header took the width of the year and item
    short = [f"情景{k}" if zh else f"scenario {k}" for k in range(1, len(comparison.scenarios) + 1)]
    header = sheet.header[:3] + [h for k in short for h in (k, ("差额" if zh else "Δ ") + k.removeprefix("情景"))]
    rows = []
    for row in sheet.rows:
        cells = [str(row[0]), escape(str(row[1])), fen_to_yuan(row[2])]
        for k in range(3, len(row), 2):
            cells += [fen_to_yuan(row[k]), ("+" if row[k + 1] > 0 else "") + fen_to_yuan(row[k + 1])]
        rows.append(cells)
    # amounts are never cut short: when all columns do not fit the terminal, one table per scenario
    scenarios = (len(header) - 3) // 2
    if scenarios > 1 and _table_width(header, rows) > console.width:
        for s in range(scenarios):
            cols = [0, 1, 2, 3 + 2 * s, 4 + 2 * s]
            console.print(_amount_table([header[k] for k in cols], [[r[k] for k in cols] for r in rows]))
    else:
        console.print(_amount_table(header, rows))
    if comparison.rejects:
        console.print(f"注意：花名册有 {comparison.rejects} 条退回，未计入 (rejected rows are not counted; see validate)",
                      highlight=False)
    if detail:
        changes = comparison.changes_sheet(lang)
        console.print("变动明细 Changes" if zh else "Changes", highlight=False)
        console.print(_amount_table(changes.header, [
            [str(row[0]), escape(row[1]), escape(row[2]), escape(row[3]), fen_to_yuan(row[4]), fen_to_yuan(row[5]),
             ("+" if row[6] > 0 else "") + fen_to_yuan(row[6]), escape(row[7])] for row in changes.rows],
            money=[k for k, kind in enumerate(changes.kinds) if kind == "money"]))


def _table_width(header: list[str], rows: list[list[str]]) -> int:
    """The width a table needs with no cell folded (borders and padding included)."""
    widths = [max([cell_len(h)] + [cell_len(r[k]) for r in rows]) for k, h in enumerate(header)]
    return sum(widths) + 3 * len(widths) + 1


def _amount_table(header: list[str], rows: list[list[str]], money: list[int] | None = None) -> RichTable:
    """Amounts keep their full width (never '336000…'); text columns fold to fit the terminal."""
    money = list(range(2, len(header))) if money is None else money
    table = RichTable(title_justify="left")
    for k, h in enumerate(header):
        if k in money:
            width = max([cell_len(r[k]) for r in rows] + [1])
            table.add_column(escape(h), justify="right", no_wrap=True, min_width=width, overflow="fold")
        else:
            table.add_column(escape(h), justify="left", overflow="fold", min_width=4 if k == 0 else None)
    previous = None
    for row in rows:
        if previous is not None and row[0] != previous:
            table.add_section()
        previous = row[0]
        table.add_row(*row)
    return table


@app.command(name="policies")
def list_policies(
    policy: Annotated[Optional[str], typer.Argument(help="政策编号 policy id (all when omitted)")] = None,
    profile: Annotated[Optional[str], typer.Option(
        "--profile", help="地区口径 profile (default: each policy's own, e.g. 云南省, or 澄江市 for a 澄江市 programme)")] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="日期 date, e.g. 2025-01 (default: today)")] = None,
    paths: Annotated[bool, typer.Option(
        "--paths", help="列出可覆盖的路径、现值与依据 every overridable path, its value and citation")] = False,
    lang: LangOpt = Lang.zh,
) -> None:
    """列出标准、历史与依据 Standards in force at a date, their history and citations."""
    import datetime as dt

    zh = lang is Lang.zh
    try:
        when = parse_date(at).month_index if at else parse_date(dt.date.today()).month_index
        given = resolve_profile(profile) if profile is not None else None
    except (DateError, ProfileError) as exc:
        raise _fail(str(exc)) from None
    try:
        ids = [policy] if policy else list(policy_ids())
    except (LookupError, StandardsError) as exc:  # a broken policy data file: named, exit 2
        raise _fail(str(exc)) from None
    for pid in ids:
        try:
            pid = get_policy(pid).id
        except (LookupError, StandardsError) as exc:
            raise _fail(str(exc)) from None
        try:
            prof = given or resolve_profile(root_profile(pid))  # a programme of one place: shown there
            data = load_policy_data(pid, prof.id)
        except (ProfileError, StandardsError) as exc:
            if policy:  # the one policy asked for cannot be shown
                raise _fail(str(exc)) from None
            err.print(str(exc))
            continue
        title = data.meta["title"] if zh else data.meta.get("title_en", data.meta["title"])
        out.print(f"\n[bold]{pid}[/] {title} — {prof.name}（{prof.id}） @ {month_label(when)}", highlight=False)
        if paths:
            _print_paths(pid, data, when, lang.value)
            continue
        levels = prof.level_names(lang.value)  # as its budget texts say them: 区级, 澄江市级
        for path, std in data.standards.items():
            current = std.at(when)
            unit = f" ({std.unit})" if std.unit else ""
            out.print(f"  [cyan]{escape(path)}[/] {escape(std.label)}{unit}", highlight=False)
            for v in std.values:
                mark = "→" if v is current else " "
                out.print(f"    {mark} {v.start_label} 起: {_describe(std.kind, v.value, lang.value, levels)}  〔{v.source.cite()}〕"
                          + (f"\n        假设 assumption: {v.assumption}" if v.assumption else ""), highlight=False)
        c = data.conventions
        out.print(f"  conventions: start={c.start} stop={c.stop} rounding={c.rounding} standard_year={c.standard_year}",
                  highlight=False)
        _print_capabilities(get_policy(pid), zh)
    if not policy:
        out.print("\n地区口径 profiles: " + ", ".join(f"{p.id}={p.name}" for p in profiles().values()), highlight=False)


def _print_paths(pid: str, data, when: int, lang: str) -> None:
    """One line per path a scenario can set: `--set PATH=VALUE[@DATE]` or [[set]] path = ..."""
    for path, std in data.standards.items():
        v = std.at(when)
        current = "—" if v is None else _describe(std.kind, v.value, lang)
        cite = (v or std.values[0]).source.cite()
        out.print(f"  {escape(path):<36} {std.kind:<6} {escape(current)}  〔{escape(cite)}〕", highlight=False)
    c = data.conventions
    for key in ("start", "stop", "rounding", "standard_year"):
        out.print(f"  {'conventions.' + key:<36} {'conv':<6} {getattr(c, key)}", highlight=False)
    out.print(("可新增的路径 new paths: " if lang != "en" else "new paths: ")
              + ", ".join(get_policy(pid).addable()), highlight=False)
    keys = _count_keys(get_policy(pid))
    if keys:
        out.print(f"counts.<{keys}> = N 或 +N/-N（计数模式 counts mode）", highlight=False)


def _count_keys(policy) -> str:
    """A policy's counts-mode keys, Chinese and English, as the help shows them ('' if it has none)."""
    counts = getattr(policy, "capabilities", lambda: {})().get("counts", [])
    return "|".join(dict.fromkeys(k for c in counts for k in (*c["aliases"][:1], c["key"])))


def _print_capabilities(policy, zh: bool) -> None:
    """What the policy offers besides a roster: counts mode and its keys, a standards table, options."""
    caps = getattr(policy, "capabilities", lambda: {})()
    if caps.get("counts"):
        keys = "；".join(f"{c['name']} {'/'.join([*c['aliases'], c['key']])}" for c in caps["counts"])
        out.print(("  计数模式 --count KEY=N: " if zh else "  counts mode --count KEY=N: ") + keys, highlight=False)
    table = caps.get("standards_table")
    if table:
        out.print(("  --standards 标准表（CSV）列: " if zh else "  --standards table (CSV) columns: ")
                  + ",".join(table["columns"]) + "；" + "、".join(table["posts"].values()), highlight=False)
    for name, option in caps.get("options", {}).items():
        out.print(f"  {option['flag']}: {option['help'][0 if zh else 1]}", highlight=False)


def _describe(kind: str, value, lang: str, levels: dict | None = None) -> str:
    if kind == "money":
        return fen_to_yuan(value)
    if kind == "number":
        return str(value)
    if kind == "ratio":
        return ratio_text(value)
    if kind == "tiers":
        return "；".join(f"≥{t.min}: {fen_to_yuan(t.amount)}" for t in value)
    return value.describe(lang, levels)


# ---------- the 公示 list: published, so masked; see entitlements/publish.py ----------

NOTICE_FORMATS = {".xlsx": "xlsx", ".csv": "csv", ".md": "md", ".pdf": "pdf"}


class NoticeFormat(str, Enum):
    xlsx = "xlsx"
    csv = "csv"
    md = "md"
    pdf = "pdf"


def _notice_date(text: Optional[str], option: str):
    """A day (2025-01-01, 2025年1月1日): a notice period is counted in days, so a month alone is refused."""
    import datetime as dt

    if text is None:
        return None
    try:
        d = parse_date(text)
        if d.day == MONTH_PRECISION:
            raise DateError(f"需要具体到日 a day is needed: {text}", "")
        return dt.date(d.year, d.month, d.day)
    except (DateError, ValueError) as exc:
        raise _fail(f"{option} 应为日期，如 2025-01-01：{text} ({exc})") from None


def _soffice() -> str:
    import shutil

    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise _fail("生成 PDF 需要 LibreOffice（soffice），本机未找到；请安装 LibreOffice，或改用 --format xlsx "
                    "(a PDF is rendered by LibreOffice's soffice, which is not installed: install it, or write xlsx)")
    if _no_cjk_font():
        raise _fail("本机没有中文字体，PDF 中的汉字会显示为方框；请安装中文字体（如 fonts-noto-cjk、fonts-wqy-microhei），"
                    "或改用 --format xlsx (no Chinese font is installed: the PDF would print boxes)")
    return found


def _no_cjk_font() -> bool:
    """Whether fontconfig (LibreOffice's font source on Linux) knows no font covering Chinese; where
    fc-list is absent (Windows, macOS) nothing is known and the PDF is rendered."""
    import shutil
    import subprocess

    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    try:
        proc = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and not proc.stdout.strip()


def _xlsx_to_pdf(soffice: str, xlsx: str, pdf: str) -> None:
    """Render ``xlsx`` to ``pdf`` with LibreOffice, in a private profile (two runs at once do not collide)."""
    import os
    import subprocess
    import tempfile

    folder = os.path.dirname(pdf)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        proc = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                               "--convert-to", "pdf", "--outdir", tmp, xlsx],
                              capture_output=True, text=True, timeout=300)
        made = os.path.join(tmp, Path(xlsx).stem + ".pdf")
        if proc.returncode != 0 or not os.path.exists(made):
            raise _fail(f"LibreOffice 未能生成 PDF (soffice could not render the PDF): {proc.stderr.strip()[-300:]}")
        os.replace(made, pdf)


@app.command()
def notice(
    roster: RosterArg,
    policy: PolicyOpt = ...,
    year: YearOpt = ...,
    profile: ProfileOpt = None,
    columns: ColumnsOpt = None,
    standards: StandardsOpt = None,
    sheet: SheetOpt = None,
    fmt: Annotated[Optional[NoticeFormat], typer.Option(
        "--format", "-f", help="xlsx | csv | md | pdf (default: from --out's extension)")] = None,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="输出文件 the list's file (.xlsx .csv .md .pdf)")] = ...,
    start: Annotated[Optional[str], typer.Option("--from", help="公示开始日期 first day (default: today)")] = None,
    end: Annotated[Optional[str], typer.Option(
        "--to", help="公示结束日期 last day (default: the 7th day; 不少于7天 at least 7 days)")] = None,
    mask: Annotated[str, typer.Option(
        "--mask", help="身份证号显示前几位,后几位 digits shown first,last (default 6,4; at most 6,4)")] = "6,4",
    mask_names: Annotated[bool, typer.Option("--mask-names", help="姓名脱敏 张*三 / 李* mask people's names")] = False,
    phone: Annotated[Optional[str], typer.Option("--phone", help="监督电话 complaints phone")] = None,
    office: Annotated[Optional[str], typer.Option("--office", help="发布单位 issuing office")] = None,
    include_earlier: IncludeEarlierOpt = False,
    budget: BudgetOpt = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """公示名单（身份证号脱敏，仅列发放对象）The public notice list: paid beneficiaries, ID numbers masked."""
    from entitlements.publish import (NoticeError, NoticeOptions, notice_csv, notice_document, notice_markdown,
                                      notice_period, parse_keep)

    ext = out_path.suffix.lower()
    kind = fmt.value if fmt is not None else NOTICE_FORMATS.get(ext)
    if kind is None or NOTICE_FORMATS.get(ext) != kind:
        raise _fail(f"公示名单写 .xlsx、.csv、.md 或 .pdf 文件，格式须与扩展名一致：{out_path} "
                    f"(notice writes .xlsx, .csv, .md or .pdf, and --format must match the extension)")
    try:
        keep = parse_keep(mask)
        first, last = notice_period(_notice_date(start, "--from"), _notice_date(end, "--to"))
    except NoticeError as exc:
        raise _fail(str(exc)) from None
    soffice = _soffice() if kind == "pdf" else None
    _refuse_overwrites([roster, standards], {"--out": out_path})
    calculator = _calculator(policy, profile, standards, lang, columns)
    options = NoticeOptions(first, last, keep, mask_names, (phone or "").strip() or None,
                            (office or "").strip() or None, lang.value)
    zh = lang is Lang.zh
    with _Files() as files:
        out_file = files.stage(out_path)
        with _Stages(True) as stages:
            result = _compute(calculator, roster, None, year, sheet, _run_options(include_earlier, budget), stages)
            stages.step("写出结果" if zh else "writing")
            doc = notice_document(result, options)
            if not doc.sheet.rows:
                raise _fail(f"{year}年度无获发放对象，不生成公示名单 (no one is paid in {year}: nothing to publish)")
            if kind == "csv":
                files.text(out_file, notice_csv(doc), bom=True)
            elif kind == "md":
                files.text(out_file, notice_markdown(doc))
            elif kind == "xlsx":
                files.book(out_file, [doc.sheet])
            else:  # pdf: the workbook rendered by LibreOffice, both in the staging folder
                xlsx = str(Path(out_file.folder) / "公示.xlsx")
                files.book_at(xlsx, [doc.sheet])
                with files.writing(out_path):
                    _xlsx_to_pdf(soffice, xlsx, out_file.path)
        files.commit()
    count, total = len(doc.sheet.rows), fen_to_yuan(doc.sheet.total[-1])
    err.print(f"已写出公示名单 {out_path}：{count} 个发放对象，合计 {total} 元" if zh
              else f"wrote the notice list {out_path}: {count} paid, total {total}", highlight=False)
    if result.rejects:
        rows = len({r.row for r in result.rejects})
        err.print(f"注意：花名册有 {rows} 行被退回，未列入公示名单；用 entitlements validate 查看" if zh
                  else f"note: {rows} roster rows were rejected and are not listed; see entitlements validate",
                  highlight=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址 address to bind (default: this machine only)")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口 port")] = 8000,
    open_browser: Annotated[bool, typer.Option("--open", help="打开浏览器 open the page in the browser")] = False,
    token: Annotated[Optional[str], typer.Option(
        "--token", envvar="ENTITLEMENTS_TOKEN", show_envvar=True,
        help="访问令牌：绑定到本机以外的地址时必需 the token every request must carry when bound beyond localhost")] = None,
    max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", min=1, help="上传上限（MB）upload limit")] = 50,
    keep_minutes: Annotated[int, typer.Option(
        "--keep-minutes", min=1, help="上传与结果保留分钟数 minutes an upload and its result are kept")] = 60,
) -> None:
    """网页版：在浏览器中测算 A local web page and HTTP API (pip install 'entitlements\\[web]')."""
    try:  # the web stack is imported here only: entitlements --help stays as fast as before
        import uvicorn

        from entitlements.web.app import create_app, token_required
    except ImportError as exc:
        raise _fail(f"网页版需要另行安装：pip install 'entitlements[web]' (the web page needs the web extra: {exc.name})") from None
    token = (token or "").strip() or None
    if token_required(host) and token is None:
        raise _fail(f"绑定到 {host} 会让本机以外的人访问，须给出 --token 或环境变量 ENTITLEMENTS_TOKEN "
                    f"(binding beyond localhost needs a token: --token or ENTITLEMENTS_TOKEN)")
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/" + (f"?token={token}" if token else "")
    err.print(f"补助测算网页 the page: {url}", highlight=False)
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    try:
        # bound to this machine: only its own names are answered (a rebound DNS name is not)
        local = None if token_required(host) else ("127.0.0.1", "localhost", "::1")
        uvicorn.run(create_app(token=token, max_upload_mb=max_upload_mb, ttl_seconds=keep_minutes * 60,
                               allowed_hosts=local), host=host, port=port, log_level="warning")
    except Interrupted:  # Ctrl-C: uvicorn has shut down (and removed every upload), then passed the signal on
        pass
    err.print("网页服务已停止，上传的花名册与结果均已删除 (the server stopped; every upload and result was removed)",
              highlight=False)


if __name__ == "__main__":
    app()
