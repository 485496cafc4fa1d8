"""The SEPA files we hand to a bank: the pain.008 customer direct debit initiation (SDD
Core or B2B collections on our debtors' mandates) and the pain.001 customer credit transfer
initiation (SCT payments to our suppliers), ISO 20022 XML built with the `sepaxml` library
and validated against the XSD it bundles.

    direct_debit_file(creditor, "FR72ZZZ123456", collections, message_id="SDD-2026-1",
                      created=now, collection_date=date(2026, 12, 21))  # bytes

Schemas: pain.008.001.02 and pain.001.001.03 (the 2009 ISO versions of the EPC
implementation guidelines EPC130-08 / EPC132-08 up to 2023, which French banks accept) and
pain.008.001.08 and pain.001.001.09 (the 2019 versions the EPC guidelines use since
November 2023, towards which French banks are moving).

What the files hold, beyond what the rules of `domain/sepa.py` check:

- a direct debit file has one payment information block (PmtInf) per sequence type, in the
  order FRST, RCUR, FNAL, OOFF (the guidelines forbid mixing sequence types in a block), all
  due on `collection_date`; a transfer file has a single block executed on
  `execution_date`;
- the control sums (CtrlSum) and numbers of transactions (NbOfTxs) of every block and of
  the group header are computed in exact cents;
- names are cut at 70 characters and remittance texts at 140 (unstructured, Ustrd), both
  reduced to the SEPA character set (`domain/sepa.sepa_text`); an empty remittance leaves
  the remittance information out;
- the BICs are optional (IBAN-only, EPC rulebooks since February 2016): a missing agent BIC
  is written Othr/Id NOTPROVIDED, but sepaxml needs the creditor's BIC in a
  pain.008.001.02 file;
- BtchBookg says whether the bank books the block as one line (`batch_booking`) or each
  transaction on its own; the identifiers of the message (MsgId), of each block
  (PmtInfId: the message id and the sequence type, or "TRF") and the creation time are
  ours, so the same input gives the same bytes.

sepaxml makes random message and block identifiers, stamps the current time and only
groups transactions into blocks in batch mode: the identifiers, the time, BtchBookg, the
NOTPROVIDED debtor agent of a transfer and the empty remittance are set on its output
(parsed with lxml) before the XSD validation.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import sepaxml
import xmlschema
from lxml import etree
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from comptoir.domain import sepa
from comptoir.errors import BadRequestError, InvalidFieldError

DIRECT_DEBIT_SCHEMAS = ("pain.008.001.02", "pain.008.001.08")
TRANSFER_SCHEMAS = ("pain.001.001.03", "pain.001.001.09")
#: the order of the payment information blocks of a direct debit file
SEQUENCE_ORDER = (sepa.SequenceType.FRST, sepa.SequenceType.RCUR, sepa.SequenceType.FNAL,
                  sepa.SequenceType.OOFF)
CURRENCY = "EUR"
NOT_PROVIDED = "NOTPROVIDED"
_SCHEMA_DIR = os.path.join(os.path.dirname(sepaxml.__file__), "schemas")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass(frozen=True, slots=True)
class Party:
    """A creditor or debtor: its name and account (IBAN, and BIC when known)."""

    name: str
    iban: str
    bic: str = ""


@dataclass(frozen=True, slots=True)
class Collection:
    """One direct debit: `amount` euros from `debtor` on the mandate `mandate_reference`
    signed on `mandate_date`, `sequence` FRST, RCUR, OOFF or FNAL."""

    end_to_end_id: str
    amount: Decimal
    debtor: Party
    mandate_reference: str
    mandate_date: date
    sequence: str
    remittance: str


@dataclass(frozen=True, slots=True)
class Transfer:
    """One credit transfer: `amount` euros to `creditor`."""

    end_to_end_id: str
    amount: Decimal
    creditor: Party
    remittance: str


@dataclass(frozen=True, slots=True)
class Account:
    """A checked Party: the name reduced to the SEPA set, IBAN and BIC compact."""

    name: str
    iban: str
    bic: str


def check_party(party: Party, field: str, *, need_bic: bool = False) -> Account:
    """`party` checked: its name is not empty once reduced to the SEPA set (cut at 70
    characters), its IBAN is valid (schwifty: length, structure, check digits) and of a
    country of the SEPA zone, its BIC valid when given (required when `need_bic`); else
    InvalidFieldError naming f"{field}.name", f"{field}.iban" or f"{field}.bic"."""
    name = sepa.sepa_text(party.name, sepa.MAX_NAME_LENGTH)
    if not name:
        raise InvalidFieldError(f"{field}.name", "must not be empty")
    try:
        iban = IBAN(party.iban)
    except SchwiftyException as error:
        raise InvalidFieldError(f"{field}.iban", f"is not a valid IBAN ({error})") from None
    if not iban.in_sepa_zone:
        raise InvalidFieldError(f"{field}.iban", "is not an account of the SEPA zone")
    bic = ""
    if party.bic.strip():
        try:
            bic = BIC(party.bic.strip()).compact
        except SchwiftyException as error:
            raise InvalidFieldError(f"{field}.bic", f"is not a valid BIC ({error})") from None
    elif need_bic:
        raise InvalidFieldError(f"{field}.bic", "must be given")
    return Account(name, iban.compact, bic)


def _check_schema(schema: str, supported: tuple[str, ...]) -> str:
    if schema not in supported:
        raise InvalidFieldError("schema", "must be one of " + ", ".join(supported))
    return schema


def _check_header(message_id: str, created: datetime, count: int, field: str) -> None:
    sepa.check_identifier(message_id, "message_id")
    if not isinstance(created, datetime):
        raise InvalidFieldError("created", "must be a date and time")
    if count == 0:
        raise InvalidFieldError(field, "must hold at least one payment")


def _check_end_to_end(value: str, field: str, seen: set[str]) -> str:
    sepa.check_identifier(value, field)
    if value in seen:
        raise InvalidFieldError(field, f"{value!r} is used twice in the file")
    seen.add(value)
    return value


@cache
def xml_schema(schema: str) -> xmlschema.XMLSchema:
    """The XSD of `schema` (one bundled with sepaxml), loaded once."""
    return xmlschema.XMLSchema(os.path.join(_SCHEMA_DIR, schema + ".xsd"))


def _finish(xml: bytes, schema: str, *, message_id: str, created: datetime,
            batch_booking: bool, block_ids: Sequence[str]) -> bytes:
    """sepaxml's `xml` with our identifiers, time and booking, checked against `schema`."""
    root = etree.fromstring(xml, _PARSER)
    ns = {"p": f"urn:iso:std:iso:20022:tech:xsd:{schema}"}

    def set_text(path: str, text: str) -> None:
        for node in root.iterfind(path, ns):
            node.text = text

    set_text("*/p:GrpHdr/p:MsgId", message_id)
    set_text("*/p:GrpHdr/p:CreDtTm", created.replace(microsecond=0).isoformat())
    set_text("*/p:PmtInf/p:BtchBookg", "true" if batch_booking else "false")
    for node, block_id in zip(root.iterfind("*/p:PmtInf/p:PmtInfId", ns), block_ids,
                              strict=True):
        node.text = block_id
    for remittance in root.iterfind(".//p:RmtInf", ns):
        if not "".join(remittance.itertext()).strip():
            parent = remittance.getparent()
            assert parent is not None
            parent.remove(remittance)
    for agent in root.iterfind("*/p:PmtInf/p:DbtrAgt/p:FinInstnId", ns):
        if len(agent) == 0:
            other = etree.SubElement(agent, f"{{{ns['p']}}}Othr")
            etree.SubElement(other, f"{{{ns['p']}}}Id").text = NOT_PROVIDED
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    try:
        xml_schema(schema).validate(out.decode())
    except xmlschema.XMLSchemaValidationError as error:
        raise BadRequestError(f"the {schema} file does not validate against its XSD: "
                              f"{error.reason}", reason="xsd", schema=schema) from None
    return out


