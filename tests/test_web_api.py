"""The web application (entitlements serve): its HTTP API answers what the CLI prints, its pages
render, and its safety defaults hold (token beyond localhost, upload limit, no path from a request)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

fastapi = pytest.importorskip("fastapi", reason="the web extra (pip install '.[web]') is not installed")
from fastapi.testclient import TestClient  # noqa: E402

from entitlements.web.app import create_app, token_required  # noqa: E402

from .conftest import ROOT, run_cli  # noqa: E402

EXAMPLES = ROOT / "examples"


@pytest.fixture()
def client():
    with TestClient(create_app()) as c:
        yield c


def _post_calc(client, roster: Path | None, **form):
    files = {"roster": (roster.name, roster.read_bytes())} if roster else None
    return client.post("/api/calc", data=form, files=files)


@pytest.mark.parametrize("policy, roster, year", [
    ("brigade_cadre_living", "brigade_cadres.xlsx", "2025"),
    ("two_new_16321", "two_new_orgs.csv", "2025"),
    ("joint_party_org", "joint_party_orgs.xlsx", "2025"),
    ("community_worker_pay", "community_workers.xlsx", "2025"),
])
def test_calc_answers_what_the_cli_prints(client, policy, roster, year):
    cli = run_cli("calc", str(EXAMPLES / roster), "--policy", policy, "--year", year, "--format", "json")
    assert cli.returncode == 0, cli.stderr
    web = _post_calc(client, EXAMPLES / roster, policy=policy, year=year)
    assert web.status_code == 200, web.text
    assert web.json() == json.loads(cli.stdout)


def test_calc_counts_mode_answers_what_the_cli_prints(client):
    cli = run_cli("calc", "--policy", "service_grants", "--year", "2025", "--count", "community=6",
                  "--count", "行政村=41", "--format", "json")
    assert cli.returncode == 0, cli.stderr
    web = client.post("/api/calc", data={"policy": "service_grants", "year": "2025",
                                         "count": ["community=6", "行政村=41"]})
    assert web.status_code == 200, web.text
    assert web.json() == json.loads(cli.stdout)


def test_errors_are_the_cli_messages_never_a_trace(client, tmp_path):
    unknown = _post_calc(client, EXAMPLES / "two_new_orgs.csv", policy="no_such_policy", year="2025")
    assert unknown.status_code == 400 and "no_such_policy" in unknown.json()["error"]
    bad_year = _post_calc(client, EXAMPLES / "two_new_orgs.csv", policy="two_new_16321", year="二五年")
    assert bad_year.status_code == 400 and "year" in bad_year.json()["error"]
    as_typed = _post_calc(client, EXAMPLES / "two_new_orgs.csv", policy="two_new_16321", year="二〇二五年")
    assert as_typed.json() == _post_calc(client, EXAMPLES / "two_new_orgs.csv", policy="two_new_16321",
                                         year="2025年").json() == _post_calc(client, EXAMPLES / "two_new_orgs.csv",
                                                                           policy="two_new_16321", year="2025").json()
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is not a workbook")
    bad = _post_calc(client, broken, policy="two_new_16321", year="2025")
    assert bad.status_code == 422, bad.text
    assert "Traceback" not in bad.text and bad.json()["error"]
    missing = client.post("/api/calc", data={"year": "2025"})
    assert missing.status_code == 400 and "policy" in missing.json()["error"]
    wrong_kind = client.post("/api/calc", data={"policy": "two_new_16321", "year": "2025"},
                             files={"roster": ("../../etc/passwd", b"x")})
    assert wrong_kind.status_code == 422 and ".xlsx" in wrong_kind.json()["error"]


def test_policies_and_profiles_are_listed(client):
    policies = client.get("/api/policies").json()
    assert {p["id"] for p in policies} >= {"two_new_16321", "rural_member_training"}
    assert all(p["title"] and p["sources"] for p in policies)
    names = {p["name"] for p in client.get("/api/profiles").json()}
    assert "江川区" in names


def test_explain_and_whatif(client):
    calc = _post_calc(client, EXAMPLES / "two_new_orgs.csv", policy="two_new_16321", year="2025").json()
    first = calc["beneficiaries"][0]["id"]
    cli = run_cli("explain", str(EXAMPLES / "two_new_orgs.csv"), "--policy", "two_new_16321", "--year", "2025",
                  "--id", first, "--format", "json")
    web = client.post("/api/explain", data={"policy": "two_new_16321", "year": "2025", "id": first},
                      files={"roster": ("two_new_orgs.csv", (EXAMPLES / "two_new_orgs.csv").read_bytes())})
    assert web.status_code == 200, web.text
    assert web.json() == json.loads(cli.stdout)
    nobody = client.post("/api/explain", data={"policy": "two_new_16321", "year": "2025", "id": "无此人"},
                         files={"roster": ("two_new_orgs.csv", (EXAMPLES / "two_new_orgs.csv").read_bytes())})
    assert nobody.status_code == 404 and "'无此人'" in nobody.json()["error"]  # the name, quoted whole
    args = ["--policy", "service_grants", "--count", "community=6", "--set",
            "grant.community=120000@2025-01", "--years", "2025-2026", "--format", "json"]
    cli = run_cli("whatif", *args)
    assert cli.returncode == 0, cli.stderr
    web = client.post("/api/whatif", data={"policy": "service_grants", "count": ["community=6"],
                                           "set": ["grant.community=120000@2025-01"], "years": "2025-2026"})
    assert web.status_code == 200, web.text
    assert web.json() == json.loads(cli.stdout)


def test_pages_show_totals_rejects_and_downloads(client):
    page = client.get("/")
    assert page.status_code == 200 and "补助测算" in page.text and "two_new_16321" in page.text
    assert "Compute" in client.get("/?lang=en").text
    roster = EXAMPLES / "brigade_cadres_with_errors.xlsx"
    done = client.post("/run", data={"policy": "brigade_cadre_living", "year": "2025"},
                       files={"roster": (roster.name, roster.read_bytes())}, follow_redirects=True)
    assert done.status_code == 200, done.text
    cli = json.loads(run_cli("calc", str(roster), "--policy", "brigade_cadre_living", "--year", "2025",
                             "--format", "json").stdout)
    assert cli["totals"]["amount"] in done.text
    assert cli["rejects"] and all(str(r["row"]) in done.text for r in cli["rejects"])
    run_url = str(done.url).split("?")[0]
    for kind, start in (("allocation.xlsx", b"PK"), ("budget.xlsx", b"PK"), ("notice.xlsx", b"PK"),
                        ("result.json", b"{")):
        got = client.get(f"{run_url}/download/{kind}")
        assert got.status_code == 200, (kind, got.text)
        assert got.content.startswith(start)
        assert "attachment" in got.headers["content-disposition"]
    person = cli["beneficiaries"][0]["id"]
    shown = client.get(f"{run_url}/explain", params={"id": person})
    assert shown.status_code == 200 and person in shown.text
    assert client.get("/runs/not-a-run/download/result.json").status_code == 404
    assert client.get(f"{run_url}/download/..%2F..%2Fetc%2Fpasswd").status_code == 404


def test_token_is_required_beyond_localhost():
    assert not token_required("127.0.0.1") and not token_required("localhost")
    assert token_required("0.0.0.0") and token_required("192.168.1.5")
    with TestClient(create_app(token="s3cret")) as c:
        refused = c.get("/api/policies")
        assert refused.status_code == 401 and refused.json()["error"]
        assert c.get("/", params={"lang": "en"}).status_code == 401
        assert c.get("/api/policies", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/api/policies", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert c.get("/", params={"token": "s3cret"}).status_code == 200  # and sets the cookie for the pages
        assert c.get("/api/profiles").status_code == 200


def test_serve_refuses_a_public_host_without_a_token():
    out = run_cli("serve", "--host", "0.0.0.0", env={"ENTITLEMENTS_TOKEN": ""})
    assert out.returncode == 2 and "token" in out.stderr


def test_upload_limit_is_a_clear_413():
    with TestClient(create_app(max_upload_mb=1)) as c:
        big = b"a," * (700 * 1024)
        got = c.post("/api/calc", data={"policy": "two_new_16321", "year": "2025"},
                     files={"roster": ("big.csv", big)})
        assert got.status_code == 413 and "MB" in got.json()["error"]


def test_runs_live_in_a_private_folder_removed_on_timeout_and_at_shutdown(tmp_path, monkeypatch):
    import stat
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    roster = EXAMPLES / "two_new_orgs.csv"
    with TestClient(create_app(ttl_seconds=0)) as c:
        (home,) = tmp_path.iterdir()
        assert stat.S_IMODE(home.stat().st_mode) == 0o700
        done = c.post("/run", data={"policy": "two_new_16321", "year": "2025"},
                      files={"roster": (roster.name, roster.read_bytes())}, follow_redirects=False)
        assert done.status_code == 303
        run_url = done.headers["location"].split("?")[0]
        assert [p.name for p in home.iterdir()] == [run_url.rsplit("/", 1)[1]]  # our id, not the upload's name
        assert c.get(run_url).status_code == 404  # expired at the next request, its folder removed
        assert list(home.iterdir()) == []
    assert list(tmp_path.iterdir()) == []  # the server stopped: nothing left


def test_downloads_carry_a_safe_file_name(client):
    roster = EXAMPLES / "two_new_orgs.csv"
    done = client.post("/run", data={"policy": "two_new_16321", "year": "2025"},
                       files={"roster": ("../../x;\"evil\".csv", roster.read_bytes())}, follow_redirects=False)
    run_url = done.headers["location"].split("?")[0]
    header = client.get(f"{run_url}/download/allocation.xlsx").headers["content-disposition"]
    assert header.startswith("attachment;") and "two_new_16321_2025_" in header
    assert "evil" not in header and ".." not in header


def test_serve_without_the_web_extra_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn raises ImportError
    out = run_cli("serve")
    assert out.returncode == 2 and "pip install 'entitlements[web]'" in out.stderr


def test_serve_binds_this_machine_by_default(monkeypatch):
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw))
    out = run_cli("serve", "--port", "8123", env={"ENTITLEMENTS_TOKEN": ""})
    assert out.returncode == 0, out.stderr
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123
    out = run_cli("serve", "--host", "0.0.0.0", "--token", "t0k")
    assert out.returncode == 0 and seen["host"] == "0.0.0.0"


def test_the_result_names_levels_and_components_in_chinese(client):
    roster = EXAMPLES / "brigade_cadres.xlsx"
    done = client.post("/run", data={"policy": "brigade_cadre_living", "year": "2025", "profile": "江川区"},
                       files={"roster": (roster.name, roster.read_bytes())}, follow_redirects=True)
    assert done.status_code == 200, done.text
    assert "<td>province</td>" not in done.text and "<td>base</td>" not in done.text
    assert "省级" in done.text or "省" in done.text


def test_the_whatif_page_shows_baseline_against_scenario_per_level(client):
    page = client.post("/whatif", data={"policy": "service_grants", "count": "community=6",
                                        "set": "grant.community=120000@2025-01", "years": "2025-2026"})
    assert page.status_code == 200, page.text
    assert "600000.00" in page.text and "720000.00" in page.text and "澄江市级" in page.text
    assert 'id="whatif"' in client.get("/").text


@pytest.mark.parametrize("policy", sorted(__import__("tests.test_library", fromlist=["LIBRARY"]).LIBRARY))
def test_every_bundled_example_gives_the_clis_totals_on_the_page_and_the_api(client, policy):
    from .test_library import LIBRARY, args

    example, profile, year, extra, _ = LIBRARY[policy]
    cli = json.loads(run_cli("calc", *args(policy), "--format", "json").stdout)
    form = {"policy": policy, "profile": profile, "year": str(year)}
    files = {"roster": (example, (EXAMPLES / example).read_bytes())}
    if "--budget" in extra:
        form["budget"] = extra[extra.index("--budget") + 1]
    if "--standards" in extra:
        standards = Path(extra[extra.index("--standards") + 1])
        files["standards"] = (standards.name, standards.read_bytes())
    api = client.post("/api/calc", data=form, files=files)
    assert api.status_code == 200, api.text
    assert api.json() == cli
    page = client.post("/run", data=form, files=files, follow_redirects=True)
    assert page.status_code == 200, page.text
    assert f'id="total">{cli["totals"]["amount"]}<' in page.text


def _poll(client, job: dict, lang: str = "zh") -> dict:
    import time

    for _ in range(600):
        state = client.get(job["poll"], params={"lang": lang}).json()
        if state["stage"] in ("done", "failed"):
            return state
        time.sleep(0.05)
    raise AssertionError("the job never finished")


def test_a_job_computes_in_the_background_and_says_its_stage(client):
    roster = EXAMPLES / "brigade_cadres.xlsx"
    started = client.post("/jobs", data={"policy": "brigade_cadre_living", "year": "2025", "lang": "zh"},
                          files={"roster": (roster.name, roster.read_bytes())})
    assert started.status_code == 202, started.text
    state = _poll(client, started.json())
    assert state["stage"] == "done" and state["rows"] >= 10 and state["url"].startswith("/runs/")
    cli = json.loads(run_cli("calc", str(roster), "--policy", "brigade_cadre_living", "--year", "2025",
                             "--format", "json").stdout)
    assert f'id="total">{cli["totals"]["amount"]}<' in client.get(state["url"]).text
    assert client.get("/jobs/not-a-job").status_code == 404


def test_a_failed_job_says_the_clis_message(client, tmp_path):
    broken = "编号,姓名\n1,张三\n".encode()
    started = client.post("/jobs", data={"policy": "brigade_cadre_living", "year": "2025"},
                          files={"roster": ("名单.csv", broken)})
    assert started.status_code == 202, started.text
    state = _poll(client, started.json())
    assert state["stage"] == "failed" and state["status"] == 422 and "Traceback" not in state["error"]
    (tmp_path / "名单.csv").write_bytes(broken)
    cli = run_cli("calc", str(tmp_path / "名单.csv"), "--policy", "brigade_cadre_living", "--year", "2025")
    said = cli.stderr.strip().removeprefix("错误 error: ").split(": ", 1)[1]  # the CLI's words after its field name
    assert cli.returncode == 2 and said in state["error"] and state["error"].startswith("花名册：")  # the same refusal
    refused = client.post("/jobs", data={"policy": "no_such", "year": "2025"},
                          files={"roster": ("名单.csv", broken)})
    assert refused.status_code == 400 and "no_such" in refused.json()["error"]  # refused at once, no job


def test_the_payment_list_download_needs_an_account_column(client):
    from openpyxl import load_workbook

    with_accounts = EXAMPLES / "brigade_cadres_payments.csv"
    done = client.post("/run", data={"policy": "brigade_cadre_living", "year": "2025"},
                       files={"roster": (with_accounts.name, with_accounts.read_bytes())}, follow_redirects=False)
    run_url = done.headers["location"].split("?")[0]
    assert 'id="payments"' in client.get(run_url).text
    got = client.get(f"{run_url}/download/payments.xlsx")
    from urllib.parse import unquote

    assert got.status_code == 200 and "一卡通发放清单" in unquote(got.headers["content-disposition"])
    import io

    cells = {str(c) for ws in load_workbook(io.BytesIO(got.content)).worksheets
             for row in ws.iter_rows(values_only=True) for c in row if c is not None}
    assert "530421193804121213" in cells
    without = EXAMPLES / "brigade_cadres.csv"
    done = client.post("/run", data={"policy": "brigade_cadre_living", "year": "2025"},
                       files={"roster": (without.name, without.read_bytes())}, follow_redirects=False)
    run_url = done.headers["location"].split("?")[0]
    refused = client.get(f"{run_url}/download/payments.xlsx")
    assert refused.status_code == 422 and "银行账号" in refused.text and "Traceback" not in refused.text
    units = EXAMPLES / "two_new_orgs.csv"
    done = client.post("/run", data={"policy": "two_new_16321", "year": "2024"},
                       files={"roster": (units.name, units.read_bytes())}, follow_redirects=False)
    run_url = done.headers["location"].split("?")[0]
    assert 'id="payments"' not in client.get(run_url).text  # organisations are not paid on a card
    assert client.get(f"{run_url}/download/payments.xlsx").status_code == 422


def test_a_browser_without_the_token_gets_a_page_saying_what_to_do():
    with TestClient(create_app(token="s3cret")) as c:
        page = c.get("/", headers={"Accept": "text/html"})
        assert page.status_code == 401 and "<html" in page.text and "令牌" in page.text
        assert c.post("/jobs").status_code == 401 and c.post("/jobs").json()["error"]


def test_serve_keeps_uploads_for_the_minutes_asked(monkeypatch):
    import uvicorn

    import entitlements.web.app as web

    made = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: None)
    monkeypatch.setattr(web, "create_app", lambda **kw: made.update(kw))
    assert run_cli("serve", "--keep-minutes", "5", env={"ENTITLEMENTS_TOKEN": ""}).returncode == 0
    assert made["ttl_seconds"] == 300
    assert run_cli("serve", "--keep-minutes", "0").returncode == 2


def test_the_language_link_keeps_the_page(client):
    roster = EXAMPLES / "brigade_cadres.xlsx"
    done = client.post("/run", data={"policy": "brigade_cadre_living", "year": "2025"},
                       files={"roster": (roster.name, roster.read_bytes())}, follow_redirects=False)
    run_url = done.headers["location"].split("?")[0]
    shown = client.get(f"{run_url}/explain", params={"id": "JC001", "lang": "zh"})
    import re

    link = re.search(r'id="language" href="([^"]+)"', shown.text).group(1).replace("&amp;", "&")
    assert link.startswith(f"{run_url}/explain?") and "id=JC001" in link and "lang=en" in link
    english = client.get(link)
    assert english.status_code == 200 and "Back to the result" in english.text


def test_a_run_is_reachable_only_from_the_browser_that_made_it():
    roster = EXAMPLES / "two_new_orgs.csv"
    with TestClient(create_app()) as mine, TestClient(mine.app) as other:
        done = mine.post("/run", data={"policy": "two_new_16321", "year": "2025"},
                         files={"roster": (roster.name, roster.read_bytes())}, follow_redirects=False)
        run_url = done.headers["location"].split("?")[0]
        assert mine.get(run_url).status_code == 200
        for url in (run_url, f"{run_url}/download/allocation.xlsx", f"{run_url}/explain?id=LX001"):
            assert other.get(url).status_code == 404, url  # another browser's session: the URL alone is not enough
        started = mine.post("/jobs", data={"policy": "two_new_16321", "year": "2025"},
                            files={"roster": (roster.name, roster.read_bytes())})
        assert other.get(started.json()["poll"]).status_code == 404
        assert _poll(mine, started.json())["stage"] == "done"


def test_an_api_answer_keeps_nothing(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    roster = EXAMPLES / "two_new_orgs.csv"
    with TestClient(create_app()) as c:
        (home,) = tmp_path.iterdir()
        assert _post_calc(c, roster, policy="two_new_16321", year="2025").status_code == 200
        assert list(home.iterdir()) == []


def test_a_long_list_of_rejects_is_cut_on_the_page_and_whole_in_the_download(client, monkeypatch):
    import io

    from openpyxl import load_workbook

    import entitlements.web.app as web

    monkeypatch.setattr(web, "LISTED", 2)
    roster = EXAMPLES / "brigade_cadres_with_errors.xlsx"
    done = client.post("/run", data={"policy": "brigade_cadre_living", "year": "2025"},
                       files={"roster": (roster.name, roster.read_bytes())}, follow_redirects=True)
    cli = json.loads(run_cli("calc", str(roster), "--policy", "brigade_cadre_living", "--year", "2025",
                             "--format", "json").stdout)
    assert len(cli["rejects"]) > 2
    table = done.text.split('id="rejects"')[1].split("</table>")[0]
    assert table.count("<tr>") == 1 + 2 and f"共 {len(cli['rejects'])} 条" in done.text
    run_url = str(done.url).split("?")[0]
    book = load_workbook(io.BytesIO(client.get(f"{run_url}/download/allocation.xlsx").content))
    listed = [row for row in book["退回"].iter_rows(values_only=True) if isinstance(row[0], int)]
    assert len(listed) == len(cli["rejects"])


def test_a_refusal_on_the_page_names_the_clerks_file_and_fields_never_a_server_path(client, tmp_path):
    started = client.post("/jobs", data={"policy": "brigade_cadre_living", "year": "2025"},
                          files={"roster": ("我的名单.csv", "甲,乙\n1,2\n".encode())})
    state = _poll(client, started.json())
    assert state["stage"] == "failed" and "我的名单.csv" in state["error"], state
    assert "entitlements-web-" not in state["error"] and "roster.csv" not in state["error"]
    page = client.post("/run", data={"policy": "village_cadre_departure", "year": "2024", "lang": "en"},
                       files={"roster": ("deps.csv", (EXAMPLES / "village_departures.csv").read_bytes())})
    assert page.status_code == 400 and "standards file (--standards)" in page.text  # the field, in English
    assert "Back, to fix it" in page.text and "history.back()" in page.text


def test_the_whatif_page_takes_counts_standards_and_a_budget(client):
    standards = EXAMPLES / "village_post_standards.csv"
    roster = EXAMPLES / "village_departures.csv"
    page = client.post("/whatif", data={"policy": "village_cadre_departure", "profile": "澄江市", "years": "2024",
                                        "set": "conventions.start=same_month"},
                       files={"roster": (roster.name, roster.read_bytes()),
                              "standards": (standards.name, standards.read_bytes())})
    assert page.status_code == 200, page.text
    assert "/whatifs/" in str(page.url) and "澄江市" in page.text
    english = client.get(str(page.url).replace("lang=zh", "lang=en"))
    assert english.status_code == 200 and "baseline" in english.text
    projects = EXAMPLES / "chenggong_projects.csv"
    cut = client.post("/whatif", data={"policy": "capped_project_grants", "profile": "呈贡区", "years": "2026",
                                       "budget": "126300", "set": "caps.service=60000@2026-01"},
                      files={"roster": (projects.name, projects.read_bytes())})
    assert cut.status_code == 200, cut.text
    assert "126300.00" in cut.text  # the budget holds in both
    with TestClient(client.app) as other:
        assert other.get(str(page.url)).status_code == 404  # kept for the browser that asked
    empty = client.post("/whatif", data={"policy": "service_grants", "years": "2025", "count": "community=6"})
    assert empty.status_code == 400 and "改变标准" in empty.text


def test_downloads_are_offered_only_where_they_can_be_made(client):
    counts = client.post("/run", data={"policy": "service_grants", "year": "2024", "count": ["community=6"]})
    assert counts.status_code == 200
    assert "notice.xlsx" not in counts.text and "payments.xlsx" not in counts.text
    assert "计数模式" in counts.text and 'id="units"' not in counts.text
    no_accounts = EXAMPLES / "brigade_cadres.csv"
    page = client.post("/run", data={"policy": "brigade_cadre_living", "year": "2025"},
                       files={"roster": (no_accounts.name, no_accounts.read_bytes())})
    assert "notice.xlsx" in page.text and "payments.xlsx" not in page.text
    nobody = client.post("/run", data={"policy": "brigade_cadre_living", "year": "1985"},
                         files={"roster": (no_accounts.name, no_accounts.read_bytes())})
    assert nobody.status_code == 200 and "notice.xlsx" not in nobody.text


def test_the_result_table_finds_a_person_and_pages(client, monkeypatch):
    import entitlements.web.app as web

    monkeypatch.setattr(web, "PAGE_ROWS", 3)
    roster = EXAMPLES / "brigade_cadres.xlsx"
    done = client.post("/run", data={"policy": "brigade_cadre_living", "year": "2025"},
                       files={"roster": (roster.name, roster.read_bytes())})
    run_url = str(done.url).split("?")[0]
    assert "第 1 页，共 4 页" in done.text and "page=4" in done.text
    found = client.get(run_url, params={"q": "李桂英"})
    people = found.text.split('id="people"')[1].split("</table>")[0]
    assert "JC002" in people and "JC001" not in people and "找到 1 个" in found.text


@pytest.mark.parametrize("policy", sorted(__import__("tests.test_library", fromlist=["LIBRARY"]).LIBRARY))
def test_the_explanation_page_shows_every_word_of_the_consoles(policy):
    """The page sets citations apart and indents; nothing of the console's explanation is lost or reordered."""
    from entitlements import Calculator
    from entitlements.runargs import run_options
    from entitlements.web.app import explanation_lines

    from .test_library import LIBRARY

    example, profile, year, extra, _ = LIBRARY[policy]
    standards = extra[extra.index("--standards") + 1] if "--standards" in extra else None
    calc = Calculator(policy, profile=profile, standards=standards)
    options = run_options(False, extra[extra.index("--budget") + 1] if "--budget" in extra else None)
    result = calc.compute_roster(EXAMPLES / example, year, **options)
    ids = [str(i) for i in result.computation.who.ids[:3]]
    for person in ids:
        text = calc.entitlement(result, person, **options).explanation
        lines = text.splitlines() if isinstance(text, str) else list(text)
        shown = explanation_lines(text)
        assert "".join("".join(line.split()) for line in lines) == \
            "".join("".join((s["text"] + "".join(s["cites"])).split()) for s in shown)


