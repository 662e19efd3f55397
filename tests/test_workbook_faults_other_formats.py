"""Error cells in .xls, .ods and .xlsb rosters (issue 10 item 2): python-calamine reads an
error cell (#N/A, #REF! …) of these formats as an empty cell, which a column default would
fill (a #N/A 死亡日期 pays a dead person all year). Each must be a reject naming the cell and
the error, or — where the format cannot be checked — the roster is refused (exit 2).
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from entitlements import InputError
from entitlements.rosterfile import read_roster

from .conftest import ROOT, run_cli
from .test_reading_damage import BRIGADE, brigade_rows, calculator, cli_options, rejects_at

# BIFF error codes ([MS-XLS] 2.5.10 BErr); xlwt's own name table maps #VALUE! wrongly, so codes
XLS_CODES = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D, "#NUM!": 0x24,
             "#N/A": 0x2A}
# xlwt writes every formula's cached result as "empty text" (type 3); a result of type 2 is an
# error with its code in the third byte ([MS-XLS] 2.5.133 FormulaValue)
XLWT_RESULT = struct.pack("<Q", 0xFFFF000000000003)


def xls_result(code: int) -> bytes:
    return bytes([2, 0, code, 0, 0, 0, 0xFF, 0xFF])


def write_xls(path: Path, header: list[str], rows: list[list[str]], errors=(), formula_error: tuple | None = None,
              other_sheet_errors=(), sheet: str = "名册") -> Path:
    """A BIFF8 workbook (xlwt): ``errors`` are (data row from 0, column, error) cells; one
    ``formula_error`` (data row, column, error) is a formula whose cached result is that error."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet(sheet)
    for c, text in enumerate(header):
        ws.write(0, c, text)
    taken = {(r, c) for r, c, _ in errors} | ({formula_error[:2]} if formula_error else set())
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text != "" and (r, c) not in taken:
                ws.write(r + 1, c, text)
    for r, c, error in errors:
        ws.row(r + 1).set_cell_error(c, XLS_CODES[error])
    if formula_error:
        r, c, _ = formula_error
        ws.write(r + 1, c, xlwt.Formula('VLOOKUP(A2,"x",2,0)'))
    if other_sheet_errors:
        other = book.add_sheet("死亡名单")
        for r, c, error in other_sheet_errors:
            other.row(r).set_cell_error(c, XLS_CODES[error])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if formula_error:
        assert data.count(XLWT_RESULT) == 1
        data = data.replace(XLWT_RESULT, xls_result(XLS_CODES[formula_error[2]]))
    path.write_bytes(data)
    return path


def calamine_cell(path: Path, row: int, col: int, sheet: str = "名册"):
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)[row][col]


# ---- .xls (BIFF) --------------------------------------------------------------------------

DEATH = BRIGADE.index("死亡日期")  # column J


@pytest.mark.parametrize("error", ["#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?"])
def test_an_error_cell_in_an_xls_is_a_reject_naming_the_cell_and_error(tmp_path, error):
    path = write_xls(tmp_path / "r.xls", BRIGADE, brigade_rows(3), errors=[(1, DEATH, error)])
    assert calamine_cell(path, 2, DEATH) == ""  # the reader's blind spot this closes
    result = calculator("brigade_cadre_living").compute_roster(path, 2025)
    bad = rejects_at(result, 3)
    assert bad and bad[0]["column"] == "死亡日期" and bad[0]["value"] == error, bad
    assert f"错误值 {error}" in bad[0]["reason"] and "J3" in bad[0]["reason"]
    assert result.to_json()["rows"] == {"read": 3, "accepted": 2, "rejected": 1}


def test_a_formula_whose_cached_result_is_an_error_in_an_xls_is_a_reject(tmp_path):
    path = write_xls(tmp_path / "r.xls", BRIGADE, brigade_rows(3), formula_error=(2, DEATH, "#N/A"))
    assert calamine_cell(path, 3, DEATH) == ""
    bad = rejects_at(calculator("brigade_cadre_living").compute_roster(path, 2025), 4)
    assert bad and bad[0]["column"] == "死亡日期" and bad[0]["value"] == "#N/A" and "J4" in bad[0]["reason"], bad