def _block_id(message_id: str, suffix: str) -> str:
    return f"{message_id[:sepa.MAX_ID_LENGTH - len(suffix) - 1]}-{suffix}"


def direct_debit_file(creditor: Party, creditor_id: str, collections: Sequence[Collection],
                      *, message_id: str, created: datetime, collection_date: date,
                      scheme: str = "CORE", batch_booking: bool = True,
                      schema: str = "pain.008.001.02") -> bytes:
    """The pain.008 file collecting `collections` for `creditor` (whose SEPA creditor
    identifier is `creditor_id`) on `collection_date` under `scheme` (CORE or B2B), as
    UTF-8 bytes valid against the XSD of `schema` (the module's docstring).

    Errors name their field: "schema", "scheme", "creditor_id", "message_id", "created",
    "collections" (none given), "creditor.name" / ".iban" / ".bic", and per collection
    "collections[i].end_to_end_id" (also when used twice), ".amount", ".debtor.name" /
    ".iban" / ".bic", ".mandate_reference", ".mandate_date" (after `collection_date`),
    ".sequence"."""
    _check_schema(schema, DIRECT_DEBIT_SCHEMAS)
    sepa.check_scheme(scheme)
    account = check_party(creditor, "creditor", need_bic=schema == "pain.008.001.02")
    ics = sepa.check_creditor_identifier(creditor_id, "creditor_id")
    _check_header(message_id, created, len(collections), "collections")
    payments: dict[str, list[dict[str, Any]]] = {kind: [] for kind in SEQUENCE_ORDER}
    seen: set[str] = set()
    for i, collection in enumerate(collections):
        field = f"collections[{i}]"
        debtor = check_party(collection.debtor, f"{field}.debtor")
        if collection.mandate_date > collection_date:
            raise InvalidFieldError(f"{field}.mandate_date",
                                    "must not be after the collection date")
        payment: dict[str, Any] = {
            "endtoend_id": _check_end_to_end(collection.end_to_end_id,
                                             f"{field}.end_to_end_id", seen),
            "amount": sepa.amount_cents(collection.amount, f"{field}.amount"),
            "name": debtor.name,
            "IBAN": debtor.iban,
            "mandate_id": sepa.check_mandate_reference(collection.mandate_reference,
                                                       f"{field}.mandate_reference"),
            "mandate_date": collection.mandate_date,
            "type": sepa.check_sequence(collection.sequence, f"{field}.sequence").value,
            "collection_date": collection_date,
            "description": sepa.sepa_text(collection.remittance,
                                          sepa.MAX_REMITTANCE_LENGTH),
        }
        if debtor.bic:
            payment["BIC"] = debtor.bic
        payments[payment["type"]].append(payment)
    config: dict[str, Any] = {"name": account.name, "IBAN": account.iban, "batch": True,
                              "creditor_id": ics, "currency": CURRENCY,
                              "instrument": scheme}
    if account.bic:
        config["BIC"] = account.bic
    builder = sepaxml.SepaDD(config, schema=schema, clean=False)
    for kind in SEQUENCE_ORDER:
        for payment in payments[kind]:
            builder.add_payment(payment)
    block_ids = [_block_id(message_id, kind) for kind in SEQUENCE_ORDER if payments[kind]]
    return _finish(builder.export(validate=False), schema, message_id=message_id,
                   created=created, batch_booking=batch_booking, block_ids=block_ids)


