"""Shared fixtures: paths, the installed console command, small roster builders."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# a shared 2-core CI machine: no per-example deadline, so timing never fails a property test
settings.register_profile("entitlements", deadline=None)
settings.load_profile("entitlements")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def console_command() -> str:
    """The installed ``entitlements`` script (beside this Python first, then on PATH)."""
    beside = Path(sys.executable).with_name("entitlements")
    found = str(beside) if beside.exists() else shutil.which("entitlements")
    if not found:
        pytest.fail("the console command 'entitlements' is not installed: pip install .")
    return found


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run([console_command(), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path
