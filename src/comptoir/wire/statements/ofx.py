"""OFX (Open Financial Exchange 1.x SGML and 2.x XML) statements, the "Money / Quicken"
download of French banks' web sites, read as `Statement`s: bank statements (STMTRS) and
credit card statements (CCSTMTRS).

ofxtools (`OFXTree`) reads the header and the tag soup into an element tree; we read the
tree ourselves rather than through ofxtools' models, which refuse what French banks
commonly send (a NAME over 32 characters, an amount with a decimal comma) and move a date
with a time zone to GMT (a line booked on 3 December at 00:00 CET would become
2 December).  Per transaction (STMTTRN), one `StatementLine`:

- amount = TRNAMT, signed as OFX signs it (from the account holder's side: a card payment
  is negative on a card statement too), a decimal comma accepted;
- booked = DTPOSTED, value = DTAVAIL, each the date as stated (its first 8 digits);
- label = NAME (or PAYEE/NAME) and MEMO, joined (MEMO alone when it begins with NAME);
- counterparty = PAYEE/NAME when the bank gives a PAYEE aggregate, else "" (NAME is mostly
  the bank's label);
- reference = CHECKNUM, else REFNUM, else FITID; bank_id = FITID, unique per account.

The statement: account_id = ACCTID, bank_code/branch_code = BANKID/BRANCHID, iban "" (OFX
names no IBAN); currency = CURDEF, and a transaction in another CURRENCY is refused (an
ORIGCURRENCY only says what it was converted from); start/end = DTSTART/DTEND;
closing = LEDGERBAL/BALAMT, opening None (OFX has none); number "".
"""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from ofxtools.Parser import OFXTree

from comptoir.wire.statements.model import (
    Statement,
    StatementLine,
    is_currency,
    not_statement,
    one_line,
    read_decimal,
    with_fingerprints,
)

_KINDS = (("BANKMSGSRSV1/STMTTRNRS/STMTRS", "BANKACCTFROM", "STMTRS"),
          ("CREDITCARDMSGSRSV1/CCSTMTTRNRS/CCSTMTRS", "CCACCTFROM", "CCSTMTRS"))
_DATE = re.compile(r"\d{8}")
#: what ofxtools' header reader and regex tree builder raise on a file they cannot read
_OFX_ERRORS = (SyntaxError, ValueError, LookupError, IndexError, TypeError, AttributeError,
               AssertionError)


def parse_ofx(data: bytes) -> list[Statement]:
    """The bank and credit card statements of an OFX file (rules in the module docstring)."""
    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(data))
    except _OFX_ERRORS as error:
        raise not_statement("not_ofx", f"not a readable OFX file ({one_line(str(error))[:120]})") from None
    root = tree.getroot()
    if root is None or root.tag != "OFX":
        raise not_statement("not_ofx", "the OFX file has no OFX root element")
    statements = [
        _statement(node, f"{name}[{index}]", account)
        for path, account, name in _KINDS
        for index, node in enumerate(root.findall(path), 1)]
    if not statements:
        raise not_statement("missing", "the OFX file holds no bank or credit card statement "
                            "(STMTRS, CCSTMTRS)", element="OFX")
    return with_fingerprints(statements)


def _text(node: ET.Element, path: str) -> str:
    found = node.find(path)
    return (found.text or "").strip() if found is not None else ""


def _date(node: ET.Element, path: str, where: str) -> dt.date | None:
    text = _text(node, path)
    if not text:
        return None
    value = None
    if _DATE.match(text):
        try:
            value = dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        except ValueError:
            value = None
    if value is None:
        raise not_statement("date", f"{where}/{path}: {text[:40]!r} is not a date "
                            "(YYYYMMDD...)", element=f"{where}/{path}")
    return value


def _amount(node: ET.Element, path: str, where: str) -> Decimal | None:
    text = _text(node, path)
    if not text:
        return None
    value = read_decimal(text.replace(",", ".") if "." not in text else text)
    if value is None:
        raise not_statement("amount", f"{where}/{path}: {text[:40]!r} is not an amount",
                            element=f"{where}/{path}")
    return value


def _statement(node: ET.Element, where: str, account: str) -> Statement:
    currency = _text(node, "CURDEF").upper()
    if not is_currency(currency):
        raise not_statement("currency", f"{where}/CURDEF: {currency[:8]!r} is not an ISO 4217 "
                            "currency", element=f"{where}/CURDEF")
    account_id = _text(node, f"{account}/ACCTID")
    if not account_id:
        raise not_statement("missing", f"{where}/{account}/ACCTID: no account",
                            element=f"{where}/{account}/ACCTID")
    lines = []
    for index, transaction in enumerate(node.findall("BANKTRANLIST/STMTTRN"), 1):
        lines.append(_line(transaction, f"{where}/BANKTRANLIST/STMTTRN[{index}]", currency))
    return Statement(
        iban="", account_id=account_id, currency=currency, number="",
        start=_date(node, "BANKTRANLIST/DTSTART", where),
        end=_date(node, "BANKTRANLIST/DTEND", where),
        opening=None, closing=_amount(node, "LEDGERBAL/BALAMT", where), lines=tuple(lines),
        bank_code=_text(node, f"{account}/BANKID"), branch_code=_text(node, f"{account}/BRANCHID"))


def _line(node: ET.Element, where: str, currency: str) -> StatementLine:
    amount = _amount(node, "TRNAMT", where)
    if amount is None:
        raise not_statement("missing", f"{where}/TRNAMT: no amount", element=f"{where}/TRNAMT")
    booked = _date(node, "DTPOSTED", where)
    if booked is None:
        raise not_statement("missing", f"{where}/DTPOSTED: no date",
                            element=f"{where}/DTPOSTED")
    other = _text(node, "CURRENCY/CURSYM").upper()
    if other and other != currency:
        raise not_statement("currency", f"{where}/CURRENCY: the amount is in {other[:8]!r}, "
                            f"the statement in {currency}", element=f"{where}/CURRENCY")
    payee = one_line(_text(node, "PAYEE/NAME"))
    name = one_line(_text(node, "NAME")) or payee
    memo = one_line(_text(node, "MEMO"))
    label = name if memo in ("", name) else (memo if not name or memo.startswith(name)
                                            else f"{name} {memo}")
    fitid = _text(node, "FITID")
    return StatementLine(
        booked=booked, value=_date(node, "DTAVAIL", where), amount=amount, label=label,
        reference=_text(node, "CHECKNUM") or _text(node, "REFNUM") or fitid,
        counterparty=payee, counterparty_iban="", bank_id=fitid, fingerprint="")