def transfer_file(debtor: Party, transfers: Sequence[Transfer], *, message_id: str,
                  created: datetime, execution_date: date, batch_booking: bool = True,
                  schema: str = "pain.001.001.03") -> bytes:
    """The pain.001 file paying `transfers` from the account of `debtor` on
    `execution_date`, as UTF-8 bytes valid against the XSD of `schema` (the module's
    docstring).

    Errors name their field: "schema", "message_id", "created", "transfers" (none given),
    "debtor.name" / ".iban" / ".bic", and per transfer "transfers[i].end_to_end_id" (also
    when used twice), ".amount", ".creditor.name" / ".iban" / ".bic"."""
    _check_schema(schema, TRANSFER_SCHEMAS)
    account = check_party(debtor, "debtor")
    _check_header(message_id, created, len(transfers), "transfers")
    config: dict[str, Any] = {"name": account.name, "IBAN": account.iban, "batch": True,
                              "currency": CURRENCY}
    if account.bic:
        config["BIC"] = account.bic
    builder = sepaxml.SepaTransfer(config, schema=schema, clean=False)
    seen: set[str] = set()
    for i, transfer in enumerate(transfers):
        field = f"transfers[{i}]"
        creditor = check_party(transfer.creditor, f"{field}.creditor")
        payment: dict[str, Any] = {
            "endtoend_id": _check_end_to_end(transfer.end_to_end_id,
                                             f"{field}.end_to_end_id", seen),
            "amount": sepa.amount_cents(transfer.amount, f"{field}.amount"),
            "name": creditor.name,
            "IBAN": creditor.iban,
            "execution_date": execution_date,
            "description": sepa.sepa_text(transfer.remittance, sepa.MAX_REMITTANCE_LENGTH),
        }
        if creditor.bic:
            payment["BIC"] = creditor.bic
        builder.add_payment(payment)
    return _finish(builder.export(validate=False), schema, message_id=message_id,
                   created=created, batch_booking=batch_booking,
                   block_ids=[_block_id(message_id, "TRF")])
