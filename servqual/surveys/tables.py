"""Read uploaded tables (CSV in several encodings, or XLSX) into header + rows, checked.

Files are checked by content, not by name: an XLSX must be a real workbook, a CSV must
decode in the chosen (or detected) encoding and parse as CSV. Detection only tells apart
what bytes can tell apart (BOMs, valid UTF-8, Korean double-byte text versus accented
Western text); every other legacy code page is the user's choice, helped by a preview.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

from flask_babel import gettext as _
from openpyxl import load_workbook

#: Encodings a user may choose; "auto" reads a BOM, then tries UTF-8, then guesses between
#: CP949 and Windows-1252 (ISO-8859-1 when Windows-1252 cannot decode the bytes).
ENCODINGS = {
    "auto": "auto",
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "utf-16": "UTF-16 (Excel “Unicode text”)",
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
    """A header row and data rows of strings, plus the encoding that was used.

    ``row_numbers[i]`` is the row of the file (header = 1) that ``rows[i]`` came from,
    so that problems point at the row a spreadsheet shows even when blank rows were skipped.
    """

    headers: list[str]
    rows: list[list[str]]
    encoding: str
    row_numbers: list[int] = field(default_factory=list)

    def row_number(self, index: int) -> int:
        """Return the file row of data row ``index``."""
        return self.row_numbers[index] if self.row_numbers else index + 2


def _looks_korean(data: bytes) -> bool:
    """Tell whether the non-ASCII bytes form CP949 double-byte runs rather than accents.

    Accented Western text has mostly isolated high bytes (``é`` between ASCII letters);
    Hangul in CP949 is two high bytes per syllable, so its runs are long and even.
    """
    try:
        data.decode("cp949")
    except UnicodeDecodeError:
        return False
    runs, run = [], 0
    for byte in data:
        if byte >= 0x80:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    if run:
        runs.append(run)
    if not runs:
        return False
    paired = sum(1 for length in runs if length >= 2 and length % 2 == 0)
    return paired / len(runs) >= 0.8


def detect_encoding(data: bytes) -> str:
    """Guess a CSV's encoding from its bytes (a key of ``ENCODINGS``)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    if _looks_korean(data):
        return "cp949"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"


def _decode(data: bytes, encoding: str) -> tuple[str, str]:
    if encoding == "auto":
        encoding = detect_encoding(data)
    text = data.decode(encoding)
    return text.removeprefix("\ufeff"), encoding


def preview_text(data: bytes, encoding: str, lines: int = 8) -> str:
    """Return the first ``lines`` lines of a CSV decoded as ``encoding`` (bad bytes as �)."""
    if encoding == "auto":
        encoding = detect_encoding(data)
    text = data[:16384].decode(encoding, errors="replace").removeprefix("\ufeff")
    return "\n".join(text.splitlines()[:lines])


def read_table(data: bytes, filename: str, encoding: str = "auto") -> Table:
    """Read a CSV or XLSX upload; raise ``TableError`` with a readable reason."""
    if not data:
        raise TableError(_("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise TableError(_("The file is named like a workbook but is not one."))
    if encoding == "auto" and data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
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
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as error:
        raise TableError(
            _("The file is not a readable CSV table: %(reason)s.", reason=error)
        ) from None
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
    numbered = [
        (number, row) for number, row in enumerate(rows, start=1) if any(c.strip() for c in row)
    ]
    if not numbered:
        raise TableError(_("The file has no rows."))
    if len(numbered) > MAX_ROWS + 1:
        raise TableError(_("The file has more than %(n)d rows.", n=MAX_ROWS))
    headers = [cell.strip() for cell in numbered[0][1]]
    width = len(headers)
    body = [[cell.strip() for cell in row] + [""] * (width - len(row)) for _n, row in numbered[1:]]
    return Table(
        headers=headers,
        rows=body,
        encoding=encoding,
        row_numbers=[number for number, _row in numbered[1:]],
    )
