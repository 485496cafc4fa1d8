"""A bank statement as the import formats read it (`Statement`, `StatementLine`), the
fingerprint that makes importing the same lines twice create nothing twice, and the small
readers the formats share (dates, amounts, one-line labels, the refusal of a file).

The fingerprint of a line (`line_fingerprint`) is the SHA-256, in hex, of:

- the account (the compact IBAN, else the account id the file gives) and the bank's own
  unique id of the line (`bank_id`: CAMT AcctSvcrRef, else the statement Id and NtryRef;
  OFX FITID) when the line has one;
- else the account, the booking date, the amount, the label, the reference and the
  occurrence index of the line among the lines of the same file and account that have the
  same five values (0 for the first, 1 for the second...).  Two identical card payments
  on the same day are thus two lines, and a file imported twice gives the same
  fingerprints.  (Two exports that cut a day in the middle can still fool it: an export
  covers whole days at French banks.)

The values are normalised first: the account compact and upper case, the amount without
trailing zeros (12.50 = 12.5), the label and reference with their runs of white space as
one space.  The hash is versioned ("v1") so that the rule can change without collisions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from comptoir.errors import BadRequestError

#: at most 13 digits before the decimal point and 8 after, as `domain/money.py` bounds them
MAX_AMOUNT = Decimal(10) ** 13
_SPACES = re.compile(r"\s+")
_CURRENCY = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True, slots=True)
class StatementLine:
    #: booking date
    booked: dt.date
    #: value date
    value: dt.date | None
    #: signed: + money in (credit), - money out (debit)
    amount: Decimal
    #: the bank's label / remittance information, one line
    label: str
    #: end-to-end id / bank reference / check number ("" if none)
    reference: str
    #: name of the other party ("" if unknown)
    counterparty: str
    #: compact IBAN ("" if unknown)
    counterparty_iban: str
    #: the bank's unique id of the line when the format has one, else ""
    bank_id: str
    #: a stable hash identifying the line for duplicate detection (module docstring)
    fingerprint: str


@dataclass(frozen=True, slots=True)
class Statement:
    #: compact, "" when the file names none
    iban: str
    #: the account as the file names it (OFX ACCTID, CAMT Othr/Id or the IBAN)
    account_id: str
    #: ISO 4217
    currency: str
    #: statement id / sequence ("" if none)
    number: str
    start: dt.date | None
    end: dt.date | None
    #: booked balances: opening (CAMT OPBD/PRCD), closing (CAMT CLBD, OFX LEDGERBAL)
    opening: Decimal | None
    closing: Decimal | None
    lines: tuple[StatementLine, ...]
    #: OFX BANKID and BRANCHID (the French "code banque" and "code guichet"), else ""
    bank_code: str = ""
    branch_code: str = ""

    @property
    def account_key(self) -> str:
        """The account the fingerprints of the lines are computed on."""
        return self.iban or self.account_id


def balance_gap(statement: Statement) -> Decimal | None:
    """closing - opening - the sum of the lines: 0 when the balances explain the lines, None
    when the statement does not give both balances."""
    if statement.opening is None or statement.closing is None:
        return None
    return statement.closing - statement.opening - sum(
        (line.amount for line in statement.lines), Decimal(0))


def not_statement(reason: str, why: str, **details: object) -> BadRequestError:
    """The error of a file that cannot be read as a bank statement: `reason` a stable word
    (empty, unknown_format, not_xml, not_camt, not_ofx, mapping_needed, date, amount,
    currency, missing, encoding, csv) in its details, `why` for people."""
    return BadRequestError(f"not a readable bank statement: {why}", reason=reason, **details)


def one_line(text: str | None) -> str:
    """`text` with its runs of white space (line breaks included) as one space."""
    return _SPACES.sub(" ", text or "").strip()


def compact_iban(text: str | None) -> str:
    """An IBAN without its spaces, in upper case."""
    return _SPACES.sub("", text or "").upper()


def is_currency(text: str) -> bool:
    return _CURRENCY.fullmatch(text) is not None


def read_decimal(text: str) -> Decimal | None:
    """`text` as a finite Decimal within the bounds of an amount, or None."""
    if len(text) > 40:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -8 or abs(value) >= MAX_AMOUNT:
        return None
    return value + 0  # a negative zero as 0


def read_iso_date(text: str) -> dt.date | None:
    """The date of an ISO 8601 date or date-time (its first ten characters: the date as the
    bank states it, never moved to another time zone), or None."""
    text = text.strip()
    if len(text) < 10 or (len(text) > 10 and text[10] != "T"):
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _normal_amount(amount: Decimal) -> str:
    normal = amount.normalize()
    return f"{normal.copy_abs() if normal.is_zero() else normal:f}"


def line_fingerprint(iban_or_account: str, *, booked: dt.date, amount: Decimal, label: str,
                     reference: str, bank_id: str = "", occurrence: int = 0) -> str:
    """The fingerprint of a line (the rule in the module docstring): with `bank_id`, only
    the account and it count; `occurrence` is the index of the line among the identical
    lines (same account, date, amount, label and reference) of its file."""
    account = compact_iban(iban_or_account)
    if bank_id.strip():
        parts = ["v1", "bank", account, bank_id.strip()]
    else:
        parts = ["v1", "line", account, booked.isoformat(), _normal_amount(amount),
                 one_line(label), one_line(reference), str(occurrence)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def with_fingerprints(statements: list[Statement]) -> list[Statement]:
    """`statements` (all those of one file) with the fingerprints of their lines filled,
    the occurrence indexes counted over the lines of the same account in the file."""
    seen: Counter[tuple[str, ...]] = Counter()
    done = []
    for statement in statements:
        key = statement.account_key
        lines = []
        for line in statement.lines:
            same = (compact_iban(key), line.booked.isoformat(), _normal_amount(line.amount),
                    one_line(line.label), one_line(line.reference))
            occurrence = 0
            if not line.bank_id:
                occurrence = seen[same]
                seen[same] += 1
            lines.append(replace(line, fingerprint=line_fingerprint(
                key, booked=line.booked, amount=line.amount, label=line.label,
                reference=line.reference, bank_id=line.bank_id, occurrence=occurrence)))
        done.append(replace(statement, lines=tuple(lines)))
    return done