def test_an_explanation_in_the_other_language(client):
    roster = EXAMPLES / "brigade_cadres.xlsx"
    done = client.post("/run", data={"policy": "brigade_cadre_living", "year": "2025", "profile": "江川区"},
                       files={"roster": (roster.name, roster.read_bytes())})
    run_url = str(done.url).split("?")[0]
    english = client.get(f"{run_url}/explain", params={"id": "JC001", "lang": "en"})
    assert english.status_code == 200 and "Conditions" in english.text and "996.00" in english.text
    chinese = client.get(f"{run_url}/explain", params={"id": "JC001"})
    assert "条件" in chinese.text and 'class="cite"' in chinese.text


def test_the_whatif_comparison_downloads_as_the_consoles_xlsx(client, tmp_path):
    import io

    from openpyxl import load_workbook

    page = client.post("/whatif", data={"policy": "service_grants", "profile": "澄江市", "years": "2025-2026",
                                        "count": ["community=6", "village=41"],
                                        "set": "grant.community=120000@2025-01"})
    assert page.status_code == 200 and 'id="whatif-download"' in page.text
    wid = str(page.url).split("/whatifs/")[1].split("?")[0]
    got = client.get(f"/whatifs/{wid}/download/whatif.xlsx")
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    cli_out = tmp_path / "cli.xlsx"
    assert run_cli("whatif", "--policy", "service_grants", "--profile", "澄江市", "--years", "2025-2026",
                   "--count", "community=6", "--count", "village=41", "--set", "grant.community=120000@2025-01",
                   "-f", "xlsx", "-o", str(cli_out)).returncode == 0

    def cells(book):
        return [[c for c in row] for ws in book.worksheets for row in ws.iter_rows(values_only=True)]

    assert cells(load_workbook(io.BytesIO(got.content))) == cells(load_workbook(cli_out))


