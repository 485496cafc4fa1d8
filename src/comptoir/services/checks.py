"""Checks of a whole record that need a business rule (`domain/`), run by every create
and update of its entity whichever door the change comes through (`records.py`): the
registry's rules (`schema/rules.py`) relate fields; these say what a value means.

    check_record(NUMBERINGS, {"pattern": "FA-{SEQ}", "reset": 1, ...})
    -> InvalidFieldError: pattern: a sequence restarting every year needs {YYYY} or {YY}...
    check_record(COMPANIES, {"siren": "123456789", ...})
    -> InvalidFieldError: siren: 123456789 is not a valid SIREN (Luhn check digit: 9 digits)

Checks validate, they do not rewrite: a record is stored as it is written.  Identifiers
(SIREN, SIRET, VAT number, IBAN, BIC) must therefore be written in their compact form,
which the error gives when the same number is written otherwise (spaces, lower case).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import ModuleType
from typing import Any

import orjson
from schwifty import BIC, IBAN
from schwifty import exceptions as schwifty_exceptions
from stdnum import exceptions as stdnum_exceptions
from stdnum.eu import vat as stdnum_vat
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from comptoir.domain import numbering
from comptoir.errors import InvalidFieldError
from comptoir.schema.entity import Entity
from comptoir.services.templates import check_template

#: numberings.reset -> the rule's reset
RESETS = (numbering.Reset.NEVER, numbering.Reset.YEARLY, numbering.Reset.MONTHLY)


def shipping_percents(text: Any) -> dict[str, Decimal]:
    """The S&H taxes of a document (`transactions.shippingtaxes`, JSON text): tax name ->
    percent; anything else is an error naming the field."""
    if not text:
        return {}
    try:
        value = orjson.loads(text) if isinstance(text, str | bytes) else text
    except orjson.JSONDecodeError:
        value = None
    problem = "must be a JSON object of tax names to percents, e.g. {\"tax1\": 20}"
    if not isinstance(value, dict):
        raise InvalidFieldError("shippingtaxes", problem)
    percents = {}
    for name, percent in value.items():
        if isinstance(percent, bool) or not isinstance(percent, int | float) \
                or not 0 <= percent < 100:
            raise InvalidFieldError("shippingtaxes", f"{str(name)[:40]}: {problem}")
        percents[name] = Decimal(str(percent))
    return percents


def _shipping_taxes(record: Mapping[str, Any]) -> None:
    shipping_percents(record.get("shippingtaxes"))


def _numbering(record: Mapping[str, Any]) -> None:
    """A pattern that formats numbers, and that keeps them unique across its resets."""
    numbering.check_pattern(record["pattern"])
    numbering.check_reset(record["pattern"], RESETS[record["reset"]])


# --- company identifiers ---------------------------------------------------------------------

#: the registration numbers of a company: field -> (what it is, stdnum module, shape)
NUMBERS: dict[str, tuple[str, ModuleType, str]] = {
    "siren": ("SIREN", stdnum_siren, "9 digits"),
    "siret": ("SIRET", stdnum_siret, "14 digits: the SIREN and 5 digits"),
    "vatid": ("VAT number", stdnum_vat, "a country prefix and its digits, e.g. FR44732829320"),
}

#: why a number is invalid, from the error python-stdnum raises
NUMBER_PROBLEMS: tuple[tuple[type[stdnum_exceptions.ValidationError], str], ...] = (
    (stdnum_exceptions.InvalidChecksum, "check digit"),
    (stdnum_exceptions.InvalidLength, "length"),
    (stdnum_exceptions.InvalidFormat, "format"),
    (stdnum_exceptions.InvalidComponent, "unknown country prefix"),
)

#: why a bank identifier is invalid, from the error schwifty raises
BANK_PROBLEMS: tuple[tuple[type[schwifty_exceptions.SchwiftyException], str], ...] = (
    (schwifty_exceptions.InvalidChecksumDigits, "check digits"),
    (schwifty_exceptions.InvalidBBANChecksum, "national check digits of the account"),
    (schwifty_exceptions.InvalidLength, "length"),
    (schwifty_exceptions.InvalidCountryCode, "unknown country code"),
    (schwifty_exceptions.InvalidStructure, "format"),
)


def _problem(exc: Exception, problems: tuple[tuple[type[Exception], str], ...]) -> str:
    return next((text for kind, text in problems if isinstance(exc, kind)), "format")


def _compact(name: str, label: str, value: str, compact: str) -> None:
    """Identifiers are stored in their compact form: the same number written with spaces,
    dots or in lower case is refused with the form to write."""
    if compact != value:
        raise InvalidFieldError(name, f"write the {label} in its compact form, {compact} "
                                "(no spaces or punctuation, capitals)")


def check_number(name: str, value: str) -> None:
    """`value` of the field `name` (siren, siret, vatid) is a valid number in its compact
    form; else an error naming the field and why (python-stdnum's checks: the Luhn check
    digit of SIREN and SIRET, the check digits of each country's VAT number)."""
    label, module, shape = NUMBERS[name]
    try:
        compact = module.validate(value)
    except stdnum_exceptions.ValidationError as exc:
        problem = _problem(exc, NUMBER_PROBLEMS)
        if problem == "check digit" and name != "vatid":
            problem = "Luhn check digit"
        raise InvalidFieldError(name, f"{value[:40]} is not a valid {label} ({problem}: "
                                f"{shape})") from None
    _compact(name, label, value, compact)


def check_iban(name: str, value: str) -> None:
    """A valid IBAN (ISO 13616: length and structure of its country, check digits, and the
    national check digits where schwifty knows them, e.g. the French RIB key), compact."""
    with warnings.catch_warnings():  # countries whose national check schwifty lacks
        warnings.simplefilter("ignore", schwifty_exceptions.NationalChecksumNotVerified)
        try:
            compact = IBAN(value, validate_bban=True).compact
        except schwifty_exceptions.SchwiftyException as exc:
            raise InvalidFieldError(name, f"{value[:40]} is not a valid IBAN "
                                    f"({_problem(exc, BANK_PROBLEMS)})") from None
    _compact(name, "IBAN", value, compact)


def check_bic(name: str, value: str) -> None:
    """A valid BIC (ISO 9362: 8 or 11 characters, a known country code), compact."""
    try:
        compact = BIC(value).compact
    except schwifty_exceptions.SchwiftyException as exc:
        raise InvalidFieldError(name, f"{value[:40]} is not a valid BIC "
                                f"({_problem(exc, BANK_PROBLEMS)}: 8 or 11 characters, "
                                "e.g. PSSTFRPPPAR)") from None
    _compact(name, "BIC", value, compact)


def _company_identifiers(record: Mapping[str, Any]) -> None:
    """Each identifier given is valid and compact, and those that contain the SIREN agree
    with it: a SIRET starts with it, a French VAT number ends with it."""
    for name in NUMBERS:
        if record.get(name):
            check_number(name, record[name])
    if record.get("iban"):
        check_iban("iban", record["iban"])
    if record.get("bic"):
        check_bic("bic", record["bic"])
    siren = record.get("siren")
    if not siren:
        return
    siret, vatid = record.get("siret"), record.get("vatid")
    if siret and not siret.startswith(siren):
        raise InvalidFieldError("siret", f"{siret} is not an establishment of SIREN {siren} "
                                "(a SIRET starts with its company's SIREN)")
    if vatid and vatid.startswith("FR") and not vatid.endswith(siren):
        raise InvalidFieldError("vatid", f"{vatid} is not the VAT number of SIREN {siren} "
                                "(a French VAT number ends with its company's SIREN)")


CHECKS: dict[str, tuple[Callable[[Mapping[str, Any]], None], ...]] = {
    "companies": (_company_identifiers,),
    "numberings": (_numbering,),
    "templates": (check_template,),
    "transactions": (_shipping_taxes,),
}


def check_record(entity: Entity, record: Mapping[str, Any]) -> None:
    for check in CHECKS.get(entity.name, ()):
        check(record)
