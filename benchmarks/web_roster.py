"""Seconds of a long roster through the web page's own calls: the upload accepted (POST /jobs), read
and computed (polled at /jobs/ID, each stage as the page shows it), the result page, a later page of
the table, and the 分配表 download.

    python benchmarks/web_roster.py [ROWS]

brigade_cadre_living under 江川区 on benchmarks/quick.py's synthetic roster (default 100,000 rows),
through FastAPI's test client in this process (no network). Prints figures; never asserts.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from quick import synthetic_roster  # noqa: E402


def main() -> None:
    from fastapi.testclient import TestClient

    from entitlements.web.app import create_app

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp, TestClient(create_app()) as client:
        roster = Path(tmp) / "roster.csv"
        synthetic_roster(roster, rows)
        t0 = time.perf_counter()
        started = client.post("/jobs", data={"policy": "brigade_cadre_living", "year": "2025", "profile": "江川区"},
                              files={"roster": (roster.name, roster.read_bytes())})
        print(f"{rows:,} rows, {roster.stat().st_size / 1e6:.1f} MB")
        print(f"  accepted            {time.perf_counter() - t0:6.2f} s")
        said = None
        while True:
            state = client.get(started.json()["poll"]).json()
            if state["message"] != said:
                said = state["message"]
                print(f"  {time.perf_counter() - t0:6.2f} s  {said}")
            if state["stage"] in ("done", "failed"):
                break
            time.sleep(0.05)
        for what, url in (("result page", state["url"]), ("page 3", state["url"] + "&page=3"),
                          ("分配表 xlsx", state["url"].split("?")[0] + "/download/allocation.xlsx")):
            t1 = time.perf_counter()
            got = client.get(url)
            print(f"  {what:<18}  {time.perf_counter() - t1:6.2f} s  {len(got.content) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
