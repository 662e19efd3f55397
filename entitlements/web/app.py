"""The FastAPI application behind ``entitlements serve``.

Every answer comes from the functions the console command uses (Calculator, result_json,
explain_json, compare, budget_sheet, notice_document): the web adds no second calculation.
Uploads and results live in one private temporary folder per process (mode 0700), one sub-folder
per run under a random id; a request names a run by that id only, never by a path, and runs older
than ``ttl_seconds`` are removed.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import json
import re
import secrets
import shutil
import tempfile
import unicodedata
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from entitlements import Calculator
from entitlements.budget import budget_sheet
from entitlements import InputError
from entitlements.money import fen_to_yuan, ratio_text
from entitlements.output import allocation_sheet, explain_json, notices_sheet, rejects_sheet, result_json, unit_sheet
from entitlements.people import pays_people
from entitlements.profiles import load_policy_data, profiles, resolve_profile, root_profile
from entitlements.registry import get_policy, policy_ids
from entitlements.runargs import column_map, parse_counts, run_options
from entitlements.workbook import build_workbook

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
ROSTER_SUFFIXES = (".xlsx", ".xls", ".csv")
TOKEN_COOKIE = "entitlements_token"
SESSION_COOKIE = "entitlements_session"  # a browser's own runs: another browser's run ids are not found
PAGE_ROWS = 200  # beneficiaries per page of the result table
LISTED = 1000  # rejects and notices shown on the result page; all of them are in the downloads
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def token_required(host: str) -> bool:
    """Bound beyond this machine, every request must carry the token."""
    return host not in LOCAL_HOSTS


class WebError(Exception):
    """A refusal with the CLI's message and an HTTP status (400 bad request, 413 too large, 422 bad roster)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass
class Pending:
    """A run accepted but not yet computed: its uploads saved, its programme and year checked."""
    rid: str
    folder: Path
    calculator: Calculator
    profile: str | None
    year: int
    lang: str
    options: dict
    counts: dict | None
    roster: Path | None
    sheet: str | None
    standards: Path | None = None
    columns: list = field(default_factory=list)


@dataclass
class Job:
    """A run being computed in the background, polled by the page so a long roster shows progress."""
    session: str = ""  # the browser that started it
    stage: str = "queued"  # queued -> reading -> computing -> summing -> done | failed
    rows: int | None = None
    rid: str | None = None
    error: str | None = None
    status: int = 200
    started: float = field(default_factory=time.monotonic)


@dataclass
class Run:
    folder: Path
    policy: str
    profile: str | None
    year: int
    lang: str
    options: dict
    result: Any
    calculator: Calculator
    session: str = ""  # the browser that made it: only it reaches the run
    standards: Path | None = None  # the uploaded standards, kept in the run's folder
    columns: list = field(default_factory=list)
    made: float = field(default_factory=time.monotonic)
    calculators: dict = field(default_factory=dict)  # lang -> a calculator explaining in that language
    json_by_lang: dict = field(default_factory=dict)

    def explaining(self, lang: str) -> Calculator:
        """The run's calculator, or one like it in the other language: an explanation in English
        of a run computed in Chinese (the same standards; only the words differ)."""
        if lang == self.lang:
            return self.calculator
        if lang not in self.calculators:
            self.calculators[lang] = _calculator(self.policy, self.profile, lang, self.columns, self.standards)
        return self.calculators[lang]

    def shown(self, lang: str) -> dict:
        """The result's JSON, made once per language: paging a long roster does not redo it."""
        if lang not in self.json_by_lang:
            self.json_by_lang[lang] = result_json(self.result, lang)
        return self.json_by_lang[lang]


CHINESE_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


def _year(text: str | None) -> int:
    """A year as a clerk types it: 2025, ２０２５, 2025年 or 二〇二五年; anything else is refused."""
    typed = unicodedata.normalize("NFKC", str(text or "")).strip().removesuffix("年").strip()
    digits = typed.translate(CHINESE_DIGITS)
    if not (digits.isascii() and digits.isdigit() and len(digits) == 4):
        raise WebError(f"预算年度应为四位数字，如 2025 (the year is four digits, such as 2025): {text!r}")
    return int(digits)


