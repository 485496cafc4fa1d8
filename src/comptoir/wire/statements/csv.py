"""CSV statements, the "export Excel / CSV" of French banks' web sites, read through a saved
column mapping (`CsvMapping`) as one `Statement`.

The mapping names the columns by their header (the row after `skip_lines` preamble lines),
matched exactly, else ignoring case and surrounding spaces; a column may also be named by
its position, "#1" for the first: a mapping that names no column of the header row reads
a file without one, its first row after the preamble is a line (skip a header it does not
use with `skip_lines`).  `label` may
join several columns with "+" ("Libellé+Détail").  The amount is one signed column
(`amount`), or a debit and a credit column (`debit`, `credit`: money out and money in,
whatever their sign; one of the two per line).

Amounts are read exactly: "1 234,56", with spaces, no-break spaces or dots as thousands
separators when `decimal_comma` (else "1,234.56"), a leading or trailing sign, "(12,00)"
for a negative, a trailing "€" or "EUR".  Dates by `date_format` (strptime's directives).
Empty rows are skipped; every other problem is refused naming the line of the file.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from typing import Any

from comptoir.errors import InvalidFieldError, MissingFieldError
from comptoir.wire.statements.model import (
    Statement,
    StatementLine,
    compact_iban,
    is_currency,
    not_statement,
    one_line,
    read_decimal,
    with_fingerprints,
)

_BLANKS = re.compile(r"[\s\u00a0\u202f\u2007']+")
_COMMA = re.compile(r"(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")
_POINT = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_POSITION = re.compile(r"#([1-9]\d{0,3})")
_MAX_SKIP = 1000


@dataclass(frozen=True, slots=True)
class CsvMapping:
    """The saved column mapping of a CSV format (module docstring); checked when made."""

    date: str
    amount: str | None = None
    debit: str | None = None
    credit: str | None = None
    label: str = ""
    reference: str = ""
    counterparty: str = ""
    value_date: str = ""
    date_format: str = "%d/%m/%Y"
    decimal_comma: bool = True
    delimiter: str = ";"
    encoding: str = "utf-8"
    skip_lines: int = 0

    def __post_init__(self) -> None:
        if not self.date.strip():
            raise MissingFieldError("date", "must name the column of the booking date")
        if self.amount is None and self.debit is None and self.credit is None:
            raise MissingFieldError("amount", "name the amount column, or debit and credit")
        if self.amount is not None and (self.debit is not None or self.credit is not None):
            raise InvalidFieldError("amount", "give either amount or debit and credit, not both")
        if len(self.delimiter) != 1 or self.delimiter in "\"\r\n":
            raise InvalidFieldError("delimiter", "must be one character (not a quote or newline)")
        if "%" not in self.date_format:
            raise InvalidFieldError("date_format", "must hold strptime directives (%d/%m/%Y)")
        try:
            "".encode(self.encoding)  # LookupError for an unknown or a bytes-to-bytes codec
        except LookupError:
            raise InvalidFieldError("encoding", f"{self.encoding[:40]!r} is not a text "
                                    "encoding") from None
        if not 0 <= self.skip_lines <= _MAX_SKIP:
            raise InvalidFieldError("skip_lines", f"must be between 0 and {_MAX_SKIP}")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CsvMapping:
        """The mapping saved by `to_json`; errors name the key."""
        if not isinstance(data, Mapping):
            raise InvalidFieldError("mapping", "must be an object")
        known = {field.name: field for field in fields(cls)}
        for key in data:
            if key not in known:
                raise InvalidFieldError(str(key), "is not a key of a CSV mapping")
        if data.get("date") is None:
            raise MissingFieldError("date")
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key == "decimal_comma":
                if not isinstance(value, bool):
                    raise InvalidFieldError(key, "must be true or false")
            elif key == "skip_lines":
                if isinstance(value, bool) or not isinstance(value, int):
                    raise InvalidFieldError(key, "must be an integer")
            elif key in ("amount", "debit", "credit"):
                if value is not None and not isinstance(value, str):
                    raise InvalidFieldError(key, "must be a column name or null")
            elif not isinstance(value, str):
                raise InvalidFieldError(key, "must be a string")
            values[key] = value
        return cls(**values)


def parse_csv(data: bytes, mapping: CsvMapping, *, iban: str = "", currency: str = "EUR",
              account_id: str = "", opening: Decimal | None = None,
              closing: Decimal | None = None) -> list[Statement]:
    """The one statement of a CSV file read through `mapping`, of the account `iban` (or
    `account_id`) in `currency`; start and end are the first and last booking dates."""
    if not is_currency(currency):
        raise InvalidFieldError("currency", f"{currency[:8]!r} is not an ISO 4217 code")
    text = _decode(data, mapping.encoding)
    source = io.StringIO(text, newline="")
    for _ in range(mapping.skip_lines):
        source.readline()
    rows = csv.reader(source, delimiter=mapping.delimiter)
    header = _next_row(rows, mapping.skip_lines)
    if header is None:
        raise not_statement("missing", "the CSV file has no header row", line=mapping.skip_lines + 1)
    columns = _Columns(header, mapping)
    lines = []
    if not columns.named_header:
        lines.append(_line(header, mapping, columns, mapping.skip_lines + rows.line_num))
    while (row := _next_row(rows, mapping.skip_lines)) is not None:
        if any(cell.strip() for cell in row):
            lines.append(_line(row, mapping, columns, mapping.skip_lines + rows.line_num))
    booked = [line.booked for line in lines]
    iban = compact_iban(iban)
    return with_fingerprints([Statement(
        iban=iban, account_id=account_id or iban, currency=currency, number="",
        start=min(booked, default=None), end=max(booked, default=None), opening=opening,
        closing=closing, lines=tuple(lines))])


def _decode(data: bytes, encoding: str) -> str:
    try:
        text = data.decode("utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding)
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise not_statement("encoding", f"line {line}: the bytes are not {encoding} text "
                            "(is the mapping's encoding right? French banks often "
                            "export cp1252)", line=line) from None
    if "\x00" in text:
        raise not_statement("csv", "the file holds NUL characters: not a CSV text")
    return text


def _next_row(rows: Any, skipped: int) -> list[str] | None:
    try:
        return next(rows)  # type: ignore[no-any-return]
    except StopIteration:
        return None
    except csv.Error as error:
        line = skipped + rows.line_num
        raise not_statement("csv", f"line {line}: {error}", line=line) from None


class _Columns:
    """Where each column the mapping names is in the rows."""

    def __init__(self, header: list[str], mapping: CsvMapping) -> None:
        self.header = [cell.strip() for cell in header]
        self.named_header = False
        names = {"date": mapping.date, "amount": mapping.amount, "debit": mapping.debit,
                 "credit": mapping.credit, "reference": mapping.reference,
                 "counterparty": mapping.counterparty, "value_date": mapping.value_date}
        self.index: dict[str, int | None] = {key: self._find(key, name)
                                             for key, name in names.items()}
        self.label: list[int] = []
        if mapping.label:
            found = self._lookup(mapping.label)
            if found is not None:
                self.label = [found]
            else:
                self.label = [self._require("label", part)
                              for part in mapping.label.split("+") if part.strip()]

    def _lookup(self, name: str) -> int | None:
        wanted = name.strip()
        for exact in (True, False):
            for index, cell in enumerate(self.header):
                if cell == wanted if exact else cell.casefold() == wanted.casefold():
                    self.named_header = True
                    return index
        position = _POSITION.fullmatch(wanted)
        return int(position.group(1)) - 1 if position else None

    def _require(self, key: str, name: str) -> int:
        found = self._lookup(name)
        if found is None:
            raise InvalidFieldError(key, f"no column {name[:60]!r} in the header (columns: "
                                    f"{', '.join(self.header)[:200]})")
        return found

    def _find(self, key: str, name: str | None) -> int | None:
        return None if not name else self._require(key, name)


def _cell(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def _line(row: list[str], mapping: CsvMapping, columns: _Columns, line: int) -> StatementLine:
    def date(key: str) -> dt.date | None:
        text = _cell(row, columns.index[key])
        if not text:
            return None
        try:
            return dt.datetime.strptime(text, mapping.date_format).date()
        except ValueError:
            raise not_statement("date", f"line {line}: {key} {text[:40]!r} is not a date "
                                f"({mapping.date_format})", line=line, column=key) from None

    def amount(key: str) -> Decimal | None:
        text = _cell(row, columns.index[key])
        if not text:
            return None
        value = read_amount(text, decimal_comma=mapping.decimal_comma)
        if value is None:
            raise not_statement("amount", f"line {line}: {key} {text[:40]!r} is not an amount",
                                line=line, column=key)
        return value

    booked = date("date")
    if booked is None:
        raise not_statement("missing", f"line {line}: no booking date", line=line, column="date")
    if mapping.amount is not None:
        value = amount("amount")
    else:
        debit, credit = amount("debit"), amount("credit")
        if debit and credit:
            raise not_statement("amount", f"line {line}: both a debit and a credit", line=line)
        value = -abs(debit) if debit else abs(credit) if credit is not None else debit
    if value is None:
        raise not_statement("missing", f"line {line}: no amount", line=line, column="amount")
    return StatementLine(
        booked=booked, value=date("value_date"), amount=value + 0,
        label=one_line(" ".join(_cell(row, index) for index in columns.label)),
        reference=_cell(row, columns.index["reference"]),
        counterparty=one_line(_cell(row, columns.index["counterparty"])),
        counterparty_iban="", bank_id="", fingerprint="")


def read_amount(text: str, *, decimal_comma: bool = True) -> Decimal | None:
    """A bank's written amount ("1 234,56", "-12,00", "12,00-", "(12,00)", "+5 €") as an
    exact Decimal, or None when it is not one."""
    text = _BLANKS.sub("", text.replace("\u2212", "-"))
    for suffix in ("€", "EUR"):
        text = text.removesuffix(suffix)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        text, negative = text[1:-1], True
    if text[:1] in "+-" and text:
        text, negative = text[1:], negative or text[0] == "-"
    elif text[-1:] in "+-" and text:
        text, negative = text[:-1], negative or text[-1] == "-"
    if not (_COMMA if decimal_comma else _POINT).fullmatch(text):
        return None
    thousands, point = (".", ",") if decimal_comma else (",", ".")
    value = read_decimal(text.replace(thousands, "").replace(point, "."))
    return None if value is None else -value if negative else value
