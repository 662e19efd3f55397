"""Renderings of a roster result: the JSON contract (SPEC §6), CSV, and terminal tables."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import signal
import stat
import tempfile
import time
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from attrs import define, field

from .contract import CONTRACT_VERSION, calc_json  # noqa: F401  (CONTRACT_VERSION: importable here as before)
from .ledger import Ledger
from .money import fen_to_yuan

if TYPE_CHECKING:
    from .policy import Computation
    from .roster import Notice, Reject


class RosterResult(Protocol):
    """What the writers read of ``calculator.RosterResult``. Described here, not imported:
    the calculator serialises its results with this module, and an import back is a cycle."""

    calculator: Any  # the Calculator: .lang, .policy, .profile
    year: int
    computation: Computation
    rejects: list[Reject]
    notices: list[Notice]
    rows_read: int
    mode: str

    @property
    def rows_rejected(self) -> int: ...


def result_json(result: RosterResult, lang: str = "zh", summary: bool = False) -> dict[str, Any]:
    """calc's JSON contract (written by contract.calc_json)."""
    return calc_json(result, lang, summary)


@define
class Sheet:
    """A rendered table (allocation, per-unit summary, rejects, budget) for CSV, xlsx or markdown.

    Money cells hold integer fen; ``kinds`` says which columns are money, counts or text.
    """

    name: str
    title: str
    header: list[str]
    kinds: list[str]  # "text" | "money" | "int"
    rows: list[list[Any]]
    total: list[Any] | None = None  # the totals row; its first cell is the label
    notes: list[str] = field(factory=list)
    chart: str | None = None  # xlsx: a column chart with this title, first column as categories
    lang: str = "zh"  # the language of the printed frame (units line, 大写 label, signature block, footer)
    words_total: int | None = None  # the grand total in capitals; None: the totals row's last money cell
    signed: bool = True  # a form to sign (填表人、审核人 …); a public notice carries its issuer in its footer
    preamble: list[str] = field(factory=list)  # lines between the title and the header (a 公示 list's basis, period)
    # xlsx only: (label, first column, last column) on a band row above the header (分项, 分级负担);
    # the CSV keeps one header row
    groups: list[tuple[str, int, int]] = field(factory=list)

    def grand_total(self) -> int | None:
        """The amount a printed sheet states in capitals and signs for: ``words_total``, else the
        last money cell of the totals row (the 合计 column); None when the sheet has neither."""
        if self.words_total is not None:
            return self.words_total
        if self.total is None:
            return None
        money = [v for v, k in zip(self.total, self.kinds) if k == "money" and isinstance(v, int)]
        return money[-1] if money else None

    def cell_text(self, value: Any, kind: str) -> str:
        if value is None or value == "":
            return ""
        return fen_to_yuan(value) if kind == "money" else str(value)

    def text_rows(self) -> list[list[str]]:
        rows = [*self.rows, *([self.total] if self.total is not None else [])]
        return [[self.cell_text(v, k) for v, k in zip(r, self.kinds)] for r in rows]


def _title(result: RosterResult, what_zh: str, what_en: str, lang: str) -> str:
    calc = result.calculator
    if lang == "en":
        return f"{calc.data.meta.get('title_en', calc.data.meta['title'])} {result.year}: {what_en} ({calc.profile.id})"
    return f"{calc.profile.name}{result.year}年{calc.data.meta['title']}{what_zh}"


def _money_headers(result: RosterResult, lang: str) -> tuple[list[str], list[str]]:
    """Headers of the money columns (each component, each level shown, the total), and the levels."""
    calc, ledger = result.calculator, result.ledger
    levels = ledger.levels_shown()
    names = calc.profile.level_names(lang)
    headers = [calc.policy.component_label(calc.data, c, lang) for c in ledger.components]
    headers += [names[lv] for lv in levels] + (["合计"] if lang != "en" else ["total"])
    return headers, levels


def _money_totals(ledger: Ledger, levels: list[str]) -> list[int]:
    """A totals row's money cells, from the ledger: each component, each level, the total."""
    return [*ledger.by_component.values(), *(ledger.by_level[lv] for lv in levels), ledger.amount]