def _calculator(policy: str | None, profile: str | None, lang: str, columns: list[str],
                standards: Path | None = None) -> Calculator:
    if not policy:
        raise WebError("请选择政策 (policy is required)")
    try:
        return Calculator(policy, profile=profile or None, standards=standards, lang=lang, columns=column_map(columns))
    except (LookupError, ValueError) as exc:  # unknown policy or profile, bad data file, bad --columns
        raise WebError(str(exc).strip("'\"")) from None


def _lang(text: str | None) -> str:
    return "en" if text == "en" else "zh"


def _fen(amount: str) -> int:
    """"1234.50" -> 123450 (the JSON's two-decimal amounts), for bar widths: integers, no float."""
    whole, _, cents = amount.partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int((cents + "00")[:2]))


def _internal(exc: BaseException) -> str:
    return f"内部错误，请把所用的文件和步骤告诉维护者 (internal error: {type(exc).__name__})"


STAGES = {  # what the page shows while a job runs
    "queued": ("排队中…", "waiting…"),
    "reading": ("正在读取花名册…", "reading the roster…"),
    "computing": ("正在校验并计算{rows}…", "checking and computing{rows}…"),
    "summing": ("正在整理结果…", "preparing the result…"),
    "done": ("计算完成，正在打开结果…", "done, opening the result…"),
    "failed": ("无法计算", "cannot compute"),
}


def _stage_words(job: Job, lang: str) -> str:
    zh, en = STAGES[job.stage]
    if job.rows is None:
        rows = ("", "")
    else:
        rows = (f" {job.rows:,} 行", f" {job.rows:,} rows")
    return (zh if lang != "en" else en).format(rows=rows[0] if lang != "en" else rows[1])


FLAGS = {  # a refusal shown on the page names the field the clerk fills in, the CLI option beside it
    "standards": ("标准文件", "the standards file"), "count": ("计数", "counts"), "profile": ("地区口径", "region"),
    "set": ("改变标准", "change a standard"), "years": ("年度", "years"), "year": ("预算年度", "year"),
    "budget": ("项目预算", "programme budget"), "sheet": ("工作表", "worksheet"), "columns": ("列名对应", "column names"),
    "max-upload-mb": ("上传上限", "upload limit"),
}
_FLAG = re.compile(r"(?<![\w-])--(" + "|".join(sorted(FLAGS, key=len, reverse=True)) + r")\b")


def page_words(message: str, lang: str) -> str:
    """A CLI message as the page says it: "--count" becomes "计数（--count）"."""
    return _FLAG.sub(lambda m: f"{FLAGS[m[1]][0]}（{m[0]}）" if lang != "en" else f"{FLAGS[m[1]][1]} ({m[0]})",
                     message)


def _trailing_citation(text: str) -> int:
    """Where a citation (〔…〕 or […], nested once or more) that ends ``text`` begins, after a space;
    -1 if the line does not end with one. Only trailing ones: "[2025-01] 合计" starts with a date."""
    closing = {"〕": "〔", "]": "["}
    if not text or text[-1] not in closing:
        return -1
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] in closing:
            depth += 1
        elif text[i] in closing.values():
            depth -= 1
            if depth == 0:
                return i if i > 0 and (text[i - 1].isspace() or text[i - 1] in closing) else -1
    return -1


def explanation_lines(explanation: str | list[str]) -> list[dict]:
    """The console's explanation as the page shows it: each line with its indent, a heading where it
    ends with a colon, and its trailing citations (〔…〕, […]) apart, set smaller beside the figures."""
    lines = explanation.splitlines() if isinstance(explanation, str) else list(explanation)
    shown = []
    for line in lines:
        text, cites = line.strip(), []
        while (at := _trailing_citation(text)) > 0:
            cites.insert(0, text[at:])
            text = text[:at].rstrip()
        if text:
            shown.append({"indent": (len(line) - len(line.lstrip())) // 2, "text": text, "cites": cites,
                          "heading": text.endswith(("：", ":")) and not line.startswith(" ")})
    return shown


