"""Bank statement import: a file from the bank read as `Statement`s (the account, its
balances, its booked lines), whatever its format, for the bank reconciliation of the
accounts 512 (PCG art. 944-51) and the bank journal.

    parse_statement(data)                      # CAMT.053 or OFX, sniffed
    parse_statement(data, mapping=CsvMapping(date="Date", amount="Montant", label="Libellé"))

The formats, each in its module:

- CAMT.053 (ISO 20022 BkToCstmrStmt, any version .02 to .13): `camt.py`;
- OFX 1.x (SGML) and 2.x (XML), bank and credit card statements: `ofx.py`;
- CSV through a saved column mapping (`CsvMapping`): `csv.py`.

The sniffing (`statement_format`): after a byte order mark and white space, an OFX header
(OFXHEADER:, <?OFX) or an <OFX> tag in the first 4 KiB is OFX; else a file that begins
with "<" is XML, read as CAMT.053 (any other XML, camt.052 and camt.054 included, is
refused saying so); anything else is CSV, which needs the mapping of its bank's format,
and without one is refused saying so.

Every line has a fingerprint for duplicate detection, the rule in `model.py`: importing
the same file twice gives the same fingerprints, two identical lines in one file two.
Every problem is a `BadRequestError` (or an `InvalidFieldError` naming the key of a
mapping) saying what is wrong and where: the element for XML, the line for CSV, with a
stable `reason` in its details.  Nothing else comes out, whatever the bytes.
"""

from __future__ import annotations

from comptoir.wire.statements.camt import parse_camt053
from comptoir.wire.statements.csv import CsvMapping, parse_csv, read_amount
from comptoir.wire.statements.model import (
    Statement,
    StatementLine,
    balance_gap,
    line_fingerprint,
    not_statement,
)
from comptoir.wire.statements.ofx import parse_ofx

__all__ = ["CsvMapping", "Statement", "StatementLine", "balance_gap", "line_fingerprint", "parse_camt053",
           "parse_csv", "parse_ofx", "parse_statement", "read_amount", "statement_format"]

#: how far into the file the OFX markers are looked for
SNIFF_BYTES = 4096
_LEADING = b"\xef\xbb\xbf \t\r\n"


def statement_format(data: bytes) -> str:
    """"camt053" (any XML), "ofx" or "csv": the format `data` is read as (module docstring)."""
    head = data[:SNIFF_BYTES].lstrip(_LEADING)
    if not head.strip(_LEADING):
        raise not_statement("empty", "the file is empty")
    upper = head.upper()
    if upper.startswith(b"OFXHEADER") or b"<?OFX" in upper or b"<OFX>" in upper:
        return "ofx"
    if head.startswith(b"<"):
        return "camt053"
    return "csv"


def parse_statement(data: bytes, *, mapping: CsvMapping | None = None, iban: str = "",
                    currency: str = "EUR", account_id: str = "") -> list[Statement]:
    """The statements of a bank file, its format sniffed; `mapping`, `iban`, `currency` and
    `account_id` are for a CSV file (CAMT and OFX name their account and currency)."""
    kind = statement_format(data)
    if kind == "ofx":
        return parse_ofx(data)
    if kind == "camt053":
        return parse_camt053(data)
    if mapping is None:
        raise not_statement("mapping_needed", "neither CAMT.053 nor OFX: a CSV statement needs "
                            "the column mapping of its bank's format")
    return parse_csv(data, mapping, iban=iban, currency=currency, account_id=account_id)