def test_an_idle_server_removes_what_is_past_its_time(tmp_path, monkeypatch):
    """No request needed: a sweep removes a run (ID numbers, accounts) once it is past --keep-minutes."""
    import tempfile
    import time

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    roster = EXAMPLES / "two_new_orgs.csv"
    with TestClient(create_app(ttl_seconds=1)) as c:
        (home,) = tmp_path.iterdir()
        c.post("/run", data={"policy": "two_new_16321", "year": "2025"},
               files={"roster": (roster.name, roster.read_bytes())}, follow_redirects=False)
        assert list(home.iterdir())
        deadline = time.monotonic() + 10
        while list(home.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.2)  # no request meanwhile
        assert list(home.iterdir()) == []


def test_a_chunked_upload_is_held_to_the_limit_too():
    """Without a Content-Length the body is counted as it arrives: 413, not read to the end."""
    sent = []

    def body():
        for _ in range(30):
            sent.append(1)
            yield b"x" * (256 * 1024)

    with TestClient(create_app(max_upload_mb=1)) as c:
        got = c.post("/api/calc", content=body(),
                     headers={"Content-Type": "multipart/form-data; boundary=zzz"})
        assert got.status_code == 413 and "MB" in got.json()["error"]  # (the test client sends it all first)


def test_a_session_is_one_the_server_issued():
    with TestClient(create_app()) as c:
        chosen = "a" * 40
        c.cookies.set("entitlements_session", chosen)
        got = c.get("/")
        assert got.cookies.get("entitlements_session") not in (None, chosen)  # a new one, signed


