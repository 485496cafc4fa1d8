"""The FEC, "fichier des écritures comptables": every accounting line of a fiscal year in
the flat text file a company hands the tax auditor (LPF art. L47 A-I), written as
article A47 A-1 of the Livre des procédures fiscales and BOI-CF-IOR-60-40-20 lay it out.

    with open(fec_filename("552100554", date(2026, 12, 31)), "wb") as out:
        write_fec(lines, out)          # -> the number of lines written, header excluded

The file, as written here:

- named `<SIREN>FEC<YYYYMMDD>.txt`, the date being the closing date of the fiscal year
  (A47 A-1, the naming rule; BOI-CF-IOR-60-40-20 § 10);
- a header line with the 18 field names of A47 A-1 in their order (`FEC_COLUMNS`), then
  one record per accounting line, in the order given: the caller gives them in the order
  of validation, entry by entry (A47 A-1: "classées par ordre chronologique de
  validation"), the opening entries (à-nouveaux) first;
- fields separated by a tab (the default) or a pipe, the one separator "unique et non
  équivoque" of the file (A47 A-1, I-4°); records ended by CR LF (A47 A-1, I-1°: "retour
  chariot et/ou fin de ligne": both, which every reader takes, the administration's
  Windows tools (Test Compta Demat, Alto 2) included); the last record ends with CR LF too;
- dates as YYYYMMDD without separator; amounts in base 10 with a decimal comma, no
  thousands separator, a leading "-" when negative, and 2 decimals always ("1234,50",
  "0,00"): Debit and Credit are amounts in euros, to the cent, and one with more decimal
  places that are not 0 is refused (InvalidFieldError "debit"/"credit") rather than
  silently rounded; Montantdevise keeps its decimals beyond 2 when it has some (3 for a
  dinar); an empty field for a date or amount that is None (DateLet, Montantdevise);
- text fields made safe: the separator, CR, LF and every other control character (C0,
  DEL, C1, U+2028/U+2029) in a text is replaced by a space, so that a record is always
  one line of exactly 18 fields;
- encoded in ISO 8859-15 by default, one of the character sets A47 A-1 (III-1°) allows
  (ASCII, ISO 8859-15, EBCDIC), which has the accented letters of French, € and œ.
  `encoding="ascii"` is available too, and "utf-8" for an auditor who asks for it (it is
  not in A47 A-1's list).  A character the encoding has not is written as the nearest it
  has: a few typographic signs by table (’ -> ', “ -> ", – -> -, … -> ..., € -> EUR in
  ASCII), else its compatibility decomposition (NFKD: ł stays, ﬁ -> fi, é -> e in ASCII)
  stripped of what still does not encode, else "?".

This module formats; it does not judge the accounting (balanced entries, continuous
numbering): that is the domain's, and the tests check the output with their own checker.
It is the hot path of a year-end export: rows are built with plain string operations,
dates and amounts through small caches, and the safety of the text checked per batch.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import BinaryIO, NamedTuple

from comptoir.errors import InvalidFieldError

FEC_COLUMNS: tuple[str, ...] = (
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
    "CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit",
    "EcritureLet", "DateLet", "ValidDate", "Montantdevise", "Idevise",
)
#: the field separators A47 A-1 readers take: tab (the default) and pipe
SEPARATORS = ("\t", "|")
#: the record separator
EOL = "\r\n"
DEFAULT_ENCODING = "iso-8859-15"
#: the encodings write_fec accepts (codecs names): A47 A-1's ASCII and ISO 8859-15, and UTF-8
ENCODINGS = frozenset({"ascii", "iso8859-15", "utf-8"})
#: the lines write_fec formats, checks and encodes at a time
BATCH = 4096
_CACHE_LIMIT = 1 << 16
#: the characters of ISO 8859-1 that ISO 8859-15 has not (it has € Š š Ž ž Œ œ Ÿ there)
_LATIN1_ONLY = re.compile("[\u00a4\u00a6\u00a8\u00b4\u00b8\u00bc\u00bd\u00be]")

#: the text fields of a FecLine, those made safe
TEXT_FIELDS = ("journal_code", "journal_label", "entry_number", "account_number",
               "account_label", "aux_number", "aux_label", "piece_ref", "label",
               "lettering", "currency")
_CONTROLS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
#: replacements for characters an encoding lacks, before NFKD is tried
_NEAREST = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2039": "'", "\u203a": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u2022": "-", "\u2026": "...", "\u20ac": "EUR", "\u0153": "oe",
    "\u0152": "OE", "\u00e6": "ae", "\u00c6": "AE", "\u00df": "ss",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
}


class FecLine(NamedTuple):
    """One record of the FEC: one line of an accounting entry, with the fields of A47 A-1
    in their order (the column names in the comments)."""

    journal_code: str            # JournalCode
    journal_label: str           # JournalLib
    entry_number: str            # EcritureNum: the entry's number, a continuous sequence
    entry_date: date             # EcritureDate: the date the entry is booked at
    account_number: str          # CompteNum: its first 3 characters those of the PCG
    account_label: str           # CompteLib
    aux_number: str              # CompAuxNum: "" without an auxiliary account
    aux_label: str               # CompAuxLib
    piece_ref: str               # PieceRef: the supporting document (invoice number...)
    piece_date: date             # PieceDate
    label: str                   # EcritureLib
    debit: Decimal               # Debit
    credit: Decimal              # Credit
    lettering: str               # EcritureLet: "" when not lettered
    lettering_date: date | None  # DateLet
    valid_date: date             # ValidDate: the date the entry was validated (locked)
    currency_amount: Decimal | None  # Montantdevise: None in the company's currency
    currency: str                # Idevise: ISO 4217 code, "" with no currency amount


class _DateText(dict[date | None, str]):
    """date -> "YYYYMMDD", None -> "", remembered (a year has few dates)."""

    def __missing__(self, key: date | None) -> str:
        if len(self) > _CACHE_LIMIT:
            self.clear()
            self[None] = ""
        if not isinstance(key, date):
            raise InvalidFieldError("date", f"{key!r} is not a date")
        text = self[key] = f"{key.year:04d}{key.month:02d}{key.day:02d}"
        return text


class _AmountText(dict[Decimal | None, str]):
    """Decimal -> "1234,50", None -> "", remembered; `field` names the column in errors.
    `cents_only`: more decimal places that are not 0 are an error, else they are kept."""

    def __init__(self, field: str, *, cents_only: bool) -> None:
        super().__init__({None: ""})
        self.field = field
        self.cents_only = cents_only

    def __missing__(self, key: Decimal | None) -> str:
        if len(self) > _CACHE_LIMIT:
            self.clear()
            self[None] = ""
        text = self[key] = format_amount(key, self.field, cents_only=self.cents_only)
        return text


def format_amount(value: Decimal | None, field: str = "amount", *,
                  cents_only: bool = True) -> str:
    """`value` as the FEC writes it: "-1234,50", "0,00", "" for None (the rules in the
    module's docstring).  Not a finite Decimal, or more than 2 decimal places that are not
    0 when `cents_only`: InvalidFieldError(field)."""
    if value is None:
        return ""
    if not isinstance(value, Decimal):
        raise InvalidFieldError(field, f"{value!r} is not a Decimal amount")
    if value.is_zero():
        return "0,00"
    # str() of a Decimal is fast and plain for the usual exponents: "1234.50", "12", "1.5"
    text = str(value)
    point = text.find(".")
    if point >= 0:
        places = len(text) - point - 1
        if places == 2:  # an exponent form never has 2 characters after its point
            return f"{text[:point]},{text[point + 1:]}"
        if places == 1:
            return f"{text[:point]},{text[point + 1:]}0"
    elif text.isdigit() or (text[0] == "-" and text[1:].isdigit()):
        return text + ",00"
    if not value.is_finite():
        raise InvalidFieldError(field, f"{value!r} is not a finite amount")
    places = max(2, -int(value.normalize().as_tuple().exponent))
    if places > 2 and cents_only:
        raise InvalidFieldError(field, f"{value} has more than 2 decimal places")
    return f"{value:.{places}f}".replace(".", ",")


def format_date(value: date | None) -> str:
    """`value` as YYYYMMDD, "" for None."""
    return "" if value is None else f"{value.year:04d}{value.month:02d}{value.day:02d}"


def _check_separator(separator: str) -> None:
    if separator not in SEPARATORS:
        raise InvalidFieldError("separator", f"{separator!r} is not a FEC separator "
                                "(a tab or a pipe)")


def fec_filename(siren: str, closing: date) -> str:
    """The name of the FEC of the fiscal year closed on `closing`: `<SIREN>FEC<YYYYMMDD>.txt`
    (A47 A-1).  `siren`: 9 digits with a valid Luhn check digit, else
    InvalidFieldError("siren")."""
    if not (len(siren) == 9 and siren.isascii() and siren.isdigit() and _luhn_ok(siren)):
        raise InvalidFieldError("siren", f"{siren!r} is not a SIREN (9 digits, Luhn check "
                                "digit)")
    return f"{siren}FEC{format_date(closing)}.txt"


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _formatter(separator: str) -> Callable[[FecLine], str]:
    """A function FecLine -> its record without the end of line, text fields as given."""
    dates = _DateText({None: ""})
    debits = _AmountText("debit", cents_only=True)
    credits = _AmountText("credit", cents_only=True)
    currency_amounts = _AmountText("currency_amount", cents_only=False)
    join = separator.join

    def format_line(line: FecLine) -> str:
        (journal_code, journal_label, entry_number, entry_date, account_number,
         account_label, aux_number, aux_label, piece_ref, piece_date, label, debit, credit,
         lettering, lettering_date, valid_date, currency_amount, currency) = line
        return join((journal_code, journal_label, entry_number, dates[entry_date],
                     account_number, account_label, aux_number, aux_label, piece_ref,
                     dates[piece_date], label, debits[debit], credits[credit], lettering,
                     dates[lettering_date], dates[valid_date],
                     currency_amounts[currency_amount], currency))

    return format_line


def _unsafe(separator: str, *, line_ends: bool) -> re.Pattern[str]:
    """The control characters a record must not hold, the separator left out (it is
    counted instead); with `line_ends` False, CR and LF are left out too (a batch of
    records holds them, counted)."""
    controls = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029"
    if line_ends:
        controls += "\r\n"
    if separator != "\t":
        controls += "\t"
    return re.compile(f"[{controls}]")


def safe_text(text: str, separator: str = "\t") -> str:
    """`text` with the separator and every control character (CR, LF, tab...) replaced by
    a space, as a FEC field holds it."""
    if not isinstance(text, str):
        raise InvalidFieldError("text", f"{text!r} is not a text")
    return re.sub(f"[{_CONTROLS}{re.escape(separator)}]", " ", text)


def _made_safe(line: FecLine, separator: str) -> FecLine:
    safe = {name: safe_text(getattr(line, name), separator) for name in TEXT_FIELDS}
    return FecLine(**{**line._asdict(), **safe})


def fec_rows(lines: Iterable[FecLine], *, separator: str = "\t") -> Iterator[str]:
    """The FEC as text: the header, then one record per line, each ended by CR LF (the
    formats in the module's docstring).  A separator other than tab or pipe:
    InvalidFieldError("separator")."""
    _check_separator(separator)
    yield separator.join(FEC_COLUMNS) + EOL
    format_line = _formatter(separator)
    unsafe = _unsafe(separator, line_ends=True).search
    expected = len(FEC_COLUMNS) - 1
    for line in lines:
        row = format_line(line)
        if row.count(separator) != expected or unsafe(row):
            row = format_line(_made_safe(line, separator))
        yield row + EOL


def write_fec(lines: Iterable[FecLine], out: BinaryIO, *, separator: str = "\t",
              encoding: str = DEFAULT_ENCODING, header: bool = True) -> int:
    """Writes the FEC of `lines` to `out` (what `fec_rows` yields, encoded), formatting and
    encoding `BATCH` lines at a time; returns the number of lines written, the header not
    counted.  `encoding` one of ENCODINGS (InvalidFieldError "encoding"); what it cannot
    encode is written as the nearest it can (the module's docstring).  `header` false: the
    records alone (a file written in several calls)."""
    _check_separator(separator)
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        codec = encoding
    if codec not in ENCODINGS:
        raise InvalidFieldError("encoding", f"{encoding!r} is not one of the FEC's "
                                "encodings (iso-8859-15, ascii, utf-8)")
    if header:
        out.write((separator.join(FEC_COLUMNS) + EOL).encode("ascii"))
    format_line = _formatter(separator)
    unsafe_in_batch = _unsafe(separator, line_ends=False).search
    unsafe_in_row = _unsafe(separator, line_ends=True).search
    expected = len(FEC_COLUMNS) - 1
    written = 0
    pending = iter(lines)
    while batch := list(islice(pending, BATCH)):
        rows = list(map(format_line, batch))
        text = EOL.join(rows) + EOL
        count = len(rows)
        if (text.count(separator) != expected * count or text.count("\n") != count
                or text.count("\r") != count or unsafe_in_batch(text)):
            for index, row in enumerate(rows):
                if row.count(separator) != expected or unsafe_in_row(row):
                    rows[index] = format_line(_made_safe(batch[index], separator))
            text = EOL.join(rows) + EOL
        out.write(encode_text(text, codec, separator))
        written += count
    return written


def encode_text(text: str, encoding: str, separator: str = "\t") -> bytes:
    """`text` encoded, each character `encoding` lacks replaced by the nearest it has (the
    module's docstring); a replacement never brings in the separator or a control."""
    try:
        if encoding == "iso8859-15" and not _LATIN1_ONLY.search(text):
            # the same bytes as ISO 8859-1 there, whose encoder is far faster
            return text.encode("latin-1")
        return text.encode(encoding)
    except UnicodeEncodeError:
        pass
    return "".join(char if _encodes(char, encoding) else _nearest(char, encoding, separator)
                   for char in text).encode(encoding)


def _encodes(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _nearest(char: str, encoding: str, separator: str) -> str:
    table = _NEAREST.get(char)
    if table is not None and _encodes(table, encoding):
        return table
    kept = "".join(part for part in unicodedata.normalize("NFKD", char)
                   if part != separator and not unicodedata.category(part).startswith("C")
                   and not unicodedata.combining(part) and _encodes(part, encoding))
    return kept or "?"
