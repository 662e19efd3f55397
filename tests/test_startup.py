"""Start-up: the console command loads no reader, writer or checker it does not use, and the
list of invisible characters read at start-up is the one the Unicode scan finds."""

from __future__ import annotations

import subprocess
import sys

from entitlements import fields

# each costs 10-150 ms to import; they load where a roster, workbook or ID number needs them
HEAVY = ("polars", "python_calamine", "xlsxwriter", "xlrd", "openpyxl", "stdnum", "pendulum", "pyarrow",
         "fastapi", "starlette", "uvicorn", "jinja2", "multipart")  # the web stack: only inside `serve`


def test_importing_the_console_loads_no_heavy_reader_or_writer():
    code = "import sys, cli; print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in %r)))" % (HEAVY,)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == []


def test_the_invisible_list_is_the_scan():
    assert fields.INVISIBLE == fields.scan_invisible()