def _yuan(fen: int) -> str:
    """123450 -> "+1234.50": a difference in the JSON's two-decimal form, signed."""
    sign = "-" if fen < 0 else "+" if fen > 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def policies_listing(lang: str = "zh") -> list[dict]:
    """Every registry policy with its title, root profile, count keys and the sources its standards cite."""
    listing = []
    for pid in policy_ids():
        prof = resolve_profile(root_profile(pid))
        data = load_policy_data(pid, prof.id)
        sources = sorted({v.source.cite() for std in data.standards.values() for v in std.values})
        policy = get_policy(pid)
        counts = getattr(policy, "capabilities", lambda: {})().get("counts", [])  # as `policies ID` lists them
        paths = [{"path": path, "label": std.label,
                  "value": fen_to_yuan(v.value) if (v := std.at_or_first(10**6)) and std.kind == "money"
                  else str(v.value) if std.kind == "number" else ratio_text(v.value) if std.kind == "ratio" else ""}
                 for path, std in data.standards.items() if std.kind in ("money", "number", "ratio")]
        listing.append({"id": pid, "paths": paths, "title": data.meta["title"], "title_en": data.meta.get("title_en", data.meta["title"]),
                        "profile": prof.id, "profile_name": prof.name, "counts": [k for c in counts for k in (*c["aliases"][:1], c["key"])],
                        "sources": sources})
    return listing


def _without_paths(message: str, names: dict[str, str], home: Path | None) -> str:
    """A message naming a saved upload names the clerk's file; no server path is ever shown."""
    for path, name in names.items():
        message = message.replace(path, name)
    return message.replace(str(home), "…") if home is not None else message


