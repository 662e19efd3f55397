"""The web page in a real browser: Playwright driving the system's headless Chromium against
`entitlements serve`'s application on a local port. A clerk's year: upload a roster, read the
totals (equal to the console command's JSON to the fen, for every bundled example), open an
explanation, download the 分配表 and the payment list and read them back, see a broken roster's
rejects by Excel row, follow the progress of a long roster, run a what-if.

Chromium comes from the system (`apt-get install chromium`; .ci/run installs it): Playwright's own
browser download is not available here, so it is launched by its path. Where it is missing the
tests are skipped with that message, except when ENTITLEMENTS_BROWSER_TESTS=required (as .ci/run
sets), where a missing browser fails.

With ENTITLEMENTS_SCREENSHOTS=docs/screenshots the tests also write the README's screenshots.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from .conftest import EXAMPLES, ROOT, console_command, run_cli
from .test_library import LIBRARY


def _chromium() -> str:
    """The system's Chromium, or a clear skip (a failure where CI requires the browser tests)."""
    found = os.environ.get("ENTITLEMENTS_CHROMIUM") or next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
    missing = None
    if not found:
        missing = "Chromium is not installed (apt-get install chromium); the browser tests need it"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            missing = "Playwright is not installed (pip install '.[test]')"
    if missing:
        if os.environ.get("ENTITLEMENTS_BROWSER_TESTS") == "required":
            pytest.fail(missing)
        pytest.skip(missing)
    return found


# the flags Chromium needs on a machine without a network or a display, as root
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The application served by uvicorn on a free local port, in a thread of this process."""

    def __init__(self, **options):
        import uvicorn

        from entitlements.web.app import create_app

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(create_app(**options), host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "the server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="module")
def server():
    pytest.importorskip("uvicorn", reason="the web extra (pip install '.[web]') is not installed")
    with LiveServer() as live:
        yield live


@pytest.fixture()
def page(browser, server):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    yield tab
    context.close()


def _shot(page, name: str, tmp_path: Path) -> None:
    """Each screenshot is taken (so the code path runs); the README's are written where asked."""
    folder = Path(os.environ.get("ENTITLEMENTS_SCREENSHOTS") or tmp_path)
    folder = folder if folder.is_absolute() else ROOT / folder
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    assert (folder / f"{name}.png").stat().st_size > 1000


# ---------- the bundled examples ----------

NOT_ROSTERS = {"village_post_standards.csv"}  # the departure policy's post standards, uploaded beside a roster


def _examples() -> list[tuple[str, str]]:
    """(policy, example file) for every bundled roster: each policy's LIBRARY example and its siblings
    (the .xlsx of the same roster, a roster with errors, the payment list's roster)."""
    pairs = []
    for policy, (example, *_rest) in sorted(LIBRARY.items()):
        stem = Path(example).stem
        pairs += [(policy, p.name) for p in sorted(EXAMPLES.iterdir())
                  if p.suffix in (".csv", ".xlsx", ".xls") and p.stem.startswith(stem)]
    return pairs


def test_every_bundled_roster_is_tried_in_the_browser():
    tried = {name for _, name in _examples()}
    bundled = {p.name for p in EXAMPLES.iterdir() if p.suffix in (".csv", ".xlsx", ".xls")} - NOT_ROSTERS
    assert bundled == tried, "a bundled roster no policy's example names: add it to LIBRARY or NOT_ROSTERS"


