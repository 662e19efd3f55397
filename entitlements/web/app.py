"""The FastAPI application behind ``entitlements serve``.

Every answer comes from the functions the console command uses (Calculator, result_json,
explain_json, compare, budget_sheet, notice_document): the web adds no second calculation.
Uploads and results live in one private temporary folder per process (mode 0700), one sub-folder
per run under a random id; a request names a run by that id only, never by a path. Runs older than
``ttl_seconds`` are removed by a sweep every minute, and everything when the server stops.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import datetime as dt
import json
import os
import secrets
import shutil
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from entitlements import Calculator, InputError
from entitlements.budget import budget_sheet
from entitlements.money import fen_to_yuan, ratio_text
from entitlements.output import allocation_sheet, explain_json, notices_sheet, rejects_sheet, result_json, unit_sheet
from entitlements.people import pays_people
from entitlements.profiles import load_policy_data, profiles, resolve_profile, root_profile
from entitlements.registry import get_policy, policy_ids
from entitlements.runargs import column_map, parse_counts, run_options
from entitlements.workbook import build_workbook

from .guard import (  # noqa: F401 - token_required: serve's check, imported from here
    LOCAL_HOSTS, BodyLimit, BodyTooLarge, Sessions, cross_site, host_allowed, token_given, token_required,
)
from .words import (  # noqa: F401 - explanation_lines, page_words: the tests read them from here
    WebError, explanation_lines, fen_of, internal, lang_of, lines_of, page_words, safe_name, signed_yuan,
    stage_words, without_paths, year_of,
)

ROSTER_SUFFIXES = (".xlsx", ".xls", ".csv")
STANDARDS_SUFFIXES = (".toml", ".csv")
TOKEN_COOKIE = "entitlements_token"
SESSION_COOKIE = "entitlements_session"  # a browser's own runs: another browser's run ids are not found
PAGE_ROWS = 200  # beneficiaries per page of the result table
LISTED = 1000  # rejects and notices shown on the result page; all of them are in the downloads
WORKERS = 2  # rosters computed at once; more wait their turn (this machine's cores, not the clients')
WAITING = 16  # jobs waiting beyond which a new one is refused (503): a queue, not a pile
RUNS_PER_SESSION = 20  # a browser's runs kept; its oldest goes first
RUNS_IN_ALL = 200  # runs kept for all browsers together
UNPACKED = 10  # an xlsx may unpack to this many times the upload limit (a zip bomb is refused unread)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


@dataclass
class Pending:
    """A run accepted but not yet computed: its uploads saved, its programme and year checked."""
    rid: str
    folder: Path
    calculator: Calculator
    profile: str | None
    year: int | None  # None for a what-if, which has its years
    lang: str
    options: dict
    counts: dict | None
    roster: Path | None
    sheet: str | None
    standards: Path | None = None
    columns: list = field(default_factory=list)
    names: dict = field(default_factory=dict)  # saved path -> the clerk's file name, for messages


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
    writing: threading.Lock = field(default_factory=threading.Lock)  # one download written at a time

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


def _calculator(policy: str | None, profile: str | None, lang: str, columns: list[str],
                standards: Path | None = None) -> Calculator:
    if not policy:
        raise WebError("请选择政策 (policy is required)")
    try:
        return Calculator(policy, profile=profile or None, standards=standards, lang=lang,
                          columns=column_map(lines_of(columns)))
    except (LookupError, ValueError) as exc:  # unknown policy or profile, bad data file, bad --columns
        raise WebError(str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)) from None


def policies_listing(lang: str = "zh") -> list[dict]:
    """Every registry policy with its title, root profile, count keys, the sources its standards cite
    and the paths a what-if may set (with their labels and current values)."""
    listing = []
    for pid in policy_ids():
        prof = resolve_profile(root_profile(pid))
        data = load_policy_data(pid, prof.id)
        sources = sorted({v.source.cite() for std in data.standards.values() for v in std.values})
        policy = get_policy(pid)
        counts = getattr(policy, "capabilities", lambda: {})().get("counts", [])  # as `policies ID` lists them
        paths = []
        for path, std in data.standards.items():
            if std.kind not in ("money", "number", "ratio"):
                continue
            v = std.values[-1]  # the latest: what a change starts from
            value = fen_to_yuan(v.value) if std.kind == "money" else ratio_text(v.value) if std.kind == "ratio" \
                else str(v.value)
            paths.append({"path": path, "label": std.label, "label_en": std.label_en or path, "value": value})
        listing.append({"id": pid, "paths": paths, "title": data.meta["title"],
                        "title_en": data.meta.get("title_en", data.meta["title"]), "profile": prof.id,
                        "profile_name": prof.name, "counts": [k for c in counts for k in (*c["aliases"][:1], c["key"])],
                        "sources": sources})
    return listing


def create_app(token: str | None = None, max_upload_mb: int = 50, ttl_seconds: int = 3600,
               allowed_hosts: tuple[str, ...] | None = None) -> FastAPI:
    """``allowed_hosts``: the Host names accepted (serve gives this machine's names when bound to it)."""
    token = (token or "").strip() or None  # an empty token is none: never a check that "" passes
    homes: list[Path] = []  # the private folder, made when the server starts (or first needed)
    pools: list[ThreadPoolExecutor] = []  # the workers, made when the server starts (or first needed)
    queue = {"taken": 0}  # computations running or waiting, for every route that computes
    sessions = Sessions()

    def home() -> Path:
        if not homes:
            homes.append(Path(tempfile.mkdtemp(prefix="entitlements-web-")))  # mkdtemp: mode 0700, this user only
            atexit.register(shutil.rmtree, homes[0], True)  # a server killed short of its shutdown
        return homes[0]

    async def sweep() -> None:  # an idle server still removes what is past its time
        while True:
            await asyncio.sleep(min(60, max(1, ttl_seconds)))
            await run_in_threadpool(_expire)

    def workers() -> ThreadPoolExecutor:
        if not pools:
            pools.append(ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="entitlements-job"))
        return pools[0]

    def _take_place() -> None:
        """A place among the WORKERS computing and the WAITING after them, or 503: every route that
        computes (the page's jobs, /run, the API, the what-if) shares the two workers and the queue."""
        with lock:
            if queue["taken"] >= WORKERS + WAITING:
                raise WebError("服务器正忙，请稍后再试 (the server is busy: try again in a minute)", 503)
            queue["taken"] += 1

    def _give_place() -> None:
        with lock:
            queue["taken"] -= 1

    async def _on_a_worker(fn, *args):
        """Run ``fn`` on a worker, holding a place taken beforehand; the server keeps answering meanwhile."""
        try:
            return await asyncio.wrap_future(workers().submit(fn, *args))
        finally:
            _give_place()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        home()
        workers()
        sweeper = asyncio.create_task(sweep())
        yield
        sweeper.cancel()
        while pools:  # a second start of this app makes its own
            pools.pop().shutdown(wait=False, cancel_futures=True)
        with lock:  # a second start of this app in one process finds none of the first one's runs
            runs.clear()
            jobs.clear()
            whatifs.clear()
        while homes:  # the server stops: every upload and result goes
            shutil.rmtree(homes.pop(), ignore_errors=True)

    app = FastAPI(title="补助测算 entitlements", description="The same JSON contract as the console command.",
                  lifespan=lifespan)
    runs: dict[str, Run] = {}
    jobs: dict[str, Job] = {}  # background computations the page polls
    whatifs: dict[str, dict] = {}  # what-if comparisons, kept for the browser that asked
    lock = threading.Lock()
    limit = max_upload_mb * 1024 * 1024
    too_large = (f"上传文件超过 {max_upload_mb} MB 上限，请拆分花名册或以 --max-upload-mb 放宽 "
                 f"(the upload is larger than the {max_upload_mb} MB limit)")
    app.add_middleware(BodyLimit, limit=limit + (1 << 20))  # the limit on the files, plus the form's own fields

    def _expire() -> None:
        now, gone = time.monotonic(), []
        with lock:
            for rid in [r for r, run in runs.items() if now - run.made > ttl_seconds]:
                gone.append(runs.pop(rid).folder)
            for jid in [j for j, job in jobs.items() if now - job.started > ttl_seconds and job.stage in ("done", "failed")]:
                del jobs[jid]
            for wid in [w for w, kept in whatifs.items() if now - kept["made"] > ttl_seconds]:
                del whatifs[wid]
        for folder in gone:  # outside the lock: deleting a large roster does not hold up the others
            shutil.rmtree(folder, ignore_errors=True)

    def _keep(rid: str, run: Run) -> None:
        """Keep a run for its browser, within RUNS_PER_SESSION and RUNS_IN_ALL (the oldest go)."""
        gone = []
        with lock:
            runs[rid] = run
            mine = [r for r, kept in runs.items() if kept.session == run.session]
            for old in mine[:-RUNS_PER_SESSION]:
                gone.append(runs.pop(old).folder)
            while len(runs) > RUNS_IN_ALL:
                gone.append(runs.pop(next(iter(runs))).folder)
        for folder in gone:
            shutil.rmtree(folder, ignore_errors=True)

    @app.middleware("http")
    async def _guard(request: Request, call_next):
        request.state.lang = lang_of(request.query_params.get("lang"))
        request.state.names = {}
        if not host_allowed(request.headers, allowed_hosts):
            return _refusal(request, "此服务只接受本机地址 (this server answers this machine's own names only)", 400)
        if token is not None and not token_given(request.headers, request.cookies, request.query_params,
                                                 TOKEN_COOKIE, token):
            return _refusal(request, "需要访问令牌：请使用启动时显示的完整网址（含 ?token=…） "
                                     "(a token is required: ?token=… or Authorization: Bearer …)", 401)
        if cross_site(request.method, request.headers):
            return _refusal(request, "拒绝来自其他网站的提交 (a form posted from another web site is refused)", 403)
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit + (1 << 20):
            return _refusal(request, too_large, 413)
        session = request.cookies.get(SESSION_COOKIE, "")
        fresh = not sessions.valid(session)
        if fresh:
            session = sessions.new()
        request.state.session = session
        response = await call_next(request)
        if fresh:  # HttpOnly: no script reads it; lax: another site's form cannot post with it
            response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="lax")
        if token is not None and request.query_params.get("token") == token:  # the page link carries it once
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        return response

    def _refusal(request: Request, message: str, status: int) -> Response:
        """JSON for the API and the page's background calls; a page for a browser's own navigation.
        A body refused before it was read (413, 401, 403) closes the connection: the server does
        not go on reading what it will not use."""
        if request.url.path.startswith(("/api/", "/jobs")):
            response = JSONResponse({"error": message}, status_code=status)
        else:
            lang = getattr(request.state, "lang", None) or lang_of(request.query_params.get("lang"))
            response = TEMPLATES.TemplateResponse(request, "error.html", {"message": message, "lang": lang},
                                                  status_code=status)
        if status in (401, 403, 413) and request.method not in ("GET", "HEAD"):
            response.headers["Connection"] = "close"
        return response

    def _said(message: str, lang: str, names: dict, page: bool) -> str:
        message = without_paths(message, names, homes[0] if homes else None)
        return page_words(message, lang) if page else message

    @app.exception_handler(WebError)
    async def _refused(request: Request, exc: WebError):
        page = not request.url.path.startswith("/api/")  # the page's own calls and pages: in the page's words
        return _refusal(request, _said(exc.message, request.state.lang, request.state.names, page), exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        words = {404: "没有这个页面 (not found)", 405: "不支持这种请求 (method not allowed)"}
        return _refusal(request, words.get(exc.status_code, f"请求有误 (bad request): {exc.detail}"), exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return _refusal(request, f"请求不完整 (bad request): {exc.errors()[0].get('msg', '')}", 400)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):  # a defect: said plainly, never a stack trace
        return _refusal(request, internal(exc), 500)

    async def _form(request: Request):
        try:  # a few files (roster, standards), a bounded number of fields, each field at most 1 MB
            form = await request.form(max_files=4, max_fields=500, max_part_size=1 << 20)
        except BodyTooLarge:
            raise WebError(too_large, 413) from None
        except Exception as exc:  # noqa: BLE001 - a malformed multipart body: a 400, never a trace
            raise WebError(f"表单无法读取 (the form cannot be read): {exc}") from None
        request.state.lang = lang_of(form.get("lang") or request.query_params.get("lang"))  # a refusal's language
        return form

    async def _save_upload(form, name: str, folder: Path, suffixes: tuple, refusal: str, names: dict,
                           keep_name: bool = False) -> Path | None:
        upload = form.get(name)
        if upload is None or isinstance(upload, str) or not upload.filename:
            return None
        suffix = Path(upload.filename).suffix.lower()
        if suffix not in suffixes:
            raise WebError(f"{refusal}: {Path(upload.filename.replace(chr(92), '/')).name}", 422)
        # our own name (a standards file: its own name made plain, in a folder of its own, as it is
        # cited by name): nothing from the request reaches the file system as a path
        path = folder / f"{name}{suffix}"
        if keep_name:
            (folder / name).mkdir(mode=0o700)
            path = folder / name / safe_name(upload.filename, name)
        names[str(path)] = Path(upload.filename.replace("\\", "/")).name  # said in messages, never used as a path
        size = 0
        with open(path, "wb") as fh:
            while chunk := await upload.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise WebError(too_large, 413)
                fh.write(chunk)
        if suffix == ".xlsx":
            _refuse_a_bomb(path, names[str(path)])
        return path

    def _refuse_a_bomb(path: Path, shown: str) -> None:
        """An xlsx is a zip: one that unpacks to far more than the upload limit is refused unread."""
        try:
            with zipfile.ZipFile(path) as book:
                unpacked = sum(info.file_size for info in book.infolist())
        except (zipfile.BadZipFile, OSError):
            return  # not a zip at all: the reader says so in its own words
        if unpacked > UNPACKED * limit:
            raise WebError(f"{shown}：解压后 {unpacked // (1 << 20)} MB，超过 {UNPACKED * max_upload_mb} MB 上限，"
                           f"请拆分花名册 (the workbook unpacks to {unpacked // (1 << 20)} MB, above the limit)", 413)

    def _new_folder() -> tuple[str, Path]:
        rid = secrets.token_urlsafe(16)
        folder = home() / rid
        folder.mkdir(mode=0o700)
        return rid, folder

    async def _accept(form, lang: str, names: dict, need_year: bool = True) -> Pending:
        """The request's part: the uploads saved, the programme, year, counts and options checked.
        Quick, so that a refusal comes at once; the computing is ``_work``'s (or the what-if's)."""
        rid, folder = _new_folder()
        try:
            standards = await _save_upload(form, "standards", folder, STANDARDS_SUFFIXES,
                                           "标准文件应为 .toml 或 .csv (the standards file must be .toml or .csv)",
                                           names, keep_name=True)
            calculator = _calculator(form.get("policy"), form.get("profile"), lang, form.getlist("columns"), standards)
            year = year_of(form.get("year")) if need_year else None
            try:
                options = run_options(False, form.get("budget") or None)
                counts = lines_of(form.getlist("count"))
                roster = await _save_upload(form, "roster", folder, ROSTER_SUFFIXES,
                                            "花名册应为 .xlsx、.xls 或 .csv 文件 (the roster must be .xlsx, .xls or .csv)",
                                            names)
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
        return Pending(rid, folder, calculator, form.get("profile") or None, year, lang, options, parsed_counts,
                       roster, form.get("sheet") or None, standards, lines_of(form.getlist("columns")), names)

    def _work(p: Pending, job: Job, session: str | None) -> tuple[str, Run]:
        """Compute a pending run (blocking: in a worker thread), telling ``job`` each stage. Kept for
        the pages of ``session``'s browser; without a session (the API) it is answered and removed."""
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
            run = Run(p.folder, p.calculator.policy.id, p.profile, p.year, p.lang, p.options, result, p.calculator,
                      session or "", standards=p.standards, columns=p.columns)
            if session is not None:
                job.stage = "summing"
                run.shown(p.lang)  # the result page's table made here, while the page still shows progress
        except BaseException:
            shutil.rmtree(p.folder, ignore_errors=True)
            raise
        if session is None:  # an API answer: nothing is kept
            shutil.rmtree(p.folder, ignore_errors=True)
        else:
            _keep(p.rid, run)
        return p.rid, run

    async def _compute(request: Request, form, lang: str, keep: bool) -> tuple[str, Run]:
        _take_place()
        try:
            pending = await _accept(form, lang, request.state.names)
        except BaseException:
            _give_place()
            raise
        session = request.state.session if keep else None
        return await _on_a_worker(_work, pending, Job(), session)

    def _run(rid: str, request: Request) -> tuple[str, Run]:
        _expire()  # a run past its time is gone even before the next sweep
        with lock:
            run = runs.get(rid)
        if run is None or not secrets.compare_digest(run.session, request.state.session):
            raise WebError("此次测算已过期或不存在，请重新上传 (this run has expired or does not exist)", 404)
        return rid, run

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
        lang = lang_of(form.get("lang"))
        _, run = await _compute(request, form, lang, keep=False)
        return JSONResponse(result_json(run.result, lang, summary=form.get("summary") in ("1", "true")))

    @app.post("/api/explain")
    async def api_explain(request: Request):
        form = await _form(request)
        _, run = await _compute(request, form, lang_of(form.get("lang")), keep=False)
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
        lang = lang_of(form.get("lang"))
        return JSONResponse((await _whatif(request, form, lang)).to_json(lang, False))

    async def _whatif(request: Request, form, lang: str):
        """The console's comparison (whatif.Comparison) of the form's scenario against the baseline."""
        from attrs import evolve

        from entitlements.scenarios import Scenario
        from entitlements.whatif import compare, count_in_words, in_words, parse_years

        sets = lines_of(form.getlist("set"))
        if not sets:
            raise WebError("请填写要改变的标准或计数，如 grant.community=120000@2025-01 (give --set PATH=VALUE)")
        _take_place()
        try:
            p = await _accept(form, lang, request.state.names, need_year=False)
        except BaseException:
            _give_place()
            raise
        try:
            years = form.get("years")
            run_years = parse_years(years, 0) if years else [year_of(form.get("year"))]
            given = Scenario.from_sets(sets)  # named by what it changes, as the console command names it
            words = [in_words(o, p.calculator.data, lang) for o in given.overrides]
            words += [f"conventions.{k}={v}" for k, v in given.conventions.items()]
            words += [count_in_words(c, lang) for c in given.counts]
            scenario = evolve(given, name="；".join(words) or given.name)
        except BaseException as exc:
            _give_place()
            shutil.rmtree(p.folder, ignore_errors=True)
            if isinstance(exc, ValueError):  # a bad --set, years or scenario: the CLI's words
                raise WebError(str(exc), 422 if isinstance(exc, InputError) else 400) from None
            raise

        def work():  # blocking: on a worker, so the server keeps answering
            table = p.calculator.read(p.roster, p.sheet) if p.roster is not None else None
            return compare(p.calculator, [scenario], run_years, table=table, counts=p.counts, **p.options)

        try:
            return await _on_a_worker(work)
        except InputError as exc:
            raise WebError(str(exc), 422) from None
        except ValueError as exc:
            raise WebError(str(exc)) from None
        finally:
            shutil.rmtree(p.folder, ignore_errors=True)

    # ---------- the pages ----------

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request, lang: str | None = None):
        lang, listing = lang_of(lang), policies_listing()
        return TEMPLATES.TemplateResponse(request, "index.html", {
            "lang": lang, "policies": listing, "profiles": list(profiles().values()),
            "paths": {p["id"]: p["paths"] for p in listing}, "year": dt.date.today().year})

    @app.post("/run")
    async def run_page(request: Request):
        """Without JavaScript: the form posts here and the result page comes when it is done."""
        form = await _form(request)
        lang = lang_of(form.get("lang") or request.query_params.get("lang"))
        rid, _ = await _compute(request, form, lang, keep=True)
        return RedirectResponse(f"/runs/{rid}?lang={lang}", status_code=303)

    @app.post("/jobs")
    async def start_job(request: Request):
        """The page's way to compute: accepted at once, computed by a worker, polled at /jobs/ID for its
        stage, so a long roster shows progress instead of a frozen page."""
        form = await _form(request)
        _take_place()  # taken before the upload is saved: concurrent uploads cannot all pass the check
        try:
            pending = await _accept(form, lang_of(form.get("lang")), request.state.names)
        except BaseException:
            _give_place()
            raise
        jid, job = secrets.token_urlsafe(16), Job(session=request.state.session)
        with lock:
            jobs[jid] = job

        def work() -> None:
            try:
                job.rid, _ = _work(pending, job, job.session)
                job.stage = "done"
            except WebError as exc:
                job.error, job.status = _said(exc.message, pending.lang, pending.names, True), exc.status
                job.stage = "failed"
            except BaseException as exc:  # noqa: BLE001 - a defect: said plainly, never a stack trace, never stuck
                job.error, job.status, job.stage = internal(exc), 500, "failed"
            finally:
                _give_place()

        try:
            workers().submit(work)
        except RuntimeError:  # the workers are shut down: the server is stopping
            _give_place()
            shutil.rmtree(pending.folder, ignore_errors=True)
            job.error, job.status, job.stage = internal(RuntimeError()), 503, "failed"
        return JSONResponse({"job": jid, "poll": f"/jobs/{jid}"}, status_code=202)

    @app.get("/jobs/{jid}")
    def poll_job(request: Request, jid: str, lang: str | None = None):
        with lock:
            job = jobs.get(jid)
        if job is None or not secrets.compare_digest(job.session, request.state.session):
            raise WebError("此次测算已过期或不存在，请重新上传 (this run has expired or does not exist)", 404)
        lang = lang_of(lang)
        answer: dict[str, Any] = {"stage": job.stage, "rows": job.rows,
                                  "seconds": int(time.monotonic() - job.started),
                                  "message": stage_words(job.stage, job.rows, lang)}
        if job.stage == "done":
            answer["url"] = f"/runs/{job.rid}?lang={lang}"
        if job.stage == "failed":
            answer |= {"error": job.error, "status": job.status}
        return answer

    @app.get("/runs/{rid}", response_class=HTMLResponse)
    def result_page(request: Request, rid: str, page: str = "1", lang: str | None = None, q: str = ""):
        rid, run = _run(rid, request)
        lang = lang_of(lang) if lang else run.lang
        data = run.shown(lang)
        people = data.get("beneficiaries") or []
        q = q.strip()
        if q:  # find a person by 编号 or 姓名 (any part of either)
            people = [b for b in people if q in str(b["id"]) or q in str(b.get("name") or "")]
        pages = max(1, -(-len(people) // PAGE_ROWS))
        number = min(max(int(page) if page.strip().isdigit() else 1, 1), pages)  # ?page=abc: the first page
        calc = run.calculator  # levels and components in the profile's and the policy's own words
        components = {c: calc.policy.component_label(calc.data, c, lang) for c in data["totals"].get("by_component") or {}}
        roster = run.result.mode == "roster"
        everyone = data.get("beneficiaries") or []
        paid = any(b["amount"] not in ("0.00", "0") for b in everyone)
        # nobody paid: the reasons said once above the totals, most frequent first (a year before the
        # standards came into force, say), not only on each row
        why: dict[str, int] = {}
        for b in everyone if not paid else []:
            for reason in b.get("reasons") or []:
                why[reason] = why.get(reason, 0) + 1
        return TEMPLATES.TemplateResponse(request, "result.html", {
            "lang": lang, "rid": rid, "data": data, "run": run, "page": number, "pages": pages, "q": q,
            "found": len(people), "levels": calc.profile.level_names(lang), "components": components,
            "profile_name": calc.profile.name, "roster": roster,
            "nobody_paid": sorted(why.items(), key=lambda kv: -kv[1])[:5] if everyone and not paid else None,
            # a download is offered only where it can be made: the 公示 list of a roster with someone paid,
            # the payment list of people with a 银行账号 column
            "notice": roster and paid,
            "payments": roster and paid and pays_people(calc.policy.fields) and run.result.parsed.has("bank_account"),
            "people": people[(number - 1) * PAGE_ROWS: number * PAGE_ROWS], "listed": LISTED})

    @app.get("/runs/{rid}/explain", response_class=HTMLResponse)
    def explain_page(request: Request, rid: str, id: str, lang: str | None = None):
        rid, run = _run(rid, request)
        lang = lang_of(lang) if lang else run.lang
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
        lang = lang_of(form.get("lang"))
        comparison = await _whatif(request, form, lang)
        wid = secrets.token_urlsafe(16)
        calc = comparison.calculator
        with lock:
            whatifs[wid] = {"comparison": comparison, "data": comparison.to_json(lang, False), "lang": lang,
                            "policy": calc.policy.id, "profile": calc.profile.id,
                            "session": request.state.session, "made": time.monotonic()}
            mine = [w for w, kept in whatifs.items() if kept["session"] == request.state.session]
            for old in mine[:-RUNS_PER_SESSION]:
                del whatifs[old]
        return RedirectResponse(f"/whatifs/{wid}?lang={lang}", status_code=303)

    def _kept_whatif(request: Request, wid: str) -> dict:
        _expire()
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
        try:
            build_workbook(str(path), [comparison.sheet(lang), chart_sheet(comparison, lang)])
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return FileResponse(path, filename=f"{kept['policy']}_情景测算.xlsx", media_type=XLSX,
                            background=BackgroundTask(shutil.rmtree, folder, True))  # sent, then removed

    @app.get("/whatifs/{wid}", response_class=HTMLResponse)
    def whatif_result(request: Request, wid: str, lang: str | None = None):
        kept = _kept_whatif(request, wid)
        lang, data = lang_of(lang), kept["data"]
        calc = _calculator(kept["policy"], kept["profile"], lang, [])
        levels = calc.profile.level_names(lang)
        rows = []  # per year and level: baseline, each scenario, and a bar width in whole per cent (display only)
        for y in data["years"]:
            for key in y["baseline"]["by_level"]:
                amounts = [y["baseline"]["by_level"][key], *(s["totals"]["by_level"].get(key, "0.00") for s in y["scenarios"])]
                rows.append({"year": y["year"], "level": levels.get(key, key), "amounts": amounts})
            amounts = [y["baseline"]["amount"], *(s["totals"]["amount"] for s in y["scenarios"])]
            rows.append({"year": y["year"], "level": "合计" if lang != "en" else "total", "amounts": amounts, "total": True})
        top = max((fen_of(a) for r in rows for a in r["amounts"]), default=0) or 1
        for r in rows:
            r["bars"] = [fen_of(a) * 100 // top for a in r["amounts"]]
            r["changes"] = [signed_yuan(fen_of(a) - fen_of(r["amounts"][0])) for a in r["amounts"][1:]]  # as the console shows
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
        rid, run = _run(rid, request)
        path = run.folder / kind
        with run.writing:  # two clicks at once: the second waits for the first file, never half of it
            if not path.exists():
                part = run.folder / f".{kind}.part"
                _write(run, kind, part)
                os.replace(part, path)  # whole or not at all
        name = f"{run.policy}_{run.year}_{downloads[kind]}{path.suffix}"
        media = "application/json" if kind.endswith(".json") else XLSX
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