def test_an_xls_error_cell_through_the_console_command(tmp_path):
    path = write_xls(tmp_path / "r.xls", BRIGADE, brigade_rows(2), errors=[(0, DEATH, "#N/A")])
    proc = run_cli("calc", str(path), *cli_options("brigade_cadre_living"), "-y", "2025", "-f", "json", "--strict")
    assert proc.returncode == 1, proc.stderr
    assert "#N/A" in proc.stdout and "J2" in proc.stdout and "Traceback" not in proc.stderr


def test_an_error_cell_on_another_sheet_of_an_xls_is_not_this_sheets(tmp_path):
    path = write_xls(tmp_path / "r.xls", BRIGADE, brigade_rows(3), other_sheet_errors=[(2, DEATH, "#N/A")])
    data = calculator("brigade_cadre_living").compute_roster(path, 2025).to_json()
    assert data["rows"] == {"read": 3, "accepted": 3, "rejected": 0}, data["rejects"]


def test_an_error_cell_in_an_unknown_xls_column_is_a_notice(tmp_path):
    header = [*BRIGADE, "备注"]
    rows = [[*r, ""] for r in brigade_rows(2)]
    path = write_xls(tmp_path / "r.xls", header, rows, errors=[(0, len(header) - 1, "#REF!")])
    data = calculator("brigade_cadre_living").compute_roster(path, 2025).to_json()
    assert data["rows"] == {"read": 2, "accepted": 2, "rejected": 0}
    assert any(n["row"] == 2 and n["column"] == "备注" and "#REF!" in n["message"] for n in data["notices"])


def test_a_clean_xls_reads_as_before(tmp_path):
    fixture = ROOT / "tests" / "fixtures" / "two_new_orgs.xls"
    data = calculator("two_new_16321").compute_roster(fixture, 2025).to_json()
    assert not data["rejects"] and data["rows"]["rejected"] == 0
    # text that merely looks like an error record does not make a good cell a fault
    path = write_xls(tmp_path / "r.xls", BRIGADE, [[*r[:-1], "\x05\x02\x08\x00ab"] for r in brigade_rows(2)])
    assert not calculator("brigade_cadre_living").compute_roster(path, 2025).to_json()["rejects"]


# ---- .ods (OpenDocument) -------------------------------------------------------------------
# LibreOffice writes a formula whose result is an error as a string cell with an empty
# office:string-value and its own marker: calamine takes the empty string-value.
ODS_ERROR = ('<table:table-cell table:formula="of:=VLOOKUP([.A3];[$死亡.A1:.B9];2;0)" office:value-type="string" '
             'office:string-value="" calcext:value-type="error"><text:p>{error}</text:p></table:table-cell>')
ODS_UNCACHED = '<table:table-cell table:formula="of:=IF([.A2]=&quot;&quot;;&quot;是&quot;;&quot;否&quot;)"/>'
ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
          'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"')


def ods_cell(text: str) -> str:
    if text == "":
        return "<table:table-cell/>"
    return f'<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>{text}</text:p></table:table-cell>'


def ods_table(name: str, header: list[str], rows: list[list[str]], special: dict) -> str:
    """A table as LibreOffice writes one: equal neighbouring cells as one repeated cell, and
    two blank rows after the header as one repeated row (data from row 4). ``special`` maps
    (data row from 0, column) to a cell's XML."""
    out = [f'<table:table table:name="{name}"><table:table-column table:number-columns-repeated="{len(header)}"/>',
           "<table:table-header-rows><table:table-row>", *map(ods_cell, header), "</table:table-row></table:table-header-rows>",
           f'<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="{len(header)}"/>'
           "</table:table-row>"]
    for r, row in enumerate(rows):
        cells = [special.get((r, c)) or ods_cell(text) for c, text in enumerate(row)]
        out.append("<table:table-row>")
        c = 0
        while c < len(cells):
            n = 1
            while c + n < len(cells) and cells[c + n] == cells[c] and (r, c) not in special:
                n += 1
            out.append(cells[c].replace("<table:table-cell", f'<table:table-cell table:number-columns-repeated="{n}"', 1)
                       if n > 1 else cells[c])
            c += n
        out.append("</table:table-row>")
    return "".join(out) + "</table:table>"


