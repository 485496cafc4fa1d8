"""A chart of accounts as CSV: the export, the import (separators, BOM, optional columns)
and its errors, each naming `line N.column`, and the round trip of the whole PCG."""

from __future__ import annotations

import pytest

from comptoir.domain.chart import PCG, ChartAccount
from comptoir.errors import InvalidFieldError
from comptoir.wire.chart_csv import chart_from_csv, chart_to_csv


def test_the_whole_pcg_round_trips() -> None:
    text = chart_to_csv(PCG)
    assert chart_from_csv(text) == list(PCG)
    assert chart_from_csv("\ufeff" + text.replace("\n", "\r\n")) == list(PCG)


def test_export() -> None:
    accounts = [ChartAccount("411", "Clients", "customers", True),
                ChartAccount("512", "Banques"),
                ChartAccount("6063", "Fournitures d'entretien; petit équipement")]
    assert chart_to_csv(accounts) == (
        "number;name;auxiliary;lettering\n"
        "411;Clients;customers;1\n"
        "512;Banques;;0\n"
        '6063;"Fournitures d\'entretien; petit équipement";;0\n')


def test_export_of_nothing_is_the_header() -> None:
    assert chart_to_csv([]) == "number;name;auxiliary;lettering\n"


@pytest.mark.parametrize("text", [
    "number;name;auxiliary;lettering\n411;Clients;customers;1\n512;Banques;;0\n",
    "number,name,auxiliary,lettering\n411,Clients,customers,1\n512,Banques,,0\n",
    "number\tname\tauxiliary\tlettering\n411\tClients\tcustomers\t1\n512\tBanques\t\t0\n",
    "\ufeffNumber ; NAME;Auxiliary;Lettering\r\n411; Clients ;Customers;1\r\n\r\n512;Banques\r\n",
    "lettering;auxiliary;name;number\n1;customers;Clients;411\n;;Banques;512\n",
    'number,name\n411,Clients\n512,"Banques"\n',
])
def test_import(text: str) -> None:
    accounts = chart_from_csv(text)
    assert [account.number for account in accounts] == ["411", "512"]
    assert accounts[1] == ChartAccount("512", "Banques")
    if "auxiliary" in text.lower():
        assert accounts[0] == ChartAccount("411", "Clients", "customers", True)
    else:
        assert accounts[0] == ChartAccount("411", "Clients")


def test_a_quoted_name_with_the_separator_and_a_line_break() -> None:
    text = 'number,name\n6063,"Fournitures, petit\néquipement"\n411,Clients\n41,\n'
    with pytest.raises(InvalidFieldError) as caught:
        chart_from_csv(text)
    assert caught.value.field == "line 5.name"  # the quoted line break counts
    assert chart_from_csv(text.removesuffix("41,\n"))[0].name == (
        "Fournitures, petit\néquipement")


def test_header_only_is_an_empty_chart() -> None:
    assert chart_from_csv("number;name\n") == []


@pytest.mark.parametrize(("text", "field", "problem"), [
    ("", "line 1", "the header line is missing: number;name;auxiliary;lettering"),
    ("\ufeff", "line 1", "the header line is missing: number;name;auxiliary;lettering"),
    ("number;name;type\n", "line 1.type",
     "is not a column: the columns are number, name, auxiliary, lettering"),
    ("number;name;\n", "line 1.(empty)",
     "is not a column: the columns are number, name, auxiliary, lettering"),
    ("number;name;Number\n", "line 1.number", "is given twice"),
    ("number;auxiliary\n", "line 1.name", "the column is missing"),
    ("name\nClients\n", "line 1.number", "the column is missing"),
    ("number;name\n411;Clients\n41A;X\n", "line 3.number", "must be digits only"),
    ("number;name\n0411;Clients\n", "line 2.number",
     "must start with the class of the account, 1 to 8"),
    ("number;name\n4;Clients\n", "line 2.number", "must have 2 to 12 digits"),
    ("number;name\n;Clients\n", "line 2.number", "must be digits only"),
    ("number;name\n411; \n", "line 2.name", "must not be empty"),
    ("number;name\n411\n", "line 2.name", "must not be empty"),
    ("number;name;auxiliary\n411;Clients;clients\n", "line 2.auxiliary",
     "must be empty, customers or suppliers"),
    ("number;name;lettering\n411;Clients;yes\n", "line 2.lettering", "must be 0 or 1"),
    ("number;name\n411;Clients;customers\n", "line 2", "has 3 fields, the header 2"),
    ("number;name\n411;Clients\n\n 411 ;Clients bis\n", "line 4.number",
     "411 is already on line 2"),
])
def test_import_errors(text: str, field: str, problem: str) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        chart_from_csv(text)
    assert caught.value.field == field
    assert caught.value.details["problem"] == problem