def create_app(token: str | None = None, max_upload_mb: int = 50, ttl_seconds: int = 3600) -> FastAPI:
    homes: list[Path] = []  # the private folder, made when the server starts (or first needed)

    def home() -> Path:
        if not homes:
            homes.append(Path(tempfile.mkdtemp(prefix="entitlements-web-")))  # mkdtemp: mode 0700, this user only
            atexit.register(shutil.rmtree, homes[0], True)  # a server killed short of its shutdown
        return homes[0]

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        home()
        yield
        while homes:  # the server stops: every upload and result goes
            shutil.rmtree(homes.pop(), ignore_errors=True)

    app = FastAPI(title="补助测算 entitlements", description="The same JSON contract as the console command.",
                  lifespan=lifespan)
    runs: dict[str, Run] = {}
    shown_names: dict[str, str] = {}  # a saved upload's path -> the file name the clerk chose
    jobs: dict[str, Job] = {}  # background computations the page polls
    whatifs: dict[str, dict] = {}  # what-if comparisons, kept for the browser that asked
    lock = threading.Lock()
    limit = max_upload_mb * 1024 * 1024
    too_large = (f"上传文件超过 {max_upload_mb} MB 上限，请拆分花名册或以 --max-upload-mb 放宽 "
                 f"(the upload is larger than the {max_upload_mb} MB limit)")

    def _expire() -> None:
        now = time.monotonic()
        with lock:
            for rid in [r for r, run in runs.items() if now - run.made > ttl_seconds]:
                shutil.rmtree(runs.pop(rid).folder, ignore_errors=True)
            for jid in [j for j, job in jobs.items() if now - job.started > ttl_seconds]:
                del jobs[jid]
            for wid in [w for w, kept in whatifs.items() if now - kept["made"] > ttl_seconds]:
                del whatifs[wid]

    @app.middleware("http")
    async def _guard(request: Request, call_next):
        if token is not None:
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip() or \
                request.cookies.get(TOKEN_COOKIE) or request.query_params.get("token") or ""
            if not secrets.compare_digest(given.encode(), token.encode()):
                return _refusal(request, "需要访问令牌：请使用启动时显示的完整网址（含 ?token=…） "
                                         "(a token is required: ?token=… or Authorization: Bearer …)", 401)
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            return _refusal(request, too_large, 413)
        _expire()
        session = request.cookies.get(SESSION_COOKIE, "")
        fresh = len(session) < 32 or not session.replace("-", "").replace("_", "").isalnum()
        if fresh:
            session = secrets.token_urlsafe(32)
        request.state.session = session
        response = await call_next(request)
        if fresh:  # HttpOnly: no script reads it; lax: another site's form cannot post with it
            response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="lax")
        if token is not None and request.query_params.get("token") == token:  # the page link carries it once
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        return response

    def _refusal(request: Request, message: str, status: int) -> Response:
        """JSON for the API and the page's background calls; a page for a browser's own navigation."""
        if request.url.path.startswith(("/api/", "/jobs")):
            return JSONResponse({"error": message}, status_code=status)
        lang = getattr(request.state, "lang", None) or _lang(request.query_params.get("lang"))
        return TEMPLATES.TemplateResponse(request, "error.html", {"message": message, "lang": lang}, status_code=status)

    @app.exception_handler(WebError)
    async def _refused(request: Request, exc: WebError):
        message = _without_paths(exc.message, shown_names, homes[0] if homes else None)
        if not request.url.path.startswith("/api/"):  # the page's own calls and pages: in the page's words
            message = page_words(message, getattr(request.state, "lang", None) or _lang(request.query_params.get("lang")))
        return _refusal(request, message, exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return JSONResponse({"error": f"请求不完整 (bad request): {exc.errors()[0].get('msg', '')}"}, status_code=400)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):  # a defect: said plainly, never a stack trace
        return JSONResponse({"error": _internal(exc)}, status_code=500)

    async def _form(request: Request):
        try:
            form = await request.form()
        except Exception as exc:  # noqa: BLE001 - a malformed multipart body: a 400, never a trace
            raise WebError(f"表单无法读取 (the form cannot be read): {exc}") from None
        request.state.lang = _lang(form.get("lang") or request.query_params.get("lang"))  # a refusal's language
        return form

    async def _save_roster(form, folder: Path) -> Path | None:
        return await _save_upload(form, "roster", folder, ROSTER_SUFFIXES,
                                  "花名册应为 .xlsx、.xls 或 .csv 文件 (the roster must be .xlsx, .xls or .csv)")

    async def _save_upload(form, name: str, folder: Path, suffixes: tuple, refusal: str) -> Path | None:
        upload = form.get(name)
        if upload is None or isinstance(upload, str) or not upload.filename:
            return None
        suffix = Path(upload.filename).suffix.lower()
        if suffix not in suffixes:
            raise WebError(f"{refusal}: {Path(upload.filename).name}", 422)
        path = folder / f"{name}{suffix}"  # our own name: nothing from the request reaches the file system
        shown_names[str(path)] = Path(upload.filename.replace("\\", "/")).name  # said in messages, never used as a path
        while len(shown_names) > 1000:  # only the recent ones can still be in a message
            del shown_names[next(iter(shown_names))]
        size = 0
        with open(path, "wb") as fh:
            while chunk := await upload.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise WebError(too_large, 413)
                fh.write(chunk)
        return path

    def _new_folder() -> tuple[str, Path]:
        rid = secrets.token_urlsafe(16)
        folder = home() / rid
        folder.mkdir(mode=0o700)
        return rid, folder

    async def _accept(form, lang: str) -> Pending:
        """The request's part: the uploads saved under our own names, the programme, year and options
        checked. Quick, so that a refusal comes at once; the computing is ``_work``'s."""
        rid, folder = _new_folder()
        try:
            standards = await _save_upload(form, "standards", folder, (".toml", ".csv"),
                                           "标准文件应为 .toml 或 .csv (the standards file must be .toml or .csv)")
            calculator = _calculator(form.get("policy"), form.get("profile"), lang, form.getlist("columns"), standards)
            year = _year(form.get("year"))
            try:
                options = run_options(False, form.get("budget") or None)
                counts = [c for c in form.getlist("count") if str(c).strip()]
                roster = await _save_roster(form, folder)
                if counts and roster is not None:
                    raise WebError("花名册与 --count 只能二选一 (give a roster or --count, not both)")
                if not counts and roster is None:
                    raise WebError("请给出花名册文件或 --count (give a roster file or --count)")
                parsed_counts = parse_counts(counts) if counts else None
            except ValueError as exc:  # a bad count or budget
                raise WebError(str(exc)) from None
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return Pending(rid, folder, calculator, form.get("profile") or None, year, lang, options,
                       parsed_counts, roster, form.get("sheet") or None, standards, form.getlist("columns"))

    def _work(pending: Pending, job: Job | None = None, session: str | None = None) -> tuple[str, Run]:
        """Compute a pending run (blocking: in a worker thread), telling ``job`` each stage. Kept for
        the pages of ``session``'s browser; without a session (the API) it is answered and removed."""
        p, job = pending, job or Job()
        try:
            try:
                if p.counts is not None:
                    job.stage = "computing"
                    result = p.calculator.compute_counts(p.counts, p.year, **p.options)
                else:
                    job.stage = "reading"
                    table = p.calculator.read(p.roster, p.sheet)
                    job.rows, job.stage = len(table), "computing"
                    result = p.calculator.compute_roster(table, p.year, **p.options)
            except InputError as exc:
                raise WebError(str(exc), 422) from None
            except ValueError as exc:  # StandardsError, a year out of range
                raise WebError(str(exc)) from None
        except BaseException:
            shutil.rmtree(p.folder, ignore_errors=True)
            raise
        run = Run(p.folder, p.calculator.policy.id, p.profile, p.year, p.lang, p.options, result, p.calculator,
                  session or "", standards=p.standards, columns=p.columns)
        if session is None:  # an API answer: nothing is kept
            shutil.rmtree(p.folder, ignore_errors=True)
            return p.rid, run
        job.stage = "summing"
        run.shown(p.lang)  # the result page's table made here, while the page still shows progress
        with lock:
            runs[p.rid] = run
        return p.rid, run

    async def _compute(form, lang: str, session: str | None = None) -> tuple[str, Run]:
        pending = await _accept(form, lang)
        return await run_in_threadpool(_work, pending, None, session)  # the server keeps answering meanwhile

    def _run(rid: str, request: Request) -> Run:
        with lock:
            run = runs.get(rid)
        if run is None or not secrets.compare_digest(run.session, request.state.session):
            raise WebError("此次测算已过期或不存在，请重新上传 (this run has expired or does not exist)", 404)
        return run

    # ---------- the API ----------

    @app.get("/api/policies")
    def api_policies() -> list[dict]:
        return policies_listing()

    @app.get("/api/profiles")
    def api_profiles() -> list[dict]:
        return [{"id": p.id, "name": p.name} for p in profiles().values()]

    @app.post("/api/calc")
    async def api_calc(request: Request):
        form = await _form(request)
        lang = _lang(form.get("lang"))
        rid, run = await _compute(form, lang)
        return JSONResponse(result_json(run.result, lang, summary=form.get("summary") in ("1", "true")))

    @app.post("/api/explain")
    async def api_explain(request: Request):
        form = await _form(request)
        rid, run = await _compute(form, _lang(form.get("lang")))
        return JSONResponse(_explain(run, form.get("id") or ""))

    def _explain(run: Run, person: str, lang: str | None = None) -> dict:
        try:
            one = run.explaining(lang or run.lang).entitlement(run.result, person, **run.options)
        except (LookupError, ValueError) as exc:  # a KeyError's str() is its repr: its own text instead
            raise WebError(str(exc.args[0]) if exc.args else str(exc), 404 if isinstance(exc, LookupError) else 400) from None
        return explain_json(one, run.year)

    @app.post("/api/whatif")
    async def api_whatif(request: Request):
        form = await _form(request)
        lang = _lang(form.get("lang"))
        return JSONResponse((await _whatif(form, lang)).to_json(lang, False))

    async def _whatif(form, lang: str):
        """The console's comparison (whatif.Comparison) of the form's scenario against the baseline."""
        from attrs import evolve

        from entitlements.scenarios import Scenario
        from entitlements.whatif import compare, count_in_words, in_words, parse_years

        sets = [s for s in form.getlist("set") if str(s).strip()]
        if not sets:
            raise WebError("请填写要改变的标准或计数，如 grant.community=120000@2025-01 (give --set PATH=VALUE)")
        rid, folder = _new_folder()
        try:
            standards = await _save_upload(form, "standards", folder, (".toml", ".csv"),
                                           "标准文件应为 .toml 或 .csv (the standards file must be .toml or .csv)")
            calculator = _calculator(form.get("policy"), form.get("profile"), lang, form.getlist("columns"), standards)
            years = form.get("years")
            run_years = parse_years(years, 0) if years else [_year(form.get("year"))]
            given = Scenario.from_sets(sets)  # named by what it changes, as the console command names it
            words = [in_words(o, calculator.data, lang) for o in given.overrides]
            words += [f"conventions.{k}={v}" for k, v in given.conventions.items()]
            words += [count_in_words(c, lang) for c in given.counts]
            scenario = evolve(given, name="；".join(words) or given.name)
            counts = [c for c in form.getlist("count") if str(c).strip()]
            roster = await _save_roster(form, folder)
            if counts and roster is not None:
                raise WebError("花名册与 --count 只能二选一 (give a roster or --count, not both)")
            if not counts and roster is None:
                raise WebError("请给出花名册文件或 --count (give a roster file or --count)")
            options = run_options(False, form.get("budget") or None)
            given_counts = parse_counts(counts) if counts else None
            sheet = form.get("sheet") or None

            def work() -> dict:  # blocking: in a worker thread, so the server keeps answering
                table = calculator.read(roster, sheet) if roster is not None else None
                return compare(calculator, [scenario], run_years, table=table, counts=given_counts,
                               **options)

            return await run_in_threadpool(work)
        except InputError as exc:
            raise WebError(str(exc), 422) from None
        except ValueError as exc:
            raise WebError(str(exc)) from None
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    # ---------- the pages ----------

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request, lang: str | None = None):
        lang, listing = _lang(lang), policies_listing()
        return TEMPLATES.TemplateResponse(request, "index.html", {
            "lang": lang, "policies": listing, "profiles": list(profiles().values()),
            "paths": {p["id"]: p["paths"] for p in listing}, "year": dt.date.today().year})

    @app.post("/run")
    async def run_page(request: Request):
        form = await _form(request)
        lang = _lang(form.get("lang") or request.query_params.get("lang"))
        rid, _ = await _compute(form, lang, request.state.session)
        return RedirectResponse(f"/runs/{rid}?lang={lang}", status_code=303)

    @app.post("/jobs")
    async def start_job(request: Request):
        """The page's way to compute: accepted at once, computed in a worker thread, polled at /jobs/ID
        for its stage, so a long roster shows progress instead of a frozen page."""
        form = await _form(request)
        pending = await _accept(form, _lang(form.get("lang")))
        jid, job = secrets.token_urlsafe(16), Job(session=request.state.session)
        with lock:
            jobs[jid] = job

        def work() -> None:
            try:
                job.rid, _ = _work(pending, job, job.session)
                job.stage = "done"
            except WebError as exc:
                message = _without_paths(exc.message, shown_names, homes[0] if homes else None)
                job.error, job.status, job.stage = page_words(message, pending.lang), exc.status, "failed"
            except Exception as exc:  # noqa: BLE001 - a defect: said plainly, never a stack trace
                job.error, job.status, job.stage = _internal(exc), 500, "failed"

        threading.Thread(target=work, name=f"entitlements-job-{jid[:6]}", daemon=True).start()
        return JSONResponse({"job": jid, "poll": f"/jobs/{jid}"}, status_code=202)

    @app.get("/jobs/{jid}")
    def poll_job(request: Request, jid: str, lang: str | None = None):
        with lock:
            job = jobs.get(jid)
        if job is None or not secrets.compare_digest(job.session, request.state.session):
            raise WebError("此次测算已过期或不存在，请重新上传 (this run has expired or does not exist)", 404)
        lang = _lang(lang)
        answer: dict[str, Any] = {"stage": job.stage, "rows": job.rows,
                                  "seconds": int(time.monotonic() - job.started),
                                  "message": _stage_words(job, lang)}
        if job.stage == "done":
            answer["url"] = f"/runs/{job.rid}?lang={lang}"
        if job.stage == "failed":
            answer |= {"error": job.error, "status": job.status}
        return answer

    @app.get("/runs/{rid}", response_class=HTMLResponse)
    def result_page(request: Request, rid: str, page: int = 1, lang: str | None = None, q: str = ""):
        run = _run(rid, request)
        lang = _lang(lang) if lang else run.lang
        data = run.shown(lang)
        people = data.get("beneficiaries") or []
        q = q.strip()
        if q:  # find a person by 编号 or 姓名 (any part of either)
            people = [b for b in people if q in str(b["id"]) or q in str(b.get("name") or "")]
        pages = max(1, -(-len(people) // PAGE_ROWS))
        page = min(max(page, 1), pages)
        calc = run.calculator  # levels and components in the profile's and the policy's own words
        components = {c: calc.policy.component_label(calc.data, c, lang) for c in data["totals"].get("by_component") or {}}
        roster = run.result.mode == "roster"
        paid = any(b["amount"] not in ("0.00", "0") for b in data.get("beneficiaries") or [])
        return TEMPLATES.TemplateResponse(request, "result.html", {
            "lang": lang, "rid": rid, "data": data, "run": run, "page": page, "pages": pages, "q": q,
            "found": len(people), "levels": calc.profile.level_names(lang), "components": components,
            "profile_name": calc.profile.name, "roster": roster,
            # a download is offered only where it can be made: the 公示 list of a roster with someone paid,
            # the payment list of people with a 银行账号 column
            "notice": roster and paid,
            "payments": roster and paid and pays_people(calc.policy.fields) and run.result.parsed.has("bank_account"),
            "people": people[(page - 1) * PAGE_ROWS: page * PAGE_ROWS], "listed": LISTED})

    @app.get("/runs/{rid}/explain", response_class=HTMLResponse)
    def explain_page(request: Request, rid: str, id: str, lang: str | None = None):
        run = _run(rid, request)
        lang = _lang(lang) if lang else run.lang
        doc = _explain(run, id, lang)
        person = next((f"{b['id']} {b['name']}".strip() for b in run.shown(lang).get("beneficiaries") or []
                       if b["id"] == id), id)
        return TEMPLATES.TemplateResponse(request, "explain.html", {
            "lang": lang, "rid": rid, "person": person, "doc": doc, "lines": explanation_lines(doc["explanation"])})

    @app.post("/whatif", response_class=HTMLResponse)
    async def whatif_page(request: Request):
        """Computed, kept for this browser and shown at /whatifs/ID: a page that can be reloaded,
        switched to the other language, or come back to."""
        form = await _form(request)
        lang = _lang(form.get("lang"))
        comparison = await _whatif(form, lang)
        wid = secrets.token_urlsafe(16)
        with lock:
            whatifs[wid] = {"comparison": comparison, "data": comparison.to_json(lang, False), "lang": lang,
                            "policy": form.get("policy"), "profile": form.get("profile") or None,
                            "session": request.state.session, "made": time.monotonic()}
        return RedirectResponse(f"/whatifs/{wid}?lang={lang}", status_code=303)

    def _kept_whatif(request: Request, wid: str) -> dict:
        with lock:
            kept = whatifs.get(wid)
        if kept is None or not secrets.compare_digest(kept["session"], request.state.session):
            raise WebError("此次测算已过期或不存在，请重新提交 (this what-if has expired or does not exist)", 404)
        return kept

    @app.get("/whatifs/{wid}/download/whatif.xlsx")
    def whatif_download(request: Request, wid: str):
        """The console's `whatif -f xlsx`: the comparison and its chart sheet, in the language it was asked in."""
        from starlette.background import BackgroundTask

        from entitlements.whatif import chart_sheet

        kept = _kept_whatif(request, wid)
        comparison, lang = kept["comparison"], kept["lang"]
        _, folder = _new_folder()
        path = folder / "whatif.xlsx"
        build_workbook(str(path), [comparison.sheet(lang), chart_sheet(comparison, lang)])
        return FileResponse(path, filename=f"{kept['policy']}_情景测算.xlsx",
                            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            background=BackgroundTask(shutil.rmtree, folder, True))  # sent, then removed

    @app.get("/whatifs/{wid}", response_class=HTMLResponse)
    def whatif_result(request: Request, wid: str, lang: str | None = None):
        kept = _kept_whatif(request, wid)
        lang, data = _lang(lang), kept["data"]
        calc = _calculator(kept["policy"], kept["profile"], lang, [])
        levels = calc.profile.level_names(lang)
        rows = []  # per year and level: baseline, each scenario, and a bar width in whole per cent (display only)
        for y in data["years"]:
            for key in y["baseline"]["by_level"]:
                amounts = [y["baseline"]["by_level"][key], *(s["totals"]["by_level"].get(key, "0.00") for s in y["scenarios"])]
                rows.append({"year": y["year"], "level": levels.get(key, key), "amounts": amounts})
            amounts = [y["baseline"]["amount"], *(s["totals"]["amount"] for s in y["scenarios"])]
            rows.append({"year": y["year"], "level": "合计" if lang != "en" else "total", "amounts": amounts, "total": True})
        top = max((_fen(a) for r in rows for a in r["amounts"]), default=0) or 1
        for r in rows:
            r["bars"] = [_fen(a) * 100 // top for a in r["amounts"]]
            r["changes"] = [_yuan(_fen(a) - _fen(r["amounts"][0])) for a in r["amounts"][1:]]  # as the console shows
        title = calc.data.meta["title"] if lang != "en" else calc.data.meta.get("title_en", calc.data.meta["title"])
        return TEMPLATES.TemplateResponse(request, "whatif.html", {"lang": lang, "data": data, "rows": rows,
                                                                   "title": title, "region": calc.profile.name,
                                                                   "wid": wid})

    downloads = {
        "allocation.xlsx": "分配表", "budget.xlsx": "预算测算表", "notice.xlsx": "公示名单", "result.json": "结果",
        "payments.xlsx": "一卡通发放清单",
    }

    @app.get("/runs/{rid}/download/{kind}")
    def download(request: Request, rid: str, kind: str):
        if kind not in downloads:  # a fixed list of names: nothing from the request is a path
            raise WebError("没有这种下载 (no such download)", 404)
        run = _run(rid, request)
        path = run.folder / kind
        if not path.exists():
            _write(run, kind, path)
        name = f"{run.policy}_{run.year}_{downloads[kind]}{path.suffix}"
        media = "application/json" if kind.endswith(".json") else \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return FileResponse(path, media_type=media, filename=name)

    def _write(run: Run, kind: str, path: Path) -> None:
        lang = run.lang
        if kind == "result.json":
            path.write_text(json.dumps(result_json(run.result, lang), ensure_ascii=False, indent=2) + "\n",
                            encoding="utf-8")
        elif kind == "allocation.xlsx":
            build_workbook(str(path), [allocation_sheet(run.result, lang), unit_sheet(run.result, lang),
                                       rejects_sheet(run.result, lang), notices_sheet(run.result, lang)])
        elif kind == "budget.xlsx":
            build_workbook(str(path), [budget_sheet(run.result, lang)])
        elif kind == "notice.xlsx":
            from entitlements.publish import NoticeError, NoticeOptions, notice_document, notice_period, parse_keep

            try:
                first, last = notice_period(None, None)
                doc = notice_document(run.result, NoticeOptions(first, last, parse_keep("6,4"), False, None, None,
                                                                lang))
            except (NoticeError, ValueError) as exc:
                raise WebError(str(exc)) from None
            if not doc.sheet.rows:
                raise WebError(f"{run.year}年度无获发放对象，不生成公示名单 (no one is paid in {run.year}: nothing to publish)")
            build_workbook(str(path), [doc.sheet])
        elif kind == "payments.xlsx":  # ID numbers and accounts: kept in the 0700 run folder, sent only on request
            from entitlements.payments import account_columns_present, payment_list, payment_sheets, refuse_unless_people

            try:
                refuse_unless_people(run.calculator.policy)
                if run.result.mode != "roster":
                    raise InputError("一卡通发放清单需要花名册（计数模式没有人员） (a payment list needs a roster of people)")
                account_columns_present(run.result)
            except (InputError, ValueError) as exc:
                raise WebError(str(exc), 422) from None
            build_workbook(str(path), payment_sheets(run.result, payment_list(run.result), lang))
            path.chmod(0o600)

    return app
