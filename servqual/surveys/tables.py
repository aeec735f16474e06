"""Read uploaded tables (CSV in several encodings, or XLSX) into header + rows, checked.

Files are checked by content, not by name: an XLSX must be a real workbook, a CSV must
decode in the chosen (or detected) encoding and parse as CSV.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from flask_babel import gettext as _
from openpyxl import load_workbook

#: Encodings a user may choose; "auto" tries UTF-8 (with or without BOM), then Windows-1252.
ENCODINGS = {
    "auto": "auto",
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "cp1252": "Windows-1252",
    "latin-1": "ISO-8859-1 (Latin-1)",
    "cp949": "CP949 (Korean)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "cp850": "CP850 (DOS Latin-1)",
    "shift_jis": "Shift-JIS",
}
MAX_ROWS = 200_000


class TableError(ValueError):
    """The upload is not a table we can read; the message says why."""


@dataclass(frozen=True)
class Table:
    """A header row and data rows of strings, plus the encoding that was used."""

    headers: list[str]
    rows: list[list[str]]
    encoding: str


def _decode(data: bytes, encoding: str) -> tuple[str, str]:
    if encoding == "auto":
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8"), "utf-8-sig"
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="strict"), "cp1252"
    text = data.decode(encoding)
    return text.removeprefix("\ufeff"), encoding


def read_table(data: bytes, filename: str, encoding: str = "auto") -> Table:
    """Read a CSV or XLSX upload; raise ``TableError`` with a readable reason."""
    if not data:
        raise TableError(_("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise TableError(_("The file is named like a workbook but is not one."))
    if b"\x00" in data[:4096] and not encoding.startswith(("utf-16", "utf-32")):
        raise TableError(_("The file is not a text table (CSV)."))
    if encoding not in ENCODINGS:
        raise TableError(_("Unknown encoding %(name)s.", name=encoding))
    try:
        text, used = _decode(data, encoding)
    except UnicodeDecodeError:
        raise TableError(
            _(
                "The file is not valid %(encoding)s text; choose its encoding.",
                encoding=ENCODINGS.get(encoding, encoding),
            )
        ) from None
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    return _finish(rows, used)


def _read_xlsx(data: bytes) -> Table:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise TableError(_("The file is not a readable Excel workbook (XLSX).")) from None
    sheet = workbook.worksheets[0]
    rows = [
        ["" if value is None else str(value) for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    workbook.close()
    return _finish(rows, "xlsx")


def _finish(rows: list[list[str]], encoding: str) -> Table:
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise TableError(_("The file has no rows."))
    if len(rows) > MAX_ROWS + 1:
        raise TableError(_("The file has more than %(n)d rows.", n=MAX_ROWS))
    headers = [cell.strip() for cell in rows[0]]
    width = len(headers)
    body = [[cell.strip() for cell in row] + [""] * (width - len(row)) for row in rows[1:]]
    return Table(headers=headers, rows=body, encoding=encoding)