def _cli_json(policy: str, example: str) -> dict:
    _, profile, year, extra, _ = LIBRARY[policy]
    out = run_cli("calc", str(EXAMPLES / example), "--policy", policy, "--profile", profile, "--year", str(year),
                  *extra, "--format", "json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _compute(page, server, policy: str, example: str) -> None:
    """Fill the main page as a clerk would and wait for the result page."""
    from entitlements.profiles import resolve_profile

    _, profile, year, extra, _ = LIBRARY[policy]
    page.goto(f"{server.url}/")
    page.select_option("#policy", policy)
    page.select_option("#calc select[name=profile]", resolve_profile(profile).id)
    page.fill("input[name=year]", str(year))
    page.set_input_files("#roster", str(EXAMPLES / example))
    if "--budget" in extra:
        page.fill("input[name=budget]", extra[extra.index("--budget") + 1])
    if "--standards" in extra:
        page.set_input_files("input[name=standards]", extra[extra.index("--standards") + 1])
    page.click("#go")
    page.wait_for_url("**/runs/**")


def _shown_totals(page) -> list[str]:
    return [cell.strip() for cell in page.locator("#totals td.n").all_inner_texts()]


def _expected_totals(cli: dict) -> list[str]:
    totals = cli["totals"]
    return [totals["amount"], *(totals.get("by_level") or {}).values(), *(totals.get("by_component") or {}).values()]


@pytest.mark.parametrize("policy, example", _examples())
def test_the_page_shows_the_clis_totals_to_the_fen(page, server, policy, example):
    cli = _cli_json(policy, example)
    _compute(page, server, policy, example)
    assert _shown_totals(page) == _expected_totals(cli)
    counted = page.inner_text("#rows")
    assert f"{cli['rows']['read']}" in counted and f"{cli['rows']['rejected']}" in counted


# ---------- a clerk's year, step by step ----------

def test_main_page_offers_every_programme_and_region(page, server, tmp_path):
    from entitlements.profiles import profiles
    from entitlements.registry import policy_ids

    page.goto(f"{server.url}/")
    offered = page.locator("#policy option").evaluate_all("options => options.map(o => o.value)")
    assert sorted(offered) == sorted(policy_ids())
    regions = page.locator("#calc select[name=profile] option").all_inner_texts()
    assert {p.name for p in profiles().values()} <= set(regions)
    assert "玉组通〔2017〕20号" in page.inner_text("#sources")
    _shot(page, "main", tmp_path)
    page.click("text=English")
    assert page.inner_text("#go") == "Compute"


def test_a_result_opens_an_explanation(page, server, tmp_path):
    cli = _cli_json("brigade_cadre_living", "brigade_cadres.xlsx")
    _compute(page, server, "brigade_cadre_living", "brigade_cadres.xlsx")
    _shot(page, "result", tmp_path)
    first = cli["beneficiaries"][0]
    page.locator("#people tr", has_text=first["id"]).locator("a").click()
    page.wait_for_url("**/explain**")
    text = page.inner_text("#explanation")
    assert first["amount"] in page.inner_text("h1")
    for needed in ("任职年限", "档）", "云组发〔1989〕55号", "分担"):  # tenure, the tier, a cited document, the split
        assert needed in text, (needed, text)
    _shot(page, "explanation", tmp_path)


def test_the_allocation_download_reads_back_with_openpyxl(page, server, tmp_path):
    import openpyxl

    cli = _cli_json("two_new_16321", "two_new_orgs.xlsx")
    _compute(page, server, "two_new_16321", "two_new_orgs.xlsx")
    with page.expect_download() as info:
        page.click("#downloads a[href$='allocation.xlsx']")
    download = info.value
    assert download.suggested_filename == "two_new_16321_2024_分配表.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    rows = list(openpyxl.load_workbook(saved, read_only=True).worksheets[0].iter_rows(values_only=True))
    by_id = {str(row[0]): row for row in rows if row and row[0] is not None}
    for b in cli["beneficiaries"]:  # each organisation's row carries its amount, to the fen
        numbers = {Decimal(str(c)).quantize(Decimal("0.01")) for c in by_id[b["id"]] if isinstance(c, (int, float))}
        assert Decimal(b["amount"]) in numbers, (b, by_id[b["id"]])
    in_words = next(str(row[0]) for row in rows if row and "大写" in str(row[0]))
    assert f"¥{Decimal(cli['totals']['amount']):,}" in in_words


def test_the_payment_list_downloads_with_its_warning(page, server, tmp_path):
    import openpyxl

    cli = _cli_json("brigade_cadre_living", "brigade_cadres_payments.csv")
    _compute(page, server, "brigade_cadre_living", "brigade_cadres_payments.csv")
    assert "不得公示" in page.inner_text("#downloads")
    with page.expect_download() as info:
        page.click("#payments")
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    book = openpyxl.load_workbook(saved, read_only=True)
    cells = [c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert any("个人信息保护法" in str(c) for c in cells)
    assert {b["name"] for b in cli["beneficiaries"] if Decimal(b["amount"]) > 0} <= {str(c) for c in cells}
    assert "530421193804121213" in {str(c) for c in cells}  # full ID numbers: this list is for the bank


def test_a_broken_roster_shows_each_reject_by_excel_row_and_computes_the_rest(page, server):
    cli = _cli_json("brigade_cadre_living", "brigade_cadres_with_errors.xlsx")
    assert cli["rejects"] and cli["beneficiaries"]
    _compute(page, server, "brigade_cadre_living", "brigade_cadres_with_errors.xlsx")
    shown = [[c.strip() for c in row.locator("td").all_inner_texts()] for row in page.locator("#rejects tr").all()[1:]]
    assert [(s[0], s[1], s[3]) for s in shown] == [(str(r["row"]), r["column"], r["reason"]) for r in cli["rejects"]]
    assert _shown_totals(page) == _expected_totals(cli)  # the rest is computed


def test_a_refused_upload_says_why_and_keeps_the_form(page, server, tmp_path):
    bad = tmp_path / "名单.txt"
    bad.write_text("姓名\n张三\n", encoding="utf-8")
    page.goto(f"{server.url}/")
    page.select_option("#policy", "brigade_cadre_living")
    page.set_input_files("#roster", str(bad))
    page.click("#go")
    page.wait_for_selector("#error:not([hidden])")
    assert ".xlsx" in page.inner_text("#error") and page.url.rstrip("/") == server.url
    assert page.is_enabled("#go")  # fix it and send again
    page.set_input_files("#roster", str(EXAMPLES / "brigade_cadres.xlsx"))
    page.fill("input[name=year]", "2025")
    page.click("#go")
    page.wait_for_url("**/runs/**")


def test_counts_typed_on_the_page_give_the_clis_totals(page, server):
    out = run_cli("calc", "--policy", "service_grants", "--profile", "澄江市", "--year", "2024",
                  "--count", "community=6", "--count", "行政村=41", "--format", "json")
    cli = json.loads(out.stdout)
    assert cli["totals"]["amount"] == "2650000.00"
    page.goto(f"{server.url}/")
    page.select_option("#policy", "service_grants")
    assert "community" in page.inner_text("#keys")  # the count keys this programme takes
    page.fill("input[name=year]", "2024")
    page.fill("#counts", "community=6\n行政村=41\n")
    page.click("#go")
    page.wait_for_url("**/runs/**")
    assert _shown_totals(page) == _expected_totals(cli)
    page.go_back()  # corrected and sent again: the counts are sent once, not added to the first ones
    page.fill("#counts", "community=6\n行政村=40\n")
    page.click("#go")
    page.wait_for_url("**/runs/**")
    assert _shown_totals(page)[0] == "2600000.00"


def test_a_long_roster_shows_its_progress(page, server, monkeypatch):
    """The page polls the job: while the server computes, the stage and the row count are shown."""
    from entitlements import Calculator

    slow = Calculator.compute_roster

    def compute_slowly(self, *args, **kwargs):
        time.sleep(2)  # as a long roster would take
        return slow(self, *args, **kwargs)

    monkeypatch.setattr(Calculator, "compute_roster", compute_slowly)
    page.goto(f"{server.url}/")
    page.select_option("#policy", "brigade_cadre_living")
    page.fill("input[name=year]", "2025")
    page.set_input_files("#roster", str(EXAMPLES / "brigade_cadres.xlsx"))
    page.click("#go")
    page.wait_for_function("document.getElementById('busy').textContent.includes('正在校验并计算')")
    assert "行" in page.inner_text("#busy") and page.is_visible("#progress") and page.is_disabled("#go")
    page.wait_for_url("**/runs/**")


def test_a_whatif_compares_baseline_and_scenario_per_level(page, server, tmp_path):
    page.goto(f"{server.url}/")
    form = page.locator("#whatif")
    form.locator("select[name=policy]").select_option("service_grants")
    form.locator("input[name=years]").fill("2025-2026")
    page.fill("#whatif-counts", "community=6\nvillage=41")
    page.select_option("#pick", "grant.community=100000.00")  # a standard picked: its path and current value
    assert page.input_value("#sets") == "grant.community=100000.00@2025-01"
    page.fill("#sets", "grant.community=120000@2025-01")
    page.click("#compare")
    page.wait_for_url("**/whatifs/**")
    rows = page.locator("table#whatif tr").all_inner_texts()
    assert any("2650000.00" in r and "2770000.00" in r and "+120000.00" in r for r in rows), rows
    assert page.locator("table#whatif div").count() >= 2  # the bars
    assert "澄江市" in page.inner_text("#region")
    _shot(page, "whatif", tmp_path)
    page.click("#language")  # the same comparison, in English
    assert "baseline" in page.inner_text("table#whatif") and "+120000.00" in page.inner_text("table#whatif")


def test_back_from_a_refusal_finds_the_form_as_it_was_filled(page, server):
    page.goto(f"{server.url}/")
    form = page.locator("#whatif")
    form.locator("select[name=policy]").select_option("service_grants")
    page.fill("#whatif-counts", "community=6")
    page.fill("#sets", "grant.community=abc@2025-01")  # not an amount
    page.click("#compare")
    page.wait_for_selector("#error")
    assert "grant.community" in page.inner_text("#error")
    page.click("#back")
    page.wait_for_selector("#sets")
    assert page.input_value("#sets") == "grant.community=abc@2025-01"  # fix it, not type it all again
    assert page.input_value("#whatif-counts") == "community=6"


def test_beyond_localhost_the_page_needs_the_token(browser):
    with LiveServer(token="s3cret-token") as live:
        context = browser.new_context()
        tab = context.new_page()
        refused = tab.goto(f"{live.url}/")
        assert refused.status == 401 and "令牌" in tab.inner_text("body")
        tab.goto(f"{live.url}/?token=s3cret-token")  # the link `serve` prints
        tab.select_option("#policy", "two_new_16321")
        tab.fill("input[name=year]", "2024")
        tab.set_input_files("#roster", str(EXAMPLES / "two_new_orgs.csv"))
        tab.click("#go")
        tab.wait_for_url("**/runs/**")  # the background calls carry the cookie the link set
        assert _shown_totals(tab)[0] == _cli_json("two_new_16321", "two_new_orgs.csv")["totals"]["amount"]
        context.close()


def test_the_installed_command_serves_the_page_and_cleans_up(browser, tmp_path):
    """`entitlements serve` as a clerk starts it: the page answers; stopped, it leaves no upload behind."""
    import signal

    port = _free_port()
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen([console_command(), "serve", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        context = browser.new_context()
        tab = context.new_page()
        deadline = time.monotonic() + 60
        while True:
            try:
                tab.goto(f"http://127.0.0.1:{port}/")
                break
            except Exception:  # noqa: BLE001 - not listening yet
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
                time.sleep(0.3)
        tab.select_option("#policy", "two_new_16321")
        tab.fill("input[name=year]", "2024")
        tab.set_input_files("#roster", str(EXAMPLES / "two_new_orgs.csv"))
        tab.click("#go")
        tab.wait_for_url("**/runs/**")
        assert any(tmp_path.iterdir())  # the upload is kept in the server's private folder meanwhile
        context.close()
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert "127.0.0.1" in err and "网页服务已停止" in err and "已中断" not in err, err
    assert proc.returncode == 0, err
    assert list(tmp_path.iterdir()) == [], "the server stopped and left files behind"