def write_ods(path: Path, header: list[str], rows: list[list[str]], special: dict | None = None,
              other: dict | None = None) -> Path:
    tables = ods_table("名册", header, rows, special or {})
    if other is not None:
        tables += ods_table("死亡名单", header, rows, other)
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.3">'
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_an_ods_written_by_libreoffice_with_error_cells_is_rejected_by_cell(tmp_path):
    """tests/fixtures/error_cells.ods: a brigade roster saved by LibreOffice 7.4 (soffice
    --convert-to ods) from an .xlsx with =VLOOKUP(...) at J3 (#NAME? once recalculated) and
    =1/0 at I4 (#DIV/0!)."""
    path = ROOT / "tests" / "fixtures" / "error_cells.ods"
    assert calamine_cell(path, 2, DEATH, "花名册") == ""
    data = calculator("brigade_cadre_living").compute_roster(path, 2025).to_json()
    got = {(r["row"], r["column"], r["value"]) for r in data["rejects"]}
    assert got == {(3, "死亡日期", "#NAME?"), (4, "离职日期", "#DIV/0!")}, data["rejects"]
    assert all("错误值" in r["reason"] for r in data["rejects"])
    assert any("J3" in r["reason"] for r in data["rejects"]) and any("I4" in r["reason"] for r in data["rejects"])


@pytest.mark.parametrize("error", ["#N/A", "#REF!", "Err:502"])
def test_an_error_cell_in_an_ods_is_a_reject_naming_the_cell(tmp_path, error):
    # a repeated blank row and repeated cells before it: the error is J6
    path = write_ods(tmp_path / "r.ods", BRIGADE, brigade_rows(3), {(2, DEATH): ODS_ERROR.format(error=error)})
    assert calamine_cell(path, 5, DEATH) == ""
    result = calculator("brigade_cadre_living").compute_roster(path, 2025)
    bad = rejects_at(result, 6)
    assert bad and bad[0]["column"] == "死亡日期" and bad[0]["value"] == error, result.to_json()["rejects"]
    assert "J6" in bad[0]["reason"] and "VLOOKUP" in bad[0]["reason"]
    assert result.to_json()["rows"] == {"read": 3, "accepted": 2, "rejected": 1}


def test_a_formula_without_a_value_in_an_ods_is_a_reject(tmp_path):
    column = BRIGADE.index("在职时领取国家补助")
    path = write_ods(tmp_path / "r.ods", BRIGADE, brigade_rows(3), {(1, column): ODS_UNCACHED})
    assert calamine_cell(path, 4, column) == ""
    bad = rejects_at(calculator("brigade_cadre_living").compute_roster(path, 2025), 5)
    assert bad and bad[0]["column"] == "在职时领取国家补助" and "未缓存" in bad[0]["reason"], bad
    assert "H5" in bad[0]["reason"] and '=IF([.A2]="";"是";"否")' in bad[0]["value"]


def test_an_error_cell_on_another_ods_sheet_is_not_this_sheets(tmp_path):
    path = write_ods(tmp_path / "r.ods", BRIGADE, brigade_rows(3), other={(1, DEATH): ODS_ERROR.format(error="#N/A")})
    # the other sheet has a roster header too: without --sheet the run would stop, naming both
    data = calculator("brigade_cadre_living").compute_roster(path, 2025, sheet="名册").to_json()
    assert data["rows"] == {"read": 3, "accepted": 3, "rejected": 0}, data["rejects"]


def test_a_clean_ods_with_cached_formulas_reads_as_before(tmp_path):
    # a '>' inside the formula hides office:value-type from the quick search: the parser decides
    cached = ('<table:table-cell table:formula="of:=IF([.F2]>0;&quot;是&quot;;&quot;否&quot;)" office:value-type="string" '
              'office:string-value="是" calcext:value-type="string"><text:p>是</text:p></table:table-cell>')
    path = write_ods(tmp_path / "r.ods", BRIGADE, brigade_rows(3), {(1, BRIGADE.index("在职时领取国家补助")): cached})
    data = calculator("brigade_cadre_living").compute_roster(path, 2025).to_json()
    assert data["rows"] == {"read": 3, "accepted": 3, "rejected": 0}, data["rejects"]


