"""Cells of a workbook sheet whose value is unknown: error values and uncached formulas.

python-calamine gives an error cell (#N/A, #REF! …) and a formula saved without its
result (scripts, openpyxl, "manual calculation") as an empty cell, which a roster would
fill with the column's default: a #N/A 死亡日期 would pay a dead person all year. The
sheet's XML says which cells they are: ``t="e"`` marks an error value, and a formula
(``<f>``) with no cached value (``<v>``) was never calculated. Patterns find them fast in
any spelling XML allows; the XML is parsed only where the patterns cannot account for
every error cell and formula.

An .xls (BIFF) sheet has the same blind spot: its error cells (BoolErr records, and formulas
whose cached result is an error) are found with xlrd (``xls_faults``); an .ods sheet's
(LibreOffice's calcext:value-type="error", a formula with no value) in content.xml
(``ods_faults``).
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
from html import unescape
from pathlib import Path
from xml.etree import ElementTree as ET

from .roster import CellFault, InputError, error_reason
from .roster import column_letter as _column_letter

_REF = re.compile(r"([A-Z]+)(\d+)")
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
TEXT_TYPES = frozenset({"str", "inlineStr", "s"})  # an empty cached value of these is an empty text


def sheet_faults(path: Path, index: int, name: str) -> dict[tuple[int, int], CellFault]:
    """(row, column) from 0 -> the fault of each error cell or uncached formula of the sheet."""
    try:
        with zipfile.ZipFile(path) as book:
            part = _sheet_part(book, index, name)
            data = None if part is None else book.read(part)
    except (OSError, KeyError, zipfile.BadZipFile, ET.ParseError):
        data = None
    if data is None:  # calamine read the sheet, but its error cells cannot be checked: not read unchecked
        raise InputError(f"{path}: 无法检查工作表“{name}”中的错误值单元格（#N/A 等），为免把错误值当作空白，"
                         f"请在 Excel 或 WPS 中另存为 .xlsx 后重试 (the sheet's error cells cannot be checked; "
                         f"save the workbook again as .xlsx)")
    if (_ERROR_ATTR.search(data) is None and b"<f" not in data and b":f" not in data
            and _ODD_TYPE.search(data) is None):
        return {}
    found = _faults_by_pattern(data)
    return _faults(data) if found is None else found


# Only the cells in question are looked at, found in C: an error cell by its t="e", and a
# formula (<f>) not followed by a cached value. A sheet of 10^5 formulas with cached values
# is scanned in a few tenths of a second (an XML parser takes seconds). XML may spell these
# many ways (t='e', t = "e", <x:c> with a namespace prefix, attributes in any order, <v/>):
# the patterns allow them, and whatever they cannot account for (an entity in a type, CDATA,
# a formula element they do not parse, a cell without its reference) goes to the XML parser.
_P = rb"(?:[\w.-]+:)?"  # an optional namespace prefix
_Q = rb"[\"']"  # either quote
_ERROR_ATTR = re.compile(rb"\bt\s*=\s*(" + _Q + rb")e\1")
_ODD_TYPE = re.compile(rb"\bt\s*=\s*" + _Q + rb"[^\"'<>]*&")  # t="&#101;": only a parser reads it
_FORMULA_OPEN = re.compile(rb"<" + _P + rb"f[\s/>]")
_FORMULA_ANY = re.compile(rb"<(" + _P + rb")f\b[^>]*?(?:/>|>[^<]*</\1f\s*>)")
_FORMULA_UNCACHED = re.compile(rb"<(" + _P + rb")f\b[^>]*?(?:/>|>([^<]*)</\1f\s*>)(?!\s*<" + _P + rb"v\b[^>]*>[^<])")
_CELL_TAG = re.compile(rb"<" + _P + rb"c\b([^>]*)>")
_ATTR_REF = re.compile(rb"(?<![\w:.-])r\s*=\s*" + _Q + rb"([A-Z]+)(\d+)" + _Q)
_ATTR_TYPE = re.compile(rb"(?<![\w:.-])t\s*=\s*" + _Q + rb"(\w+)" + _Q)
_V = re.compile(rb"<" + _P + rb"v\b[^>]*>([^<]*)</" + _P + rb"v\s*>")
_EMPTY_V = re.compile(rb"\s*<" + _P + rb"v\b[^>]*?(?:/>|>\s*</" + _P + rb"v\s*>)")
_F = re.compile(rb"<" + _P + rb"f\b[^>]*>([^<]*)</" + _P + rb"f\s*>")
_CELL_END = re.compile(rb"</" + _P + rb"c\s*>")


def _faults_by_pattern(data: bytes) -> dict[tuple[int, int], CellFault] | None:
    """The faults found by pattern, or None where the patterns cannot account for every
    error cell and formula (a cell without its reference r="A1", which is optional in the
    format, an entity or CDATA): then the XML parser reads the sheet."""
    if b"<![CDATA[" in data or _ODD_TYPE.search(data):
        return None
    if b"<f" in data or b":f" in data:
        if len(_FORMULA_OPEN.findall(data)) != len(_FORMULA_ANY.findall(data)):
            return None  # a formula element the patterns do not parse
    found: dict[tuple[int, int], CellFault] = {}
    for hit in _ERROR_ATTR.finditer(data):
        start = data.rfind(b"<", 0, hit.start())
        tag = _CELL_TAG.match(data, start)
        if tag is None:
            if data.startswith(b"<", start) and re.match(rb"<" + _P + rb"c\b", data[start:start + 40]):
                return None  # a cell tag the pattern does not read
            continue  # t="e" on another element (not a cell)
        ref = _ATTR_REF.search(tag.group(1))
        if ref is None:
            return None
        row, col = int(ref.group(2)) - 1, _column_index(ref.group(1).decode())
        where = _cell_name(row, col)
        if tag.group(0).endswith(b"/>"):  # an error cell without its value, as the parser reads it
            found[(row, col)] = CellFault("#N/A", *error_reason("#N/A", where, ""))
            continue
        end = _CELL_END.search(data, tag.end())
        body = data[tag.end():end.start() if end else tag.end()]
        v, f = _V.search(body), _F.search(body)
        error = unescape(v.group(1).decode()).strip() if v and v.group(1).strip() else "#N/A"
        shown = f"={unescape(f.group(1).decode())}" if f and f.group(1) else ""
        found[(row, col)] = CellFault(error, *error_reason(error, where, shown))
    for m in _FORMULA_UNCACHED.finditer(data):
        tag = _CELL_TAG.match(data, data.rfind(b"<", 0, m.start()))
        if tag is None:
            return None  # something between the cell and its formula: the parser reads it
        ref = _ATTR_REF.search(tag.group(1))
        if ref is None:
            return None
        kind = _ATTR_TYPE.search(tag.group(1))
        kind = kind.group(1).decode() if kind else "n"
        empty_value = _EMPTY_V.match(data, m.end()) is not None
        if kind == "e" or (kind in TEXT_TYPES and empty_value):
            continue  # an error cell (above), or a formula whose cached result is an empty text
        row, col = int(ref.group(2)) - 1, _column_index(ref.group(1).decode())
        text = f"={unescape(m.group(2).decode())}" if m.group(2) else "=（共享公式）"
        found[(row, col)] = CellFault(text, *_uncached(_cell_name(row, col), text))
    return found


def _sheet_part(book: zipfile.ZipFile, index: int, name: str) -> str | None:
    workbook = ET.fromstring(book.read("xl/workbook.xml"))
    sheets = [el for el in workbook.iter() if el.tag.rsplit("}", 1)[-1] == "sheet"]
    sheet = next((el for el in sheets if el.get("name") == name), sheets[index] if index < len(sheets) else None)
    if sheet is None:
        return None
    rel_id = sheet.get(_R_ID)
    rels = ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in rels.iter(_RELS) if r.get("Id") == rel_id), None)
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _faults(data: bytes) -> dict[tuple[int, int], CellFault]:
    found: dict[tuple[int, int], CellFault] = {}
    row, col = -1, -1
    for event, el in ET.iterparse(io.BytesIO(data), events=("start", "end")):
        tag = el.tag.rsplit("}", 1)[-1]
        if event == "start":
            if tag == "row":
                row = int(el.get("r")) - 1 if el.get("r") else row + 1
                col = -1
            continue
        if tag == "c":
            ref = el.get("r")
            if ref and (m := _REF.fullmatch(ref)):
                col, row = _column_index(m.group(1)), int(m.group(2)) - 1
            else:
                col += 1
            kind = el.get("t", "n")
            formula = value = None
            for child in el:
                local = child.tag.rsplit("}", 1)[-1]
                if local == "f":
                    formula = child
                elif local == "v":
                    value = child
            where = _cell_name(row, col)
            shown = f"={formula.text}" if formula is not None and formula.text else ""
            if kind == "e":
                error = (value.text or "#N/A").strip() if value is not None else "#N/A"
                found[(row, col)] = CellFault(error, *error_reason(error, where, shown))
            elif formula is not None and (value is None or (not value.text and kind not in TEXT_TYPES)):
                text = shown or "=（共享公式）"
                found[(row, col)] = CellFault(text, *_uncached(where, text))
            el.clear()
        elif tag == "row":
            el.clear()
    return found


def _uncached(where: str, formula: str) -> tuple[str, str]:
    return (f"公式没有计算结果（未缓存的值），请在 Excel 中重新计算并保存：{where} {formula}",
            f"the formula has no computed result (no cached value): recalculate and save it in Excel: {where} {formula}")


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _cell_name(row: int, col: int) -> str:
    return f"{_column_letter(col)}{row + 1}"


# ---- .xls (BIFF8/BIFF5) ----------------------------------------------------------------------
# An error is a BoolErr record (0x0205, 8 bytes: row, column, XF, value, fError=1) or a Formula
# record (0x0006) whose cached result is an error (byte 0 = 2, bytes 6-7 = 0xFFFF) ([MS-XLS]
# 2.4.24, 2.4.127, 2.5.133). A pattern search of the workbook stream finds every such record in
# a few milliseconds; only where it matches (possibly inside a text, which xlrd then rules out)
# does xlrd parse the sheet, which takes about a second per 65,536 rows.
_BIFF_ERROR = re.compile(rb"\x05\x02\x08\x00[\s\S]{7}\x01|\x06\x00[\s\S]{8}\x02[\s\S]{5}\xff\xff")


def xls_faults(path: Path, index: int, name: str) -> dict[tuple[int, int], CellFault]:
    """(row, column) from 0 -> the fault of each error cell of an .xls sheet."""
    import xlrd
    from xlrd.compdoc import CompDoc, CompDocError

    data = path.read_bytes()
    try:
        doc = CompDoc(data, logfile=io.StringIO())
        stream = next((s for s in (_stream(doc, "Workbook"), _stream(doc, "Book")) if s is not None), None)
    except (CompDocError, struct.error, IndexError, ValueError):
        stream = None
    if stream is not None and not _BIFF_ERROR.search(stream):
        return {}
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, formatting_info=False,
                                  logfile=io.StringIO(), verbosity=0)
        names = book.sheet_names()
        sheet = book.sheet_by_name(name) if name in names else book.sheet_by_index(index)
    except Exception as exc:  # xlrd raises many kinds; an unchecked sheet is not read as clean
        raise InputError(f"无法检查 .xls 文件中的错误值单元格（#N/A 等），请在 Excel 或 WPS 中另存为 .xlsx 后重试 "
                         f"(cannot check the .xls workbook for error cells such as #N/A; save it as .xlsx "
                         f"and try again): {path}: {exc}") from None
    found: dict[tuple[int, int], CellFault] = {}
    for r in range(sheet.nrows):
        types = sheet.row_types(r)
        if xlrd.XL_CELL_ERROR not in types:
            continue
        for c, kind in enumerate(types):
            if kind == xlrd.XL_CELL_ERROR:
                code = sheet.cell_value(r, c)
                error = xlrd.error_text_from_code.get(code, f"#ERROR({code})")
                found[(r, c)] = CellFault(error, *error_reason(error, _cell_name(r, c)))
    return found


def _stream(doc, name: str) -> bytes | None:
    mem, base, size = doc.locate_named_stream(name)
    return None if mem is None else bytes(mem[base:base + size])


# ---- .ods (OpenDocument) ---------------------------------------------------------------------
# LibreOffice writes a formula whose result is an error as a string cell with an empty
# office:string-value (which calamine reads) and calcext:value-type="error" with the error's
# text (#N/A, Err:502) in <text:p>. A formula cell with no office:value-type has no value: it
# was never calculated. content.xml is first searched in pieces for either; only then parsed,
# as a stream, row by row.
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
_T_TABLE, _T_ROW, _T_CELL, _T_COVERED = (f"{{{_TABLE}}}{x}" for x in ("table", "table-row", "table-cell",
                                                                          "covered-table-cell"))
_A_NAME, _A_FORMULA = f"{{{_TABLE}}}name", f"{{{_TABLE}}}formula"
_A_ROWS, _A_COLS = f"{{{_TABLE}}}number-rows-repeated", f"{{{_TABLE}}}number-columns-repeated"
_A_TYPE, _A_CALC_TYPE = f"{{{_OFFICE}}}value-type", f"{{{_CALCEXT}}}value-type"
_ODS_CHUNK = 1 << 20
_ODS_FORMULA_PREFIX = re.compile(r"^(?:[\w.-]+:)?=?")  # of:=IF(…) -> IF(…)
_ODS_ERROR = re.compile(rb"value-type\s*=\s*[\"']error[\"']")


def ods_faults(path: Path, index: int, name: str) -> dict[tuple[int, int], CellFault]:
    """(row, column) from 0 -> the fault of each error cell or formula without a value."""
    try:
        with zipfile.ZipFile(path) as book:
            with book.open("content.xml") as content:
                if not _ods_suspect(content):
                    return {}
            with book.open("content.xml") as content:
                return _ods_cells(content, index, name)
    except (OSError, KeyError, zipfile.BadZipFile, ET.ParseError, ValueError) as exc:
        raise InputError(f"无法检查 .ods 文件中的错误值单元格（#N/A 等），请另存为 .xlsx 后重试 "
                         f"(cannot check the .ods workbook for error cells such as #N/A; save it as .xlsx "
                         f"and try again): {path}: {exc}") from None


def _ods_suspect(content) -> bool:
    """Whether content.xml holds an error value or a formula cell without a value type,
    searched in pieces (a tag never straddles the cut made at the last '<' of a piece)."""
    tail = b""
    while True:
        chunk = content.read(_ODS_CHUNK)
        buffer = tail + chunk
        cut = buffer.rfind(b"<") if chunk else len(buffer)
        head, tail = (buffer[:cut], buffer[cut:]) if cut >= 0 else (buffer, b"")
        if (b'"error"' in head or b"'error'" in head) and _ODS_ERROR.search(head) or _unvalued_formula(head):
            return True
        if not chunk:
            return False


def _unvalued_formula(text: bytes) -> bool:
    """Whether a tag with a formula (table:formula="…") may lack office:value-type (a '>'
    inside the formula ends the tag early here: then the parser decides)."""
    at = text.find(b":formula")
    while at >= 0:
        start, end = text.rfind(b"<", 0, at), text.find(b">", at)
        if b"office:value-type=" not in text[start:end if end >= 0 else len(text)]:
            return True
        at = text.find(b":formula", at + 1)
    return False


def _ods_cells(content, index: int, name: str) -> dict[tuple[int, int], CellFault]:
    found: dict[tuple[int, int], CellFault] = {}
    tables = -1
    inside = False  # within the sheet being read
    depth = 0  # tables nested in a cell of it (their rows are not the sheet's)
    row = col = 0
    rows = 1
    for event, el in ET.iterparse(content, events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag == _T_TABLE:
                if inside:
                    depth += 1
                else:
                    tables += 1
                    table_name = el.get(_A_NAME)
                    inside = table_name == name or (table_name is None and tables == index)
                    row = 0
            elif inside and not depth and tag == _T_ROW:
                rows, col = int(el.get(_A_ROWS, "1")), 0
            continue
        if tag == _T_TABLE:
            if depth:
                depth -= 1
            elif inside:
                return found
            el.clear()
        elif not inside or depth:
            continue
        elif tag in (_T_CELL, _T_COVERED):
            cols = int(el.get(_A_COLS, "1"))
            formula = el.get(_A_FORMULA)
            fault = None
            if el.get(_A_CALC_TYPE) == "error":
                fault = "error"
            elif formula is not None and el.get(_A_TYPE) is None:
                fault = "uncached"
            if fault:
                shown = "=" + _ODS_FORMULA_PREFIX.sub("", formula) if formula else ""
                text = "".join(el.itertext()).strip()
                for r in range(row, row + rows):
                    for c in range(col, col + cols):
                        where = _cell_name(r, c)
                        if fault == "error":
                            error = text or "#N/A"
                            found[(r, c)] = CellFault(error, *error_reason(error, where, shown))
                        else:
                            found[(r, c)] = CellFault(shown, *_uncached(where, shown))
            col += cols
            el.clear()
        elif tag == _T_ROW:
            row += rows
            el.clear()
    return found
