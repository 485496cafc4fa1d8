"""The FEC writer (`wire/fec.py`): the layout of A47 A-1, formats, separators, unsafe text,
the encoding, and its output accepted by our checker."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest

from comptoir.errors import InvalidFieldError
from comptoir.wire import fec
from tests.wire.fec_checker import check_fec

DAY = dt.date(2026, 12, 7)


def line(number: str = "2026-000001", account: str = "411", debit: str = "120",
         credit: str = "0", **extra: object) -> fec.FecLine:
    values: dict[str, object] = dict(
        journal_code="VT", journal_label="Ventes", entry_number=number, entry_date=DAY,
        account_number=account, account_label="Clients", aux_number="", aux_label="",
        piece_ref="FA-1", piece_date=DAY, label="Facture FA-1", debit=D(debit),
        credit=D(credit), lettering="", lettering_date=None, valid_date=DAY,
        currency_amount=None, currency="")
    values.update(extra)
    return fec.FecLine(**values)  # type: ignore[arg-type]


def written(lines: list[fec.FecLine], **kw: str) -> bytes:
    out = io.BytesIO()
    fec.write_fec(lines, out, **kw)
    return out.getvalue()


def test_a_line_as_the_fec_writes_it() -> None:
    data = written([line(), line(account="706", debit="0", credit="120")], separator="|")
    header, first, second, end = data.split(b"\r\n")
    assert header.decode().split("|") == list(fec.FEC_COLUMNS)
    assert first == (b"VT|Ventes|2026-000001|20261207|411|Clients|||FA-1|20261207|"
                     b"Facture FA-1|120,00|0,00|||20261207||")
    assert second.split(b"|")[11:13] == [b"0,00", b"120,00"] and end == b""


@pytest.mark.parametrize(("value", "text"), [
    (D("0"), "0,00"), (D("-0"), "0,00"), (D("1234.5"), "1234,50"), (D("-3.10"), "-3,10"),
    (D("1000000.00"), "1000000,00"), (None, "")])
def test_amounts_have_a_decimal_comma_and_two_decimals(value: D | None, text: str) -> None:
    assert fec.format_amount(value) == text


def test_more_than_cents_is_refused_not_rounded() -> None:
    with pytest.raises(InvalidFieldError) as caught:
        written([line(debit="1.005")])
    assert caught.value.field == "debit"


@pytest.mark.parametrize("separator", [";", ",", ""])
def test_only_tab_and_pipe_separate(separator: str) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        written([line()], separator=separator)
    assert caught.value.field == "separator"


def test_unsafe_text_becomes_spaces_and_accents_are_iso_8859_15() -> None:
    data = written([line(label="Réglé\tvia\r\nchèque | €")], separator="|")
    record = data.split(b"\r\n")[1]
    assert record.split(b"|")[10] == "Réglé via  chèque   €".encode("iso-8859-15")
    assert len(record.split(b"|")) == 18


def test_the_name_is_the_siren_and_the_closing_date() -> None:
    assert fec.fec_filename("732829320", dt.date(2026, 12, 31)) == "732829320FEC20261231.txt"
    with pytest.raises(InvalidFieldError):
        fec.fec_filename("732829321", dt.date(2026, 12, 31))


def test_what_it_writes_passes_the_checker() -> None:
    lines = [line(), line(account="706", debit="0", credit="100"),
             line(account="44571", debit="0", credit="20"),
             line("2026-000002", account="512", debit="120"),
             line("2026-000002", account="411", debit="0", credit="120", lettering="A",
                  lettering_date=DAY)]
    assert check_fec(written(lines), "732829320FEC20261231.txt") == []
