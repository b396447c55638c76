"""The one rule for every CSV the app hands out, so spreadsheets open each file as it is: UTF-8
with a BOM (Excel then reads Cyrillic), the reader's list separator and decimal mark (";" and
"," in Russian, "," and "." in English), proper quoting, CRLF line ends, and no cell that a
spreadsheet would run as a formula."""

import csv
import io
from decimal import Decimal

BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def dialect_for(language: str) -> tuple[str, str]:
    """(delimiter, decimal mark) that a spreadsheet in this language expects."""
    return (";", ",") if str(language).split("_")[0] == "ru" else (",", ".")


class Sheet:
    """Rows in, the file's text out: `sheet.row([...])`, then `sheet.text()` or `.data()`."""

    def __init__(self, language: str):
        self.delimiter, self.decimal_mark = dialect_for(language)
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, delimiter=self.delimiter,
                                 quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")

    def cell(self, value) -> str:
        """Numbers as numbers (decimal mark of the language), text defused."""
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return f"{value:.2f}".replace(".", self.decimal_mark)
        if isinstance(value, float):
            return repr(value).replace(".", self.decimal_mark)
        if isinstance(value, int):
            return str(value)
        text = str(value)
        return "'" + text if text.startswith(FORMULA_STARTS) else text

    def row(self, values) -> None:
        self.writer.writerow([self.cell(v) for v in values])

    def text(self) -> str:
        return BOM + self.buffer.getvalue()

    def data(self) -> bytes:
        return self.text().encode("utf-8")

    def take(self) -> bytes:
        """What was written since the last take, as UTF-8 (for streaming)."""
        data = self.buffer.getvalue().encode("utf-8")
        self.buffer.seek(0)
        self.buffer.truncate()
        return data
