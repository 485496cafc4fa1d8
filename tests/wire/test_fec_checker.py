"""Our FEC checker (`tests/wire/fec_checker.py`) accepts a valid file and finds each
structural fault of a file broken in one way."""

from __future__ import annotations

import pytest

from comptoir.wire.fec import FEC_COLUMNS
from tests.wire.fec_checker import check_fec

NAME = "732829320FEC20261231.txt"
GOOD = [
    "VT|Ventes|2026-000001|20261207|411|Clients|C1|ACME|FA-1|20261207|FA-1|120,00|0,00|A|20261208|20261207||",
    "VT|Ventes|2026-000001|20261207|706|Services|||FA-1|20261207|FA-1|0,00|120,00|||20261207||",
    "BQ|Banque|2026-000002|20261208|512|Banque|||RG-1|20261208|RG-1|120,00|0,00|||20261208||",
    "BQ|Banque|2026-000002|20261208|411|Clients|C1|ACME|RG-1|20261208|RG-1|0,00|120,00|A|20261208|20261208||",
]


def fec_file(lines: list[str], header: str = "|".join(FEC_COLUMNS)) -> bytes:
    return ("\r\n".join([header, *lines]) + "\r\n").encode("iso-8859-15")


def broken(n: int, column: str, value: str) -> list[str]:
    lines = [line.split("|") for line in GOOD]
    lines[n][FEC_COLUMNS.index(column)] = value
    return ["|".join(line) for line in lines]


def test_a_valid_file_has_no_problem() -> None:
    assert check_fec(fec_file(GOOD), NAME) == []


@pytest.mark.parametrize(("lines", "found"), [
    (broken(0, "JournalLib", ""), "JournalLib is empty"),
    (broken(0, "EcritureDate", "20261332"), "is not a date"),
    (broken(0, "Debit", "120.00"), "decimal comma"),
    (broken(0, "Credit", "5,00"), "both a debit and a credit"),
    (broken(0, "CompAuxLib", ""), "CompAuxNum and CompAuxLib go together"),
    (broken(0, "DateLet", ""), "EcritureLet and DateLet go together"),
    (broken(0, "Idevise", "USD"), "Montantdevise and Idevise go together"),
    (broken(1, "Credit", "119,00"), "does not balance"),
    (broken(1, "JournalCode", "OD"), "two journals or dates"),
    (broken(0, "ValidDate", "20261206"), "ValidDate before EcritureDate"),
    (GOOD[:2] + [line.replace("2026-000002", "2026-000003") for line in GOOD[2:]],
     "jump from 1 to 3"),
    ([GOOD[0], GOOD[2], GOOD[1], GOOD[3]], "not together"),
    ([GOOD[2], GOOD[3], GOOD[0], GOOD[1]], "order of validation"),
    ([GOOD[0] + "|extra", GOOD[1]], "fields, not 18"),
])
def test_each_fault_is_found(lines: list[str], found: str) -> None:
    problems = check_fec(fec_file(lines), NAME)
    assert any(found in problem for problem in problems), problems


def test_the_name_and_the_header_are_checked() -> None:
    assert check_fec(fec_file(GOOD), "FEC.txt") != []
    assert check_fec(fec_file(GOOD), "732829320FEC20261399.txt") != []
    header = "|".join(reversed(FEC_COLUMNS))
    assert check_fec(fec_file(GOOD, header), NAME) == [
        "the header is not the 18 names of A47 A-1 in their order"]