def _listed(values: Any) -> list[Any]:
    """A column's values as a list (an encoded column decoded)."""
    return values.decoded().tolist() if hasattr(values, "decoded") else list(values)


def allocation_sheet(result: RosterResult, lang: str = "zh") -> Sheet:
    """One row per beneficiary: what justifies the amounts (the policy's shown columns: tier,
    standard, post …), components, levels, total, paid months, reasons; a totals row. The
    component and level columns are grouped under a band (分项, 分级负担) in the xlsx."""
    comp = result.computation
    who = comp.who
    zh = lang != "en"
    money_headers, levels = _money_headers(result, lang)
    by_level = comp.by_level()
    money = [*comp.by_component().values(), *(by_level[lv] for lv in levels), comp.amounts()]
    monthly = comp.paid_months is not None
    shown = who.shown_counts  # counts mode: how many organisations or people an entry stands for
    counts_mode = shown is not None
    header = ["编号", "名称", "所属单位"] if zh else ["id", "name", "unit"]
    kinds = ["text"] * 3
    columns: list[list[Any]] = [[str(v) for v in _listed(who.ids)], [str(v or "") for v in _listed(who.names)],
                                [str(v or "") for v in _listed(who.units)]]
    if counts_mode:
        header.append("数量" if zh else "count")
        kinds.append("int")
        columns.append(shown.tolist())
    for head, kind, values in result.calculator.policy.shown_columns(comp, lang):
        header.append(head)
        kinds.append(kind)
        columns.append(values)
    first_money = len(header)
    header += money_headers
    kinds += ["money"] * len(money)
    columns += [c.tolist() for c in money]
    n_comp = len(money) - len(levels) - 1
    groups = [(("分项" if zh else "components"), first_money, first_money + n_comp - 1)] if n_comp else []
    if levels:
        groups.append(("分级负担" if zh else "by level", first_money + n_comp, first_money + n_comp + len(levels) - 1))
    if monthly:
        header.append("发放月数" if zh else "paid months")
        kinds.append("int")
        columns.append(comp.paid_months.tolist())
    header += ["是否发放", "说明"] if zh else ["paid", "reasons"]
    kinds += ["text", "text"]
    yes, no = ("是", "否") if zh else ("yes", "no")
    columns.append([yes if v > 0 else no for v in columns[first_money + len(money) - 1]])
    columns.append(["；".join(comp.reasons(i, lang)) for i in range(len(who))])
    rows = [list(r) for r in zip(*columns)]
    total: list[Any] = ["合计" if zh else "total"] + [""] * (first_money - 1)
    total += _money_totals(result.ledger, levels)
    total += [""] * (len(header) - len(total))
    return Sheet("分配表" if zh else "allocation", _title(result, "分配表", "allocation", lang), header, kinds, rows, total,
                 lang=lang, groups=groups)


def unit_sheet(result: RosterResult, lang: str = "zh") -> Sheet:
    """Per 乡镇（街道）: beneficiaries paid, each component, each level, the total."""
    zh = lang != "en"
    ledger = result.ledger
    money_headers, levels = _money_headers(result, lang)
    header = (["单位", "发放人数（个数）"] if zh else ["unit", "paid"]) + money_headers
    kinds = ["text", "int"] + ["money"] * (len(money_headers))
    rows = []
    for unit in ledger.units:
        one = ledger.unit(unit)
        rows.append([unit or ("（未填单位）" if zh else "(no unit)"), one.beneficiaries, *_money_totals(one, levels)])
    total = ["合计" if zh else "total", ledger.beneficiaries] + _money_totals(ledger, levels)
    return Sheet("按单位汇总" if zh else "by unit", _title(result, "按单位汇总", "by unit", lang), header, kinds, rows, total,
                 lang=lang)


