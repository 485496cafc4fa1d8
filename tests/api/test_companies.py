"""Companies through the REST API: what is special about them, their identifiers (SIREN,
SIRET, VAT number, IBAN, BIC) checked on every write.  The table of valid and invalid
values is tests/services/test_checks.py; here, the wire: a 400 naming the field, nothing
changed, and a valid value stored as written.  Real server, real database."""

from __future__ import annotations

import httpx
import pytest

from tests.api.samples import check


@pytest.fixture
def company(admin: httpx.Client) -> str:
    created = check(admin.put("/companies", json={"name": "Atelier Dupont SAS"}), 201).json()
    return f"/companies/{created['ID']}"


def test_a_bad_siren_is_a_400_naming_it_and_changes_nothing(admin: httpx.Client,
                                                            company: str) -> None:
    # given
    before = check(admin.get(company), 200).json()
    # when
    answer = admin.patch(company, json={"siren": "123456789", "phone": "+33 4 78 00 00 00"})
    # then
    assert check(answer, 400).text == ("Bad Request: siren: 123456789 is not a valid SIREN "
                                       "(Luhn check digit: 9 digits)")
    assert check(admin.get(company), 200).json() == before


def test_valid_identifiers_are_stored_as_written(admin: httpx.Client, company: str) -> None:
    # when
    body = {"siren": "732829320", "siret": "73282932000074", "vatid": "FR44732829320",
            "iban": "FR1420041010050500013M02606", "bic": "PSSTFRPPPAR"}
    updated = check(admin.patch(company, json=body), 200).json()
    # then
    stored = check(admin.get(company), 200).json()
    assert {k: updated[k] for k in body} == {k: stored[k] for k in body} == body


@pytest.mark.parametrize(("body", "message"), [
    ({"iban": "FR14 2004 1010 0505 0001 3M02 606"},
     "iban: write the IBAN in its compact form, FR1420041010050500013M02606"),
    ({"iban": "FR1420041010050500013M02607"},
     "iban: FR1420041010050500013M02607 is not a valid IBAN (check digits)"),
    ({"bic": "PSSTZZPP"}, "bic: PSSTZZPP is not a valid BIC (unknown country code"),
    ({"vatid": "FR00732829320"}, "vatid: FR00732829320 is not a valid VAT number"),
    ({"siret": "73282932000075"}, "siret: 73282932000075 is not a valid SIRET"),
], ids=["iban-spaced", "iban", "bic", "vatid", "siret"])
def test_bad_identifiers_are_refused_on_create_and_update(admin: httpx.Client, company: str,
                                                          body: dict[str, str],
                                                          message: str) -> None:
    before = check(admin.get(company), 200).json()
    answer = admin.patch(company, json=body)
    assert check(answer, 400).text.startswith(f"Bad Request: {message}")
    assert check(admin.get(company), 200).json() == before
    answer = admin.put("/companies", json={"name": "Refused SARL", **body})
    assert check(answer, 400).text.startswith(f"Bad Request: {message}")


def test_a_siret_of_another_siren_is_refused(admin: httpx.Client, company: str) -> None:
    # given: the company's SIREN
    check(admin.patch(company, json={"siren": "552100554"}), 200)
    # when: a valid SIRET of another company
    answer = admin.patch(company, json={"siret": "73282932000074"})
    # then
    assert check(answer, 400).text.startswith(
        "Bad Request: siret: 73282932000074 is not an establishment of SIREN 552100554")
    # and both together are fine
    check(admin.patch(company, json={"siren": "732829320", "siret": "73282932000074"}), 200)