# ---- .xlsb (binary workbook) ---------------------------------------------------------------
# Ruling: calamine reads an .xlsb error cell as blank too, and we cannot check an .xlsb sheet's
# records for errors here, so an .xlsb roster is refused (exit 2) with a request to save it as
# .xlsx, rather than guessed at.

def xlsb_record(typ: int, payload: bytes = b"") -> bytes:
    """[MS-XLSB] 2.1.4: the record type and size as 7-bit varints, then the payload."""
    head = bytes([typ]) if typ < 0x80 else bytes([(typ & 0x7F) | 0x80, typ >> 7])
    n, size = len(payload), b""
    while True:
        low, n = n & 0x7F, n >> 7
        size += bytes([low | (0x80 if n else 0)])
        if not n:
            return head + size + payload


def xlsb_text(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def write_xlsb(path: Path, header: list[str], rows: list[list[str]], errors: dict) -> Path:
    """A minimal .xlsb that calamine reads: one sheet 名册 of inline strings (BrtCellSt) and,
    at ``errors`` (data row from 0, column) -> BErr code, BrtCellError records."""
    book = (xlsb_record(0x9C, struct.pack("<II", 0, 1) + xlsb_text("rId1") + xlsb_text("名册"))  # BrtBundleSh
            + xlsb_record(0x90) + xlsb_record(0x9D))  # BrtEndBundleShs, BrtCalcProp
    table = [header, *rows]
    sheet = (xlsb_record(0x81) + xlsb_record(0x94, struct.pack("<IIII", 0, len(table) - 1, 0, len(header) - 1))
             + xlsb_record(0x91))  # BrtBeginSheet, BrtWsDim, BrtBeginSheetData
    for r, row in enumerate(table):
        sheet += xlsb_record(0x00, struct.pack("<I", r) + bytes(13))  # BrtRowHdr
        for c, text in enumerate(row):
            if (r - 1, c) in errors:
                sheet += xlsb_record(0x03, struct.pack("<II", c, 0) + bytes([errors[(r - 1, c)]]))  # BrtCellError
            elif text != "":
                sheet += xlsb_record(0x06, struct.pack("<II", c, 0) + xlsb_text(text))  # BrtCellSt
    sheet += xlsb_record(0x92) + xlsb_record(0x82)  # BrtEndSheetData, BrtEndSheet
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.bin"/></Relationships>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.bin", book)
        z.writestr("xl/_rels/workbook.bin.rels", rels)
        z.writestr("xl/worksheets/sheet1.bin", sheet)
    return path


def test_an_xlsb_roster_is_refused_asking_for_xlsx(tmp_path):
    path = write_xlsb(tmp_path / "花名册.xlsb", BRIGADE, brigade_rows(3), {(1, DEATH): XLS_CODES["#N/A"]})
    assert calamine_cell(path, 2, DEATH) == "" and calamine_cell(path, 2, 0) == "B2"  # read, error as blank
    proc = run_cli("calc", str(path), *cli_options("brigade_cadre_living"), "-y", "2025")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert ".xlsx" in proc.stderr and "错误值" in proc.stderr and "error" in proc.stderr
    assert proc.stderr.find("另存为") < proc.stderr.find("save it as")  # Chinese first
    with pytest.raises(InputError, match="xlsb"):
        read_roster(path, calculator("brigade_cadre_living").policy.fields)


@pytest.mark.parametrize("chunk", [7, 64, 1 << 20])
def test_the_ods_search_in_pieces_misses_nothing_at_a_cut(tmp_path, monkeypatch, chunk):
    import entitlements.workbook_faults as faults

    monkeypatch.setattr(faults, "_ODS_CHUNK", chunk)
    column = BRIGADE.index("在职时领取国家补助")
    path = write_ods(tmp_path / "r.ods", BRIGADE, brigade_rows(3),
                     {(1, column): ODS_UNCACHED, (2, DEATH): ODS_ERROR.format(error="#N/A")})
    found = faults.ods_faults(path, 0, "名册")
    assert {k: v.text[:4] for k, v in found.items()} == {(4, column): "=IF(", (5, DEATH): "#N/A"}
    clean = write_ods(tmp_path / "c.ods", BRIGADE, brigade_rows(3))
    with zipfile.ZipFile(clean) as book, book.open("content.xml") as content:
        assert not faults._ods_suspect(content)