def rejects_sheet(result: RosterResult, lang: str = "zh") -> Sheet:
    zh = lang != "en"
    rows = [[r.row, r.column, r.value, r.reason(lang)] for r in result.rejects]
    return Sheet("退回" if zh else "rejects", _title(result, "退回行", "rejected rows", lang),
                 ["行号", "列", "值", "原因"] if zh else ["row", "column", "value", "reason"],
                 ["int", "text", "text", "text"], rows, lang=lang)


def notices_sheet(result: RosterResult, lang: str = "zh") -> Sheet:
    zh = lang != "en"
    rows = [["" if n.row is None else n.row, n.column, n.value, n.message(lang)] for n in result.notices]
    return Sheet("提示" if zh else "notices", _title(result, "提示", "notices", lang),
                 ["行号", "列", "值", "提示"] if zh else ["row", "column", "value", "message"],
                 ["int", "text", "text", "text"], rows, lang=lang)


# A text cell starting so is run as a formula by Excel, WPS and LibreOffice (CSV injection):
# a 姓名 of =HYPERLINK("http://x","点此") would become a live link. OWASP's remedy is a leading
# apostrophe, which makes the cell text. Plain numbers (-12.50, +3) are not formulas and stay as they are.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def csv_safe(text: str) -> str:
    """``text`` as a CSV cell that no spreadsheet runs as a formula."""
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def sheet_csv(sheet: Sheet) -> str:
    """The sheet as CSV text: every CSV the command writes goes through here, so text cells are made safe once."""
    buf = io.StringIO()
    # CRLF, as RFC 4180 and Excel have it: the csv module quotes a cell holding any character of
    # the line terminator, so a CR inside a name is quoted too instead of splitting the row
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in sheet.header])
    for row in sheet.text_rows():
        writer.writerow([csv_safe(v) if k == "text" else v for v, k in zip(row, sheet.kinds)])
    return buf.getvalue()


def csv_text(result: RosterResult, lang: str = "zh") -> str:
    return sheet_csv(allocation_sheet(result, lang))


def rejects_csv(result: RosterResult, lang: str = "zh") -> str:
    return sheet_csv(rejects_sheet(result, lang))


# ---------- writing files: never an input, never half, nothing left behind ----------

STAGING_TAG = ".entitlements-tmp"
PRIVATE_MODE = 0o600  # an output holding sensitive personal information (PIPL art. 28): its owner only
_staging: set[str] = set()  # this process's staging folders, removed when a run fails or is interrupted


class OutputRefused(ValueError):
    """An output path that must not be written (a directory, device or pipe)."""


def output_target(path: str | Path) -> Path:
    """The regular file a write to ``path`` replaces.

    A symlink is followed, so its target is rewritten and the link stays a link. A directory,
    device, pipe or socket is refused: it cannot be replaced atomically, and writing a roster's
    results into /dev/stdout or a FIFO behind the user's back is not what --out means.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:  # absent (or a dangling link): created; an unusable parent fails when written
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        zh, en = ("文件夹", "a directory") if stat.S_ISDIR(mode) else ("设备、管道或套接字", "a device, pipe or socket")
        raise OutputRefused(f"输出目标不是普通文件而是{zh}：{path}（请给一个文件名；要输出到屏幕请省略 --out）"
                            f" not a regular file but {en}: {path} (give a file name; omit --out to print)")
    return Path(os.path.realpath(path))


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name one file: the same resolved path (./x and x, symlinks) or the same inode (hard links)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


STALE_AFTER_SECONDS = 2 * 24 * 3600  # where a process cannot be asked whether it still runs


def _stale(entry: os.DirEntry, pid: int) -> bool:
    """Whether a staging folder's run is over: its process is gone (or is this one, under a reused
    pid, as in a container), or, where processes cannot be probed (Windows), it is two days old."""
    if pid == os.getpid():
        return True  # this process's own folders are in _staging and never reach here
    if os.name == "posix":
        try:
            os.kill(pid, 0)  # signal 0 only asks whether the process exists
        except ProcessLookupError:
            return True
        except OSError:  # another user's process
            pass
    try:
        return time.time() - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_SECONDS
    except OSError:
        return False


def sweep_stale(folder: str | Path) -> None:
    """Remove staging folders in ``folder`` left by runs that were killed (kill -9 cannot be caught)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(STAGING_TAG)) or entry.path in _staging:
            continue
        parts = entry.name[: -len(STAGING_TAG)].rsplit(".", 2)
        if len(parts) == 3 and parts[1].isdigit() and entry.is_dir(follow_symlinks=False) \
                and _stale(entry, int(parts[1])):
            shutil.rmtree(entry.path, ignore_errors=True)


