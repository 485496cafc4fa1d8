"""The SEPA files: pain.008 direct debits and pain.001 credit transfers in each supported
schema, validated against the XSD bundled with sepaxml and read back by XPath (blocks per
sequence type, control sums, amounts, identifiers), and every refusal naming its field."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import sepaxml
import xmlschema
from lxml import etree

from comptoir.errors import InvalidFieldError
from comptoir.wire.sepa import (
    DIRECT_DEBIT_SCHEMAS,
    TRANSFER_SCHEMAS,
    Collection,
    Party,
    Transfer,
    direct_debit_file,
    transfer_file,
)

D = Decimal
ICS = "FR72ZZZ123456"
CREATED = datetime(2026, 12, 7, 10, 30, 15, 123456)
DUE = date(2026, 12, 21)
COMPANY = Party("Comptoir Ébénisterie SARL", "FR76 3000 6000 0112 3456 7890 189", "BNPAFRPPXXX")
ALICE = Party("Alice Lefèvre", "DE89370400440532013000", "COBADEFFXXX")
BOB = Party("Bob & Çie", "BE68539007547034")
SIGNED = date(2025, 3, 1)


def xsd_valid(xml: bytes, schema: str) -> etree._Element:
    """The root of `xml` once validated against the bundled XSD of `schema`."""
    path = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", f"{schema}.xsd")
    xmlschema.XMLSchema(path).validate(xml.decode())
    return etree.fromstring(xml)


def ns(schema: str) -> dict[str, str]:
    return {"p": f"urn:iso:std:iso:20022:tech:xsd:{schema}"}


def texts(root: etree._Element, path: str, schema: str) -> list[str]:
    found = root.xpath(path, namespaces=ns(schema))
    assert isinstance(found, list)
    return [node if isinstance(node, str) else node.text or "" for node in found]


def collection(n: int, amount: str, sequence: str, debtor: Party = ALICE,
               remittance: str = "Facture F-2026-001") -> Collection:
    return Collection(f"E2E-{n}", D(amount), debtor, f"RUM-{n}", SIGNED, sequence,
                      remittance)


COLLECTIONS = [collection(1, "12.30", "RCUR"), collection(2, "0.05", "FRST", BOB),
               collection(3, "100", "RCUR", remittance="Abonnement décembre"),
               collection(4, "7.65", "FRST")]


def debit(collections: list[Collection] | None = None, **kwargs: Any) -> bytes:
    arguments: dict[str, Any] = {"message_id": "SDD-2026-12-07", "created": CREATED,
                                 "collection_date": DUE}
    arguments.update(kwargs)
    creditor = arguments.pop("creditor", COMPANY)
    creditor_id = arguments.pop("creditor_id", ICS)
    return direct_debit_file(creditor, creditor_id,
                             COLLECTIONS if collections is None else collections,
                             **arguments)


TRANSFERS = [Transfer("PAY-1", D("1500.00"), ALICE, "Facture fournisseur 42"),
             Transfer("PAY-2", D("0.10"), BOB, ""), Transfer("PAY-3", D("0.20"), BOB, "x")]


def transfer(transfers: list[Transfer] | None = None, **kwargs: Any) -> bytes:
    arguments: dict[str, Any] = {"message_id": "SCT-2026-12-07", "created": CREATED,
                                 "execution_date": date(2026, 12, 8)}
    arguments.update(kwargs)
    debtor = arguments.pop("debtor", COMPANY)
    return transfer_file(debtor, TRANSFERS if transfers is None else transfers, **arguments)


@pytest.mark.parametrize("schema", DIRECT_DEBIT_SCHEMAS)
def test_a_direct_debit_file_has_one_block_per_sequence_type(schema: str) -> None:
    # given four collections, two first ones and two recurrent ones, mixed
    # when
    root = xsd_valid(debit(schema=schema), schema)

    # then
    def get(path: str) -> list[str]:
        return texts(root, path, schema)

    head = "/p:Document/p:CstmrDrctDbtInitn/p:GrpHdr/"
    assert get(head + "p:MsgId") == ["SDD-2026-12-07"]
    assert get(head + "p:CreDtTm") == ["2026-12-07T10:30:15"]
    assert get(head + "p:NbOfTxs") == ["4"]
    assert get(head + "p:CtrlSum") == ["120.00"]
    assert get(head + "p:InitgPty/p:Nm") == ["Comptoir Ebenisterie SARL"]
    blocks = "//p:PmtInf/"
    assert get(blocks + "p:PmtInfId") == ["SDD-2026-12-07-FRST", "SDD-2026-12-07-RCUR"]
    assert get(blocks + "p:PmtTpInf/p:SeqTp") == ["FRST", "RCUR"]
    assert get(blocks + "p:NbOfTxs") == ["2", "2"]
    assert get(blocks + "p:CtrlSum") == ["7.70", "112.30"]
    assert get(blocks + "p:BtchBookg") == ["true", "true"]
    assert get(blocks + "p:PmtMtd") == ["DD", "DD"]
    assert get(blocks + "p:PmtTpInf/p:SvcLvl/p:Cd") == ["SEPA", "SEPA"]
    assert get(blocks + "p:PmtTpInf/p:LclInstrm/p:Cd") == ["CORE", "CORE"]
    assert get(blocks + "p:ReqdColltnDt") == ["2026-12-21", "2026-12-21"]
    assert get(blocks + "p:CdtrAcct/p:Id/p:IBAN") == ["FR7630006000011234567890189"] * 2
    assert get(blocks + "p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id") == [ICS, ICS]
    assert get(blocks + "p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:SchmeNm/p:Prtry") == [
        "SEPA", "SEPA"]
    assert get(blocks + "p:ChrgBr") == ["SLEV", "SLEV"]
    bic = "p:BIC" if schema == "pain.008.001.02" else "p:BICFI"
    assert get(blocks + f"p:CdtrAgt/p:FinInstnId/{bic}") == ["BNPAFRPPXXX"] * 2
    lines = "//p:DrctDbtTxInf/"
    assert get(lines + "p:PmtId/p:EndToEndId") == ["E2E-2", "E2E-4", "E2E-1", "E2E-3"]
    assert get(lines + "p:InstdAmt") == ["0.05", "7.65", "12.30", "100.00"]
    assert get(lines + "p:InstdAmt/@Ccy") == ["EUR"] * 4
    assert get(lines + "p:DrctDbtTx/p:MndtRltdInf/p:MndtId") == [
        "RUM-2", "RUM-4", "RUM-1", "RUM-3"]
    assert get(lines + "p:DrctDbtTx/p:MndtRltdInf/p:DtOfSgntr") == ["2025-03-01"] * 4
    assert get(lines + "p:Dbtr/p:Nm") == ["Bob + Cie", "Alice Lefevre", "Alice Lefevre",
                                         "Alice Lefevre"]
    assert get(lines + f"p:DbtrAgt/p:FinInstnId/{bic}") == ["COBADEFFXXX"] * 3
    assert get(lines + "p:DbtrAgt/p:FinInstnId/p:Othr/p:Id") == ["NOTPROVIDED"]
    assert get(lines + "p:DbtrAcct/p:Id/p:IBAN")[0] == "BE68539007547034"
    assert get(lines + "p:RmtInf/p:Ustrd") == ["Facture F-2026-001"] * 3 + [
        "Abonnement decembre"]


@pytest.mark.parametrize("schema", DIRECT_DEBIT_SCHEMAS)
def test_a_b2b_file_of_one_off_and_final_collections_without_batch_booking(
        schema: str) -> None:
    collections = [collection(1, "10.00", "OOFF"), collection(2, "20.00", "FNAL"),
                   collection(3, "30.01", "OOFF", remittance="")]
    root = xsd_valid(debit(collections, scheme="B2B", batch_booking=False, schema=schema),
                     schema)
    assert texts(root, "//p:PmtInf/p:PmtTpInf/p:SeqTp", schema) == ["FNAL", "OOFF"]
    assert texts(root, "//p:PmtInf/p:PmtTpInf/p:LclInstrm/p:Cd", schema) == ["B2B"] * 2
    assert texts(root, "//p:PmtInf/p:BtchBookg", schema) == ["false", "false"]
    assert texts(root, "//p:PmtInf/p:CtrlSum", schema) == ["20.00", "40.01"]
    assert texts(root, "//p:GrpHdr/p:CtrlSum", schema) == ["60.01"]
    # an empty remittance leaves the remittance information out
    assert len(root.xpath("//p:DrctDbtTxInf[not(p:RmtInf)]", namespaces=ns(schema))) == 1


def test_the_creditor_bic_is_optional_from_pain_008_001_08() -> None:
    schema = "pain.008.001.08"
    root = xsd_valid(debit(creditor=replace(COMPANY, bic=""), schema=schema), schema)
    assert texts(root, "//p:PmtInf/p:CdtrAgt/p:FinInstnId/p:Othr/p:Id", schema) == [
        "NOTPROVIDED"] * 2


# (amounts, block sums in FRST, RCUR order, header sum)
CONTROL_SUMS = [
    (["0.10", "0.20", "0.30"], ["0.60"], "0.60"),
    (["999999999.99", "0.01"], ["1000000000.00"], "1000000000.00"),
    (["0.01"] * 150, ["1.50"], "1.50"),
    (["33.33", "33.33", "33.34"], ["100.00"], "100.00"),
]


@pytest.mark.parametrize(("amounts", "sums", "total"), CONTROL_SUMS)
def test_control_sums_are_exact(amounts: list[str], sums: list[str], total: str) -> None:
    collections = [collection(i, amount, "RCUR") for i, amount in enumerate(amounts)]
    root = xsd_valid(debit(collections), "pain.008.001.02")
    assert texts(root, "//p:PmtInf/p:CtrlSum", "pain.008.001.02") == sums
    assert texts(root, "//p:GrpHdr/p:CtrlSum", "pain.008.001.02") == [total]
    assert texts(root, "//p:GrpHdr/p:NbOfTxs", "pain.008.001.02") == [str(len(amounts))]


def test_the_same_input_gives_the_same_bytes() -> None:
    assert debit() == debit()
    assert transfer() == transfer()


def test_a_time_zone_is_written_with_its_offset() -> None:
    created = datetime(2026, 12, 7, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    root = xsd_valid(debit(created=created), "pain.008.001.02")
    assert texts(root, "//p:GrpHdr/p:CreDtTm", "pain.008.001.02") == [
        "2026-12-07T10:30:00+01:00"]


def test_names_and_remittances_are_cut_to_the_sepa_lengths() -> None:
    long = collection(1, "1.00", "RCUR", Party("Ä" * 80, ALICE.iban), "é" * 200)
    root = xsd_valid(debit([long]), "pain.008.001.02")
    assert texts(root, "//p:Dbtr/p:Nm", "pain.008.001.02") == ["A" * 70]
    assert texts(root, "//p:RmtInf/p:Ustrd", "pain.008.001.02") == ["e" * 140]


@pytest.mark.parametrize("schema", TRANSFER_SCHEMAS)
def test_a_transfer_file(schema: str) -> None:
    # given three transfers, one without remittance, to creditors with and without BIC
    # when
    root = xsd_valid(transfer(schema=schema), schema)

    # then
    def get(path: str) -> list[str]:
        return texts(root, path, schema)

    head = "/p:Document/p:CstmrCdtTrfInitn/p:GrpHdr/"
    assert get(head + "p:MsgId") == ["SCT-2026-12-07"]
    assert get(head + "p:CreDtTm") == ["2026-12-07T10:30:15"]
    assert get(head + "p:NbOfTxs") == ["3"]
    assert get(head + "p:CtrlSum") == ["1500.30"]
    assert get("//p:PmtInf/p:PmtInfId") == ["SCT-2026-12-07-TRF"]
    assert get("//p:PmtInf/p:PmtMtd") == ["TRF"]
    assert get("//p:PmtInf/p:BtchBookg") == ["true"]
    assert get("//p:PmtInf/p:NbOfTxs") == ["3"]
    assert get("//p:PmtInf/p:CtrlSum") == ["1500.30"]
    assert get("//p:PmtInf/p:PmtTpInf/p:SvcLvl/p:Cd") == ["SEPA"]
    execution = "p:ReqdExctnDt" if schema == "pain.001.001.03" else "p:ReqdExctnDt/p:Dt"
    assert get(f"//p:PmtInf/{execution}") == ["2026-12-08"]
    assert get("//p:PmtInf/p:Dbtr/p:Nm") == ["Comptoir Ebenisterie SARL"]
    assert get("//p:PmtInf/p:DbtrAcct/p:Id/p:IBAN") == ["FR7630006000011234567890189"]
    bic = "p:BIC" if schema == "pain.001.001.03" else "p:BICFI"
    assert get(f"//p:PmtInf/p:DbtrAgt/p:FinInstnId/{bic}") == ["BNPAFRPPXXX"]
    assert get("//p:PmtInf/p:ChrgBr") == ["SLEV"]
    lines = "//p:CdtTrfTxInf/"
    assert get(lines + "p:PmtId/p:EndToEndId") == ["PAY-1", "PAY-2", "PAY-3"]
    assert get(lines + "p:Amt/p:InstdAmt") == ["1500.00", "0.10", "0.20"]
    assert get(lines + "p:Amt/p:InstdAmt/@Ccy") == ["EUR"] * 3
    assert get(lines + f"p:CdtrAgt/p:FinInstnId/{bic}") == ["COBADEFFXXX"]
    assert get(lines + "p:Cdtr/p:Nm") == ["Alice Lefevre", "Bob + Cie", "Bob + Cie"]
    assert get(lines + "p:CdtrAcct/p:Id/p:IBAN") == [ALICE.iban, BOB.iban, BOB.iban]
    assert get(lines + "p:RmtInf/p:Ustrd") == ["Facture fournisseur 42", "x"]


@pytest.mark.parametrize("schema", TRANSFER_SCHEMAS)
def test_a_debtor_without_bic_has_a_debtor_agent_not_provided(schema: str) -> None:
    root = xsd_valid(transfer(debtor=replace(COMPANY, bic=""), batch_booking=False,
                              schema=schema), schema)
    assert texts(root, "//p:PmtInf/p:DbtrAgt/p:FinInstnId/p:Othr/p:Id", schema) == [
        "NOTPROVIDED"]
    assert texts(root, "//p:PmtInf/p:BtchBookg", schema) == ["false"]


def first(**changes: Any) -> list[Collection]:
    return [COLLECTIONS[0], replace(COLLECTIONS[1], **changes)]


DEBIT_ERRORS: list[tuple[Callable[[], bytes], str]] = [
    (lambda: debit(creditor=replace(COMPANY, iban="FR7630006000011234567890188")),
     "creditor.iban"),
    (lambda: debit(creditor=replace(COMPANY, bic="BNPA1RPP")), "creditor.bic"),
    (lambda: debit(creditor=replace(COMPANY, bic="")), "creditor.bic"),  # .02 needs it
    (lambda: debit(creditor=replace(COMPANY, name="日本")), "creditor.name"),
    (lambda: debit(creditor_id="FR73ZZZ123456"), "creditor_id"),
    (lambda: debit(first(debtor=replace(BOB, iban="BE68539007547035"))),
     "collections[1].debtor.iban"),
    (lambda: debit(first(debtor=replace(BOB, iban="TR330006100519786457841326"))),
     "collections[1].debtor.iban"),  # outside the SEPA zone
    (lambda: debit(first(debtor=replace(BOB, bic="GEBABEBBX"))),
     "collections[1].debtor.bic"),
    (lambda: debit(first(mandate_reference="RUM 2")), "collections[1].mandate_reference"),
    (lambda: debit(first(mandate_reference="")), "collections[1].mandate_reference"),
    (lambda: debit(first(amount=D("0"))), "collections[1].amount"),
    (lambda: debit(first(amount=D("-5.00"))), "collections[1].amount"),
    (lambda: debit(first(amount=D("1.001"))), "collections[1].amount"),
    (lambda: debit(first(end_to_end_id="E2E-1")), "collections[1].end_to_end_id"),
    (lambda: debit(first(end_to_end_id="E2E 2")), "collections[1].end_to_end_id"),
    (lambda: debit(first(sequence="FIRST")), "collections[1].sequence"),
    (lambda: debit(first(mandate_date=date(2026, 12, 22))), "collections[1].mandate_date"),
    (lambda: debit([]), "collections"),
    (lambda: debit(schema="pain.008.003.02"), "schema"),
    (lambda: debit(schema="pain.001.001.03"), "schema"),
    (lambda: debit(scheme="COR1"), "scheme"),
    (lambda: debit(message_id="SDD 1"), "message_id"),
    (lambda: debit(message_id="M" * 36), "message_id"),
]


@pytest.mark.parametrize(("make", "field"), DEBIT_ERRORS)
def test_a_wrong_direct_debit_names_its_field(make: Callable[[], bytes], field: str) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        make()
    assert caught.value.field == field
    assert caught.value.message.startswith(field + ": ")


TRANSFER_ERRORS: list[tuple[Callable[[], bytes], str]] = [
    (lambda: transfer(debtor=replace(COMPANY, iban="FR76")), "debtor.iban"),
    (lambda: transfer(debtor=replace(COMPANY, bic="BNPAFRPPXX")), "debtor.bic"),
    (lambda: transfer([replace(TRANSFERS[0], creditor=replace(ALICE, iban="XX00"))]),
     "transfers[0].creditor.iban"),
    (lambda: transfer([replace(TRANSFERS[0], creditor=replace(ALICE, bic="ABC"))]),
     "transfers[0].creditor.bic"),
    (lambda: transfer([TRANSFERS[0], replace(TRANSFERS[1], amount=D("0.00"))]),
     "transfers[1].amount"),
    (lambda: transfer([TRANSFERS[0], replace(TRANSFERS[1], amount=D("1000000000"))]),
     "transfers[1].amount"),
    (lambda: transfer([TRANSFERS[0], replace(TRANSFERS[1], end_to_end_id="/PAY")]),
     "transfers[1].end_to_end_id"),
    (lambda: transfer([]), "transfers"),
    (lambda: transfer(schema="pain.001.001.10"), "schema"),
    (lambda: transfer(schema="pain.008.001.02"), "schema"),
    (lambda: transfer(message_id=""), "message_id"),
]


@pytest.mark.parametrize(("make", "field"), TRANSFER_ERRORS)
def test_a_wrong_transfer_names_its_field(make: Callable[[], bytes], field: str) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        make()
    assert caught.value.field == field
