"""SEPA rules (EPC SDD Core / B2B and SCT rulebooks): mandate references, creditor
identifiers, sequence types, mandate life, TARGET2 days and collection dates, amounts,
identifiers and the reduction of texts to the SEPA character set, as tables of cases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.domain.sepa import (
    SEPA_CHARACTERS,
    MandateStatus,
    SequenceType,
    add_target_days,
    amount_cents,
    batch_message_id,
    check_amount,
    check_collectable,
    check_creditor_identifier,
    check_identifier,
    check_mandate_reference,
    creditor_identifier_check_digits,
    earliest_collection_date,
    easter_sunday,
    is_target_day,
    lapse_date,
    mandate_lapsed,
    sepa_text,
)
from comptoir.errors import ConflictError, InvalidFieldError

D = Decimal


@pytest.mark.parametrize("ref", ["RUM-2026-0001", "a/b", "X" * 35, "(+?:).,'", "1",
                                 "rum-minuscule"])
def test_a_valid_mandate_reference_is_returned_as_given(ref: str) -> None:
    assert check_mandate_reference(ref) == ref


@pytest.mark.parametrize("ref", ["", "X" * 36, "RUM 1", " RUM1", "RUM1 ", "/RUM", "RUM/",
                                 "R//M", "RUMé", "RUM_1", "RUM&1"])
def test_a_wrong_mandate_reference_names_its_field(ref: str) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        check_mandate_reference(ref, "mandate")
    assert caught.value.field == "mandate"
    with pytest.raises(InvalidFieldError) as default:
        check_mandate_reference(ref)
    assert default.value.field == "reference"


@pytest.mark.parametrize(("value", "max_length"), [
    ("", 35), ("A" * 36, 35), ("ABC", 2), ("A B", 35), ("/A", 35), ("A//B", 35)])
def test_a_wrong_identifier_names_its_field(value: str, max_length: int) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        check_identifier(value, "end_to_end_id", max_length)
    assert caught.value.field == "end_to_end_id"


@pytest.mark.parametrize(("ics", "expected"), [
    ("FR72ZZZ123456", "FR72ZZZ123456"),
    ("fr72 zzz 123456", "FR72ZZZ123456"),
    ("FR72ABC123456", "FR72ABC123456"),  # the business code is left out of the check
    ("FR80ZZZ5A7B9C", "FR80ZZZ5A7B9C"),
    ("ES23ZZZ47690558N", "ES23ZZZ47690558N"),
    ("DE98ZZZ09999999999", "DE98ZZZ09999999999"),
])
def test_a_valid_creditor_identifier_comes_out_compact_and_upper_case(
        ics: str, expected: str) -> None:
    assert check_creditor_identifier(ics) == expected


@pytest.mark.parametrize("ics", [
    "", "FR73ZZZ123456", "FR72ZZZ123457", "FR72ZZZ12345", "FR72ZZZ1234567", "FR72ZZ",
    "F172ZZZ123456", "FRX2ZZZ123456", "FR72ZZZ12345É", "ES23ZZZ" + "1" * 29,
    "DE97ZZZ09999999999",
])
def test_a_wrong_creditor_identifier_names_its_field(ics: str) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        check_creditor_identifier(ics)
    assert caught.value.field == "creditorid"


@given(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=3, max_size=3),
       st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=6, max_size=6))
def test_an_identifier_with_computed_check_digits_is_valid(business: str,
                                                           national: str) -> None:
    digits = creditor_identifier_check_digits(f"FRxx{business}{national}")
    assert check_creditor_identifier(f"FR{digits}{business}{national}") == (
        f"FR{digits}{business}{national}")


# (recurrent, collected before, last, expected)
SEQUENCES = [
    (False, False, False, "OOFF"),
    (False, False, True, "OOFF"),
    (True, False, False, "FRST"),
    (True, False, True, "FRST"),
    (True, True, False, "RCUR"),
    (True, True, True, "FNAL"),
]


@pytest.mark.parametrize(("recurrent", "before", "last", "expected"), SEQUENCES)
def test_sequence_type(recurrent: bool, before: bool, last: bool, expected: str) -> None:
    sequence = check_collectable("active", "CORE", recurrent=recurrent,
                                 collected_before=before, last=last)
    assert sequence == expected
    assert SequenceType(sequence) is SequenceType(expected)


def test_a_one_off_mandate_collected_before_cannot_be_collected_again() -> None:
    with pytest.raises(ConflictError) as caught:
        check_collectable("active", "B2B", recurrent=False, collected_before=True)
    assert caught.value.details == {"code": "mandate_used"}


@pytest.mark.parametrize(("status", "code"), [
    (MandateStatus.SUSPENDED, "mandate_suspended"), ("revoked", "mandate_revoked"),
    ("lapsed", "mandate_lapsed"), ("ended", "mandate_ended")])
def test_only_an_active_mandate_is_collectable(status: str, code: str) -> None:
    with pytest.raises(ConflictError) as caught:
        check_collectable(status, "CORE")
    assert caught.value.details["code"] == code


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"file_scheme": "CORE"}, "mandate_scheme"),
    ({"signed": date(2023, 1, 15), "today": date(2026, 1, 15)}, "mandate_lapsed"),
    ({"signed": date(2020, 1, 15), "last_collection": date(2023, 3, 1),
      "today": date(2026, 3, 1)}, "mandate_lapsed"),
])
def test_a_b2b_mandate_in_a_core_file_or_a_lapsed_one_is_not_collectable(
        kwargs: dict[str, Any], code: str) -> None:
    with pytest.raises(ConflictError) as caught:
        check_collectable("active", "B2B", **kwargs)
    assert caught.value.details["code"] == code


def test_a_mandate_collected_within_36_months_is_collectable() -> None:
    assert check_collectable("active", "B2B", file_scheme="B2B", signed=date(2020, 1, 15),
                             last_collection=date(2023, 3, 2), collected_before=True,
                             today=date(2026, 3, 1)) == "RCUR"


@pytest.mark.parametrize(("status", "scheme", "field"), [
    ("Active", "CORE", "status"), ("active", "COR1", "scheme"), ("active", "core", "scheme")])
def test_an_unknown_status_or_scheme_names_its_field(status: str, scheme: str,
                                                     field: str) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        check_collectable(status, scheme)
    assert caught.value.field == field


# (last collection, signed, today, lapsed)
LAPSES = [
    (None, date(2023, 1, 15), date(2026, 1, 14), False),
    (None, date(2023, 1, 15), date(2026, 1, 15), True),
    (date(2024, 2, 29), date(2020, 1, 1), date(2027, 2, 27), False),
    (date(2024, 2, 29), date(2020, 1, 1), date(2027, 2, 28), True),
    (date(2025, 6, 1), date(2020, 1, 1), date(2026, 12, 7), False),
]


@pytest.mark.parametrize(("last", "signed", "today", "lapsed"), LAPSES)
def test_a_mandate_lapses_36_months_after_its_last_collection(
        last: date | None, signed: date, today: date, lapsed: bool) -> None:
    assert mandate_lapsed(last, signed, today) is lapsed


def test_the_lapse_date_of_a_31st_is_the_last_day_of_a_shorter_month() -> None:
    assert lapse_date(date(2023, 5, 31), date(2023, 1, 1)) == date(2026, 5, 31)
    assert lapse_date(None, date(2023, 8, 31)) == date(2026, 8, 31)


@pytest.mark.parametrize(("year", "easter"), [
    (2000, date(2000, 4, 23)), (2019, date(2019, 4, 21)), (2024, date(2024, 3, 31)),
    (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)), (2027, date(2027, 3, 28)),
    (2038, date(2038, 4, 25))])
def test_easter_sunday(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


@pytest.mark.parametrize(("day", "open_"), [
    (date(2026, 12, 7), True),  # a Monday
    (date(2026, 12, 5), False), (date(2026, 12, 6), False),  # the weekend
    (date(2026, 1, 1), False), (date(2026, 4, 3), False),  # Good Friday
    (date(2026, 4, 6), False),  # Easter Monday
    (date(2026, 5, 1), False), (date(2026, 12, 25), False), (date(2026, 12, 26), False),
    (date(2026, 5, 8), True), (date(2026, 7, 14), True),  # French holidays, TARGET open
    (date(2026, 5, 14), True), (date(2026, 11, 11), True),  # Ascension, 11 November
    (date(2026, 12, 24), True), (date(2026, 12, 31), True),
])
def test_target_days(day: date, open_: bool) -> None:
    assert is_target_day(day) is open_


@pytest.mark.parametrize(("day", "days", "expected"), [
    (date(2026, 12, 4), 1, date(2026, 12, 7)), (date(2026, 12, 7), 0, date(2026, 12, 7)),
    (date(2026, 12, 5), 0, date(2026, 12, 7)), (date(2026, 12, 24), 1, date(2026, 12, 28)),
    (date(2026, 4, 2), 1, date(2026, 4, 7)), (date(2026, 4, 2), 2, date(2026, 4, 8))])
def test_add_target_days(day: date, days: int, expected: date) -> None:
    assert add_target_days(day, days) == expected


# (today, scheme, sequence, pre-notification days, bank days, expected)
COLLECTION_DATES = [
    (date(2026, 12, 7), "CORE", "FRST", 14, 1, date(2026, 12, 21)),
    (date(2026, 12, 7), "B2B", "RCUR", 14, 1, date(2026, 12, 21)),
    (date(2026, 12, 11), "CORE", "RCUR", 14, 1, date(2026, 12, 28)),  # 25, 26 Dec, Sunday
    (date(2026, 12, 4), "CORE", "OOFF", 0, 1, date(2026, 12, 7)),  # a Friday: Monday
    (date(2026, 12, 7), "CORE", "FRST", 0, 1, date(2026, 12, 8)),  # D-1, even for FRST
    (date(2026, 12, 24), "CORE", "FNAL", 0, 1, date(2026, 12, 28)),
    (date(2026, 12, 24), "CORE", "RCUR", 0, 2, date(2026, 12, 29)),
    (date(2026, 4, 2), "B2B", "RCUR", 0, 1, date(2026, 4, 7)),  # Easter
    (date(2026, 4, 30), "CORE", "RCUR", 1, 1, date(2026, 5, 4)),  # 1 May, a Friday
    (date(2026, 12, 31), "CORE", "RCUR", 0, 1, date(2027, 1, 4)),  # 1 January
    (date(2026, 12, 7), "CORE", "RCUR", 2, 1, date(2026, 12, 9)),
]


@pytest.mark.parametrize(("today", "scheme", "sequence", "notice", "bank_days", "expected"),
                         COLLECTION_DATES)
def test_earliest_collection_date(today: date, scheme: str, sequence: str, notice: int,
                                  bank_days: int, expected: date) -> None:
    assert earliest_collection_date(today, scheme=scheme, sequence=sequence,
                                    prenotification_days=notice,
                                    bank_days=bank_days) == expected


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"scheme": "COR1", "sequence": "FRST"}, "scheme"),
    ({"scheme": "CORE", "sequence": "FIRST"}, "sequence"),
    ({"scheme": "CORE", "sequence": "FRST", "prenotification_days": -1},
     "prenotification_days"),
    ({"scheme": "CORE", "sequence": "FRST", "bank_days": 0}, "bank_days"),
])
def test_earliest_collection_date_checks_its_arguments(kwargs: dict[str, Any],
                                                       field: str) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        earliest_collection_date(date(2026, 12, 7), **kwargs)
    assert caught.value.field == field


@pytest.mark.parametrize(("amount", "expected", "cents"), [
    ("0.01", "0.01", 1), ("1", "1.00", 100), ("1.500", "1.50", 150),
    ("12.30", "12.30", 1230), ("999999999.99", "999999999.99", 99999999999)])
def test_a_valid_amount_has_two_decimals(amount: str, expected: str, cents: int) -> None:
    assert str(check_amount(D(amount), "amount")) == expected
    assert amount_cents(D(amount)) == cents


@pytest.mark.parametrize("amount", ["0", "0.00", "-1", "0.001", "1.005",
                                    "1000000000.00", "NaN", "Infinity"])
def test_a_wrong_amount_names_its_field(amount: str) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        check_amount(D(amount), "collections[0].amount")
    assert caught.value.field == "collections[0].amount"


@pytest.mark.parametrize(("prefix", "n", "expected"), [
    ("SDD-20261207", 3, "SDD-20261207-3"),
    ("Prélèvements décembre", 12, "Prelevements-decembre-12"),
    ("X" * 40, 1, "X" * 33 + "-1"),
    ("//a//b/", 1, "a/b-1"),
    ("", 5, "5"),
])
def test_batch_message_id(prefix: str, n: int, expected: str) -> None:
    assert batch_message_id(prefix, n) == expected
    assert check_identifier(expected, "message_id") == expected


def test_a_batch_number_starts_at_1() -> None:
    with pytest.raises(InvalidFieldError) as caught:
        batch_message_id("SDD", 0)
    assert caught.value.field == "n"


@pytest.mark.parametrize(("text", "max_length", "expected"), [
    ("Éloïse Müller", 70, "Eloise Muller"),
    ("Façade & Cie", 70, "Facade + Cie"),
    ("Œuvre Straße", 70, "OEuvre Strasse"),
    ("Prix : 10 €", 70, "Prix : 10 EUR"),
    ("l’été « chaud »", 70, "l'ete ' chaud '"),
    ("a\tb\n  c", 70, "a b c"),
    ("x@y.fr", 70, "x(at)y.fr"),
    ("日本", 70, ""),
    ("Søren Ångström", 70, "Soren Angstrom"),
    ("abcdef", 3, "abc"),
    ("ab cdef", 3, "ab"),
    ("Facture n° F-2026-001", 140, "Facture no F-2026-001"),
])
def test_sepa_text(text: str, max_length: int, expected: str) -> None:
    assert sepa_text(text, max_length) == expected


@given(st.text(max_size=200), st.integers(min_value=1, max_value=140))
def test_sepa_text_keeps_to_the_character_set_and_the_length(text: str,
                                                             max_length: int) -> None:
    reduced = sepa_text(text, max_length)
    assert set(reduced) <= SEPA_CHARACTERS
    assert len(reduced) <= max_length
    assert reduced == reduced.strip()