class StagedFile:
    """One output built in a private hidden folder beside its target, then renamed into place.

    The folder (``.NAME.PID.RANDOM.entitlements-tmp``) also holds xlsxwriter's temporary files,
    so removing it removes every trace of an unfinished output; a folder whose process is gone
    is removed by the next run that writes there.
    """

    def __init__(self, path: str | Path, private: bool = False):
        self.private = private  # readable and writable by its owner only (0600): personal information
        self.target = output_target(path)
        sweep_stale(self.target.parent)
        self.folder = tempfile.mkdtemp(prefix=f".{self.target.name[:64]}.{os.getpid()}.", suffix=STAGING_TAG,
                                       dir=self.target.parent)
        _staging.add(self.folder)
        self.path = os.path.join(self.folder, "output" + self.target.suffix[:16])

    def commit(self) -> None:
        # mkstemp-style files are private; give the usual mode, unless the output is to stay private
        os.chmod(self.path, PRIVATE_MODE if self.private else 0o666 & ~_umask())
        os.replace(self.path, self.target)
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        _staging.discard(self.folder)


def discard_staged() -> None:
    """Remove every staging folder of this process (a failed or interrupted run)."""
    for folder in list(_staging):
        shutil.rmtree(folder, ignore_errors=True)
        _staging.discard(folder)


class _SignalsHeld:
    """Hold SIGINT/SIGTERM/SIGHUP while outputs are renamed into place, so a run commits all or none."""

    SIGNALS = {getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)}

    def __enter__(self) -> None:
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, self.SIGNALS)

    def __exit__(self, *exc) -> None:
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_UNBLOCK, self.SIGNALS)


class OutputSet:
    """The output files of one run: each built in a staging folder, all renamed into place only
    when every one was written. A run that fails or is interrupted writes none of them.
    """

    def __init__(self) -> None:
        self.files: list[StagedFile] = []

    def stage(self, path: str | Path, private: bool = False) -> StagedFile:
        staged = StagedFile(path, private)
        self.files.append(staged)
        return staged

    def commit(self) -> None:
        with _SignalsHeld():
            for staged in self.files:
                staged.commit()
            self.files.clear()

    def discard(self) -> None:
        for staged in self.files:
            staged.discard()
        self.files.clear()

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, *exc) -> None:
        self.discard()  # nothing left after a commit


def write_text_file(path: str, text: str, encoding: str = "utf-8-sig") -> None:
    with open(path, "w", encoding=encoding, newline="") as fh:
        fh.write(text)


def write_atomic(path: str | Path, text: str, encoding: str = "utf-8-sig") -> None:
    """Write text to a staging file beside ``path`` and rename: a failed run leaves no half file.

    CSV is written with a BOM so that Excel opens the Chinese headers correctly.
    """
    write_file_atomic(path, lambda tmp: write_text_file(tmp, text, encoding))


def write_file_atomic(path: str | Path, write: Callable[[str], None]) -> None:
    """``write(tmp_path)`` fills a staging file beside ``path``, which is then renamed into place."""
    staged = StagedFile(path)
    try:
        write(staged.path)
        staged.commit()
    except BaseException:
        staged.discard()
        raise


def explain_json(one, year: int) -> dict[str, Any]:
    """explain --format json (and the web API's /api/explain): everything used for one beneficiary."""
    return {"contract": CONTRACT_VERSION, "year": year, "amount": f"{one.amount:.2f}",
            "months": {m: f"{v:.2f}" for m, v in one.months.items()}, "reasons": one.reasons,
            "trace": one.trace, "explanation": one.explanation}