def test_a_form_posted_from_another_site_is_refused():
    with TestClient(create_app()) as c:
        evil = c.post("/run", data={"policy": "service_grants", "year": "2024", "count": "community=6"},
                      headers={"Origin": "https://evil.example"})
        assert evil.status_code == 403 and "其他网站" in evil.text
        also = c.post("/jobs", data={"policy": "service_grants", "year": "2024", "count": "community=6"},
                      headers={"Sec-Fetch-Site": "cross-site"})
        assert also.status_code == 403
        own = c.post("/run", data={"policy": "service_grants", "year": "2024", "count": "community=6"},
                     headers={"Origin": "http://testserver"})
        assert own.status_code == 200


def test_bound_to_this_machine_only_its_own_names_are_answered():
    with TestClient(create_app(allowed_hosts=("127.0.0.1", "localhost", "::1")), base_url="http://127.0.0.1:8000") as c:
        assert c.get("/").status_code == 200
        assert c.get("/", headers={"Host": "rebound.example:8000"}).status_code == 400


def test_the_serve_command_allows_only_local_names_when_bound_locally(monkeypatch):
    import uvicorn

    import entitlements.web.app as web

    made = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: None)
    monkeypatch.setattr(web, "create_app", lambda **kw: made.update(kw))
    assert run_cli("serve", env={"ENTITLEMENTS_TOKEN": ""}).returncode == 0
    assert "127.0.0.1" in made["allowed_hosts"] and "localhost" in made["allowed_hosts"]
    assert run_cli("serve", "--host", "0.0.0.0", "--token", "t").returncode == 0
    assert made["allowed_hosts"] is None


