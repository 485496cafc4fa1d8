"""The business checks of whole records (`services/checks.py`): company identifiers,
tables of valid and invalid values; each error names the field and says why."""

from __future__ import annotations

from typing import Any

import pytest

from comptoir.errors import InvalidFieldError
from comptoir.schema.registry import ENTITIES
from comptoir.services.checks import check_record

COMPANIES = ENTITIES["companies"]
#: one real company's identifiers (La Poste, as python-stdnum's own examples), consistent
VALID = {"siren": "732829320", "siret": "73282932000074", "vatid": "FR44732829320",
         "iban": "FR1420041010050500013M02606", "bic": "PSSTFRPPPAR"}


@pytest.mark.parametrize(("field", "value"), [
    *VALID.items(),
    ("siren", "552100554"),
    ("siret", "35600000000048"),  # La Poste's establishments: SIREN 356000000, own rule
    ("vatid", "DE136695976"),
    ("vatid", "NL004495445B01"),
    ("vatid", "EL094259216"),  # Greece's prefix is EL
    ("iban", "FR7630006000011234567890189"),
    ("iban", "DE89370400440532013000"),
    ("iban", "GB29NWBK60161331926819"),
    ("iban", "MT84MALT011000012345MTLCAST001S"),  # no national check known: no warning
    ("bic", "PSSTFRPP"),
    ("bic", "DEUTDEFF500"),
    ("siren", ""),  # no value: nothing to check
    ("iban", None),
])
def test_valid_identifiers_pass(field: str, value: Any) -> None:
    check_record(COMPANIES, {field: value})


def test_a_consistent_set_passes() -> None:
    check_record(COMPANIES, {**VALID, "name": "La Poste"})


@pytest.mark.parametrize(("record", "message"), [
    ({"siren": "123456789"}, "siren: 123456789 is not a valid SIREN (Luhn check digit"),
    ({"siren": "73282932"}, "siren: 73282932 is not a valid SIREN (length: 9 digits)"),
    ({"siren": "73282932A"}, "siren: 73282932A is not a valid SIREN (format: 9 digits)"),
    ({"siren": "732.829.3"}, "siren: 732.829.3 is not a valid SIREN"),
    ({"siret": "73282932000075"}, "siret: 73282932000075 is not a valid SIRET (Luhn check "
                                  "digit: 14 digits"),
    ({"siret": "7328293200007"}, "siret: 7328293200007 is not a valid SIRET (length"),
    ({"vatid": "FR44732829321"}, "vatid: FR44732829321 is not a valid VAT number (check "
                                 "digit:"),
    ({"vatid": "FR00732829320"}, "vatid: FR00732829320 is not a valid VAT number (check"),
    ({"vatid": "ZZ44732829320"}, "vatid: ZZ44732829320 is not a valid VAT number (unknown "
                                 "country prefix"),
    ({"vatid": "44732829320"}, "vatid: 44732829320 is not a valid VAT number (unknown "
                               "country prefix"),
    ({"iban": "FR1420041010050500013M02607"}, "iban: FR1420041010050500013M02607 is not a "
                                              "valid IBAN (check digits)"),
    ({"iban": "FR0630006000011234567890188"}, "iban: FR0630006000011234567890188 is not a "
                                              "valid IBAN (national check digits of the "
                                              "account)"),  # a wrong RIB key
    ({"iban": "FR142004101005050001"}, "iban: FR142004101005050001 is not a valid IBAN "
                                       "(length)"),
    ({"iban": "ZZ1420041010050500013M02606"}, "iban: ZZ1420041010050500013M02606 is not a "
                                              "valid IBAN (unknown country code)"),
    ({"iban": "not an iban"}, "iban: not an iban is not a valid IBAN"),
    ({"bic": "PSSTFRPPPA"}, "bic: PSSTFRPPPA is not a valid BIC (length: 8 or 11"),
    ({"bic": "PSSTZZPPPAR"}, "bic: PSSTZZPPPAR is not a valid BIC (unknown country code"),
    ({"bic": "PSST1RPPPAR"}, "bic: PSST1RPPPAR is not a valid BIC (format"),
    # valid numbers in another form: the compact form to write
    ({"siren": "732 829 3"}, "siren: 732 829 3 is not a valid SIREN (length"),
    ({"vatid": "fr44732829320"}, "vatid: write the VAT number in its compact form, "
                                 "FR44732829320"),
    ({"vatid": "FR 44732829320"}, "vatid: write the VAT number in its compact form, "
                                  "FR44732829320"),
    ({"iban": "FR14 2004 1010 0505 0001 3M02 606"}, "iban: write the IBAN in its compact "
                                                    "form, FR1420041010050500013M02606"),
    ({"iban": "fr1420041010050500013m02606"}, "iban: write the IBAN in its compact form"),
    ({"bic": "psstfrpp"}, "bic: write the BIC in its compact form, PSSTFRPP"),
    # numbers that contain the SIREN agree with it
    ({"siren": "552100554", "siret": "73282932000074"},
     "siret: 73282932000074 is not an establishment of SIREN 552100554"),
    ({"siren": "552100554", "vatid": "FR44732829320"},
     "vatid: FR44732829320 is not the VAT number of SIREN 552100554"),
])
def test_invalid_identifiers_name_the_field(record: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidFieldError) as raised:
        check_record(COMPANIES, record)
    assert str(raised.value).startswith(message), str(raised.value)
    assert raised.value.field == message.split(":")[0]


def test_a_foreign_vat_number_is_not_compared_with_the_siren() -> None:
    # a French company may hold another country's VAT number (a fiscal representative)
    check_record(COMPANIES, {"siren": "732829320", "vatid": "DE136695976"})


def test_examples_of_the_registry_are_valid() -> None:
    examples = {f.name: f.example for f in COMPANIES.fields if f.example is not None}
    assert examples == VALID
    check_record(COMPANIES, examples)
