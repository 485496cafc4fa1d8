"""SEPA direct debits and credit transfers: the rules a mandate, a creditor identifier, a
collection date, an amount and a text obey before they go into a pain.008 (direct debit)
or pain.001 (credit transfer) file (`wire/sepa.py`).  Pure: no I/O.

    check_collectable("active", "CORE", recurrent=True, collected_before=False, ...)  # "FRST"
    earliest_collection_date(date(2026, 12, 7), scheme="CORE", sequence="FRST")

The rules are those of the European Payments Council (EPC): the SEPA Direct Debit Core
Rulebook (EPC016-06) and the SDD Business-to-Business Rulebook (EPC222-07), versions 2023
v1.0 in force since October 2023 (unchanged on these points since the 2016 versions), their
Customer-to-PSP Implementation Guidelines (EPC130-08, EPC131-08), the SEPA Credit Transfer
Rulebook (EPC125-05, 2023 v1.0) and its guidelines (EPC132-08), and the EPC guidance on the
use of characters (EPC217-08).  In France, the SEPA direct debit is governed by the Code
monétaire et financier, art. L133-1 and following (payment services) and the ICS is issued
by the Banque de France on behalf of the creditor's bank.

- The character set (EPC217-08, § 2): the basic Latin set a-z A-Z 0-9 / - ? : ( ) . , ' +
  and space; names and remittance texts are reduced to it by `sepa_text`.  References and
  identifiers (message, payment, end-to-end and mandate ids) must not start or end with a
  "/" nor contain "//" (EPC130-08, "Character set").
- The Unique Mandate Reference (AT-01): 1 to 35 characters of that set.  We also refuse
  the space: the rulebooks allow it, but several national communities (the German DK rules
  among them) and banks refuse it, and a mandate reference cannot be changed afterwards
  without an amendment of the mandate.  Its uniqueness per creditor (case-insensitive) is the
  service's job.
- The Creditor Identifier (AT-02, EPC262-08): country code, 2 check digits (ISO 7064 mod
  97-10 computed over the national identifier followed by the country code and "00", the
  business code being left out), a 3-character creditor business code (ZZZ when unused,
  free for the creditor) and the national identifier; at most 35 characters.  The French
  ICS (identifiant créancier SEPA) has a national identifier of 6 alphanumeric
  characters: FRkkZZZ123456, 13 characters.
- The sequence type (ISO 20022 SeqTp): OOFF for the single collection of a one-off mandate,
  FRST for the first of a recurrent one, RCUR for the next ones, FNAL for the last.  Since
  the 2016 rulebooks (November 2016) FRST is optional, RCUR being accepted for the first
  collection and a FRST no longer needing an earlier deadline; we still send FRST as French
  banks expect it.  A one-off mandate cannot be collected a second time.
- Lapse (Core and B2B rulebooks, the expiry of a mandate): a mandate without any
  collection for 36 months (counted from the last collection presented, even rejected,
  returned or refunded; we count from the signature when there never was one) expires: the
  creditor must cancel it and may no longer collect on it.
- Deadlines (Core and B2B rulebooks, the time cycle of a collection, since November 2016):
  the collection must reach the debtor's bank at the latest 1 TARGET business day before
  the due date, FRST, RCUR, OOFF and FNAL alike (it used to be D-5 for FRST/OOFF and D-2
  for RCUR), and the creditor pre-notifies the debtor of the amount and date at least 14
  calendar days before the due date unless they agreed on another period (the
  pre-notification of the rulebooks).  TARGET business days: every day but Saturdays,
  Sundays, 1 January, Good Friday, Easter Monday, 1 May, 25 and 26 December (the TARGET2
  calendar of the ECB).
- Amounts (AT-06 / AT-04): in euro, from 0.01 to 999,999,999.99, two decimals at most.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from stdnum.eu import at_02
from stdnum.exceptions import ValidationError

from comptoir.errors import ConflictError, InvalidFieldError

#: the EPC basic Latin character set, space included (EPC217-08)
SEPA_CHARACTERS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ ")
#: the characters of an identifier or reference: the set without the space
ID_CHARACTERS = SEPA_CHARACTERS - {" "}
#: what replaces a character that is not a letter carrying an accent
TRANSLITERATIONS = {
    "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
    "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D",
    "&": "+", "_": "-", "\"": "'", "‘": "'", "’": "'", "‚": "'", "“": "'", "”": "'",
    "„": "'", "«": "'", "»": "'", "–": "-", "—": "-", "‐": "-", "‑": "-", "[": "(",
    "]": ")", "{": "(", "}": ")", ";": ",", "!": ".", "…": "...", "€": "EUR", "@": "(at)",
    "#": "", "*": "", "%": "pct", "=": "-", "\\": "/", "°": "o",
}
MIN_AMOUNT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999.99")
CENT = Decimal("0.01")
#: the months without collection after which a mandate lapses
LAPSE_MONTHS = 36
#: the calendar days of the pre-notification unless the parties agreed otherwise
PRENOTIFICATION_DAYS = 14
SCHEMES = ("CORE", "B2B")
MAX_ID_LENGTH = 35
#: the longest name and unstructured remittance information the EPC guidelines allow
MAX_NAME_LENGTH = 70
MAX_REMITTANCE_LENGTH = 140
_ICS = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{3}[A-Z0-9]{1,28}")
_FRENCH_ICS = re.compile(r"FR[0-9]{2}[A-Z0-9]{3}[A-Z0-9]{6}")


class SequenceType(StrEnum):
    """The sequence type of a collection (ISO 20022 SeqTp)."""

    FRST = "FRST"
    RCUR = "RCUR"
    OOFF = "OOFF"
    FNAL = "FNAL"


class MandateStatus(StrEnum):
    """The life of a mandate, as the service stores it.

    ACTIVE: signed, collectable.  SUSPENDED: put on hold by the creditor (a dispute, a
    debtor asking for a pause): not collectable until made active again.  REVOKED: cancelled
    by the debtor or the creditor: never collectable again.  LAPSED: 36
    months without a collection: never collectable again (a new mandate must be signed).
    ENDED: its last collection was sent (the one-off mandate collected, or FNAL sent).
    """

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    LAPSED = "lapsed"
    ENDED = "ended"


def _check_identifier(value: str, field: str, what: str, max_length: int) -> str:
    if not value:
        raise InvalidFieldError(field, f"{what} must not be empty")
    if len(value) > max_length:
        raise InvalidFieldError(field, f"{what} must have at most {max_length} characters")
    wrong = sorted(set(value) - ID_CHARACTERS)
    if wrong:
        raise InvalidFieldError(field, f"{what} may only hold the letters a-z and A-Z, the "
                                f"digits and / - ? : ( ) . , ' + (not {''.join(wrong)!r})")
    if value.startswith("/") or value.endswith("/") or "//" in value:
        raise InvalidFieldError(field, f"{what} must not start or end with '/' nor "
                                "contain '//'")
    return value


def check_identifier(value: str, field: str, max_length: int = MAX_ID_LENGTH) -> str:
    """`value` when it is a valid SEPA identifier or reference (message id, payment
    information id, end-to-end id): 1 to `max_length` characters of the SEPA set without
    the space, not starting or ending with "/" and without "//"; else
    InvalidFieldError(field)."""
    return _check_identifier(value, field, "an identifier", max_length)


def check_mandate_reference(ref: str, field: str = "reference") -> str:
    """The Unique Mandate Reference (AT-01) `ref` when valid (the module's docstring: 1 to
    35 characters of the SEPA set, no space, no leading or trailing "/", no "//"); else
    InvalidFieldError(field).  Returned as given: the case is kept."""
    return _check_identifier(ref, field, "a mandate reference", MAX_ID_LENGTH)


def check_creditor_identifier(ics: str, field: str = "creditorid") -> str:
    """The SEPA Creditor Identifier (AT-02) `ics`, compact (spaces dropped) and upper-case,
    when its format and its ISO 7064 mod 97-10 check digits are right; a French one (FR)
    must have a national identifier of exactly 6 characters.  Else
    InvalidFieldError(field)."""
    compact = "".join(ics.split()).upper()
    if not compact:
        raise InvalidFieldError(field, "a creditor identifier must not be empty")
    if len(compact) > MAX_ID_LENGTH or not _ICS.fullmatch(compact):
        raise InvalidFieldError(field, "a creditor identifier is a country code, 2 check "
                                "digits, a 3-character business code and the national "
                                "identifier (FR12ZZZ123456), at most 35 characters")
    if compact.startswith("FR") and not _FRENCH_ICS.fullmatch(compact):
        raise InvalidFieldError(field, "a French creditor identifier (ICS) has 13 "
                                "characters: FR, 2 check digits, 3 characters, 6 characters")
    try:
        at_02.validate(compact)
    except ValidationError:
        raise InvalidFieldError(field, "the check digits of the creditor identifier are "
                                "wrong") from None
    return compact


def creditor_identifier_check_digits(ics: str) -> str:
    """The 2 check digits of the creditor identifier `ics` (its own check digits ignored):
    FRxxZZZ123456 -> "72"."""
    return str(at_02.calc_check_digits("".join(ics.split()).upper()))


def check_scheme(scheme: str, field: str = "scheme") -> str:
    """`scheme` when it is CORE or B2B (the two SEPA direct debit schemes); else
    InvalidFieldError(field)."""
    if scheme not in SCHEMES:
        raise InvalidFieldError(field, "must be CORE or B2B")
    return scheme


def check_sequence(sequence: str, field: str = "sequence") -> SequenceType:
    """`sequence` as a SequenceType when it is FRST, RCUR, OOFF or FNAL; else
    InvalidFieldError(field)."""
    try:
        return SequenceType(sequence)
    except ValueError:
        raise InvalidFieldError(field, "must be FRST, RCUR, OOFF or FNAL") from None


def sequence_type(*, recurrent: bool, collected_before: bool, last: bool = False) -> str:
    """The sequence type of the next collection of a mandate: OOFF for a one-off mandate
    (ConflictError code "mandate_used" when it was collected before), FRST for the first
    collection of a recurrent one (even when it is also the last: the mandate then has to
    be ended by the service), FNAL for a later one when `last`, RCUR otherwise."""
    if not recurrent:
        if collected_before:
            raise ConflictError("the one-off mandate was already used: it cannot be "
                                "collected again", code="mandate_used")
        return SequenceType.OOFF
    if not collected_before:
        return SequenceType.FRST
    return SequenceType.FNAL if last else SequenceType.RCUR


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def lapse_date(last_collection: date | None, signed: date) -> date:
    """The first day a mandate is lapsed: 36 months after its last collection, or after its
    signature when it was never collected (the 31st of a shorter month gives its last
    day)."""
    return _add_months(last_collection or signed, LAPSE_MONTHS)


def mandate_lapsed(last_collection: date | None, signed: date, today: date) -> bool:
    """Whether the mandate has lapsed on `today`: no collection for 36 months (the module's
    docstring)."""
    return today >= lapse_date(last_collection, signed)


def check_collectable(status: str, scheme: str, *, file_scheme: str | None = None,
                      recurrent: bool = True, collected_before: bool = False,
                      signed: date | None = None, last_collection: date | None = None,
                      today: date | None = None, last: bool = False) -> str:
    """The sequence type of the next collection of a mandate when it may be collected, else
    the reason why not: InvalidFieldError "status" or "scheme" for an unknown value;
    ConflictError with code "mandate_suspended", "mandate_revoked", "mandate_lapsed",
    "mandate_ended" (its status says so), "mandate_scheme" (a B2B mandate in a CORE file or
    the reverse), "mandate_lapsed" too when `signed` and `today` are given and 36 months
    passed without a collection, "mandate_used" for a one-off mandate already collected."""
    try:
        current = MandateStatus(status)
    except ValueError:
        raise InvalidFieldError("status", "must be one of " + ", ".join(
            member.value for member in MandateStatus)) from None
    check_scheme(scheme)
    if current is not MandateStatus.ACTIVE:
        raise ConflictError(f"the mandate is {current.value}: it cannot be collected",
                            code=f"mandate_{current.value}")
    if file_scheme is not None and check_scheme(file_scheme, "file_scheme") != scheme:
        raise ConflictError(f"a {scheme} mandate cannot be collected in a {file_scheme} "
                            "file", code="mandate_scheme")
    if signed is not None and today is not None and mandate_lapsed(last_collection, signed,
                                                                   today):
        raise ConflictError("the mandate lapsed: no collection for 36 months",
                            code="mandate_lapsed")
    return sequence_type(recurrent=recurrent, collected_before=collected_before, last=last)


def easter_sunday(year: int) -> date:
    """Easter Sunday of `year` in the Gregorian calendar (the anonymous algorithm of
    Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def target_holidays(year: int) -> frozenset[date]:
    """The TARGET2 closing days of `year` that are not weekends: 1 January, Good Friday,
    Easter Monday, 1 May, 25 and 26 December (some may fall on a weekend)."""
    easter = easter_sunday(year)
    return frozenset({date(year, 1, 1), easter - timedelta(days=2),
                      easter + timedelta(days=1), date(year, 5, 1), date(year, 12, 25),
                      date(year, 12, 26)})


def is_target_day(day: date) -> bool:
    """Whether TARGET2 is open on `day` (a TARGET business day)."""
    return day.weekday() < 5 and day not in target_holidays(day.year)


def next_target_day(day: date) -> date:
    """`day` when it is a TARGET business day, else the next one."""
    while not is_target_day(day):
        day += timedelta(days=1)
    return day


def add_target_days(day: date, days: int) -> date:
    """The TARGET business day `days` (>= 0) TARGET business days after `day`: 1 after a
    Friday is the Monday (when open); 0 is `next_target_day(day)`."""
    if days < 0:
        raise InvalidFieldError("days", "must not be negative")
    day = next_target_day(day)
    for _ in range(days):
        day = next_target_day(day + timedelta(days=1))
    return day


def earliest_collection_date(today: date, *, scheme: str, sequence: str,
                             prenotification_days: int = PRENOTIFICATION_DAYS,
                             bank_days: int = 1) -> date:
    """The earliest due date (ReqdColltnDt) of a collection whose pre-notification and file
    leave on `today`: the first TARGET business day at least `prenotification_days`
    calendar days after `today` (14 unless agreed otherwise; the debtor must have been
    told) and at least `bank_days` TARGET business days after `today` (1 for CORE and B2B
    and every sequence type since November 2016; pass 2 for a bank that asks for D-2).
    `scheme` and `sequence` are checked (InvalidFieldError "scheme", "sequence") but no
    longer change the result; a negative `prenotification_days` is InvalidFieldError
    "prenotification_days"."""
    check_scheme(scheme)
    check_sequence(sequence)
    if prenotification_days < 0:
        raise InvalidFieldError("prenotification_days", "must not be negative")
    if bank_days < 1:
        raise InvalidFieldError("bank_days", "must be at least 1")
    by_notice = today + timedelta(days=prenotification_days)
    by_bank = add_target_days(today + timedelta(days=1), bank_days - 1)
    return next_target_day(max(by_notice, by_bank))


def check_amount(amount: Decimal, field: str = "amount") -> Decimal:
    """`amount` with two decimals when it is between 0.01 and 999,999,999.99 euros with at
    most two decimals (the SEPA bounds of AT-06 and AT-04); else InvalidFieldError(field)."""
    if not amount.is_finite():
        raise InvalidFieldError(field, "must be a finite number")
    if amount < MIN_AMOUNT or amount > MAX_AMOUNT:
        raise InvalidFieldError(field, "must be between 0.01 and 999999999.99")
    if amount != amount.quantize(CENT):
        raise InvalidFieldError(field, "must have at most 2 decimal places")
    return amount.quantize(CENT)


def amount_cents(amount: Decimal, field: str = "amount") -> int:
    """The checked `amount` as an exact number of cents: Decimal("12.30") -> 1230."""
    return int(check_amount(amount, field).scaleb(2))


def batch_message_id(prefix: str, n: int) -> str:
    """The identifier of the `n`-th (>= 1) file or batch of a series: `prefix` reduced to
    the characters of an identifier (`sepa_text`, spaces become "-", no "/" at the ends
    nor "//"), then "-" and `n`, at most 35 characters (the prefix
    is cut): batch_message_id("SDD-20261207", 3) -> "SDD-20261207-3"."""
    if n < 1:
        raise InvalidFieldError("n", "must be at least 1")
    suffix = f"-{n}"
    base = sepa_text(prefix, MAX_ID_LENGTH).replace(" ", "-")
    base = re.sub("/+", "/", base).strip("/")[:MAX_ID_LENGTH - len(suffix)].rstrip("/")
    return check_identifier(base + suffix if base else str(n), "message_id")


def sepa_text(text: str, max_length: int) -> str:
    """`text` reduced to the SEPA character set and cut at `max_length`: accented letters
    lose their accents (é -> e, ç -> c, Å -> A), ligatures and a few signs are spelt out
    (ß -> ss, œ -> oe, & -> +, € -> EUR, quotes -> '), anything else becomes a space;
    runs of spaces are collapsed and the result is stripped ("" when nothing is left)."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        if char in SEPA_CHARACTERS:
            out.append(char)
        elif char in TRANSLITERATIONS:
            out.append(TRANSLITERATIONS[char])
        else:
            bare = "".join(part for part in unicodedata.normalize("NFKD", char)
                           if not unicodedata.combining(part))
            out.append(bare if bare and set(bare) <= SEPA_CHARACTERS else " ")
    return " ".join("".join(out).split())[:max_length].rstrip()
