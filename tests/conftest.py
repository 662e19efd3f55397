"""Shared fixtures: paths, the command in-process and installed, small roster builders."""

from __future__ import annotations

import contextlib
import csv
import inspect
import io
import os
import shutil
import subprocess
import sys
import traceback
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


CLI_ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


def run_installed(*args: str, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess:
    """The installed console command in a process of its own: for what needs one (a FIFO that
    would block, signals, the script itself)."""
    env = {**os.environ, **CLI_ENV}
    return subprocess.run([console_command(), *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=timeout)


def run_cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The checkout's command, run in this process as the console script runs it (``app()``, so
    with its Chinese usage messages and exit codes), with stdout and stderr kept apart. An
    exception that escapes it is written to stderr as a traceback with exit 1, as a process would."""
    from typer.testing import CliRunner

    from entitlements.cli import app

    # Click before 8.2 (older Typer) mixes stderr into stdout unless told not to; later ones keep both
    apart = {"mix_stderr": False} if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters else {}
    runner = CliRunner(**apart)
    code = 0
    with contextlib.chdir(cwd), runner.isolation(env={**CLI_ENV, **(env or {})}) as streams:
        stdout, stderr = streams[0], streams[1]
        try:
            app(args=list(args), prog_name="entitlements")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except Exception:  # noqa: BLE001 - what a user would see: a traceback
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        out, err = (_as_text(stream.getvalue()) for stream in (stdout, stderr))
    return subprocess.CompletedProcess(["entitlements", *args], code, out, err)


def _as_text(data: bytes) -> str:
    """As ``subprocess.run(text=True)`` reads a pipe: UTF-8, universal newlines."""
    return data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path