def test_a_workbook_that_unpacks_to_far_more_than_the_limit_is_refused_unread(tmp_path):
    import zipfile

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"<a/>" + b" " * (12 * 1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    with TestClient(create_app(max_upload_mb=1)) as c:
        got = c.post("/api/calc", data={"policy": "brigade_cadre_living", "year": "2025"},
                     files={"roster": ("bomb.xlsx", bomb.read_bytes())})
        assert got.status_code == 413 and "bomb.xlsx" in got.json()["error"]


def test_the_token_comes_in_any_of_its_ways():
    with TestClient(create_app(token="s3cret")) as c:
        assert c.get("/api/policies", headers={"Authorization": "bearer s3cret"}).status_code == 200
        c.get("/", params={"token": "s3cret"})  # the cookie
        assert c.get("/api/policies", headers={"Authorization": "Basic Zm9vOmJhcg=="}).status_code == 200
    with TestClient(create_app(token="")) as c:  # an empty token is none: bound locally, no check to pass
        assert c.get("/api/policies").status_code == 200


def test_a_job_that_fails_unexpectedly_says_so_and_never_hangs(client, monkeypatch):
    from entitlements import Calculator

    def broken(self, *args, **kwargs):
        raise RuntimeError("a defect")

    monkeypatch.setattr(Calculator, "read", broken)
    roster = EXAMPLES / "two_new_orgs.csv"
    started = client.post("/jobs", data={"policy": "two_new_16321", "year": "2025"},
                          files={"roster": (roster.name, roster.read_bytes())})
    state = _poll(client, started.json())
    assert state["stage"] == "failed" and state["status"] == 500 and "RuntimeError" in state["error"]


def test_a_full_queue_is_refused_not_piled_up(client, monkeypatch):
    import entitlements.web.app as web

    monkeypatch.setattr(web, "WORKERS", 0)  # (the workers were made at start) no place left for anyone
    monkeypatch.setattr(web, "WAITING", 0)
    form = {"policy": "service_grants", "year": "2024", "count": "community=6"}
    got = client.post("/jobs", data=form)
    assert got.status_code == 503 and "正忙" in got.json()["error"]
    assert client.post("/api/calc", data=form).status_code == 503  # every route that computes shares the queue
    assert client.post("/run", data=form).status_code == 503
    assert client.post("/whatif", data={**form, "set": "grant.community=120000"}).status_code == 503
    monkeypatch.setattr(web, "WAITING", 16)
    assert client.post("/api/calc", data=form).status_code == 200  # the places taken were given back


def test_an_uploaded_standards_file_is_cited_by_its_own_name(client):
    standards = EXAMPLES / "village_post_standards.csv"
    roster = EXAMPLES / "village_departures.csv"
    got = client.post("/api/explain", data={"policy": "village_cadre_departure", "profile": "澄江市", "year": "2024",
                                            "id": "CJ006"},
                      files={"roster": (roster.name, roster.read_bytes()),
                             "standards": ("我的岗位标准.csv", standards.read_bytes())})
    assert got.status_code == 200, got.text
    assert "我的岗位标准.csv" in got.json()["explanation"] if isinstance(got.json()["explanation"], str) \
        else "我的岗位标准.csv" in "\n".join(got.json()["explanation"])


def test_unknown_pages_and_bad_parameters_answer_in_words(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404 and "没有这个页面" in page.text and "detail" not in page.text
    roster = EXAMPLES / "two_new_orgs.csv"
    done = client.post("/run", data={"policy": "two_new_16321", "year": "2025"},
                       files={"roster": (roster.name, roster.read_bytes())})
    run_url = str(done.url).split("?")[0]
    assert client.get(run_url, params={"page": "abc"}).status_code == 200  # the first page
    assert client.get("/", params={"lang": "en"}).status_code == 200
    far = client.post("/api/calc", data={"policy": "two_new_16321", "year": "3000"},
                      files={"roster": (roster.name, roster.read_bytes())})
    assert far.status_code == 400 and "year" in far.json()["error"]


def test_without_javascript_the_text_boxes_still_send_their_lines(client):
    """The counts, column names and what-if changes are text boxes with names: posted as typed, one
    item a line, and split by the server (JavaScript used to copy them into hidden fields)."""
    page = client.post("/run", data={"policy": "service_grants", "year": "2024", "profile": "澄江市",
                                     "count": "community=6\r\n行政村=41\r\n"})
    assert page.status_code == 200 and 'id="total">2650000.00<' in page.text
    whatif = client.post("/whatif", data={"policy": "service_grants", "profile": "澄江市", "years": "2025",
                                          "count": "community=6\nvillage=41",
                                          "set": "grant.community=120000@2025-01\ngrant.village=60000@2025-01"})
    assert whatif.status_code == 200 and "2650000.00" in whatif.text and "3180000.00" in whatif.text


def test_a_year_with_no_one_paid_says_why_above_the_totals(client):
    roster = EXAMPLES / "community_workers.csv"
    page = client.post("/run", data={"policy": "community_worker_pay", "year": "2024", "profile": "城区"},
                       files={"roster": (roster.name, roster.read_bytes())})
    assert page.status_code == 200 and 'id="total">0.00<' in page.text
    banner = page.text.split('id="nobody-paid"')[1].split("</div>")[0]
    assert "2025-01" in banner  # the standards start in 2025


def test_page_words_name_the_pages_fields():
    from entitlements.web.words import page_words

    assert page_words("roster: 无法读取 Excel 文件 cannot read workbook a.xlsx", "zh").startswith("花名册：无法读取")
    assert page_words("请给出花名册文件或 --count", "zh") == "请给出花名册文件或 计数（--count）"
    assert page_words("use --years 2025-2030", "en") == "use years (--years) 2025-2030"
    assert page_words("a roster: fine", "zh") == "a roster: fine"  # only a leading field name


def test_a_refused_upload_closes_the_connection():
    """413 with Connection: close: the server does not go on reading a body it will not use."""
    with TestClient(create_app(max_upload_mb=1)) as c:
        got = c.post("/api/calc", data={"policy": "two_new_16321", "year": "2025"},
                     files={"roster": ("big.csv", b"a," * (700 * 1024))})
        assert got.status_code == 413 and got.headers.get("connection") == "close"


def test_the_language_link_drops_the_token():
    with TestClient(create_app(token="s3cret")) as c:
        page = c.get("/", params={"token": "s3cret"})
        import re

        link = re.search(r'id="language" href="([^"]+)"', page.text).group(1)
        assert "token" not in link and "lang=en" in link
