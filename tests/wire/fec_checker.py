"""A checker of our own of an FEC file: the structural rules the tax administration
publishes for the "fichier des écritures comptables" (LPF art. A47 A-1, BOI-CF-IOR-60-40-20,
as its Test Compta Demat tool applies them).  Test-side: `check_fec(data, name)` returns the
problems found, [] for a valid file.

- the name `<SIREN>FEC<YYYYMMDD>.txt`;
- the header: the 18 names in their order, one separator (tab or pipe) for the whole file;
- every record has 18 fields; the mandatory ones are filled (JournalCode, JournalLib,
  EcritureNum, EcritureDate, CompteNum, CompteLib, PieceRef, PieceDate, EcritureLib, Debit,
  Credit, ValidDate);
- dates YYYYMMDD, amounts with a decimal comma; a line is a debit or a credit;
- CompAuxNum/CompAuxLib, EcritureLet/DateLet, Montantdevise/Idevise: both or neither;
- each entry's lines are together, with one journal and one date; each entry balances;
- ValidDate is not before EcritureDate; entries come in the order of validation (ValidDate
  never decreases) and their numbers are continuous (per prefix, the trailing integers
  follow each other);
- the file's debits equal its credits.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from comptoir.wire.fec import FEC_COLUMNS

MANDATORY = ("JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum",
             "CompteLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit",
             "ValidDate")
PAIRS = (("CompAuxNum", "CompAuxLib"), ("EcritureLet", "DateLet"),
         ("Montantdevise", "Idevise"))
NAME = re.compile(r"^\d{9}FEC(\d{8})\.txt$")
AMOUNT = re.compile(r"^-?\d+(,\d+)?$")
NUMBER = re.compile(r"^(.*?)(\d+)$")


def _date(text: str) -> dt.date | None:
    if not re.fullmatch(r"\d{8}", text):
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _amount(text: str) -> Decimal | None:
    if not AMOUNT.match(text):
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def check_fec(data: bytes, filename: str | None = None) -> list[str]:
    problems: list[str] = []
    if filename is not None and not NAME.match(filename) or (
            filename is not None and _date(NAME.match(filename).group(1)) is None):  # type: ignore[union-attr]
        problems.append(f"file name {filename!r} is not <SIREN>FEC<YYYYMMDD>.txt")
    try:
        text = data.decode("iso-8859-15")
    except UnicodeDecodeError:
        return [*problems, "not ISO 8859-15 text"]
    records = text.split("\r\n")
    if records and records[-1] == "":
        records.pop()
    if not records:
        return [*problems, "empty file"]
    header = records[0]
    separator = "\t" if "\t" in header else "|"
    if header.split(separator) != list(FEC_COLUMNS):
        problems.append("the header is not the 18 names of A47 A-1 in their order")
        return problems
    debit_total = credit_total = Decimal(0)
    entries: dict[str, Decimal] = {}
    entry_meta: dict[str, tuple[str, str]] = {}
    order: list[str] = []
    last_valid: dt.date | None = None
    for n, record in enumerate(records[1:], 2):
        fields = record.split(separator)
        if len(fields) != len(FEC_COLUMNS):
            problems.append(f"line {n}: {len(fields)} fields, not 18")
            continue
        row = dict(zip(FEC_COLUMNS, fields, strict=True))
        for name in MANDATORY:
            if not row[name].strip():
                problems.append(f"line {n}: {name} is empty")
        for name in ("EcritureDate", "PieceDate", "ValidDate"):
            if row[name] and _date(row[name]) is None:
                problems.append(f"line {n}: {name} {row[name]!r} is not a date YYYYMMDD")
        if row["DateLet"] and _date(row["DateLet"]) is None:
            problems.append(f"line {n}: DateLet {row['DateLet']!r} is not a date")
        debit, credit = _amount(row["Debit"]), _amount(row["Credit"])
        if debit is None or credit is None:
            problems.append(f"line {n}: Debit/Credit is not an amount with a decimal comma")
            continue
        if row["Montantdevise"] and _amount(row["Montantdevise"]) is None:
            problems.append(f"line {n}: Montantdevise is not an amount")
        if debit and credit:
            problems.append(f"line {n}: both a debit and a credit")
        for first, second in PAIRS:
            if bool(row[first].strip()) != bool(row[second].strip()):
                problems.append(f"line {n}: {first} and {second} go together")
        number = row["EcritureNum"]
        if number not in entries:
            entries[number] = Decimal(0)
            entry_meta[number] = (row["JournalCode"], row["EcritureDate"])
            order.append(number)
        elif entry_meta[number] != (row["JournalCode"], row["EcritureDate"]):
            problems.append(f"line {n}: entry {number} has two journals or dates")
        if order[-1] != number:
            problems.append(f"line {n}: the lines of entry {number} are not together")
        entries[number] += debit - credit
        debit_total += debit
        credit_total += credit
        written, valid = _date(row["EcritureDate"]), _date(row["ValidDate"])
        if written and valid:
            if valid < written:
                problems.append(f"line {n}: ValidDate before EcritureDate")
            if last_valid is not None and valid < last_valid:
                problems.append(f"line {n}: not in the order of validation")
            last_valid = valid
    for number, balance in entries.items():
        if balance:
            problems.append(f"entry {number} does not balance ({balance})")
    last: dict[str, int] = {}
    for number in order:
        match = NUMBER.match(number)
        if match is None:
            problems.append(f"entry number {number!r} has no sequence")
            continue
        prefix, value = match.group(1), int(match.group(2))
        if prefix in last and value != last[prefix] + 1:
            problems.append(f"entry numbers jump from {last[prefix]} to {value} ({prefix})")
        last[prefix] = value
    if debit_total != credit_total:
        problems.append(f"the file's debits {debit_total} are not its credits {credit_total}")
    return problems
