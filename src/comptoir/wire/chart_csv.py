"""A chart of accounts as CSV, to export it and import one back (from a spreadsheet, or
another accounting program's export).

    chart_from_csv(chart_to_csv(PCG)) == list(PCG)

The file has a header line and one account a line, with the columns:

- `number`: the account number (`domain/chart.check_number`: 2 to 12 digits, class 1-8);
- `name`: its name, not empty;
- `auxiliary`: empty, `customers` or `suppliers` (a collective account with subsidiary
  accounts, 411 and 401 in the PCG);
- `lettering`: `1` when the account's entries are lettered, `0` or empty otherwise.

Export: separator `;` (what a French spreadsheet expects, and names hold commas), fields
quoted only when they need it, lines ending in "\\n", no byte order mark; the caller encodes
the text in UTF-8.

Import: the separator is the one of `;`, `,` or tab found most in the header line; a
UTF-8 byte order mark is dropped; column names are matched without case or surrounding
spaces, in any order; `number` and `name` are required, a missing `auxiliary` or
`lettering` column means "" and 0; an unknown or repeated column is refused; blank lines
are skipped.  Every error is an InvalidFieldError whose field is `line N.column` (`line
3.number`), N the line of the file counted from 1 for the header, or `line N` for a line
with more fields than the header; a number given twice is refused on its second line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from comptoir.domain.chart import AUXILIARIES, ChartAccount, check_number
from comptoir.errors import InvalidFieldError

COLUMNS = ("number", "name", "auxiliary", "lettering")
REQUIRED = ("number", "name")
SEPARATORS = (";", ",", "\t")
_LETTERING = {"": False, "0": False, "1": True}


def chart_to_csv(accounts: Iterable[ChartAccount]) -> str:
    """The accounts as CSV text, in the order given (the module's docstring)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    for account in accounts:
        writer.writerow([account.number, account.name, account.auxiliary,
                         "1" if account.lettering else "0"])
    return out.getvalue()


def _separator(header: str) -> str:
    counts = [(header.count(separator), -rank) for rank, separator in enumerate(SEPARATORS)]
    best = max(counts)
    return SEPARATORS[-best[1]] if best[0] else ";"


def _columns(header: list[str]) -> list[str]:
    columns: list[str] = []
    for cell in header:
        column = cell.strip().lower()
        if column not in COLUMNS:
            raise InvalidFieldError(f"line 1.{column or '(empty)'}", "is not a column: the "
                                    f"columns are {', '.join(COLUMNS)}")
        if column in columns:
            raise InvalidFieldError(f"line 1.{column}", "is given twice")
        columns.append(column)
    for column in REQUIRED:
        if column not in columns:
            raise InvalidFieldError(f"line 1.{column}", "the column is missing")
    return columns


def _account(line: int, values: dict[str, str]) -> ChartAccount:
    number = check_number(values.get("number", ""), f"line {line}.number")
    name = values.get("name", "").strip()
    if not name:
        raise InvalidFieldError(f"line {line}.name", "must not be empty")
    auxiliary = values.get("auxiliary", "").strip().lower()
    if auxiliary not in AUXILIARIES:
        raise InvalidFieldError(f"line {line}.auxiliary",
                                "must be empty, customers or suppliers")
    lettering = values.get("lettering", "").strip()
    if lettering not in _LETTERING:
        raise InvalidFieldError(f"line {line}.lettering", "must be 0 or 1")
    return ChartAccount(number, name, auxiliary, _LETTERING[lettering])


def chart_from_csv(text: str) -> list[ChartAccount]:
    """The accounts of a CSV text, in the file's order (the module's docstring)."""
    text = text.removeprefix("\ufeff")
    header_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(header_line))
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidFieldError("line 1", "the header line is missing: "
                                f"{';'.join(COLUMNS)}") from None
    columns = _columns(header)
    accounts: list[ChartAccount] = []
    seen: dict[str, int] = {}
    line = reader.line_num
    try:
        for row in reader:
            first, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(columns):
                raise InvalidFieldError(f"line {first}", f"has {len(row)} fields, the "
                                        f"header {len(columns)}")
            account = _account(first, dict(zip(columns, row, strict=False)))
            if account.number in seen:
                raise InvalidFieldError(f"line {first}.number", f"{account.number} is "
                                        f"already on line {seen[account.number]}")
            seen[account.number] = first
            accounts.append(account)
    except csv.Error as error:
        raise InvalidFieldError(f"line {reader.line_num}", f"is not valid CSV: {error}") \
            from None
    return accounts
